package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.backend.RamRegion;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * Where the {@link SystemTables} of a mode go: the highest 4 KiB-aligned block of guest RAM below
 * 4 GiB that does not overlap the loaded code. That is the top of the highest region when the code
 * is not there, else the pages just below the code or the top of the next region down. Below
 * 4 GiB because 32-bit modes can address nothing higher, and CR3 of {@code PAGED} is 32 bits wide.
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
     * @param codeAddress where the code starts
     * @param codeLength the code's length, possibly 0
     * @return the area's guest physical address; empty if the mode needs none ({@code REAL}) or if
     *     no block is free
     */
    static OptionalLong find(List<RamRegion> ram, CpuMode mode, long codeAddress, long codeLength) {
        long size = SystemTables.size(mode, ram);
        if (size == 0) {
            return OptionalLong.empty();
        }
        List<RamRegion> downwards = ram.stream()
                .sorted(Comparator.comparingLong(RamRegion::guestAddress).reversed()).toList();
        for (RamRegion region : downwards) {
            long top = Math.min(region.end(), ADDRESS_LIMIT) & -PAGE;
            long candidate = top - size;
            if (candidate < region.guestAddress()) {
                continue;
            }
            if (codeLength > 0 && candidate < codeAddress + codeLength && codeAddress < top) {
                candidate = (codeAddress & -PAGE) - size;
                if (candidate < region.guestAddress()) {
                    continue;
                }
            }
            return OptionalLong.of(candidate);
        }
        return OptionalLong.empty();
    }
}
