package io.github.junitkvm.disasm;

import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;

/**
 * The layout of Capstone 4's {@code cs_insn}, read at its offsets: {@code id}, {@code address},
 * {@code size}, {@code bytes[16]}, {@code mnemonic[32]}, {@code op_str[160]}, {@code detail}.
 * Capstone 5 widened {@code bytes}, which moves every field after it, so {@link Capstone} accepts
 * major version 4 only.
 */
final class CsInsn {
    static final int SIZE = 240;
    static final int ADDRESS = 8;
    static final int LENGTH = 16;
    static final int BYTES = 18;
    static final int BYTES_SIZE = 16;
    static final int MNEMONIC = 34;
    static final int MNEMONIC_SIZE = 32;
    static final int OP_STR = 66;
    static final int OP_STR_SIZE = 160;

    private CsInsn() {
    }

    /**
     * @param array the array {@code cs_disasm} returned
     * @param index which of its elements
     * @return the element as an instruction
     */
    static Instruction read(Pointer array, int index) {
        Pointer insn = array.share((long) index * SIZE);
        int length = Math.min(insn.getShort(LENGTH) & 0xffff, BYTES_SIZE);
        String mnemonic = string(insn, MNEMONIC, MNEMONIC_SIZE);
        String operands = string(insn, OP_STR, OP_STR_SIZE);
        return new Instruction(insn.getLong(ADDRESS), insn.getByteArray(BYTES, length),
                operands.isEmpty() ? mnemonic : mnemonic + " " + operands);
    }

    /** Reads at most the field's size, so a missing terminator cannot run past it. */
    private static String string(Pointer insn, int offset, int size) {
        byte[] field = insn.getByteArray(offset, size);
        int end = 0;
        while (end < field.length && field[end] != 0) {
            end++;
        }
        return new String(field, 0, end, StandardCharsets.US_ASCII);
    }
}
