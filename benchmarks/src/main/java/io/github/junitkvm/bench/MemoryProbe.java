package io.github.junitkvm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Resident memory of this JVM and of the processes it started (the emulator's workers), from
 * {@code /proc}, and the Java heap in use in this JVM. A process's share is its proportional set
 * size (PSS): its private pages, and each page it shares with other processes divided among them.
 * Their sum is what the processes hold of the machine's memory, which a sum of RSS is not: every
 * worker maps the same JDK and libunicorn pages, and RSS would count them once per worker. Kernel
 * memory, such as KVM's per-VM structures, is not in any process's PSS.
 *
 * <p>Run with a pre-touched heap of fixed size ({@code -Xms} = {@code -Xmx},
 * {@code -XX:+AlwaysPreTouch}, as tools/bench does): then the heap's pages are resident from the
 * start, the PSS changes only with native memory, and the heap's share is the change in heap use
 * after a collection. Otherwise the heap growing or shrinking would show in the PSS as noise.
 */
public final class MemoryProbe {
    private MemoryProbe() {
    }

    /** @return the proportional resident KiB of this process and every live descendant */
    public static long processTreeKib() {
        long total = proportionalKib(ProcessHandle.current().pid());
        total += ProcessHandle.current().descendants().mapToLong(p -> proportionalKib(p.pid())).sum();
        return total;
    }

    /**
     * @param pid a process
     * @return its proportional resident KiB, or 0 if it has ended
     */
    public static long proportionalKib(long pid) {
        try {
            Path rollup = Path.of("/proc", Long.toString(pid), "smaps_rollup");
            return parseProportionalKib(Files.readString(rollup));
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param rollup the text of {@code /proc/PID/smaps_rollup}
     * @return its {@code Pss} in KiB, or 0 if it has none (a zombie's is empty)
     */
    static long parseProportionalKib(String rollup) {
        for (String line : rollup.split("\n")) {
            if (line.startsWith("Pss:")) {
                return Long.parseLong(line.substring("Pss:".length()).replace("kB", "").trim());
            }
        }
        return 0;
    }

    /**
     * @return whether this JVM's heap is pre-touched ({@code -XX:+AlwaysPreTouch}), so that its
     *     resident memory does not change with the heap
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
     *     (its use when pre-touched, else its resident pages inside the PSS)
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
