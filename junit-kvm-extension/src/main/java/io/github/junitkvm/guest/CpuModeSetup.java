package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.VirtualMachine;

/** Puts a fresh vCPU into the CPU mode a guest starts in. */
final class CpuModeSetup {
    private static final int CODE_EXECUTE_READ_ACCESSED = 0xb;
    private static final int DATA_READ_WRITE_ACCESSED = 0x3;

    private CpuModeSetup() {
    }

    /**
     * @param machine a machine whose vCPU has its reset state
     * @param mode the mode to start in
     */
    static void apply(VirtualMachine machine, CpuMode mode) {
        if (mode != CpuMode.REAL) {
            throw new IllegalStateException(mode + " mode is not supported yet");
        }
        machine.setSpecialRegisters(realMode(machine.specialRegisters()));
    }

    /**
     * Real mode as in the classic {@code /dev/kvm} sample, but with every segment at base 0, not
     * only CS: the reset state's CS (base 0xffff0000) would run the BIOS reset vector instead.
     */
    private static SpecialRegisters realMode(SpecialRegisters reset) {
        Segment code = Segment.realMode(0, CODE_EXECUTE_READ_ACCESSED);
        Segment data = Segment.realMode(0, DATA_READ_WRITE_ACCESSED);
        return reset.withCs(code).withDs(data).withEs(data).withFs(data).withGs(data).withSs(data);
    }
}
