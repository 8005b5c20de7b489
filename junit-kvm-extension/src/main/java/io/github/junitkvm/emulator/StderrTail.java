package io.github.junitkvm.emulator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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

    private void pump(InputStream stderr) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                add(line);
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
