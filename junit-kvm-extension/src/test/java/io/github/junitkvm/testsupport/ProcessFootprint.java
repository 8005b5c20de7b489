package io.github.junitkvm.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * What this JVM holds of the operating system, read from {@code /proc}, for leak tests: open file
 * descriptors, memory mappings, resident memory (outside the Java heap, whose size is the garbage
 * collector's choice, and the heap in use), and the emulator's worker processes.
 *
 * <p>Memory outside the heap is counted mapping by mapping, leaving out those in the heap's reserved
 * address range: the collector commits and gives back heap pages at will, and gives them back to the
 * system some time after {@link Runtime#totalMemory()} already leaves them out.
 *
 * @param fileDescriptors entries of {@code /proc/self/fd}
 * @param mappings lines of {@code /proc/self/maps}
 * @param nativeResidentKib resident KiB of this process's mappings outside the Java heap
 * @param heapUsedKib the Java heap in use, in KiB
 * @param children live child processes (the emulator's workers)
 * @param childrenResidentKib the children's resident sets, summed, in KiB
 */
public record ProcessFootprint(long fileDescriptors, long mappings, long nativeResidentKib, long heapUsedKib,
                               long children, long childrenResidentKib) {
    private static final Path SELF = Path.of("/proc/self");
    /** A mapping's first line in {@code smaps}: its address range, then its permissions. */
    private static final Pattern MAPPING = Pattern.compile("^(\\p{XDigit}+)-(\\p{XDigit}+) ");
    private static final Pattern ADDRESS = Pattern.compile("0x(\\p{XDigit}+)");

    /**
     * Collects garbage, then waits until this JVM's resident memory outside the heap stops falling:
     * a collector shrinking the heap gives back the structures it keeps beside the heap's pages
     * concurrently.
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
        return new ProcessFootprint(countOpenFileDescriptors(), countMappings(), residentKibOutsideTheHeap(),
                (heap.totalMemory() - heap.freeMemory()) / 1024,
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

    /** Sums the {@code Rss} of every mapping in {@code /proc/self/smaps} that lies outside the Java heap. */
    private static long residentKibOutsideTheHeap() {
        long[] heap = javaHeapRange();
        long total = 0;
        boolean inHeap = false;
        try {
            for (String line : Files.readAllLines(SELF.resolve("smaps"))) {
                Matcher mapping = MAPPING.matcher(line);
                if (mapping.find()) {
                    inHeap = Long.parseUnsignedLong(mapping.group(1), 16) < heap[1]
                            && Long.parseUnsignedLong(mapping.group(2), 16) > heap[0];
                } else if (!inHeap && line.startsWith("Rss:")) {
                    total += Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return total;
    }

    /**
     * Reads the Java heap's reserved address range from the diagnostic command behind
     * {@code jcmd GC.heap_info}: every address it prints, for any collector, lies in the heap (the
     * whole heap, or its generations and their spaces), so the range spans the lowest to the highest.
     *
     * @return the range's start and end, end exclusive
     */
    private static long[] javaHeapRange() {
        String heapInfo;
        try {
            heapInfo = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcHeapInfo",
                    new Object[] {null}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("cannot read the Java heap's address range (jcmd GC.heap_info)", e);
        }
        List<Long> addresses = ADDRESS.matcher(heapInfo).results()
                .map(address -> Long.parseUnsignedLong(address.group(1), 16)).toList();
        if (addresses.isEmpty()) {
            throw new IllegalStateException("GC.heap_info names no address of the Java heap: " + heapInfo);
        }
        return new long[] {addresses.stream().min(Long::compareUnsigned).orElseThrow(),
            addresses.stream().max(Long::compareUnsigned).orElseThrow()};
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
