package io.github.junitkvm.disasm;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One decoded instruction, or, from a disassembler that cannot decode, one piece of code.
 *
 * @param address where it starts
 * @param bytes its bytes
 * @param text its assembly in Intel syntax, such as {@code mov dx, 0x3f8}; empty when not decoded
 */
public record Instruction(long address, byte[] bytes, String text) {
    /**
     * Copies the bytes.
     *
     * @param address where it starts
     * @param bytes its bytes
     * @param text its assembly, empty when not decoded
     */
    public Instruction {
        bytes = bytes.clone();
    }

    /** @return its bytes */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** @return its bytes in hex, separated by spaces, such as {@code ba f8 03} */
    public String hex() {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Instruction that && address == that.address && Arrays.equals(bytes, that.bytes)
                && text.equals(that.text);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(address) * 31 + Arrays.hashCode(bytes)) * 31 + text.hashCode();
    }

    @Override
    public String toString() {
        return String.format("0x%x: %s  %s", address, hex(), text);
    }
}
