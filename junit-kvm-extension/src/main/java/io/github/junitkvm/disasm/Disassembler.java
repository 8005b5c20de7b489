package io.github.junitkvm.disasm;

import java.util.List;

/** Turns machine code at an address into instructions. Implementations are thread-safe. */
public interface Disassembler {
    /**
     * Decodes from the first byte on, instruction after instruction, until {@code maxInstructions}
     * are decoded or the next bytes are not a whole instruction (the end of the code, or bytes that
     * are no instruction).
     *
     * @param code the bytes
     * @param address the address of the first byte
     * @param width what the CPU runs the code as
     * @param maxInstructions the most instructions to decode
     * @return the instructions, in order, covering a prefix of {@code code}
     */
    List<Instruction> disassemble(byte[] code, long address, CodeWidth width, int maxInstructions);

    /** @return what decodes, for a report's heading, such as {@code Capstone 4.0} */
    String description();
}
