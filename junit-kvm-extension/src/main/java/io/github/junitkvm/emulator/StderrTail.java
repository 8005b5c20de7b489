package io.github.junitkvm.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Keeps the last lines a worker wrote to stderr (its last words, such as
 * {@code ./qemu/tcg/tcg.c:3073: tcg fatal error}) in a bounded buffer, read by a daemon thread so
 * that a chatty worker can never block on a full pipe.
 */
final class StderrTail {
    private static final int MAX_LINES = 30;
    private static final int MAX_LINE_LENGTH = 400;

    private final Deque<String> lines = new ArrayDeque<>();
    private final Thread reader;

    /**
     * Starts reading.
     *
     * @param stderr the worker's stderr; closed when it ends
     * @param name names the reading thread
     */
    StderrTail(InputStream stderr, String name) {
        reader = new Thread(() -> pump(stderr), name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Keeps at most one character more of a line than {@link #cut} shows, so that a line that
     * never ends costs no more memory than a short one; carriage returns are dropped.
     */
    private void pump(InputStream stderr) {
        try (Reader in = new InputStreamReader(stderr, StandardCharsets.UTF_8)) {
            char[] buffer = new char[8192];
            StringBuilder line = new StringBuilder();
            for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
                for (int i = 0; i < read; i++) {
                    char c = buffer[i];
                    if (c == '\n') {
                        add(line.toString());
                        line.setLength(0);
                    } else if (c != '\r' && line.length() <= MAX_LINE_LENGTH) {
                        // One character past the length shown tells cut() that the line was longer.
                        line.append(c);
                    }
                }
            }
            if (line.length() > 0) {
                add(line.toString());
            }
        } catch (IOException e) {
            add("(stderr unreadable: " + e + ")");
        }
    }

    /** @param line one line, cut to a bounded length */
    synchronized void add(String line) {
        if (lines.size() == MAX_LINES) {
            lines.removeFirst();
        }
        lines.addLast(cut(line));
    }

    /**
     * @param line a line a worker left
     * @return the line, cut to a bounded length
     */
    static String cut(String line) {
        return line.length() > MAX_LINE_LENGTH ? line.substring(0, MAX_LINE_LENGTH) + "..." : line;
    }

    /**
     * Waits a little for the rest of the output of a process that has ended.
     *
     * @param millis how long to wait at most
     */
    void awaitEnd(long millis) {
        try {
            reader.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the kept lines, joined by newlines; empty if there were none */
    String text() {
        return text(line -> true);
    }

    /**
     * @param shown which of the kept lines to show
     * @return those lines, joined by newlines; empty if there are none
     */
    synchronized String text(Predicate<String> shown) {
        return lines.stream().filter(shown).collect(Collectors.joining("\n"));
    }
}
