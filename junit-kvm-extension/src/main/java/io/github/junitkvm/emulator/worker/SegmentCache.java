package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.Segment;

/**
 * One segment register as QEMU caches it: the selector, base, limit (in bytes) and the
 * descriptor's attribute bits where they stand in its high word (type at bit 8, S 12, DPL 13, P 15,
 * AVL 20, L 21, D/B 22, G 23).
 *
 * @param selector the selector
 * @param base the linear base
 * @param limit the limit in bytes, already scaled by G
 * @param flags the attribute bits
 */
record SegmentCache(int selector, long base, int limit, int flags) {
    private static final int TYPE_SHIFT = 8;
    private static final int S = 1 << 12;
    private static final int DPL_SHIFT = 13;
    private static final int P = 1 << 15;
    private static final int AVL = 1 << 20;
    private static final int L = 1 << 21;
    private static final int DB = 1 << 22;
    private static final int G = 1 << 23;
    /** Where the attribute bits stand in a descriptor's high doubleword, as in {@link #flags}. */
    private static final int ATTRIBUTES = 0x00f0_ff00;

    /** @param segment a segment as the API has it @return its cache; an unusable segment is not present */
    static SegmentCache of(Segment segment) {
        int flags = (segment.type() & 0xf) << TYPE_SHIFT | (segment.dpl() & 3) << DPL_SHIFT
                | (segment.s() ? S : 0) | (segment.present() && !segment.unusable() ? P : 0)
                | (segment.avl() ? AVL : 0) | (segment.l() ? L : 0) | (segment.db() ? DB : 0) | (segment.g() ? G : 0);
        return new SegmentCache(segment.selector() & 0xffff, segment.base(), segment.limit(), flags);
    }

    /**
     * @param selector the selector, its RPL as the segment is loaded with
     * @param descriptor the 8-byte GDT descriptor it selects
     * @return the cache the CPU loads from it: base, limit scaled by G, attributes
     */
    static SegmentCache ofDescriptor(int selector, long descriptor) {
        long base = descriptor >>> 16 & 0xff_ffff | (descriptor >>> 56 & 0xff) << 24;
        int limit = (int) (descriptor & 0xffff | descriptor >>> 32 & 0xf_0000);
        int flags = (int) (descriptor >>> 32) & ATTRIBUTES;
        if ((flags & G) != 0) {
            limit = limit << 12 | 0xfff;
        }
        return new SegmentCache(selector & 0xffff, base, limit, flags);
    }

    /**
     * @param ring the privilege level a long-mode delivery enters
     * @return the null stack segment that delivery loads: selector and DPL the ring, nothing present
     */
    static SegmentCache nullStack(int ring) {
        return new SegmentCache(ring, 0, 0, ring << DPL_SHIFT);
    }

    /**
     * @param protectedMode whether CR0.PE is set: there a cache without P is an unusable segment, as a
     *     null selector leaves it
     * @return the segment as the API has it
     */
    Segment toSegment(boolean protectedMode) {
        return new Segment(selector, base, limit, flags >>> TYPE_SHIFT & 0xf, has(P), flags >>> DPL_SHIFT & 3,
                has(DB), has(S), has(L), has(G), has(AVL), protectedMode && !has(P));
    }

    /** @return the descriptor's D/B bit: a 32-bit code or stack segment */
    boolean big() {
        return has(DB);
    }

    /** @return the descriptor's L bit: a 64-bit code segment */
    boolean longCode() {
        return has(L);
    }

    /**
     * @return this TSS cache with its type busy, as the CPU holds TR after {@code ltr} (QEMU's
     *     {@code ltr} caches the descriptor before it marks it busy in the GDT)
     */
    SegmentCache busyTss() {
        int type = type();
        boolean available = type == 0x1 || type == 0x9;
        return available ? new SegmentCache(selector, base, limit, flags | 2 << TYPE_SHIFT) : this;
    }

    /** @return the descriptor's P bit */
    boolean present() {
        return has(P);
    }

    /** @return the descriptor's type, 4 bits (for a TSS: 9 or 0xb, 32- or 64-bit; 1 or 3, 16-bit) */
    int type() {
        return flags >>> TYPE_SHIFT & 0xf;
    }

    /** @return the descriptor privilege level */
    int dpl() {
        return flags >>> DPL_SHIFT & 3;
    }

    private boolean has(int bit) {
        return (flags & bit) != 0;
    }
}
