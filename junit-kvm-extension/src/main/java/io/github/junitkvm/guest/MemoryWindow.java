package io.github.junitkvm.guest;

import io.github.junitkvm.GuestMemory;
import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Guest memory as a report reads it: in aligned blocks, each read at most once (on the emulator every
 * read is a round trip to its process), and only as far as it is RAM. RAM regions are whole pages,
 * so a block is either all RAM or none.
 *
 * <p>Addresses come from the guest's registers, so they may be anything: a call reads at most the
 * blocks that its {@code length} bytes touch, whatever the address, and an address at or above
 * 2^63 (negative as a {@code long}, such as a higher-half kernel address) is never RAM.
 */
final class MemoryWindow {
    private static final int BLOCK = 64;
    /** A block that is not RAM. */
    private static final byte[] NONE = new byte[0];

    private final GuestMemory memory;
    private final Map<Long, byte[]> blocks = new HashMap<>();

    /** @param memory the memory to read */
    MemoryWindow(GuestMemory memory) {
        this.memory = memory;
    }

    /**
     * @param address where to start
     * @param length the most bytes wanted
     * @return the bytes from {@code address} on up to the first that is not RAM; possibly none
     * @throws IllegalStateException if the memory can no longer be read at all
     */
    byte[] from(long address, int length) {
        if (address < 0 || length <= 0) {
            return new byte[0];
        }
        long end = address + Math.min(length, Long.MAX_VALUE - address);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (long base = blockOf(address); base < end && base >= 0; base += BLOCK) {
            byte[] block = block(base);
            if (block == NONE) {
                break;
            }
            int first = (int) Math.max(0, address - base);
            int last = (int) Math.min(BLOCK, end - base);
            bytes.write(block, first, last - first);
        }
        return bytes.toByteArray();
    }

    /**
     * @param address where the bytes end (exclusive)
     * @param length the most bytes wanted
     * @return the bytes that end at {@code address}, back to the last that is not RAM; possibly none
     * @throws IllegalStateException if the memory can no longer be read at all
     */
    byte[] before(long address, int length) {
        if (address <= 0 || length <= 0) {
            return new byte[0];
        }
        long start = Math.max(0, address - length);
        for (long base = blockOf(address - 1); base >= blockOf(start); base -= BLOCK) {
            if (block(base) == NONE) {
                start = base + BLOCK;
                break;
            }
        }
        return start >= address ? new byte[0] : from(start, (int) (address - start));
    }

    private static long blockOf(long address) {
        return address - address % BLOCK;
    }

    private byte[] block(long base) {
        return blocks.computeIfAbsent(base, b -> {
            try {
                return memory.read(b, BLOCK);
            } catch (IllegalArgumentException outsideRam) {
                return NONE;
            }
        });
    }
}
