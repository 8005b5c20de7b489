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
 */
public record MachineConfig(List<RamRegion> ram, CpuMode mode) {
    /** Copies the region list. */
    public MachineConfig {
        ram = List.copyOf(ram);
    }
}
