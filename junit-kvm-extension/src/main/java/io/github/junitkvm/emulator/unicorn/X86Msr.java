package io.github.junitkvm.emulator.unicorn;

import com.sun.jna.Memory;

/**
 * The layout of {@code struct uc_x86_msr} (x86.h), through which a model-specific register is read
 * with {@link UnicornConstants#UC_X86_REG_MSR}: {@code uint32 rid; uint64 value}, 16 bytes with
 * padding.
 */
public final class X86Msr {
    /** {@code sizeof(uc_x86_msr)}. */
    public static final int SIZE = 16;
    /** {@code offsetof(uc_x86_msr, rid)}. */
    public static final int RID_OFFSET = 0;
    /** {@code offsetof(uc_x86_msr, value)}. */
    public static final int VALUE_OFFSET = 8;
    /** The MSR number of EFER. */
    public static final int MSR_EFER = 0xc0000080;

    private X86Msr() {
    }

    /**
     * Prepares a buffer of at least {@link #SIZE} bytes to read one MSR.
     *
     * @param buffer the native buffer
     * @param rid the MSR number
     */
    public static void select(Memory buffer, int rid) {
        buffer.clear(SIZE);
        buffer.setInt(RID_OFFSET, rid);
    }

    /**
     * @param buffer a buffer Unicorn filled
     * @return the value field
     */
    public static long value(Memory buffer) {
        return buffer.getLong(VALUE_OFFSET);
    }

    /**
     * Prepares a buffer of at least {@link #SIZE} bytes to write one MSR.
     *
     * @param buffer the native buffer
     * @param rid the MSR number
     * @param value the new value
     */
    public static void write(Memory buffer, int rid, long value) {
        select(buffer, rid);
        buffer.setLong(VALUE_OFFSET, value);
    }
}
