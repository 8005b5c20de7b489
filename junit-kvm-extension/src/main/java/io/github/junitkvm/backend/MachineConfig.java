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
 * @param localApic whether the machine models a local APIC: without one, the vCPU's CPUID reports
 *     neither an APIC nor its TSC-deadline timer ({@link CpuidTable})
 * @param cpuid the CPUID entries the test set, each replacing the backend's for its leaf (and
 *     subleaf)
 */
public record MachineConfig(List<RamRegion> ram, CpuMode mode, int traceLength, boolean localApic,
                            List<CpuidEntry> cpuid) {
    /**
     * Copies the lists.
     *
     * @throws IllegalArgumentException if the trace length is out of range
     */
    public MachineConfig {
        ram = List.copyOf(ram);
        cpuid = List.copyOf(cpuid);
        if (traceLength < 0 || traceLength > TraceRecorder.MAX_CAPACITY) {
            throw new IllegalArgumentException("trace length " + traceLength + " is not between 0 and "
                    + TraceRecorder.MAX_CAPACITY);
        }
    }

    /**
     * A machine without a local APIC whose CPUID is the backend's.
     *
     * @param ram the RAM regions
     * @param mode the CPU mode
     * @param traceLength how many of the last executed instructions each run records
     */
    public MachineConfig(List<RamRegion> ram, CpuMode mode, int traceLength) {
        this(ram, mode, traceLength, false, List.of());
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
