package io.github.junitkvm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One {@code qemu-system-x86_64} process per test, as KVM unit-test suites run each test: the
 * firmware {@code tools/bench} assembled from {@code src/main/c/qemu_firmware.S} prints the sum to
 * COM1 and leaves through {@code isa-debug-exit}. A process counts only if it printed {@code "4\n"}
 * and exited with status 1 (debug-exit value 0).
 */
public final class QemuBaseline {
    /** isa-debug-exit turns the value v written to its port into exit status 2v + 1. */
    private static final int EXPECTED_STATUS = 1;
    private static final String EXPECTED_OUTPUT = "4\n";
    private static final long TIMEOUT_SECONDS = 120;

    private final Path firmware;
    private final String accelerator;

    /**
     * @param firmware the 64 KiB BIOS image
     * @param accelerator {@code tcg} or {@code kvm}
     * @throws IllegalArgumentException if the firmware is missing
     */
    public QemuBaseline(Path firmware, String accelerator) {
        if (!Files.isRegularFile(firmware)) {
            throw new IllegalArgumentException(firmware + " is missing: tools/bench assembles the QEMU firmware");
        }
        this.firmware = firmware;
        this.accelerator = accelerator;
    }

    /** @return the command line of one test's process */
    public List<String> command() {
        return List.of("qemu-system-x86_64", "-nodefaults", "-no-user-config", "-machine", "pc,accel=" + accelerator,
                "-m", "16", "-display", "none", "-serial", "stdio",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-bios", firmware.toString());
    }

    /**
     * Runs one process to its end and checks what it did.
     *
     * @return its wall time from start to exit, in nanoseconds
     * @throws IOException if it cannot start, times out, or did not print the sum and exit as expected
     * @throws InterruptedException if interrupted meanwhile
     */
    public long runOnce() throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command()).start();
        process.getOutputStream().close();
        CompletableFuture<byte[]> errors = CompletableFuture.supplyAsync(() -> {
            try {
                return process.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("QEMU (" + accelerator + ") did not exit within " + TIMEOUT_SECONDS + " s");
        }
        long elapsed = System.nanoTime() - start;
        if (process.exitValue() != EXPECTED_STATUS || !output.equals(EXPECTED_OUTPUT)) {
            throw new IOException(String.format("QEMU (%s) exited with %d and printed %s, expected %d and \"4\\n\": %s",
                    accelerator, process.exitValue(), quote(output), EXPECTED_STATUS,
                    new String(errors.join(), StandardCharsets.UTF_8).strip()));
        }
        return elapsed;
    }

    /**
     * @param processes how many processes one round runs, one after the other
     * @return the round: microseconds per process
     */
    public Round round(int processes) {
        return () -> {
            long total = 0;
            for (int i = 0; i < processes; i++) {
                total += runOnce();
            }
            return total / 1e3 / processes;
        };
    }

    private static String quote(String text) {
        return "\"" + text.replace("\n", "\\n") + "\"";
    }
}
