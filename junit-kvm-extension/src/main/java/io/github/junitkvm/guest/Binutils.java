package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestLibrary;
import java.io.IOException;
import java.io.InputStream;
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
 *
 * <p>The tools run under resource limits, so that a source such as {@code .fill 0x7ff00000} or
 * {@code .include "/dev/zero"} fails quickly instead of filling the disk or the host's memory: the
 * files each tool writes may be no larger than the code's limit (plus {@code OBJECT_OVERHEAD}
 * for {@code as}'s object file), past which the kernel stops the tool ({@code SIGXFSZ}); its
 * address space is {@code MEMORY_BASE} plus {@code MEMORY_PER_BYTE} bytes per byte of the limit.
 */
final class Binutils implements Assembler {
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);
    /**
     * What {@code as}'s object file may have beyond the code: symbols, relocations, headers. Some
     * 700,000 relocations; a test guest has a few hundred.
     */
    private static final long OBJECT_OVERHEAD = 16L << 20;
    /** The address space of a tool with little code to make: eight times what as and ld need then. */
    private static final long MEMORY_BASE = 512L << 20;
    /** The address space a tool may use per byte of code: as keeps some 40 bytes per instruction. */
    private static final long MEMORY_PER_BYTE = 64;
    /** The most of a tool's messages read: enough for hundreds of error lines. */
    private static final int MAX_OUTPUT = 64 << 10;
    /** The exit status of a process the kernel stopped at its file size limit: 128 + SIGXFSZ (25). */
    private static final int FILE_SIZE_LIMIT_EXCEEDED = 128 + 25;
    /** The shell's status when a command is not executable. */
    private static final int COMMAND_NOT_EXECUTABLE = 126;
    /** The shell's status when there is no such command. */
    private static final int COMMAND_NOT_FOUND = 127;
    /**
     * Sets the limits ($1: file size in 512-byte blocks, $2: address space in KiB) and runs the
     * tool. No core file. A limit above a hard limit the tests run under is left at that one.
     */
    private static final String LIMITED = "ulimit -c 0; ulimit -f \"$1\" 2>/dev/null; ulimit -v \"$2\" 2>/dev/null; "
            + "shift 2; exec \"$@\"";
    /** {@code guest.s:3: Error: no such instruction: ...} as {@code as} reports a line of the source. */
    private static final Pattern SOURCE_MESSAGE = Pattern.compile("^guest\\.s:(\\d+): (?:Error|Warning): (.*)$");
    /**
     * Follows a message about a line of a macro's body (as numbers those lines within the macro's
     * file, while naming the source file), once per macro level; the last is the source's own line.
     */
    private static final Pattern MACRO_INVOCATION = Pattern.compile("^guest\\.s:(\\d+):\\s+Info: macro invoked from here$");
    /** Where the guest library goes in the temporary directory: {@code as -I include}. */
    private static final String INCLUDE = "include";
    /** The unit of the shell's file size limit ({@code ulimit -f}). */
    private static final long FILE_BLOCK = 512;
    /** The unit of the shell's address space limit ({@code ulimit -v}). */
    private static final long KIB = 1024;

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
    public byte[] assemble(String source, CpuMode mode, long loadAddress, long limit) {
        Path dir = createTempDirectory();
        try {
            // The mode directive goes in a file of its own, so that as numbers the test's lines from 1.
            Files.writeString(dir.resolve("mode.s"), directive(mode) + "\n", StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("guest.s"), source.endsWith("\n") ? source : source + "\n",
                    StandardCharsets.UTF_8);
            // So that the source can .include the guest library's macros.
            GuestLibrary.extractTo(dir.resolve(INCLUDE));
            boolean is64 = mode == CpuMode.LONG;
            Result assembled = run(dir, saturatedAdd(limit, OBJECT_OVERHEAD), limit, as, is64 ? "--64" : "--32",
                    "-I", INCLUDE, "-o", "guest.o", "mode.s", "guest.s");
            if (assembled.codeTooLarge()) {
                throw Assembler.tooLarge(limit, loadAddress);
            }
            if (assembled.exitCode() != 0) {
                throw new InvalidImageException(describeErrors(assembled.output(), source));
            }
            Result linked = run(dir, limit, limit, ld, "-m", is64 ? "elf_x86_64" : "elf_i386",
                    "-Ttext=0x" + Long.toHexString(loadAddress), "-e", "0x" + Long.toHexString(loadAddress),
                    "--oformat", "binary", "-o", "guest.bin", "guest.o");
            if (linked.codeTooLarge()) {
                throw Assembler.tooLarge(limit, loadAddress);
            }
            if (linked.exitCode() != 0) {
                throw new InvalidImageException("ld failed: " + linked.output().strip());
            }
            // The file size limit is in whole blocks: the binary may still pass the limit by a few bytes.
            Path binary = dir.resolve("guest.bin");
            if (Files.size(binary) > limit) {
                throw Assembler.tooLarge(limit, loadAddress);
            }
            return Files.readAllBytes(binary);
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

    /**
     * @param fileLimit the most bytes the tool may write to any file
     * @param codeLimit the most bytes of code, which sets the tool's address space
     */
    private static Result run(Path dir, long fileLimit, long codeLimit, String... command) throws IOException {
        long blocks = ceilDiv(fileLimit, FILE_BLOCK);
        List<String> limited = new ArrayList<>(List.of("/bin/sh", "-c", LIMITED, "sh", Long.toString(blocks),
                Long.toString(ceilDiv(saturatedAdd(MEMORY_BASE, saturatedMultiply(codeLimit, MEMORY_PER_BYTE)), KIB))));
        limited.addAll(List.of(command));
        // Output goes to a file, not a pipe, so that a hung tool cannot outlast the timeout on a read.
        Path output = dir.resolve(command[0].replaceAll("\\W", "_") + ".out");
        Process process;
        try {
            process = new ProcessBuilder(limited).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        } catch (IOException e) {
            throw cannotRun(command[0], e.getMessage(), e);
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
        String messages = readStart(output);
        if (process.exitValue() == COMMAND_NOT_EXECUTABLE || process.exitValue() == COMMAND_NOT_FOUND) {
            throw cannotRun(command[0], messages.strip(), null);
        }
        // The limit stops a flood of messages too; then the messages say what went wrong.
        boolean codeTooLarge = process.exitValue() == FILE_SIZE_LIMIT_EXCEEDED && Files.size(output) < blocks * FILE_BLOCK;
        return new Result(process.exitValue(), messages, codeTooLarge);
    }

    private static InvalidImageException cannotRun(String tool, String why, Throwable cause) {
        return new InvalidImageException(String.format(
                "cannot run '%s': assembling needs GNU binutils (as, ld) in PATH, e.g. apt-get install binutils (%s)",
                tool, why), cause);
    }

    /** Reads the start of a tool's messages, which a flood of them makes long. */
    private static String readStart(Path output) throws IOException {
        try (InputStream in = Files.newInputStream(output)) {
            byte[] start = in.readNBytes(MAX_OUTPUT);
            String text = new String(start, StandardCharsets.UTF_8);
            return in.read() < 0 ? text : text + "\n[more messages not shown]";
        }
    }

    private static long ceilDiv(long value, long unit) {
        return value / unit + (value % unit == 0 ? 0 : 1);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static long saturatedMultiply(long a, long b) {
        return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
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

    /**
     * @param exitCode the tool's exit status
     * @param output the start of its messages
     * @param codeTooLarge whether the kernel stopped it at the file size limit while it wrote code
     */
    private record Result(int exitCode, String output, boolean codeTooLarge) {
    }

    /** A message of {@code as} about a line of the test's source, perhaps inside a macro used there. */
    private record SourceMessage(int line, String text, boolean inMacro) {
    }
}
