package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;

/** Turns assembly source into the flat binary that runs at a load address. */
interface Assembler {
    /**
     * @param source GNU as source
     * @param mode the CPU mode the code runs in, which picks the operand size
     * @param loadAddress where the first byte goes, so that labels are absolute guest addresses
     * @param limit the most bytes the code may have: the RAM from {@code loadAddress} to the end of
     *     its region. Code that would be larger is refused before it is written whole, by the tools
     *     or into the heap
     * @return the bytes to place at {@code loadAddress}, at most {@code limit}
     * @throws InvalidImageException if the source does not assemble, its code is larger than
     *     {@code limit}, or the tools cannot run
     */
    byte[] assemble(String source, CpuMode mode, long loadAddress, long limit);

    /**
     * @param limit the limit the code exceeds
     * @param loadAddress where the code would go
     * @return the exception that says the code does not fit
     */
    static InvalidImageException tooLarge(long limit, long loadAddress) {
        return new InvalidImageException(String.format("the code is larger than the %d bytes of RAM from "
                + "loadAddress 0x%x to the end of its region", limit, loadAddress));
    }
}
