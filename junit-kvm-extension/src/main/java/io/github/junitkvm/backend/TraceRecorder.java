package io.github.junitkvm.backend;

import io.github.junitkvm.InstructionTrace;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the addresses of the last {@code capacity} instructions of a run in a ring, so that a long
 * run costs no more memory than a short one, and counts them all. Not thread-safe: the thread that
 * runs the vCPU records.
 */
public final class TraceRecorder {
    /**
     * The largest capacity: a full trace crosses the emulator worker's pipe and heap (64 MiB), and
     * a hundred thousand instructions is far more than a failure report needs.
     */
    public static final int MAX_CAPACITY = 100_000;

    private final long[] ring;
    private long executed;

    /**
     * @param capacity how many of the most recent addresses to keep, 1 to {@link #MAX_CAPACITY}
     * @throws IllegalArgumentException if the capacity is out of range
     */
    public TraceRecorder(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("trace capacity " + capacity + " is not between 1 and " + MAX_CAPACITY);
        }
        ring = new long[capacity];
    }

    /** @param address the linear address of an instruction the vCPU started executing */
    public void record(long address) {
        ring[(int) (executed % ring.length)] = address;
        executed++;
    }

    /**
     * Records a later part of the same run, such as the next of the runs of the machine that one
     * guest run is made of when the guest library logs.
     *
     * @param part what a recorder of the same capacity recorded of the instructions executed after
     *     those recorded so far
     */
    public void append(InstructionTrace part) {
        // The part's instructions that it no longer holds came before those it holds, which then
        // fill the ring: the ring holds the part's last addresses however the count moves its slots.
        executed += part.executed() - part.addresses().size();
        part.addresses().forEach(this::record);
    }

    /** @return what was recorded, oldest first */
    public InstructionTrace snapshot() {
        int kept = (int) Math.min(executed, ring.length);
        List<Long> addresses = new ArrayList<>(kept);
        for (long i = executed - kept; i < executed; i++) {
            addresses.add(ring[(int) (i % ring.length)]);
        }
        return new InstructionTrace(addresses, executed);
    }
}
