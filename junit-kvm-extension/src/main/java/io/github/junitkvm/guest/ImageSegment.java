package io.github.junitkvm.guest;

/**
 * Bytes that go into guest RAM before the first run: the code of {@code code}, {@code asm} or a
 * flat binary at the load address, or one loadable segment of an ELF image.
 *
 * @param address the guest physical address of the first byte
 * @param bytes what is written there, zero-filled bss included
 */
public record ImageSegment(long address, byte[] bytes) {
    /** Copies the bytes. */
    public ImageSegment {
        bytes = bytes.clone();
    }

    /** @return a copy of the bytes */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** @return the first address past the segment */
    public long end() {
        return address + bytes.length;
    }
}
