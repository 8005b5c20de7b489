package io.github.junitkvm.guest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * The Multiboot (version 1) header of a kernel image: found at a 4-aligned offset in the image's
 * first {@link #SEARCH_LIMIT} bytes by its magic, with a checksum that makes magic, flags and
 * checksum sum to zero; its flags say what the kernel requires of the loader.
 *
 * @param offset where the header starts in the image file
 * @param flags the kernel's requirements and features
 * @param addresses the load addresses of a flat image (the "a.out kludge"), when flag bit 16 is set
 */
record MultibootHeader(int offset, int flags, Optional<Addresses> addresses) {
    static final int MAGIC = 0x1BADB002;
    /** The value a Multiboot loader leaves in EAX. */
    static final int BOOTLOADER_MAGIC = 0x2BADB002;
    /** The header lies entirely within the image's first 8192 bytes. */
    static final int SEARCH_LIMIT = 8192;
    /** Modules on page boundaries: the loader always puts them there. */
    static final int PAGE_ALIGN_MODULES = 1;
    static final int MEMORY_INFO = 1 << 1;
    static final int VIDEO_MODE = 1 << 2;
    static final int ADDRESSES = 1 << 16;
    /** Bits 0 to 15 are requirements: a loader that does not understand one must not boot the kernel. */
    private static final int REQUIRED_BITS = 0xffff;
    private static final int UNDERSTOOD = PAGE_ALIGN_MODULES | MEMORY_INFO;
    private static final int SIZE = 12;
    private static final int SIZE_WITH_ADDRESSES = 32;

    /**
     * @param head the image's first bytes, at most {@link #SEARCH_LIMIT} of them (fewer if the image is shorter)
     * @return the header
     * @throws InvalidImageException if there is no valid header, or it requires what this loader does not provide
     */
    static MultibootHeader find(byte[] head) {
        ByteBuffer in = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        int limit = Math.min(head.length, SEARCH_LIMIT);
        Integer badChecksum = null;
        for (int offset = 0; offset + SIZE <= limit; offset += 4) {
            if (in.getInt(offset) != MAGIC) {
                continue;
            }
            int flags = in.getInt(offset + 4);
            if (MAGIC + flags + in.getInt(offset + 8) != 0) {
                badChecksum = badChecksum == null ? offset : badChecksum;
                continue;
            }
            return parse(in, offset, limit, flags);
        }
        if (badChecksum != null) {
            throw new InvalidImageException(String.format("the Multiboot magic 0x%08x at offset %d is followed by a"
                    + " checksum that does not make magic + flags + checksum zero, and no valid header follows in"
                    + " the first %d bytes", MAGIC, badChecksum, SEARCH_LIMIT));
        }
        throw new InvalidImageException(String.format("no Multiboot header: the magic 0x%08x is not at any 4-aligned"
                + " offset of the first %d bytes", MAGIC, SEARCH_LIMIT));
    }

    private static MultibootHeader parse(ByteBuffer in, int offset, int limit, int flags) {
        int unsupported = flags & REQUIRED_BITS & ~UNDERSTOOD;
        if ((unsupported & VIDEO_MODE) != 0) {
            throw new InvalidImageException(String.format("the Multiboot header at offset %d (flags 0x%08x) requires"
                    + " a video mode (flag bit 2), and this loader has no video device to set one", offset, flags));
        }
        if (unsupported != 0) {
            throw new InvalidImageException(String.format("the Multiboot header at offset %d (flags 0x%08x) requires"
                    + " what flag bit %d stands for, which Multiboot 0.6.96 does not define; a loader must not boot"
                    + " a kernel whose required flags (bits 0 to 15) it does not understand",
                    offset, flags, Integer.numberOfTrailingZeros(unsupported)));
        }
        if ((flags & ADDRESSES) == 0) {
            return new MultibootHeader(offset, flags, Optional.empty());
        }
        if (offset + SIZE_WITH_ADDRESSES > limit) {
            throw new InvalidImageException(String.format("the Multiboot header at offset %d sets flag bit 16 (address"
                    + " fields), but its %d bytes do not end within the first %d bytes of the image",
                    offset, SIZE_WITH_ADDRESSES, limit));
        }
        return new MultibootHeader(offset, flags, Optional.of(new Addresses(unsigned(in, offset + 12),
                unsigned(in, offset + 16), unsigned(in, offset + 20), unsigned(in, offset + 24), unsigned(in, offset + 28))));
    }

    private static long unsigned(ByteBuffer in, int offset) {
        return Integer.toUnsignedLong(in.getInt(offset));
    }

    /**
     * Where a flat image goes: the file from the header's offset minus
     * {@code headerAddress - loadAddress} is loaded at {@code loadAddress}.
     *
     * @param headerAddress the physical address the header's magic is loaded at
     * @param loadAddress the physical address of the first byte loaded
     * @param loadEndAddress the end of the bytes loaded from the file; 0 for the whole rest of the file
     * @param bssEndAddress the end of the zeroed memory after them; 0 for none
     * @param entryAddress the entry point
     */
    record Addresses(long headerAddress, long loadAddress, long loadEndAddress, long bssEndAddress, long entryAddress) {
        /**
         * @param headerOffset where the header is in the file
         * @return the file offset of the byte loaded at {@link #loadAddress()}
         * @throws InvalidImageException if the addresses contradict each other
         */
        long fileOffset(int headerOffset) {
            if (headerAddress < loadAddress || headerAddress - loadAddress > headerOffset) {
                throw new InvalidImageException(String.format("the Multiboot header's load_addr 0x%x does not fit its"
                        + " header_addr 0x%x: the header, at file offset %d, would be loaded before the image's first"
                        + " byte", loadAddress, headerAddress, headerOffset));
            }
            if (loadEndAddress != 0 && loadEndAddress <= loadAddress) {
                throw new InvalidImageException(String.format("the Multiboot header's load_end_addr 0x%x is not past"
                        + " its load_addr 0x%x", loadEndAddress, loadAddress));
            }
            if (bssEndAddress != 0 && bssEndAddress < Math.max(loadEndAddress, loadAddress)) {
                throw new InvalidImageException(String.format("the Multiboot header's bss_end_addr 0x%x is below the"
                        + " end of the loaded image (load_end_addr 0x%x)", bssEndAddress, loadEndAddress));
            }
            return headerOffset - (headerAddress - loadAddress);
        }
    }
}
