package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.backend.MachineConfig;

/**
 * The interrupt inputs of every vCPU the worker's machine may have, one {@link InterruptLines} per
 * vCPU, made at first use: the parent's messages name the vCPU, and each engine reads its own.
 * Thread-safe, as the stdin reader and the engine thread both reach them.
 */
final class VcpuLines {
    private final InterruptLines[] lines = new InterruptLines[MachineConfig.MAX_VCPUS];

    /**
     * @param vcpu the vCPU's index, 0 to {@link MachineConfig#MAX_VCPUS} - 1
     * @return its interrupt inputs
     * @throws IllegalArgumentException for an index no machine has
     */
    synchronized InterruptLines of(int vcpu) {
        MachineConfig.vcpu(vcpu, lines.length);
        if (lines[vcpu] == null) {
            lines[vcpu] = new InterruptLines();
        }
        return lines[vcpu];
    }

    /** Lowers every line and forgets waiting NMIs: the state of a new machine. */
    synchronized void reset() {
        for (InterruptLines vcpu : lines) {
            if (vcpu != null) {
                vcpu.reset();
            }
        }
    }
}
