package io.github.junitkvm.backend;

import io.github.junitkvm.CpuMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a backend needs to create a machine.
 *
 * @param ram the RAM regions, validated (page-aligned, page-multiple sizes, no overlap) and sorted
 *     by address
 * @param mode the CPU mode the guest layer will put the vCPU in; the emulator chooses its engine's
 *     mode by it
 * @param traceLength how many of the last executed instructions each run records
 *     ({@link VirtualMachine#lastRunTrace()}), 0 for none, at most {@link TraceRecorder#MAX_CAPACITY};
 *     only a machine of one vCPU traces
 * @param vcpus how many vCPUs the machine has, 1 to {@link #MAX_VCPUS}; vCPU 0 is the bootstrap
 *     processor
 * @param localApic whether the machine models a local APIC: without one, the vCPU's CPUID reports
 *     neither an APIC nor its TSC-deadline timer ({@link CpuidTable})
 * @param cpuid the CPUID entries the test set, each replacing the backend's for its leaf (and
 *     subleaf)
 */
public record MachineConfig(List<RamRegion> ram, CpuMode mode, int traceLength, int vcpus, boolean localApic,
                            List<CpuidEntry> cpuid) {
    /** The most vCPUs a machine may have. */
    public static final int MAX_VCPUS = 16;

    /**
     * Copies the lists.
     *
     * @throws IllegalArgumentException if the trace length or the vCPU count is out of range, or a
     *     machine of several vCPUs is to trace
     */
    public MachineConfig {
        ram = List.copyOf(ram);
        cpuid = List.copyOf(cpuid);
        if (traceLength < 0 || traceLength > TraceRecorder.MAX_CAPACITY) {
            throw new IllegalArgumentException("trace length " + traceLength + " is not between 0 and "
                    + TraceRecorder.MAX_CAPACITY);
        }
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw new IllegalArgumentException("vCPU count " + vcpus + " is not between 1 and " + MAX_VCPUS);
        }
        if (vcpus > 1 && traceLength > 0) {
            throw new IllegalArgumentException("a machine of " + vcpus + " vCPUs cannot trace: only one of one vCPU does");
        }
    }

    /**
     * A machine without a local APIC whose CPUID is the backend's.
     *
     * @param ram the RAM regions
     * @param mode the CPU mode
     * @param traceLength how many of the last executed instructions each run records
     * @param vcpus how many vCPUs the machine has
     */
    public MachineConfig(List<RamRegion> ram, CpuMode mode, int traceLength, int vcpus) {
        this(ram, mode, traceLength, vcpus, false, List.of());
    }

    /**
     * A machine of one vCPU without a local APIC whose CPUID is the backend's.
     *
     * @param ram the RAM regions
     * @param mode the CPU mode
     * @param traceLength how many of the last executed instructions each run records
     */
    public MachineConfig(List<RamRegion> ram, CpuMode mode, int traceLength) {
        this(ram, mode, traceLength, 1);
    }

    /**
     * A machine of one vCPU that records no trace.
     *
     * @param ram the RAM regions
     * @param mode the CPU mode
     */
    public MachineConfig(List<RamRegion> ram, CpuMode mode) {
        this(ram, mode, 0, 1);
    }

    /** @return whether runs record the instructions they execute */
    public boolean tracing() {
        return traceLength > 0;
    }

    /**
     * @param vcpu a vCPU index a caller names
     * @return the index
     * @throws IllegalArgumentException if the machine has no such vCPU
     */
    public int vcpu(int vcpu) {
        return vcpu(vcpu, vcpus);
    }

    /**
     * @param vcpu a vCPU index a caller names
     * @param vcpus how many vCPUs there are
     * @return the index
     * @throws IllegalArgumentException if there is no such vCPU
     */
    public static int vcpu(int vcpu, int vcpus) {
        if (vcpu < 0 || vcpu >= vcpus) {
            throw new IllegalArgumentException("vCPU " + vcpu + " does not exist: the guest has " + vcpus
                    + (vcpus == 1 ? " vCPU, 0" : " vCPUs, 0 to " + (vcpus - 1)));
        }
        return vcpu;
    }

    /**
     * @param listeners the listeners of a run, null for a vCPU that does not run
     * @return them, copied
     * @throws IllegalArgumentException if there is not one per vCPU
     */
    public List<ExitListener> listenersOfRun(List<ExitListener> listeners) {
        if (listeners.size() != vcpus) {
            throw new IllegalArgumentException("a run of a machine of " + vcpus + " vCPUs needs one listener per vCPU,"
                    + " not " + listeners.size());
        }
        return Collections.unmodifiableList(new ArrayList<>(listeners));
    }
}
