package io.github.junitkvm;

/** Little-endian conversion between {@code long} values and byte arrays, for guest memory. */
final class LittleEndian {
    private LittleEndian() {
    }

    static long decode(byte[] bytes) {
        long value = 0;
        for (int i = bytes.length - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[i] & 0xff);
        }
        return value;
    }

    static byte[] encode(long value, int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (value >>> (8 * i));
        }
        return bytes;
    }
}
