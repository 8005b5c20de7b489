package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.Firmware;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.backend.CpuidEntry;
import io.github.junitkvm.backend.RamRegion;
import java.time.Duration;
import java.util.List;

/**
 * A validated description of a guest, everything resolved: RAM, CPU mode, the image and where it
 * goes, the initial registers (entry point and stack filled in), and the run time limit.
 *
 * @param ram the RAM regions, sorted by address, not overlapping
 * @param mode the CPU mode the vCPU starts in
 * @param image the bytes placed in RAM before the first run, each segment inside one region;
 *     possibly none
 * @param registers the initial general registers
 * @param timeout the time limit of {@link io.github.junitkvm.KvmVm#run()}
 * @param limits how much of each run is kept
 * @param trace how many of the last executed instructions each run records, 0 for none
 * @param firmware the guest's firmware; with firmware, {@code ram} holds its ROM
 * @param symbols the image's symbols, for {@link io.github.junitkvm.KvmVm#symbol(String)}
 * @param devices the devices the guest opted in to
 * @param vcpus the vCPUs
 * @param cpuid the CPUID entries the test set, replacing the backend's
 */
public record GuestSpec(List<RamRegion> ram, CpuMode mode, List<ImageSegment> image,
                        GeneralRegisters registers, Duration timeout, RecordingLimits limits, int trace,
                        Firmware firmware, ImageSymbols symbols, GuestDevices devices, VcpuSpec vcpus,
                        List<CpuidEntry> cpuid) {
    /** Copies the lists. */
    public GuestSpec {
        ram = List.copyOf(ram);
        image = List.copyOf(image);
        cpuid = List.copyOf(cpuid);
    }

    /**
     * A guest without firmware or devices, whose image has no symbol table.
     *
     * @param ram the RAM regions, sorted by address, not overlapping
     * @param mode the CPU mode the vCPU starts in
     * @param image the bytes placed in RAM before the first run
     * @param registers the initial general registers
     * @param timeout the time limit of {@link io.github.junitkvm.KvmVm#run()}
     * @param limits how much of each run is kept
     * @param trace how many of the last executed instructions each run records, 0 for none
     */
    public GuestSpec(List<RamRegion> ram, CpuMode mode, List<ImageSegment> image, GeneralRegisters registers,
                     Duration timeout, RecordingLimits limits, int trace) {
        this(ram, mode, image, registers, timeout, limits, trace, Firmware.NONE,
                ImageSymbols.none("code the test gave"), GuestDevices.NONE, VcpuSpec.ONE, List.of());
    }

    /**
     * A guest whose runs are not traced, with the default recording limits.
     *
     * @param ram the RAM regions, sorted by address, not overlapping
     * @param mode the CPU mode the vCPU starts in
     * @param image the bytes placed in RAM before the first run
     * @param registers the initial general registers
     * @param timeout the time limit of {@link io.github.junitkvm.KvmVm#run()}
     */
    public GuestSpec(List<RamRegion> ram, CpuMode mode, List<ImageSegment> image, GeneralRegisters registers,
                     Duration timeout) {
        this(ram, mode, image, registers, timeout, RecordingLimits.DEFAULT, 0);
    }

    /**
     * A guest whose image is one piece of code.
     *
     * @param ram the RAM regions, sorted by address, not overlapping
     * @param mode the CPU mode the vCPU starts in
     * @param code the bytes placed at {@code loadAddress}, possibly none
     * @param loadAddress where {@code code} goes
     * @param registers the initial general registers
     * @param timeout the time limit of {@link io.github.junitkvm.KvmVm#run()}
     */
    public GuestSpec(List<RamRegion> ram, CpuMode mode, byte[] code, long loadAddress,
                     GeneralRegisters registers, Duration timeout) {
        this(ram, mode, List.of(new ImageSegment(loadAddress, code)), registers, timeout);
    }

    /**
     * @return the bytes of writable RAM, as firmware reports the RAM size
     */
    public long writableRam() {
        return ram.stream().filter(region -> !region.readOnly()).mapToLong(RamRegion::size).sum();
    }

    /**
     * @return whether the image holds any bytes; without, a run executes whatever RAM holds (zeros)
     *     unless the test writes code itself
     */
    public boolean hasCode() {
        return image.stream().anyMatch(segment -> segment.bytes().length > 0);
    }

    /**
     * @param image the bytes placed in RAM before the first run
     * @param limit the time limit of {@link io.github.junitkvm.KvmVm#run()}
     * @return this guest with another image and time limit; another image has no symbols
     */
    public GuestSpec with(List<ImageSegment> image, Duration limit) {
        return new GuestSpec(ram, mode, image, registers, limit, limits, trace, firmware,
                List.copyOf(image).equals(this.image) ? symbols : ImageSymbols.none("code the test gave"), devices, vcpus, cpuid);
    }
}
