package io.github.junitkvm.guest;

import io.github.junitkvm.GeneralRegisters;
import java.util.Locale;
import java.util.Optional;

/**
 * Which RFLAGS values a vCPU may be given. The reserved bits are 0 on every x86 CPU: Intel's VM
 * entry fails with one set, AMD's and the emulator go on, so a test that set one would behave
 * differently on each.
 */
final class Rflags {
    /** Bit 1, which is always 1: as the public API's initial registers have it. */
    static final long FIXED = GeneralRegisters.initial().rflags();
    /** Bits 3, 5, 15 and 22 to 63, which are always 0. */
    static final long RESERVED = ~0x3f7fd7L;
    /** The virtual-8086 mode flag, bit 17. */
    static final long VM = 1L << 17;

    private Rflags() {
    }

    /**
     * @param rflags a value for RFLAGS
     * @return why it cannot be set, if it cannot
     */
    static Optional<String> problem(long rflags) {
        if ((rflags & RESERVED) != 0) {
            return Optional.of(String.format(Locale.ROOT,
                    "reserved bits 0x%x set: RFLAGS bits 3, 5, 15 and 22 to 63 are 0", rflags & RESERVED));
        }
        return Optional.empty();
    }

    /**
     * @param rflags a value for RFLAGS at the start of a guest, whose segments the extension sets up
     * @return why a guest cannot start with it, if it cannot
     */
    static Optional<String> startProblem(long rflags) {
        Optional<String> problem = problem(rflags);
        if (problem.isEmpty() && (rflags & VM) != 0) {
            return Optional.of("the VM flag (bit 17) set: no guest starts in virtual-8086 mode, whose segments"
                    + " are not those the extension sets up; enter it from the guest, with IRET");
        }
        return problem;
    }
}
