package io.github.junitkvm;

import java.util.Objects;

/**
 * What a {@link GuestFunction} returned: the integer return register at the width the caller
 * asks for, and the run of the call. The width is the caller's to know, as in C: a function
 * returning {@code uint32_t} leaves the upper half of RAX undefined, so read it with
 * {@link #asUnsignedInt()}, not {@link #asLong()}.
 */
public final class CallResult {
    private final long value;
    private final GuestRun run;

    /**
     * @param value the return register: RAX in {@code LONG} mode; in cdecl EDX:EAX, EDX the upper half
     * @param run the run of the call
     */
    public CallResult(long value, GuestRun run) {
        this.value = value;
        this.run = Objects.requireNonNull(run, "run");
    }

    /**
     * @return a 64-bit result ({@code int64_t}, {@code uint64_t}, a pointer in {@code LONG} mode):
     *     RAX, or EDX:EAX in cdecl
     */
    public long asLong() {
        return value;
    }

    /** @return a 32-bit result ({@code int}, {@code int32_t}), EAX, sign-extended */
    public int asInt() {
        return (int) value;
    }

    /** @return an unsigned 32-bit result ({@code uint32_t}, a pointer in cdecl), EAX, zero-extended */
    public long asUnsignedInt() {
        return Integer.toUnsignedLong((int) value);
    }

    /** @return a 16-bit result ({@code short}, {@code int16_t}), AX */
    public short asShort() {
        return (short) value;
    }

    /** @return an unsigned 16-bit result ({@code uint16_t}), AX, zero-extended */
    public int asUnsignedShort() {
        return Short.toUnsignedInt((short) value);
    }

    /** @return an 8-bit result ({@code signed char}, {@code int8_t}), AL */
    public byte asByte() {
        return (byte) value;
    }

    /** @return an unsigned 8-bit result ({@code uint8_t}, {@code unsigned char}), AL, zero-extended */
    public int asUnsignedByte() {
        return Byte.toUnsignedInt((byte) value);
    }

    /** @return a C {@code bool} result: whether AL is not zero */
    public boolean asBoolean() {
        return (byte) value != 0;
    }

    /** @return the run of the call, stopped at the return: exits, output, registers, memory */
    public GuestRun run() {
        return run;
    }

    @Override
    public String toString() {
        return String.format("CallResult[0x%x]", value);
    }
}
