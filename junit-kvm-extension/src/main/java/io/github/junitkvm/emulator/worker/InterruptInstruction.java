package io.github.junitkvm.emulator.worker;

import java.util.Locale;
import java.util.Optional;

/**
 * Tells a software interrupt from a CPU exception. Unicorn passes its interrupt hook the vector
 * alone, the same for {@code INT 0x10} as for an x87 error (#MF, also vector 16), with EIP at the
 * faulting instruction for an exception but already after the instruction for a software
 * interrupt. Only {@code INT n}, {@code INT3} and {@code INTO} raise a vector by themselves, so a
 * vector is a software interrupt when the bytes just before EIP are such an instruction for it.
 *
 * <p>The bytes are evidence, not proof: an exception at an instruction that happens to follow the
 * bytes {@code cd} and its own vector would be taken for a software interrupt. Vectors 3 (#BP), 4
 * (#OF) and those from 32 on have no other source in Unicorn, where there are no external
 * interrupts and no debug breakpoints.
 */
final class InterruptInstruction {
    /** The longest of these instructions: {@code INT n}, {@code cd} and the vector. */
    static final int LONGEST = 2;

    private static final int INT_N = 0xcd;
    private static final int INT3 = 0xcc;
    private static final int INTO = 0xce;
    private static final int INT1 = 0xf1;
    private static final int BREAKPOINT = 3;
    private static final int OVERFLOW = 4;

    private InterruptInstruction() {
    }

    /**
     * @param before the bytes that end where EIP was when the vector was raised, at most
     *     {@link #LONGEST} of them (fewer where RAM starts); null if they are not RAM
     * @param vector the vector raised
     * @param sixtyFourBit whether the code is 64-bit code, which has no {@code INTO}
     * @return the instruction in words, such as {@code INT 0x10}, if the bytes are one that raises
     *     this vector by itself; empty if the vector came from anything else (a CPU exception)
     */
    static Optional<String> endingWith(byte[] before, int vector, boolean sixtyFourBit) {
        if (before == null || before.length == 0) {
            return Optional.empty();
        }
        int last = before[before.length - 1] & 0xff;
        if (before.length >= 2 && (before[before.length - 2] & 0xff) == INT_N && last == vector) {
            return Optional.of(String.format(Locale.ROOT, "INT 0x%02x", vector));
        }
        if (last == INT3 && vector == BREAKPOINT) {
            return Optional.of("INT3");
        }
        if (last == INTO && vector == OVERFLOW && !sixtyFourBit) {
            return Optional.of("INTO");
        }
        return Optional.empty();
    }

    /**
     * @param code the bytes at the instruction Unicorn found invalid; null if they are not RAM
     * @return whether it is {@code INT1} ({@code ICEBP}, {@code f1}), which Unicorn 2.0.1 does not
     *     emulate, where a CPU raises #DB
     */
    static boolean isInt1(byte[] code) {
        return code != null && code.length > 0 && (code[0] & 0xff) == INT1;
    }
}
