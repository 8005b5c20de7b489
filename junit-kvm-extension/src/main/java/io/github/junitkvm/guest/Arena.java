package io.github.junitkvm.guest;

import io.github.junitkvm.GuestArena;
import io.github.junitkvm.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The {@link GuestArena} of a VM: a bump allocator over the arena part of its {@link CallArea},
 * writing through the VM's memory.
 */
final class Arena implements GuestArena {
    private static final long DEFAULT_ALIGNMENT = 16;
    /** Zeroes are written in pieces of this size, so that a large allocation needs no large array. */
    private static final int ZERO_CHUNK = 64 << 10;

    private final GuestMemory memory;
    private final long base;
    private final long end;
    /** The first free byte; guarded by this. */
    private long next;

    /**
     * @param memory the VM's memory
     * @param area where the arena is
     */
    Arena(GuestMemory memory, CallArea area) {
        this.memory = memory;
        this.base = area.base();
        this.end = area.stackBottom();
        this.next = base;
    }

    @Override
    public long allocate(long size) {
        return allocate(size, DEFAULT_ALIGNMENT);
    }

    @Override
    public long allocate(long size, long alignment) {
        long address = reserve(size, alignment);
        byte[] zeroes = new byte[(int) Math.min(size, ZERO_CHUNK)];
        for (long done = 0; done < size; done += zeroes.length) {
            memory.write(address + done, done + zeroes.length <= size ? zeroes
                    : new byte[(int) (size - done)]);
        }
        return address;
    }

    @Override
    public long put(byte... bytes) {
        Objects.requireNonNull(bytes, "bytes");
        long address = reserve(bytes.length, DEFAULT_ALIGNMENT);
        memory.write(address, bytes);
        return address;
    }

    @Override
    public long putString(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        byte[] terminated = new byte[utf8.length + 1];
        System.arraycopy(utf8, 0, terminated, 0, utf8.length);
        return put(terminated);
    }

    @Override
    public long putInts(int... values) {
        ByteBuffer bytes = littleEndian(values.length, Integer.BYTES);
        bytes.asIntBuffer().put(values);
        return put(bytes.array());
    }

    @Override
    public long putLongs(long... values) {
        ByteBuffer bytes = littleEndian(values.length, Long.BYTES);
        bytes.asLongBuffer().put(values);
        return put(bytes.array());
    }

    private static ByteBuffer littleEndian(int count, int size) {
        return ByteBuffer.allocate(Math.multiplyExact(count, size)).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public synchronized void reset() {
        next = base;
    }

    @Override
    public long address() {
        return base;
    }

    @Override
    public long size() {
        return end - base;
    }

    @Override
    public synchronized long remaining() {
        return end - next;
    }

    private synchronized long reserve(long size, long alignment) {
        if (size < 0) {
            throw new IllegalArgumentException("cannot allocate " + size + " bytes: the size is negative");
        }
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment " + alignment + " is not a power of two");
        }
        // Both within RAM, so neither sum overflows; an alignment beyond the arena leaves no room.
        long address = alignment > end ? end + 1 : (next + alignment - 1) & -alignment;
        if (address > end || size > end - address) {
            throw new IllegalStateException(String.format("the arena [0x%x, 0x%x) has %d bytes left, not %d%s:"
                    + " reset() it, or give the guest more RAM", base, end, end - next, size,
                    alignment == DEFAULT_ALIGNMENT ? "" : " aligned to " + alignment));
        }
        next = address + size;
        return address;
    }
}
