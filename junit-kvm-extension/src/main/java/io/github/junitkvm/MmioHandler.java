package io.github.junitkvm;

/**
 * Serves guest accesses to an address range outside guest RAM (memory-mapped I/O), and guest
 * writes to read-only regions in its range. A lambda serves a read-only device: writes are ignored
 * unless {@link #write} is overridden.
 */
@FunctionalInterface
public interface MmioHandler {
    /**
     * Answers one read.
     *
     * @param address the guest physical address read
     * @param size the access size in bytes
     * @return the value; bits beyond {@code size} are ignored
     */
    long read(long address, int size);

    /**
     * Receives one write; ignores it unless overridden.
     *
     * @param address the guest physical address written
     * @param size the access size in bytes
     * @param value the value written
     */
    default void write(long address, int size, long value) {
    }
}
