package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.SpecialRegisters;

/**
 * An engine's registers, read and written in the terms of the public API, and where the next
 * instruction is.
 */
interface ModeRegisters {
    /** @return the guest's general registers */
    GeneralRegisters registers();

    /**
     * @param registers the new general registers
     * @throws io.github.junitkvm.backend.HypervisorException if the engine cannot hold them
     */
    void setRegisters(GeneralRegisters registers);

    /** @return the guest's system registers */
    SpecialRegisters specialRegisters();

    /**
     * @param registers the new system registers
     * @throws io.github.junitkvm.backend.HypervisorException if the engine cannot hold them
     */
    void setSpecialRegisters(SpecialRegisters registers);

    /** @return the linear address of the next instruction */
    long instructionAddress();

    /** @return the {@code begin} of {@code uc_emu_start} that continues at the next instruction */
    long startAddress();

    /** @return the width of the code the CPU runs now */
    EngineKind codeWidth();
}
