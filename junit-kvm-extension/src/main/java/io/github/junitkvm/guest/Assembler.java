package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;

/** Turns assembly source into the flat binary that runs at a load address. */
interface Assembler {
    /**
     * @param source GNU as source
     * @param mode the CPU mode the code runs in, which picks the operand size
     * @param loadAddress where the first byte goes, so that labels are absolute guest addresses
     * @return the bytes to place at {@code loadAddress}
     * @throws InvalidImageException if the source does not assemble, or the tools cannot run
     */
    byte[] assemble(String source, CpuMode mode, long loadAddress);
}
