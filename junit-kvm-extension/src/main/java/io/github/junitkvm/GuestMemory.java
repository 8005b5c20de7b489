package io.github.junitkvm;

/**
 * Guest physical memory, as the host sees it. Multi-byte values are little-endian, as on x86.
 *
 * <p>An access that is not entirely inside guest RAM, or a negative length, throws an
 * {@link IllegalArgumentException} naming the address (or length) and the RAM regions.
 */
public interface GuestMemory {
    /**
     * Reads bytes.
     *
     * @param address the guest physical address of the first byte
     * @param length how many bytes to read
     * @return a new array holding the bytes
     */
    byte[] read(long address, int length);

    /**
     * Writes bytes.
     *
     * @param address the guest physical address of the first byte
     * @param data the bytes to write
     */
    void write(long address, byte... data);

    /** @param address guest physical address @return the byte there, zero-extended */
    default int readByte(long address) {
        return read(address, 1)[0] & 0xff;
    }

    /** @param address guest physical address @return the 16-bit value there, zero-extended */
    default int readShort(long address) {
        return (int) LittleEndian.decode(read(address, 2));
    }

    /** @param address guest physical address @return the 32-bit value there */
    default int readInt(long address) {
        return (int) LittleEndian.decode(read(address, 4));
    }

    /** @param address guest physical address @return the 64-bit value there */
    default long readLong(long address) {
        return LittleEndian.decode(read(address, 8));
    }

    /** @param address guest physical address @param value the low 8 bits are written */
    default void writeByte(long address, int value) {
        write(address, LittleEndian.encode(value, 1));
    }

    /** @param address guest physical address @param value the low 16 bits are written */
    default void writeShort(long address, int value) {
        write(address, LittleEndian.encode(value, 2));
    }

    /** @param address guest physical address @param value written as 4 bytes */
    default void writeInt(long address, int value) {
        write(address, LittleEndian.encode(value, 4));
    }

    /** @param address guest physical address @param value written as 8 bytes */
    default void writeLong(long address, long value) {
        write(address, LittleEndian.encode(value, 8));
    }
}
