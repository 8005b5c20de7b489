package io.github.junitkvm.emulator.protocol;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.SpecialRegisters;

/**
 * The machine's registers, sent with the reply to a call after which the caller reads them (a
 * new machine, a run that stopped), so that reading them costs no round trip of its own.
 *
 * @param registers the general registers of vCPU 0, the bootstrap processor
 * @param specialRegisters its system registers
 */
public record MachineState(GeneralRegisters registers, SpecialRegisters specialRegisters) {
}
