package io.github.junitkvm.firmware;

import io.github.junitkvm.backend.RamRegion;
import java.util.List;

/** The guest's RAM regions as the BIOS sees them: where a service may read and write guest memory. */
final class RamMap {
    private final List<RamRegion> regions;

    /** @param regions the guest's RAM regions, sorted by address */
    RamMap(List<RamRegion> regions) {
        this.regions = List.copyOf(regions);
    }

    List<RamRegion> regions() {
        return regions;
    }

    /**
     * @return whether {@code [address, address + length)} is writable RAM, in one region: a
     *     service never writes the firmware ROM, or outside RAM
     */
    boolean writable(long address, long length) {
        return regions.stream().anyMatch(region -> !region.readOnly() && region.contains(address, length));
    }

    /** @return whether {@code [address, address + length)} is RAM or ROM, in one region */
    boolean readable(long address, long length) {
        return regions.stream().anyMatch(region -> region.contains(address, length));
    }

    /**
     * @param from a guest physical address
     * @return how many bytes of writable RAM follow it without a gap, across adjacent regions
     */
    long writableFrom(long from) {
        long end = from;
        for (RamRegion region : regions) {
            if (!region.readOnly() && region.guestAddress() <= end && region.end() > end) {
                end = region.end();
            }
        }
        return end - from;
    }
}
