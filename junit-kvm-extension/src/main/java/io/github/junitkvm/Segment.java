package io.github.junitkvm;

/**
 * A segment register as the CPU caches it: selector, base, limit and attribute bits, mirroring
 * {@code struct kvm_segment}.
 *
 * @param selector the visible 16-bit selector
 * @param base the linear base address
 * @param limit the segment limit in bytes (already scaled by the granularity bit)
 * @param type the 4-bit descriptor type (for example 0xb: execute/read code, accessed)
 * @param present the P bit
 * @param dpl the descriptor privilege level, 0 to 3
 * @param db the D/B bit: 32-bit default operand size
 * @param s the S bit: code or data rather than system segment
 * @param l the L bit: 64-bit code segment
 * @param g the G bit: limit counted in 4 KiB pages
 * @param avl the AVL bit, free for software
 * @param unusable whether the segment is unusable (a null selector in protected mode)
 */
public record Segment(int selector, long base, int limit, int type, boolean present, int dpl,
                      boolean db, boolean s, boolean l, boolean g, boolean avl, boolean unusable) {

    /**
     * Checks the fields narrower than their Java types, which the CPU would otherwise get cut short.
     *
     * @throws IllegalArgumentException if the selector is not 16 bits, the type not 4 bits, or the
     *     DPL not 0 to 3
     */
    public Segment {
        if (selector >>> 16 != 0 || type >>> 4 != 0 || dpl >>> 2 != 0) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "segment selector 0x%x, type 0x%x, dpl %d: a selector has 16 bits, a type 4, a dpl 2",
                    selector, type, dpl));
        }
    }

    /**
     * A real-mode segment: base {@code selector * 16}, limit 64 KiB.
     *
     * @param selector the paragraph number
     * @param type the descriptor type (0xb for code, 0x3 for data)
     * @return the segment
     */
    public static Segment realMode(int selector, int type) {
        return new Segment(selector, (long) selector << 4, 0xffff, type, true, 0,
                false, true, false, false, false, false);
    }

    /** @param value the new selector @return a copy with the selector replaced */
    public Segment withSelector(int value) {
        return new Segment(value, base, limit, type, present, dpl, db, s, l, g, avl, unusable);
    }

    /** @param value the new base @return a copy with the base replaced */
    public Segment withBase(long value) {
        return new Segment(selector, value, limit, type, present, dpl, db, s, l, g, avl, unusable);
    }

    /** @param value the new limit @return a copy with the limit replaced */
    public Segment withLimit(int value) {
        return new Segment(selector, base, value, type, present, dpl, db, s, l, g, avl, unusable);
    }

    /** @param value the new type @return a copy with the type replaced */
    public Segment withType(int value) {
        return new Segment(selector, base, limit, value, present, dpl, db, s, l, g, avl, unusable);
    }

    /** @param value the new P bit @return a copy with the P bit replaced */
    public Segment withPresent(boolean value) {
        return new Segment(selector, base, limit, type, value, dpl, db, s, l, g, avl, unusable);
    }

    /** @param value the new DPL @return a copy with the DPL replaced */
    public Segment withDpl(int value) {
        return new Segment(selector, base, limit, type, present, value, db, s, l, g, avl, unusable);
    }

    /** @param value the new D/B bit @return a copy with the D/B bit replaced */
    public Segment withDb(boolean value) {
        return new Segment(selector, base, limit, type, present, dpl, value, s, l, g, avl, unusable);
    }

    /** @param value the new S bit @return a copy with the S bit replaced */
    public Segment withS(boolean value) {
        return new Segment(selector, base, limit, type, present, dpl, db, value, l, g, avl, unusable);
    }

    /** @param value the new L bit @return a copy with the L bit replaced */
    public Segment withL(boolean value) {
        return new Segment(selector, base, limit, type, present, dpl, db, s, value, g, avl, unusable);
    }

    /** @param value the new G bit @return a copy with the G bit replaced */
    public Segment withG(boolean value) {
        return new Segment(selector, base, limit, type, present, dpl, db, s, l, value, avl, unusable);
    }

    /** @param value the new AVL bit @return a copy with the AVL bit replaced */
    public Segment withAvl(boolean value) {
        return new Segment(selector, base, limit, type, present, dpl, db, s, l, g, value, unusable);
    }

    /** @param value whether unusable @return a copy with the unusable flag replaced */
    public Segment withUnusable(boolean value) {
        return new Segment(selector, base, limit, type, present, dpl, db, s, l, g, avl, value);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "sel=0x%04x base=0x%x limit=0x%x type=0x%x%s%s%s%s",
                selector, base, limit, type, present ? " P" : "", db ? " DB" : "", l ? " L" : "",
                unusable ? " unusable" : "");
    }
}
