package io.github.junitkvm.guide;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of the README and the guide reaches a file of the repository and, where it
 * names one, a heading of that page, as GitHub makes anchors of headings: a page split or a heading
 * renamed cannot leave a link behind.
 */
class GuideLinksTest {
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    private final Path root = Guide.root();

    @Test
    void everyRelativeLinkReachesItsFileAndHeading() throws IOException {
        SoftAssertions softly = new SoftAssertions();
        int links = 0;
        for (Path page : Guide.pages(root)) {
            List<String> lines = Guide.proseLines(page);
            for (int i = 0; i < lines.size(); i++) {
                Matcher link = LINK.matcher(lines.get(i));
                while (link.find()) {
                    String target = link.group(1);
                    if (target.matches("[a-z]+:.*")) {
                        continue;
                    }
                    links++;
                    String where = root.relativize(page) + ":" + (i + 1) + ": " + target;
                    int hash = target.indexOf('#');
                    Path file = hash == 0 ? page : page.getParent().resolve(hash < 0 ? target : target.substring(0, hash)).normalize();
                    if (!Files.exists(file)) {
                        softly.fail("%s: no such file", where);
                    } else if (hash >= 0) {
                        softly.assertThat(anchors(file)).as("%s: the headings of %s", where, root.relativize(file))
                                .contains(target.substring(hash + 1));
                    }
                }
            }
        }
        softly.assertAll();
        assertThat(links).as("relative links checked").isGreaterThan(20);
    }

    /** GitHub's anchors: the heading in lower case, without punctuation, blanks made hyphens. */
    static Set<String> anchors(Path page) throws IOException {
        Set<String> anchors = new HashSet<>();
        for (String line : Guide.proseLines(page)) {
            if (line.matches("#{1,6} .*")) {
                anchors.add(line.replaceFirst("#+ ", "").toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }
}
