package io.github.junitkvm.kvm;

import com.sun.jna.Pointer;
import io.github.junitkvm.Segment;

/**
 * The layout of {@code struct kvm_segment}: base, limit, selector, then one byte each for type,
 * present, dpl, db, s, l, g, avl, unusable and padding.
 */
final class KvmSegment {
    static final int SIZE = 24;
    static final int BASE = 0;
    static final int LIMIT = 8;
    static final int SELECTOR = 12;
    static final int TYPE = 14;
    static final int PRESENT = 15;
    static final int DPL = 16;
    static final int DB = 17;
    static final int S = 18;
    static final int L = 19;
    static final int G = 20;
    static final int AVL = 21;
    static final int UNUSABLE = 22;
    static final int PADDING = 23;

    private KvmSegment() {
    }

    /**
     * @param struct the base of the enclosing struct
     * @param offset the segment's offset in it
     * @return the segment
     */
    static Segment read(Pointer struct, long offset) {
        return new Segment(
                struct.getShort(offset + SELECTOR) & 0xffff,
                struct.getLong(offset + BASE),
                struct.getInt(offset + LIMIT),
                unsigned(struct, offset + TYPE),
                flag(struct, offset + PRESENT),
                unsigned(struct, offset + DPL),
                flag(struct, offset + DB),
                flag(struct, offset + S),
                flag(struct, offset + L),
                flag(struct, offset + G),
                flag(struct, offset + AVL),
                flag(struct, offset + UNUSABLE));
    }

    /**
     * @param struct the base of the enclosing struct
     * @param offset the segment's offset in it
     * @param segment the values, padding written as zero
     */
    static void write(Pointer struct, long offset, Segment segment) {
        struct.setLong(offset + BASE, segment.base());
        struct.setInt(offset + LIMIT, segment.limit());
        struct.setShort(offset + SELECTOR, (short) segment.selector());
        struct.setByte(offset + TYPE, (byte) segment.type());
        struct.setByte(offset + PRESENT, bit(segment.present()));
        struct.setByte(offset + DPL, (byte) segment.dpl());
        struct.setByte(offset + DB, bit(segment.db()));
        struct.setByte(offset + S, bit(segment.s()));
        struct.setByte(offset + L, bit(segment.l()));
        struct.setByte(offset + G, bit(segment.g()));
        struct.setByte(offset + AVL, bit(segment.avl()));
        struct.setByte(offset + UNUSABLE, bit(segment.unusable()));
        struct.setByte(offset + PADDING, (byte) 0);
    }

    private static int unsigned(Pointer struct, long offset) {
        return struct.getByte(offset) & 0xff;
    }

    private static boolean flag(Pointer struct, long offset) {
        return struct.getByte(offset) != 0;
    }

    private static byte bit(boolean value) {
        return (byte) (value ? 1 : 0);
    }
}
