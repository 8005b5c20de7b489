package io.github.junitkvm;

/**
 * Guest RAM for a test's buffers and structures, to pass their addresses to a
 * {@link GuestFunction}: {@link KvmVm#arena()}. Each allocation is zeroed and aligned (16 bytes
 * unless asked otherwise, the alignment of any C type), and lasts until {@link #reset()}, which
 * frees them all at once. Read what the guest wrote there through {@link KvmVm#memory()}.
 *
 * <p>The arena is RAM that neither the loaded image nor the extension's GDT and page tables use,
 * the largest such block the CPU mode can address; the call stack takes the top of it. A guest
 * that keeps data outside its image on its own (at a fixed address) must not share that RAM with
 * the arena.
 */
public interface GuestArena {
    /**
     * @param size the bytes wanted, not negative
     * @return the guest physical address of zeroed bytes, 16-byte aligned
     * @throws IllegalArgumentException if the size is negative
     * @throws IllegalStateException if the arena has no room left for them
     */
    long allocate(long size);

    /**
     * @param size the bytes wanted, not negative
     * @param alignment a power of two
     * @return the guest physical address of zeroed bytes, a multiple of {@code alignment}
     * @throws IllegalArgumentException if the size is negative or the alignment not a power of two
     * @throws IllegalStateException if the arena has no room left for them
     */
    long allocate(long size, long alignment);

    /**
     * @param bytes the bytes
     * @return the guest physical address of a copy of them, 16-byte aligned
     */
    long put(byte... bytes);

    /**
     * @param text a string
     * @return the guest physical address of a C string: its UTF-8 bytes and a terminating NUL
     */
    long putString(String text);

    /**
     * @param values 32-bit values
     * @return the guest physical address of an array of them, little-endian, 16-byte aligned
     */
    long putInts(int... values);

    /**
     * @param values 64-bit values
     * @return the guest physical address of an array of them, little-endian, 16-byte aligned
     */
    long putLongs(long... values);

    /** Frees every allocation: the next one starts again at the arena's first byte. */
    void reset();

    /** @return the guest physical address of the arena's first byte */
    long address();

    /** @return how many bytes the arena has */
    long size();

    /** @return how many bytes are free, past the last allocation */
    long remaining();
}
