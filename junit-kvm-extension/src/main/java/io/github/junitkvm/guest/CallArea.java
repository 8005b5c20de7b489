package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.backend.RamRegion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The RAM that function calls use: the largest block of writable RAM that the loaded image and the
 * {@link SystemArea} leave free and the CPU mode can address (below 4 GiB in the 32-bit modes, in
 * the long-mode tables' mapping in {@code LONG}). From its bottom up lies the arena; at its top
 * the call stack, growing down from just below the return trampoline, a {@code hlt} that ends a
 * call's run when the function returns.
 *
 * @param base the arena's first byte, 16-byte aligned
 * @param stackBottom the first byte past the arena: the lowest the call stack may reach
 * @param trampoline the address of the trampoline; the stack's top, 16-byte aligned
 */
record CallArea(long base, long stackBottom, long trampoline) {
    /** The call stack's size where there is room: as deep as ordinary C library code goes. */
    static final long STACK_SIZE = 64 << 10;
    /** The bytes of the trampoline: a {@code hlt}, then {@code jmp} back to it should the guest go on. */
    static final byte[] TRAMPOLINE = {(byte) 0xf4, (byte) 0xeb, (byte) 0xfd};
    /** The smallest block that holds a useful stack and arena. */
    static final long MINIMUM_SIZE = 1 << 10;
    private static final long ALIGNMENT = 16;
    /** The trampoline's own 16 bytes at the block's top. */
    private static final long TRAMPOLINE_SLOT = 16;

    /** @return the arena's size in bytes */
    long arenaSize() {
        return stackBottom - base;
    }

    /**
     * @param ram the guest's RAM regions
     * @param mode the CPU mode, not {@code REAL}
     * @param image the loaded segments
     * @return the area, or empty if no free block of {@link #MINIMUM_SIZE} bytes is left
     */
    static Optional<CallArea> find(List<RamRegion> ram, CpuMode mode, List<ImageSegment> image) {
        long limit = mode == CpuMode.LONG ? SystemTables.longModeCoverage(ram) : SystemArea.ADDRESS_LIMIT;
        List<long[]> used = new ArrayList<>();
        for (ImageSegment segment : image) {
            if (segment.size() > 0) {
                used.add(new long[] {segment.address(), segment.end()});
            }
        }
        OptionalLong tables = SystemArea.find(ram, mode, image);
        if (tables.isPresent()) {
            used.add(new long[] {tables.getAsLong(), tables.getAsLong() + SystemTables.size(mode, ram)});
        }
        used.sort(Comparator.comparingLong(range -> range[0]));
        long bestStart = 0;
        long bestEnd = 0;
        for (RamRegion region : ram) {
            if (region.readOnly()) {
                continue;
            }
            long start = region.guestAddress();
            long end = Math.min(region.end(), limit);
            for (long[] range : used) {
                if (range[1] <= start || range[0] >= end) {
                    continue;
                }
                if (range[0] - start >= bestEnd - bestStart) {
                    bestStart = start;
                    bestEnd = range[0];
                }
                start = Math.max(start, range[1]);
            }
            if (end - start >= bestEnd - bestStart) {
                bestStart = start;
                bestEnd = end;
            }
        }
        long base = (bestStart + ALIGNMENT - 1) & -ALIGNMENT;
        long top = bestEnd & -ALIGNMENT;
        if (top - base < MINIMUM_SIZE) {
            return Optional.empty();
        }
        long trampoline = top - TRAMPOLINE_SLOT;
        long stack = Math.min(STACK_SIZE, ((trampoline - base) / 2) & -ALIGNMENT);
        return Optional.of(new CallArea(base, trampoline - stack, trampoline));
    }
}
