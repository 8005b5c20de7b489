package io.github.junitkvm.guest;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.VirtualMachine;
import java.util.function.Supplier;

/**
 * The vCPU's registers when a run stopped, or why they could not be read (the emulator's process
 * died with the guest).
 *
 * @param registers the general registers, or null
 * @param specialRegisters the system registers, or null
 * @param unavailable why the registers are null, or null
 */
record StateAtStop(GeneralRegisters registers, SpecialRegisters specialRegisters, String unavailable) {

    static StateAtStop read(VirtualMachine machine) {
        return read(() -> new StateAtStop(machine.registers(), machine.specialRegisters(), null));
    }

    /**
     * @param machine the machine
     * @param vcpu one of its vCPUs
     * @return that vCPU's registers at the stop
     */
    static StateAtStop read(VirtualMachine machine, int vcpu) {
        return read(() -> new StateAtStop(machine.registers(vcpu), machine.specialRegisters(vcpu), null));
    }

    private static StateAtStop read(Supplier<StateAtStop> reading) {
        try {
            return reading.get();
        } catch (IllegalStateException e) {
            return new StateAtStop(null, null, e.getMessage());
        }
    }

    GeneralRegisters registersOrThrow() {
        if (registers == null) {
            throw new IllegalStateException("the registers at the stop could not be read: " + unavailable);
        }
        return registers;
    }

    SpecialRegisters specialRegistersOrThrow() {
        if (specialRegisters == null) {
            throw new IllegalStateException("the registers at the stop could not be read: " + unavailable);
        }
        return specialRegisters;
    }
}
