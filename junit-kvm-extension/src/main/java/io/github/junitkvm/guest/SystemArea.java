package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.backend.RamRegion;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where the {@link SystemTables} of a mode go: the highest 4 KiB-aligned block of writable guest
 * RAM below 4 GiB that does not overlap the loaded image. That is the top of the highest writable
 * region when no segment is there, else the pages just below the segments in the way, or the top
 * of the next writable region down. Below 4 GiB because 32-bit modes can address nothing higher,
 * and CR3 of {@code PAGED} is 32 bits wide.
 */
final class SystemArea {
    /** The first address the area may not reach. */
    static final long ADDRESS_LIMIT = 1L << 32;
    private static final long PAGE = 0x1000;

    private SystemArea() {
    }

    /**
     * @param ram the guest's RAM regions
     * @param mode the CPU mode
     * @param image the loaded segments, which the area must not overlap
     * @return the area's guest physical address; empty if the mode needs none ({@code REAL}) or if
     *     no block is free
     */
    static OptionalLong find(List<RamRegion> ram, CpuMode mode, List<ImageSegment> image) {
        long size = SystemTables.size(mode, ram);
        if (size == 0) {
            return OptionalLong.empty();
        }
        // Not in read-only regions: the guest could not write them, and paging sets accessed bits.
        List<RamRegion> downwards = ram.stream()
                .filter(region -> !region.readOnly())
                .sorted(Comparator.comparingLong(RamRegion::guestAddress).reversed()).toList();
        for (RamRegion region : downwards) {
            long candidate = (Math.min(region.end(), ADDRESS_LIMIT) & -PAGE) - size;
            // Below every segment the block would overlap, until it is free or leaves the region.
            Optional<ImageSegment> overlapped = overlapped(image, candidate, size);
            while (candidate >= region.guestAddress() && overlapped.isPresent()) {
                candidate = (overlapped.get().address() & -PAGE) - size;
                overlapped = overlapped(image, candidate, size);
            }
            if (candidate >= region.guestAddress()) {
                return OptionalLong.of(candidate);
            }
        }
        return OptionalLong.empty();
    }

    private static Optional<ImageSegment> overlapped(List<ImageSegment> image, long start, long size) {
        return image.stream()
                .filter(segment -> segment.size() > 0)
                .filter(segment -> segment.address() < start + size && start < segment.end())
                .min(Comparator.comparingLong(ImageSegment::address));
    }
}
