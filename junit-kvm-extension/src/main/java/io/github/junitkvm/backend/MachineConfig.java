package io.github.junitkvm.backend;

import io.github.junitkvm.CpuMode;
import java.util.List;

/**
 * What a backend needs to create a machine.
 *
 * @param ram the RAM regions, validated (page-aligned, page-multiple sizes, no overlap) and sorted
 *     by address
 * @param mode the CPU mode the guest layer will put the vCPU in; the emulator chooses its engine's
 *     mode by it
 * @param traceLength how many of the last executed instructions each run records
 *     ({@link VirtualMachine#lastRunTrace()}), 0 for none, at most {@link TraceRecorder#MAX_CAPACITY}
 */
public record MachineConfig(List<RamRegion> ram, CpuMode mode, int traceLength) {
    /**
     * Copies the region list.
     *
     * @throws IllegalArgumentException if the trace length is out of range
     */
    public MachineConfig {
        ram = List.copyOf(ram);
        if (traceLength < 0 || traceLength > TraceRecorder.MAX_CAPACITY) {
            throw new IllegalArgumentException("trace length " + traceLength + " is not between 0 and "
                    + TraceRecorder.MAX_CAPACITY);
        }
    }

    /**
     * A machine that records no trace.
     *
     * @param ram the RAM regions
     * @param mode the CPU mode
     */
    public MachineConfig(List<RamRegion> ram, CpuMode mode) {
        this(ram, mode, 0);
    }

    /** @return whether runs record the instructions they execute */
    public boolean tracing() {
        return traceLength > 0;
    }
}
