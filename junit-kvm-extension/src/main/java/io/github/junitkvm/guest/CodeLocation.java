package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.CodeAddress;
import io.github.junitkvm.disasm.CodeWidth;

/**
 * Where and how the vCPU executes at a stop, read from its registers rather than from the mode it
 * started in, since a guest may switch modes itself.
 *
 * @param linearRip the linear address of the next instruction
 * @param width what the CPU runs the code there as
 * @param mode the CPU mode in words, such as {@code protected mode, 32-bit code, paging off}
 * @param paging whether CR0.PG is set, so that linear addresses need not be physical ones
 */
record CodeLocation(long linearRip, CodeWidth width, String mode, boolean paging) {
    private static final long CR0_PE = 1;
    private static final long CR0_PG = 1L << 31;
    private static final long EFER_LMA = 1L << 10;

    static CodeLocation of(GeneralRegisters registers, SpecialRegisters special) {
        boolean paging = (special.cr0() & CR0_PG) != 0;
        long linear = CodeAddress.linear(registers, special);
        if ((special.cr0() & CR0_PE) == 0) {
            return new CodeLocation(linear, CodeWidth.BITS_16, "real mode, " + code(CodeWidth.BITS_16), paging);
        }
        CodeWidth segmentWidth = special.cs().db() ? CodeWidth.BITS_32 : CodeWidth.BITS_16;
        if ((special.efer() & EFER_LMA) != 0) {
            return CodeAddress.is64BitCode(special)
                    ? new CodeLocation(linear, CodeWidth.BITS_64, "long mode, " + code(CodeWidth.BITS_64), paging)
                    : new CodeLocation(linear, segmentWidth, "compatibility mode, " + code(segmentWidth), paging);
        }
        return new CodeLocation(linear, segmentWidth, "protected mode, " + code(segmentWidth) + ", paging "
                + (paging ? "on" : "off"), paging);
    }

    /** @return what the CPU runs code as, in words, such as {@code 32-bit code} */
    String code() {
        return code(width);
    }

    /**
     * @param mode a mode a guest starts in
     * @return what the CPU runs code as in it
     */
    static CodeWidth width(CpuMode mode) {
        return switch (mode) {
            case REAL -> CodeWidth.BITS_16;
            case PROTECTED, PAGED -> CodeWidth.BITS_32;
            case LONG -> CodeWidth.BITS_64;
        };
    }

    /**
     * @param width a code width
     * @return it in words, such as {@code 32-bit code}
     */
    static String code(CodeWidth width) {
        return switch (width) {
            case BITS_16 -> "16-bit code";
            case BITS_32 -> "32-bit code";
            case BITS_64 -> "64-bit code";
        };
    }
}
