package io.github.junitkvm.emulator.worker;

/**
 * The guest's MMIO read in progress, whole, and the pieces of it that Unicorn's MMIO callbacks ask
 * for.
 *
 * <p>KVM reports an access as the instruction makes it. Unicorn's MMIO callbacks do not see it so:
 * they get at most 4 bytes at a time (QEMU's default {@code max_access_size} splits an 8-byte read
 * in two), and an unaligned read as the two aligned reads of its size around it. Its memory hook
 * sees the access whole, before it happens; so the hook makes the exit and records its value here,
 * and the callbacks take their bytes from it. The two aligned reads of an unaligned one pass the
 * hook again: {@link #isPieceOfUnaligned} recognises them.
 */
final class PendingMmioRead {
    private long address;
    private int size;
    private long value;
    /** Bytes the callbacks have still to take: 0 when no read is pending. */
    private int outstanding;

    /**
     * @param address the guest address the instruction reads
     * @param size its size in bytes: 1, 2, 4 or 8
     * @param value the value the guest reads
     */
    void start(long address, int size, long value) {
        this.address = address;
        this.size = size;
        this.value = value;
        outstanding = address % size == 0 ? size : 2 * size;
    }

    /**
     * @param at an address the memory hook reports
     * @param length its size
     * @return whether it is one of the two aligned reads that Unicorn makes of the pending unaligned
     *     read, rather than a read of its own
     */
    boolean isPieceOfUnaligned(long at, int length) {
        if (outstanding == 0 || address % size == 0 || length != size) {
            return false;
        }
        long first = address & -size;
        return at == first || at == first + size;
    }

    /**
     * @param at the address an MMIO callback reads
     * @param length its size in bytes
     * @return the bytes of the pending read's value at those addresses, little-endian; 0 for bytes
     *     outside the read (Unicorn shifts them out when it joins the pieces of an unaligned read)
     */
    long piece(long at, int length) {
        outstanding = Math.max(0, outstanding - length);
        long result = 0;
        for (int i = length - 1; i >= 0; i--) {
            long offset = at + i - address;
            long octet = offset >= 0 && offset < size ? (value >>> (8 * offset)) & 0xff : 0;
            result = result << 8 | octet;
        }
        return result;
    }
}
