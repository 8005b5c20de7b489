package io.github.junitkvm.emulator;

import io.github.junitkvm.backend.TransientHypervisorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where one worker's crash files go: a directory of its own under {@code java.io.tmpdir}, which is
 * also the worker's working directory, so that what a dying JVM leaves behind (its
 * {@code hs_err_pid*.log} report, a JIT compiler's replay file, a heap dump, a core file the system
 * writes to the working directory) never lands in the project. The parent reads the beginning of the
 * crash report for the worker's death notice, then deletes the directory with everything in it.
 */
final class CrashFiles {
    /**
     * The report's lines kept: its banner (signal, address, problematic frame), then the summary
     * down to the crashed thread and its innermost native frame.
     */
    static final int REPORT_LINES = 20;
    /** A report is read this far at most, whatever its size. */
    private static final int REPORT_BYTES_READ = 64 * 1024;
    private static final String REPORT_PREFIX = "hs_err_pid";

    private final Path directory;

    private CrashFiles(Path directory) {
        this.directory = directory;
    }

    /**
     * Creates the directory. It is deleted when the worker ends, and, being empty then, when this
     * JVM exits with the worker still idle in the pool.
     *
     * @return the crash files of one new worker
     * @throws TransientHypervisorException if the directory cannot be created (a full disk, say)
     */
    static CrashFiles create() {
        try {
            Path directory = Files.createTempDirectory("junit-kvm-worker-");
            directory.toFile().deleteOnExit();
            return new CrashFiles(directory);
        } catch (IOException | UnsupportedOperationException e) {
            throw new TransientHypervisorException("cannot create a directory for the emulator worker's crash files"
                    + " in " + System.getProperty("java.io.tmpdir") + ": " + e, e);
        }
    }

    /** @return the directory, also the worker's working directory */
    Path directory() {
        return directory;
    }

    /**
     * @return the worker JVM's options that send its crash report, replay file and heap dump here,
     *     and keep it from dumping core when it crashes
     */
    List<String> jvmOptions() {
        return List.of(
                "-XX:ErrorFile=" + directory.resolve(REPORT_PREFIX + "%p.log"),
                "-XX:ReplayDataFile=" + directory.resolve("replay_pid%p.log"),
                "-XX:HeapDumpPath=" + directory,
                "-XX:-CreateCoredumpOnCrash");
    }

    /**
     * @param pid the worker's process id
     * @return the first {@link #REPORT_LINES} lines of its JVM's crash report that say something
     *     (not blank, not a lone {@code #}), each cut to a bounded length; empty if it left none
     */
    Optional<String> reportHead(long pid) {
        Path report = directory.resolve(REPORT_PREFIX + pid + ".log");
        if (!Files.isRegularFile(report)) {
            return Optional.empty();
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(report)) {
            head = in.readNBytes(REPORT_BYTES_READ);
        } catch (IOException e) {
            return Optional.of("(" + report.getFileName() + " is unreadable: " + e + ")");
        }
        return Optional.of(new String(head, StandardCharsets.UTF_8).lines()
                .filter(line -> !line.isBlank() && !line.strip().equals("#"))
                .limit(REPORT_LINES)
                .map(StderrTail::cut)
                .collect(Collectors.joining("\n")));
    }

    /** Deletes the directory and what the worker left in it; what cannot be deleted is left alone. */
    void delete() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        } catch (IOException | UncheckedIOException e) {
            // A file the worker made unreadable, or a directory already gone: nothing to report it to.
        }
    }
}
