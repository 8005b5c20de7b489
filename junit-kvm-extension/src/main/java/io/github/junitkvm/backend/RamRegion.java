package io.github.junitkvm.backend;

/**
 * One region of guest physical RAM.
 *
 * @param guestAddress the guest physical address of the first byte, page-aligned
 * @param size the size in bytes, a positive multiple of 4096
 * @param readOnly whether guest writes are refused (they become MMIO writes)
 */
public record RamRegion(long guestAddress, long size, boolean readOnly) {
    /** @return the first guest physical address after the region */
    public long end() {
        return guestAddress + size;
    }

    /**
     * @param address a guest physical address
     * @param length a byte count, not negative
     * @return whether {@code [address, address + length)} lies inside this region
     */
    public boolean contains(long address, long length) {
        return address >= guestAddress && length <= size && address - guestAddress <= size - length;
    }
}
