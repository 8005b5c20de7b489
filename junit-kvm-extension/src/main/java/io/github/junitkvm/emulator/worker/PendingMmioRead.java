package io.github.junitkvm.emulator.worker;

import java.util.function.LongPredicate;

/**
 * The guest's MMIO read in progress, whole, and the pieces of it that Unicorn's MMIO callbacks ask
 * for.
 *
 * <p>KVM reports an access as the instruction makes it (split only where it leaves a page or
 * MMIO). Unicorn's MMIO callbacks do not see it so: they get at most 4 bytes at a time (QEMU's
 * default {@code max_access_size} splits an 8-byte read in two), and an unaligned read as the two
 * aligned reads of its size around it. Its memory hook sees the access whole, before it happens;
 * so the hook makes the exits and records the value here, and the callbacks take their bytes from
 * it. The two aligned reads of an unaligned one pass the hook again, where it covers them:
 * {@link #isPieceOfUnaligned} recognises them.
 */
final class PendingMmioRead {
    private long address;
    private int size;
    private long value;
    /** The aligned reads still to pass the hook as pieces of this one; -1 for none. */
    private long firstPiece = -1;
    private long secondPiece = -1;

    /**
     * @param address the guest address the instruction reads
     * @param size its size in bytes: 1, 2, 4 or 8
     * @param value the value the guest reads; its bytes outside MMIO are not used
     * @param hooked whether the memory hook sees a read starting at an address
     */
    void start(long address, int size, long value, LongPredicate hooked) {
        this.address = address;
        this.size = size;
        this.value = value;
        boolean unaligned = address % size != 0;
        long first = address & -size;
        firstPiece = unaligned && hooked.test(first) ? first : -1;
        secondPiece = unaligned && hooked.test(first + size) ? first + size : -1;
    }

    /** Forgets the pending read: a run that stopped may have left pieces that never came. */
    void clear() {
        firstPiece = -1;
        secondPiece = -1;
    }

    /**
     * @param at an address the memory hook reports
     * @param length its size
     * @return whether it is one of the two aligned reads that Unicorn makes of the pending unaligned
     *     read, rather than a read of its own; each is recognised once
     */
    boolean isPieceOfUnaligned(long at, int length) {
        if (length != size || at < 0) {
            return false;
        }
        if (at == firstPiece) {
            firstPiece = -1;
            return true;
        }
        if (at == secondPiece) {
            secondPiece = -1;
            return true;
        }
        return false;
    }

    /**
     * @param at the address an MMIO callback reads
     * @param length its size in bytes
     * @return the bytes of the pending read's value at those addresses, little-endian; 0 for bytes
     *     outside the read (Unicorn shifts them out when it joins the pieces of an unaligned read)
     */
    long piece(long at, int length) {
        long result = 0;
        for (int i = length - 1; i >= 0; i--) {
            long offset = at + i - address;
            long octet = offset >= 0 && offset < size ? (value >>> (8 * offset)) & 0xff : 0;
            result = result << 8 | octet;
        }
        return result;
    }
}
