package io.github.junitkvm.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * What this JVM holds of the operating system, read from {@code /proc}, for leak tests: open file
 * descriptors, memory mappings, resident memory (outside the Java heap, whose size is the garbage
 * collector's choice, and the heap in use), and the emulator's worker processes.
 *
 * @param fileDescriptors entries of {@code /proc/self/fd}
 * @param mappings lines of {@code /proc/self/maps}
 * @param nativeResidentKib this process's resident set less the committed Java heap, in KiB
 * @param heapUsedKib the Java heap in use, in KiB
 * @param children live child processes (the emulator's workers)
 * @param childrenResidentKib the children's resident sets, summed, in KiB
 */
public record ProcessFootprint(long fileDescriptors, long mappings, long nativeResidentKib, long heapUsedKib,
                               long children, long childrenResidentKib) {
    private static final Path SELF = Path.of("/proc/self");

    /**
     * Collects garbage, then waits until this JVM's resident memory outside the heap stops falling:
     * G1 gives the pages of the heap it shrinks back to the system concurrently, after the heap's
     * committed size already says so, and until then they count as outside the heap.
     *
     * @return the footprint once settled, or after about two seconds
     * @throws InterruptedException if interrupted while waiting
     */
    public static ProcessFootprint settled() throws InterruptedException {
        System.gc();
        ProcessFootprint last = now();
        for (int i = 0; i < 20; i++) {
            Thread.sleep(100);
            ProcessFootprint next = now();
            boolean stable = Math.abs(next.nativeResidentKib() - last.nativeResidentKib()) < 1024;
            last = next;
            if (stable) {
                break;
            }
        }
        return last;
    }

    /** @return the footprint now */
    public static ProcessFootprint now() {
        long[] childResident = ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .mapToLong(child -> residentKib(Path.of("/proc", Long.toString(child.pid())))).toArray();
        Runtime heap = Runtime.getRuntime();
        return new ProcessFootprint(countOpenFileDescriptors(), countMappings(),
                residentKib(SELF) - heap.totalMemory() / 1024, (heap.totalMemory() - heap.freeMemory()) / 1024,
                childResident.length, LongStream.of(childResident).sum());
    }

    /** @return the number of file descriptors this process has open */
    public static long countOpenFileDescriptors() {
        try (Stream<Path> fds = Files.list(SELF.resolve("fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the number of this process's memory mappings */
    public static long countMappings() {
        try {
            return Files.readAllLines(SELF.resolve("maps")).size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A process that ended between listing and reading counts as nothing. */
    private static long residentKib(Path process) {
        try {
            return Files.readAllLines(process.resolve("status")).stream()
                    .filter(line -> line.startsWith("VmRSS:"))
                    .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")))
                    .findFirst().orElse(0);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
