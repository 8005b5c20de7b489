package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.backend.RamRegion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An engine's MMIO: every hole between RAM regions below a limit. Answers which parts of a guest
 * access are MMIO exits, split as KVM splits them, and which addresses the engine's memory hook must
 * cover to see every access that touches MMIO.
 */
final class MmioMap {
    /** KVM splits an access at page boundaries, and into its RAM and MMIO parts. */
    private static final long PAGE = 0x1000;
    /** The longest access minus one: an access starting this far below a range reaches into it. */
    private static final long REACH = Long.BYTES - 1;

    /**
     * One hole.
     *
     * @param start its first address, page-aligned
     * @param end the address after it, page-aligned
     */
    record Range(long start, long end) {
        /** @return the first address whose accesses may reach into the range */
        long hookBegin() {
            return Math.max(0, start - REACH);
        }

        /** @return the last address of the range */
        long last() {
            return end - 1;
        }
    }

    /**
     * A part of an access that is one MMIO exit.
     *
     * @param address its first address
     * @param size its size in bytes
     * @param offset how many bytes of the access come before it
     */
    record Fragment(long address, int size, int offset) {
        /** @param accessValue the value of the whole access @return this part's bytes of it */
        long of(long accessValue) {
            return (accessValue >>> (8 * offset)) & mask();
        }

        /** @param value this part's value @return its bytes where they go in the whole access */
        long place(long value) {
            return (value & mask()) << (8 * offset);
        }

        private long mask() {
            return size >= Long.BYTES ? -1L : (1L << (8 * size)) - 1;
        }
    }

    private final List<Range> ranges;

    private MmioMap(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /**
     * @param ram the RAM regions
     * @param limit the end of the address range whose holes are MMIO
     * @return the holes
     */
    static MmioMap of(List<RamRegion> ram, long limit) {
        List<Range> ranges = new ArrayList<>();
        long hole = 0;
        for (RamRegion region : ram.stream().sorted(Comparator.comparingLong(RamRegion::guestAddress)).toList()) {
            add(ranges, hole, Math.min(region.guestAddress(), limit));
            hole = Math.max(hole, region.end());
        }
        add(ranges, hole, limit);
        return new MmioMap(ranges);
    }

    private static void add(List<Range> ranges, long start, long end) {
        if (start < end) {
            ranges.add(new Range(start, end));
        }
    }

    List<Range> ranges() {
        return ranges;
    }

    /**
     * @param address an address an access starts at
     * @return whether the memory hook sees accesses starting there
     */
    boolean hooked(long address) {
        return ranges.stream().anyMatch(range -> range.hookBegin() <= address && address <= range.last());
    }

    /**
     * @param address where the access starts
     * @param size its size in bytes, 1 to 8
     * @return its MMIO parts in address order, one per page it touches: none if it is all RAM
     */
    List<Fragment> fragments(long address, int size) {
        List<Fragment> fragments = new ArrayList<>(1);
        long end = address + size;
        for (long at = address; at < end; at = (at & -PAGE) + PAGE) {
            long pieceEnd = Math.min(end, (at & -PAGE) + PAGE);
            long page = at;
            // Ranges are whole pages: a page is all MMIO or none.
            if (ranges.stream().anyMatch(range -> range.start() <= page && page < range.end())) {
                fragments.add(new Fragment(at, (int) (pieceEnd - at), (int) (at - address)));
            }
        }
        return fragments;
    }
}
