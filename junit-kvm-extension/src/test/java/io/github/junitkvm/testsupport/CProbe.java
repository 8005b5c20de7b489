package io.github.junitkvm.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Compiles a small C program with the system's {@code gcc} and runs it, to learn what the C
 * compiler computes from a system header (struct sizes, field offsets, ioctl numbers, constants).
 *
 * <p>The program prints one {@code name value} pair a line, the value in decimal; {@link #run}
 * returns them as a map. A missing {@code gcc} or header is a test failure, not a skip:
 * {@code .ci/run} installs them.
 */
public final class CProbe {
    private CProbe() {
    }

    /**
     * @param source the C program
     * @param extraGccArguments added to the gcc command line after the source (for example
     *     {@code -lunicorn}), may be empty
     * @return what the program printed, name to value, in order
     * @throws IOException if gcc cannot be started or the files cannot be written
     * @throws InterruptedException if interrupted while waiting for gcc or the program
     */
    public static Map<String, Long> run(String source, String... extraGccArguments)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("junitkvm-cprobe");
        try {
            Path c = dir.resolve("probe.c");
            Path exe = dir.resolve("probe");
            Files.writeString(c, source, StandardCharsets.UTF_8);
            List<String> gcc = new ArrayList<>(List.of("gcc", "-o", exe.toString(), c.toString()));
            gcc.addAll(List.of(extraGccArguments));
            String compiled = execute(gcc);
            String output = execute(List.of(exe.toString()));
            if (!compiled.isBlank()) {
                System.err.println("gcc said: " + compiled);
            }
            return parse(output);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Map<String, Long> parse(String output) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.trim().split("\\s+");
            if (fields.length != 2) {
                throw new IllegalStateException("probe printed an unexpected line: " + line);
            }
            values.put(fields[0], Long.parseUnsignedLong(fields[1]));
        }
        return values;
    }

    private static String execute(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(command + " did not finish within 60 s");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(command + " failed with exit code " + process.exitValue()
                    + ":\n" + output);
        }
        return output;
    }
}
