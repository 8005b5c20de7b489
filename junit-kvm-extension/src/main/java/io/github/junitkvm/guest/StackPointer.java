package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import java.util.Optional;

/**
 * Checks a stack pointer a test gives in {@code @KvmGuest(registers.rsp)}: the CPU mode the guest
 * starts in must be able to use all of it, and the guest's first push must land in RAM. A push
 * decrements the pointer first, so the end of a region is a stack's usual top, and the byte that
 * counts is the one just below the pointer, wrapped as the mode wraps it (in {@code REAL} mode
 * {@code SP = 0} pushes at {@code 0xfffe}). A stack outside RAM would not fault: its pushes would be
 * MMIO writes that vanish, and its pops would read all ones.
 */
final class StackPointer {
    private StackPointer() {
    }

    /**
     * @param mode the CPU mode the guest starts in; its stack segment has base 0
     * @param rsp the stack pointer
     * @param ram the guest's RAM
     * @return what is wrong with the stack pointer, or empty if nothing is
     */
    static Optional<String> problem(CpuMode mode, long rsp, RamLayout ram) {
        int bits = switch (mode) {
            case REAL -> 16;
            case PROTECTED, PAGED -> 32;
            case LONG -> 64;
        };
        if (bits < Long.SIZE && rsp >>> bits != 0) {
            return Optional.of(mode == CpuMode.REAL
                    ? "the stack pointer is not below 0x10000: REAL mode starts with SS = 0 and pushes at SP,"
                            + " which has 16 bits (SP = 0 is the top of the first 64 KiB)"
                    : String.format("the stack pointer is not below 4 GiB: %s mode has 32-bit addresses", mode));
        }
        long mask = bits < Long.SIZE ? (1L << bits) - 1 : -1L;
        long firstPushed = (rsp - 1) & mask;
        if (ram.regionHolding(firstPushed, 1).isEmpty()) {
            return Optional.of(String.format("the stack is outside guest RAM %s: a push writes below the stack"
                    + " pointer, from 0x%x down", ram.describe(), firstPushed));
        }
        return Optional.empty();
    }
}
