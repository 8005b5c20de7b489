package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestLibrary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Assembles GNU as source with binutils' {@code as} and {@code ld} from the PATH, into a flat
 * binary linked at the load address.
 *
 * <p>{@code ld --oformat binary} rather than an ELF file: the result is then exactly what
 * {@code code} and a flat binary resource are, bytes at the load address with the entry there,
 * so one loading path serves all three. A trailing bss is not in the output; the guest's fresh RAM
 * is zero there anyway. The source can {@code .include} the {@link GuestLibrary}'s
 * {@code junitkvm.inc}, which is extracted next to it.
 */
final class Binutils implements Assembler {
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);
    /** {@code guest.s:3: Error: no such instruction: ...} as {@code as} reports a line of the source. */
    private static final Pattern SOURCE_MESSAGE = Pattern.compile("^guest\\.s:(\\d+): (?:Error|Warning): (.*)$");
    /**
     * Follows a message about a line of a macro's body (as numbers those lines within the macro's
     * file, while naming the source file), once per macro level; the last is the source's own line.
     */
    private static final Pattern MACRO_INVOCATION = Pattern.compile("^guest\\.s:(\\d+):\\s+Info: macro invoked from here$");
    /** Where the guest library goes in the temporary directory: {@code as -I include}. */
    private static final String INCLUDE = "include";

    private final String as;
    private final String ld;

    /** Uses {@code as} and {@code ld} from the PATH. */
    Binutils() {
        this("as", "ld");
    }

    /**
     * @param as the assembler's command
     * @param ld the linker's command
     */
    Binutils(String as, String ld) {
        this.as = as;
        this.ld = ld;
    }

    @Override
    public byte[] assemble(String source, CpuMode mode, long loadAddress) {
        Path dir = createTempDirectory();
        try {
            // The mode directive goes in a file of its own, so that as numbers the test's lines from 1.
            Files.writeString(dir.resolve("mode.s"), directive(mode) + "\n", StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("guest.s"), source.endsWith("\n") ? source : source + "\n",
                    StandardCharsets.UTF_8);
            // So that the source can .include the guest library's macros.
            GuestLibrary.extractTo(dir.resolve(INCLUDE));
            boolean is64 = mode == CpuMode.LONG;
            Result assembled = run(dir, as, is64 ? "--64" : "--32", "-I", INCLUDE, "-o", "guest.o", "mode.s",
                    "guest.s");
            if (assembled.exitCode() != 0) {
                throw new InvalidImageException(describeErrors(assembled.output(), source));
            }
            Result linked = run(dir, ld, "-m", is64 ? "elf_x86_64" : "elf_i386",
                    "-Ttext=0x" + Long.toHexString(loadAddress), "-e", "0x" + Long.toHexString(loadAddress),
                    "--oformat", "binary", "-o", "guest.bin", "guest.o");
            if (linked.exitCode() != 0) {
                throw new InvalidImageException("ld failed: " + linked.output().strip());
            }
            return Files.readAllBytes(dir.resolve("guest.bin"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot assemble in " + dir, e);
        } finally {
            deleteRecursively(dir);
        }
    }

    private static String directive(CpuMode mode) {
        return switch (mode) {
            case REAL -> ".code16";
            case PROTECTED, PAGED -> ".code32";
            case LONG -> ".code64";
        };
    }

    /**
     * Keeps as's messages about the test's source, each with the line it is about, and drops the
     * rest ("Assembler messages:", temp file names) that would only distract.
     */
    static String describeErrors(String output, String source) {
        String[] lines = source.split("\n", -1);
        List<SourceMessage> messages = new ArrayList<>();
        for (String message : output.split("\n")) {
            Matcher m = SOURCE_MESSAGE.matcher(message.strip());
            Matcher invocation = MACRO_INVOCATION.matcher(message.strip());
            if (m.matches()) {
                messages.add(new SourceMessage(Integer.parseInt(m.group(1)), m.group(2), false));
            } else if (invocation.matches() && !messages.isEmpty()) {
                SourceMessage last = messages.remove(messages.size() - 1);
                messages.add(new SourceMessage(Integer.parseInt(invocation.group(1)), last.text(), true));
            }
        }
        List<String> described = new ArrayList<>();
        for (SourceMessage message : messages) {
            int number = message.line();
            String line = number >= 1 && number <= lines.length ? lines[number - 1].strip() : "";
            described.add("line " + number + ": " + message.text() + (message.inMacro() ? " (in the macro used here)" : "")
                    + "\n    " + line);
        }
        return described.isEmpty() ? "as failed: " + output.strip() : String.join("\n", described);
    }

    private Result run(Path dir, String... command) throws IOException {
        // Output goes to a file, not a pipe, so that a hung tool cannot outlast the timeout on a read.
        Path output = dir.resolve(command[0].replaceAll("\\W", "_") + ".out");
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        } catch (IOException e) {
            throw new InvalidImageException(String.format(
                    "cannot run '%s': assembling needs GNU binutils (as, ld) in PATH, e.g. apt-get install binutils (%s)",
                    command[0], e.getMessage()), e);
        }
        try {
            if (!process.waitFor(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new InvalidImageException(command[0] + " did not finish within " + TOOL_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InvalidImageException("interrupted while " + command[0] + " ran", e);
        }
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    private static Path createTempDirectory() {
        try {
            return Files.createTempDirectory("junit-kvm-asm");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory to assemble in", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Left behind in the temp directory: not worth failing a test over.
        }
    }

    private record Result(int exitCode, String output) {
    }

    /** A message of {@code as} about a line of the test's source, perhaps inside a macro used there. */
    private record SourceMessage(int line, String text, boolean inMacro) {
    }
}
