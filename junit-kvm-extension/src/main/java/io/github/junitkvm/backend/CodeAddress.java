package io.github.junitkvm.backend;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.SpecialRegisters;

/**
 * Where the vCPU fetches its next instruction, as a linear address: what KVM reports in its debug
 * exits and Unicorn passes to code hooks, so that traces of both backends agree.
 */
public final class CodeAddress {
    private static final long EFER_LMA = 1L << 10;
    private static final long FOUR_GIB_MASK = 0xffff_ffffL;

    private CodeAddress() {
    }

    /**
     * @param registers the general registers
     * @param special the system registers
     * @return RIP in 64-bit code (long mode with CS.L set); else CS base + RIP, wrapped at 4 GiB
     */
    public static long linear(GeneralRegisters registers, SpecialRegisters special) {
        if (is64BitCode(special)) {
            return registers.rip();
        }
        return (special.cs().base() + registers.rip()) & FOUR_GIB_MASK;
    }

    /**
     * @param special the system registers
     * @return whether the vCPU runs 64-bit code: long mode active and CS.L set
     */
    public static boolean is64BitCode(SpecialRegisters special) {
        return (special.efer() & EFER_LMA) != 0 && special.cs().l();
    }
}
