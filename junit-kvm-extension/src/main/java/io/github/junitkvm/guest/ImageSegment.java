package io.github.junitkvm.guest;

/**
 * Bytes that go into guest RAM before the first run: the code of {@code code}, {@code asm} or a
 * flat binary at the load address, or one loadable segment of an ELF image.
 *
 * <p>A segment may occupy more RAM than it has bytes, as an ELF segment's bss does: the rest,
 * up to {@link #size()}, is zero. The loader does not write it, since a guest's RAM starts zero;
 * so a bss costs no memory however large it is.
 *
 * @param address the guest physical address of the first byte
 * @param bytes what is written there
 * @param size the bytes of RAM the segment occupies, at least {@code bytes.length}; those past
 *     {@code bytes} are zero
 */
public record ImageSegment(long address, byte[] bytes, long size) {
    /**
     * Copies the bytes.
     *
     * @throws IllegalArgumentException if {@code size} is smaller than the bytes
     */
    public ImageSegment {
        bytes = bytes.clone();
        if (size < bytes.length) {
            throw new IllegalArgumentException(String.format(
                    "size 0x%x is smaller than the segment's 0x%x bytes", size, bytes.length));
        }
    }

    /**
     * A segment with no zero-filled part.
     *
     * @param address the guest physical address of the first byte
     * @param bytes what is written there
     */
    public ImageSegment(long address, byte[] bytes) {
        this(address, bytes, bytes.length);
    }

    /** @return a copy of the bytes */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** @return the first address past the segment, its zero-filled part included */
    public long end() {
        return address + size;
    }
}
