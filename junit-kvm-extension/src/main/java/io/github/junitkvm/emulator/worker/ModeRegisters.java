package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.SpecialRegisters;

/**
 * The part of an engine that depends on its Unicorn mode: which registers exist, how segments are
 * derived, and where the next instruction is.
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

    /** @return the linear address of the next instruction, as {@code uc_emu_start} takes it */
    long instructionAddress();
}
