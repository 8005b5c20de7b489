package io.github.junitkvm.bench;

import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.Registers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One of the C programs {@code tools/bench} compiled from {@code src/main/c}: runs it on a guest
 * given as a {@code @KvmGuest} annotation (the same code bytes and registers the Java side runs) and
 * returns what it printed. The program times itself, so its process start is not in its numbers.
 */
public final class NativeBaseline {
    private static final long TIMEOUT_MINUTES = 10;

    private final Path executable;

    /**
     * @param executable the compiled program
     * @throws IllegalArgumentException if it is not there: tools/bench builds it
     */
    public NativeBaseline(Path executable) {
        if (!Files.isExecutable(executable)) {
            throw new IllegalArgumentException(executable + " is missing: tools/bench compiles the C baselines"
                    + " (gcc, and libunicorn-dev for the emulator's)");
        }
        this.executable = executable;
    }

    /** @return the program's file name */
    public String name() {
        return executable.getFileName().toString();
    }

    /**
     * @param mode {@code lifecycle}, {@code exits} or {@code memory}
     * @param count the mode's count
     * @param guest the guest: its code and registers
     * @param rcx the value of rcx instead of the annotation's (the OUT loop's count), or -1
     * @return what the program printed
     * @throws IOException if it cannot run, fails, or takes more than ten minutes
     * @throws InterruptedException if interrupted meanwhile
     */
    public BaselineOutput run(String mode, long count, KvmGuest guest, long rcx) throws IOException,
            InterruptedException {
        Registers registers = guest.registers();
        return run(mode, Long.toString(count), guest.code(), Long.toString(registers.rax()),
                Long.toString(registers.rbx()), Long.toString(rcx >= 0 ? rcx : registers.rcx()),
                Long.toString(registers.rdx()));
    }

    /**
     * @param arguments the program's arguments
     * @return what the program printed
     * @throws IOException if it cannot run, fails, or takes more than ten minutes
     * @throws InterruptedException if interrupted meanwhile
     */
    public BaselineOutput run(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(List.of(arguments));
        String what = name() + " " + String.join(" ", List.of(arguments).subList(0, Math.min(2, arguments.length)));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException(what + " did not finish within " + TIMEOUT_MINUTES + " minutes");
        }
        if (process.exitValue() != 0) {
            throw new IOException(what + " failed (exit " + process.exitValue() + "): " + errors.join().strip());
        }
        return BaselineOutput.parse(output);
    }

    private static String readAll(InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read its stderr: " + e + ")";
        }
    }
}
