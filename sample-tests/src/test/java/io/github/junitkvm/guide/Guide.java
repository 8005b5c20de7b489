package io.github.junitkvm.guide;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Where the README and the guide's pages are, and their text outside code blocks. */
final class Guide {
    private Guide() {
    }

    /**
     * Maven runs the module's tests in its directory; a console launcher may run them from the root.
     *
     * @return the repository's root: the first directory up from here with {@code docs/} and the README
     */
    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("docs")) && Files.isRegularFile(dir.resolve("README.md"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no directory with docs/ and README.md above " + Path.of("").toAbsolutePath());
    }

    /** @return the README, then the guide's pages in name order */
    static List<Path> pages(Path root) throws IOException {
        List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> guide = Files.list(root.resolve("docs"))) {
            guide.filter(page -> page.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    /** @return the page's lines, those inside fenced code blocks blanked (keeping line numbers) */
    static List<String> proseLines(Path page) throws IOException {
        List<String> lines = new ArrayList<>();
        boolean code = false;
        for (String line : Files.readAllLines(page)) {
            boolean fence = line.startsWith("```");
            lines.add(code || fence ? "" : line);
            code ^= fence;
        }
        return lines;
    }
}
