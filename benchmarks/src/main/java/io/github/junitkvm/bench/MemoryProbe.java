package io.github.junitkvm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Resident memory (VmRSS) of this JVM and of the processes it started (the emulator's workers), from
 * {@code /proc}, and the Java heap in use in this JVM. Kernel memory, such as KVM's per-VM
 * structures, is not in any process's RSS.
 *
 * <p>Run with a pre-touched heap of fixed size ({@code -Xms} = {@code -Xmx},
 * {@code -XX:+AlwaysPreTouch}, as tools/bench does): then the heap's pages are resident from the
 * start, the RSS changes only with native memory, and the heap's share is the change in heap use
 * after a collection. Otherwise the heap growing or shrinking would show in the RSS as noise.
 */
public final class MemoryProbe {
    private MemoryProbe() {
    }

    /** @return the resident KiB of this process and every live descendant */
    public static long processTreeKib() {
        long total = residentKib(ProcessHandle.current().pid());
        total += ProcessHandle.current().descendants().mapToLong(p -> residentKib(p.pid())).sum();
        return total;
    }

    /**
     * @param pid a process
     * @return its resident KiB, or 0 if it has ended
     */
    public static long residentKib(long pid) {
        try {
            return parseResidentKib(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param status the text of {@code /proc/PID/status}
     * @return its VmRSS in KiB, or 0 if it has none (a zombie)
     */
    static long parseResidentKib(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim());
            }
        }
        return 0;
    }

    /**
     * @return whether this JVM's heap is pre-touched ({@code -XX:+AlwaysPreTouch}), so that its RSS
     *     does not change with the heap
     */
    public static boolean heapPreTouched() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+AlwaysPreTouch");
    }

    /** @return the Java heap in use, in KiB; call {@link #settle()} first for live objects only */
    public static long heapUsedKib() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024;
    }

    /**
     * @return the memory this JVM and its children hold: native and heap, counting the heap once
     *     (its use when pre-touched, else its resident pages inside the RSS)
     */
    public static long totalKib() {
        settle();
        return processTreeKib() + (heapPreTouched() ? heapUsedKib() : 0);
    }

    /** Lets the collector run, so that garbage does not count as memory held by live VMs. */
    public static void settle() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
    }
}
