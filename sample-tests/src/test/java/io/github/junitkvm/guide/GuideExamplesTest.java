package io.github.junitkvm.guide;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Every code example of the README and the guide shows a tagged region of a file the build
 * compiles and runs (a sample test, a C guest), character for character. In Markdown the example's
 * fence follows a comment naming the file, from the repository's root, and the region:
 * {@code <!-- example: sample-tests/src/test/java/…/HelloGuestTest.java#first-test -->}. Java and C
 * examples must have one; other blocks (shell commands, output, XML) may.
 */
class GuideExamplesTest {
    private static final Pattern EXAMPLE = Pattern.compile("<!-- example: (\\S+)#([\\w.-]+) -->");
    private static final Pattern FENCE = Pattern.compile("^```(\\w*)$");
    private static final List<String> CHECKED_LANGUAGES = List.of("java", "c");

    private final Path root = Guide.root();

    @Test
    void everyExampleIsATaggedRegionOfBuiltCode() throws IOException {
        SoftAssertions softly = new SoftAssertions();
        int examples = 0;
        for (Path page : Guide.pages(root)) {
            for (Block block : blocks(page)) {
                String where = root.relativize(page) + ":" + block.line();
                if (block.source() == null) {
                    softly.assertThat(CHECKED_LANGUAGES).as("%s: a %s example without an <!-- example: file#tag --> comment",
                            where, block.language()).doesNotContain(block.language());
                    continue;
                }
                examples++;
                Path file = root.resolve(block.source());
                if (!Files.isRegularFile(file)) {
                    softly.fail("%s: the example's file %s does not exist", where, block.source());
                    continue;
                }
                softly.assertThat(block.text()).as("%s: the example from %s#%s", where, block.source(), block.tag())
                        .isEqualTo(TaggedRegion.read(file, block.tag()));
            }
        }
        softly.assertAll();
        assertThat(examples).as("examples taken from the samples").isGreaterThanOrEqualTo(6);
    }

    /** A fenced code block, with the example comment right above it, if any. */
    private record Block(int line, String language, String source, String tag, String text) {
    }

    private static List<Block> blocks(Path page) throws IOException {
        List<String> lines = Files.readAllLines(page);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher fence = FENCE.matcher(lines.get(i));
            if (!fence.matches()) {
                continue;
            }
            int open = i;
            StringBuilder text = new StringBuilder();
            for (i++; i < lines.size() && !lines.get(i).equals("```"); i++) {
                text.append(lines.get(i)).append('\n');
            }
            Matcher example = open > 0 ? EXAMPLE.matcher(lines.get(open - 1).strip()) : null;
            boolean tagged = example != null && example.matches();
            blocks.add(new Block(open + 1, fence.group(1), tagged ? example.group(1) : null,
                    tagged ? example.group(2) : null, text.toString()));
        }
        return blocks;
    }
}
