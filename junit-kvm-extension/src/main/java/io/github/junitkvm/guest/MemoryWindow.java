package io.github.junitkvm.guest;

import io.github.junitkvm.GuestMemory;
import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Guest memory as a report reads it: in aligned blocks, each read at most once (on the emulator every
 * read is a round trip to its process), and only as far as it is RAM. RAM regions are whole pages,
 * so a block is either all RAM or none.
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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (long a = address; a < address + length && a >= 0; a++) {
            byte[] block = block(a);
            if (block == NONE) {
                break;
            }
            bytes.write(block[(int) (a % BLOCK)]);
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
        long start = Math.max(0, address - length);
        for (long a = address - 1; a >= start; a--) {
            if (block(a) == NONE) {
                start = a + 1;
                break;
            }
        }
        return from(start, (int) (address - start));
    }

    private byte[] block(long address) {
        return blocks.computeIfAbsent(address - address % BLOCK, base -> {
            try {
                return memory.read(base, BLOCK);
            } catch (IllegalArgumentException outsideRam) {
                return NONE;
            }
        });
    }
}
