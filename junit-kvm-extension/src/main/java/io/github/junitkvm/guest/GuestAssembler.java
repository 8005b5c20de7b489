package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Assembles the {@code asm} of a {@link io.github.junitkvm.KvmGuest}, remembering each result by
 * its content (source, mode and load address), so that a test run again, or another test with
 * the same source, does not start {@code as} and {@code ld} again.
 *
 * <p>The cache is not bounded: it holds one entry per distinct {@code asm} attribute the test
 * classes contain, a few bytes to kilobytes each.
 */
final class GuestAssembler implements Assembler {
    private static final GuestAssembler SHARED = new GuestAssembler(new Binutils());

    private final Assembler tools;
    private final Map<Key, byte[]> assembled = new ConcurrentHashMap<>();

    /** @param tools what assembles on a cache miss */
    GuestAssembler(Assembler tools) {
        this.tools = tools;
    }

    /** @return the assembler that every {@link GuestSpecReader} of this JVM shares, with its cache */
    static GuestAssembler shared() {
        return SHARED;
    }

    @Override
    public byte[] assemble(String source, CpuMode mode, long loadAddress) {
        Key key = new Key(source, mode, loadAddress);
        byte[] bytes = assembled.get(key);
        if (bytes == null) {
            // Not computeIfAbsent: that would hold a lock of the map while as runs. Two threads
            // missing the same key at once both assemble, and get the same bytes.
            bytes = tools.assemble(source, mode, loadAddress);
            assembled.putIfAbsent(key, bytes);
        }
        return bytes.clone();
    }

    private record Key(String source, CpuMode mode, long loadAddress) {
    }
}
