package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.Segment;

/** Decodes an 8-byte GDT code or data descriptor into the {@link Segment} the CPU caches from it. */
final class SegmentDescriptor {
    private SegmentDescriptor() {
    }

    /**
     * @param selector the selector that loaded it
     * @param descriptor the descriptor, as a little-endian 64-bit value
     * @return the segment; the limit scaled by the G bit
     */
    static Segment decode(int selector, long descriptor) {
        long rawLimit = descriptor & 0xffff | (descriptor >>> 48 & 0xf) << 16;
        long base = descriptor >>> 16 & 0xffffff | (descriptor >>> 56 & 0xff) << 24;
        boolean g = bit(descriptor, 55);
        long limit = g ? rawLimit << 12 | 0xfff : rawLimit;
        return new Segment(selector, base, (int) limit, (int) (descriptor >>> 40 & 0xf), bit(descriptor, 47),
                (int) (descriptor >>> 45 & 0x3), bit(descriptor, 54), bit(descriptor, 44), bit(descriptor, 53), g,
                bit(descriptor, 52), false);
    }

    /**
     * @param selector a selector whose index is 0
     * @return the unusable segment a null selector loads
     */
    static Segment nullSegment(int selector) {
        return new Segment(selector, 0, 0, 0, false, 0, false, false, false, false, false, true);
    }

    private static boolean bit(long value, int index) {
        return (value >>> index & 1) != 0;
    }
}
