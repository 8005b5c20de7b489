package io.github.junitkvm.emulator.unicorn;

import com.sun.jna.Memory;

/**
 * The layout of {@code struct uc_x86_mmr} (x86.h), through which GDTR and IDTR are read and
 * written: {@code uint16 selector; uint64 base; uint32 limit; uint32 flags}, 24 bytes with padding.
 * Only base and limit matter for the descriptor-table registers.
 */
public final class X86Mmr {
    /** {@code sizeof(uc_x86_mmr)}. */
    public static final int SIZE = 24;
    /** {@code offsetof(uc_x86_mmr, base)}. */
    public static final int BASE_OFFSET = 8;
    /** {@code offsetof(uc_x86_mmr, limit)}. */
    public static final int LIMIT_OFFSET = 16;

    private X86Mmr() {
    }

    /**
     * Fills a buffer of at least {@link #SIZE} bytes with a descriptor-table value.
     *
     * @param buffer the native buffer
     * @param base the table's linear address
     * @param limit the table's size minus one
     */
    public static void write(Memory buffer, long base, int limit) {
        buffer.clear(SIZE);
        buffer.setLong(BASE_OFFSET, base);
        buffer.setInt(LIMIT_OFFSET, limit);
    }

    /**
     * @param buffer a buffer Unicorn filled
     * @return the base field
     */
    public static long base(Memory buffer) {
        return buffer.getLong(BASE_OFFSET);
    }

    /**
     * @param buffer a buffer Unicorn filled
     * @return the limit field
     */
    public static int limit(Memory buffer) {
        return buffer.getInt(LIMIT_OFFSET);
    }
}
