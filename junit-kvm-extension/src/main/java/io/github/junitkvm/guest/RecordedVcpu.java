package io.github.junitkvm.guest;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestVcpu;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.VmExit;
import java.util.List;

/**
 * The {@link GuestVcpu} of the public API: what one vCPU did in a run.
 *
 * @param index the vCPU's index
 * @param stop why it stopped
 * @param exits its exits, the last its stop
 * @param state its registers at the stop
 */
record RecordedVcpu(int index, VmExit stop, List<VmExit> exits, StateAtStop state) implements GuestVcpu {
    /** Copies the list. */
    RecordedVcpu {
        exits = List.copyOf(exits);
    }

    @Override
    public GeneralRegisters registers() {
        return state.registersOrThrow();
    }

    @Override
    public SpecialRegisters specialRegisters() {
        return state.specialRegistersOrThrow();
    }

    @Override
    public String toString() {
        return "vCPU " + index + " (" + stop + ")";
    }
}
