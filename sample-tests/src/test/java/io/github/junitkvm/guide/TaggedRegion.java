package io.github.junitkvm.guide;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A region of a source file between {@code tag::name[]} and {@code end::name[]} markers, written in
 * a comment of the file's language ({@code // tag::first-test[]}), as Asciidoctor's includes mark
 * them. Marker lines of other regions inside it are left out, and the region loses the indentation
 * its lines share, so that a method can be shown without its class.
 */
final class TaggedRegion {
    private TaggedRegion() {
    }

    /**
     * @param file the source file
     * @param tag the region's name
     * @return the region's lines, joined with {@code \n}, ending with one
     * @throws IllegalArgumentException if the file has no such region, or one not closed
     */
    static String read(Path file, String tag) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String start = "tag::" + tag + "[]";
        String end = "end::" + tag + "[]";
        List<String> region = new ArrayList<>();
        boolean inside = false;
        for (String line : lines) {
            if (line.contains(start)) {
                if (inside) {
                    throw new IllegalArgumentException(file + ": region " + tag + " opened twice");
                }
                inside = true;
            } else if (line.contains(end)) {
                if (!inside) {
                    throw new IllegalArgumentException(file + ": region " + tag + " closed before it opened");
                }
                return dedent(region);
            } else if (inside && !isMarker(line)) {
                region.add(line);
            }
        }
        throw new IllegalArgumentException(file + (inside ? ": region " + tag + " is not closed"
                : ": no region " + tag + " (a line with " + start + ")"));
    }

    private static boolean isMarker(String line) {
        return line.matches(".*\\b(tag|end)::[\\w.-]+\\[\\].*");
    }

    private static String dedent(List<String> lines) {
        int indent = lines.stream().filter(line -> !line.isBlank())
                .mapToInt(line -> line.length() - line.stripLeading().length()).min().orElse(0);
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
        }
        return text.toString();
    }
}
