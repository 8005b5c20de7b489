package io.github.junitkvm.guest;

import io.github.junitkvm.backend.RamRegion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The guest's RAM regions, sorted by address: answers which region holds an address range, and
 * describes itself for error messages.
 */
final class RamLayout {
    private final List<RamRegion> regions;

    RamLayout(List<RamRegion> regions) {
        List<RamRegion> sorted = new ArrayList<>(regions);
        sorted.sort(Comparator.comparingLong(RamRegion::guestAddress));
        this.regions = List.copyOf(sorted);
    }

    List<RamRegion> regions() {
        return regions;
    }

    /**
     * @param address first byte
     * @param length byte count, not negative
     * @return the region holding the whole range, if one does
     */
    Optional<RamRegion> regionHolding(long address, long length) {
        return regions.stream().filter(r -> r.contains(address, length)).findFirst();
    }

    /**
     * Splits a range into pieces, one per region it crosses, when adjacent regions cover it
     * entirely.
     *
     * @param address first byte
     * @param length byte count, not negative
     * @return the pieces in address order, or empty if some byte is outside RAM
     */
    Optional<List<Piece>> split(long address, long length) {
        List<Piece> pieces = new ArrayList<>();
        long next = address;
        long remaining = length;
        while (remaining > 0) {
            long at = next;
            Optional<RamRegion> holder = regions.stream().filter(r -> r.contains(at, 1)).findFirst();
            if (holder.isEmpty()) {
                return Optional.empty();
            }
            long chunk = Math.min(remaining, holder.get().end() - at);
            pieces.add(new Piece(at, (int) chunk, (int) (length - remaining)));
            next += chunk;
            remaining -= chunk;
        }
        if (length == 0 && regionHolding(address, 0).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(pieces);
    }

    /**
     * @param address first byte, not negative
     * @param length byte count, positive, with {@code address + length} no more than {@link Long#MAX_VALUE}
     * @return whether any byte of the range is writable RAM
     */
    boolean overlapsWritable(long address, long length) {
        return regions.stream().anyMatch(r -> !r.readOnly() && r.guestAddress() < address + length && address < r.end());
    }

    /** @return the regions as {@code [0x1000, 0x2000)} intervals */
    String describe() {
        return regions.stream()
                .map(r -> String.format("[0x%x, 0x%x)%s", r.guestAddress(), r.end(), r.readOnly() ? " read-only" : ""))
                .collect(Collectors.joining(", "));
    }

    /**
     * A part of an access that lies in one region.
     *
     * @param address the part's first guest physical address
     * @param length its length
     * @param offset its offset within the whole access
     */
    record Piece(long address, int length, int offset) {
    }
}
