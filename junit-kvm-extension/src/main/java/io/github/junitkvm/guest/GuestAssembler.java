package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Assembles the {@code asm} of a {@link io.github.junitkvm.KvmGuest}, remembering each result by
 * its content (source, mode and load address), so that a test run again, or another test with
 * the same source, does not start {@code as} and {@code ld} again.
 *
 * <p>The cache holds at most {@link #DEFAULT_CAPACITY} bytes of code, the least recently used
 * results leaving first; code larger than that is assembled each time, never kept.
 */
final class GuestAssembler implements Assembler {
    /** The bytes of code the shared assembler keeps: many thousands of ordinary test guests. */
    static final long DEFAULT_CAPACITY = 16L << 20;
    private static final GuestAssembler SHARED = new GuestAssembler(new Binutils(), DEFAULT_CAPACITY);

    private final Assembler tools;
    private final long capacity;
    /** In access order, so that the first is the least recently used; guarded by itself. */
    private final LinkedHashMap<Key, byte[]> assembled = new LinkedHashMap<>(16, 0.75f, true);
    private long cachedBytes;

    /**
     * @param tools what assembles on a cache miss
     * @param capacity the most bytes of code the cache keeps
     */
    GuestAssembler(Assembler tools, long capacity) {
        this.tools = tools;
        this.capacity = capacity;
    }

    /** @return the assembler that every {@link GuestSpecReader} of this JVM shares, with its cache */
    static GuestAssembler shared() {
        return SHARED;
    }

    @Override
    public byte[] assemble(String source, CpuMode mode, long loadAddress, long limit) {
        Key key = new Key(source, mode, loadAddress);
        byte[] bytes;
        synchronized (assembled) {
            bytes = assembled.get(key);
        }
        if (bytes == null) {
            // Not while holding the lock: as runs for a while. Two threads missing the same key at
            // once both assemble, and get the same bytes.
            bytes = tools.assemble(source, mode, loadAddress, limit);
            remember(key, bytes);
        } else if (bytes.length > limit) {
            throw Assembler.tooLarge(limit, loadAddress);
        }
        return bytes.clone();
    }

    private void remember(Key key, byte[] bytes) {
        if (bytes.length > capacity) {
            return;
        }
        synchronized (assembled) {
            byte[] previous = assembled.put(key, bytes);
            cachedBytes += bytes.length - (previous == null ? 0 : previous.length);
            Iterator<byte[]> leastRecentFirst = assembled.values().iterator();
            while (cachedBytes > capacity) {
                cachedBytes -= leastRecentFirst.next().length;
                leastRecentFirst.remove();
            }
        }
    }

    private record Key(String source, CpuMode mode, long loadAddress) {
    }
}
