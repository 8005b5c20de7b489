package io.github.junitkvm.disasm;

/** The default operand and address size of the code being decoded: what the CPU runs it as. */
public enum CodeWidth {
    /** Real mode, or a 16-bit code segment in protected mode. */
    BITS_16,
    /** A 32-bit code segment: protected mode, or compatibility mode in long mode. */
    BITS_32,
    /** 64-bit code: long mode with CS.L set. */
    BITS_64
}
