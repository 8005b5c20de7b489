package io.github.junitkvm.emulator.protocol;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.VirtualMachine;
import java.util.Arrays;
import java.util.Set;

/**
 * A call of a {@link VirtualMachine} method, as it travels to the worker, which invokes it on its
 * own machine. One record per method: a capability of the backend interface costs its record here
 * and nothing in the client, the server or the codec.
 *
 * @param <R> what the method returns ({@link Void} for none)
 */
public sealed interface MachineCall<R> {
    /**
     * @param machine the machine to call
     * @param exits where a run's exits go
     * @return what the method returned
     */
    R invoke(VirtualMachine machine, ExitListener exits);

    /**
     * {@link VirtualMachine#readMemory}.
     *
     * @param address guest physical address
     * @param length byte count
     */
    record ReadMemory(long address, int length) implements MachineCall<byte[]> {
        @Override
        public byte[] invoke(VirtualMachine machine, ExitListener exits) {
            return machine.readMemory(address, length);
        }
    }

    /**
     * {@link VirtualMachine#writeMemory}.
     *
     * @param address guest physical address
     * @param data the bytes
     */
    record WriteMemory(long address, byte[] data) implements MachineCall<Void> {
        @Override
        public Void invoke(VirtualMachine machine, ExitListener exits) {
            machine.writeMemory(address, data);
            return null;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof WriteMemory that && address == that.address && Arrays.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(address) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "WriteMemory[address=0x" + Long.toHexString(address) + ", length=" + data.length + "]";
        }
    }

    /** {@link VirtualMachine#registers}. */
    record GetRegisters() implements MachineCall<GeneralRegisters> {
        @Override
        public GeneralRegisters invoke(VirtualMachine machine, ExitListener exits) {
            return machine.registers();
        }
    }

    /**
     * {@link VirtualMachine#setRegisters}.
     *
     * @param registers the new general registers
     */
    record SetRegisters(GeneralRegisters registers) implements MachineCall<Void> {
        @Override
        public Void invoke(VirtualMachine machine, ExitListener exits) {
            machine.setRegisters(registers);
            return null;
        }
    }

    /** {@link VirtualMachine#specialRegisters}. */
    record GetSpecialRegisters() implements MachineCall<SpecialRegisters> {
        @Override
        public SpecialRegisters invoke(VirtualMachine machine, ExitListener exits) {
            return machine.specialRegisters();
        }
    }

    /**
     * {@link VirtualMachine#setSpecialRegisters}.
     *
     * @param registers the new system registers
     */
    record SetSpecialRegisters(SpecialRegisters registers) implements MachineCall<Void> {
        @Override
        public Void invoke(VirtualMachine machine, ExitListener exits) {
            machine.setSpecialRegisters(registers);
            return null;
        }
    }

    /**
     * {@link VirtualMachine#run}: the worker sends the run's exits, then replies with why it stopped.
     *
     * @param runId identifies the run for {@link Message.Stop}; differs from every earlier run's
     * @param stopPorts ports whose {@code OUT} ends the run
     */
    record Run(int runId, Set<Integer> stopPorts) implements MachineCall<StopCause> {
        /**
         * Copies the port set.
         *
         * @param runId identifies the run
         * @param stopPorts ports whose {@code OUT} ends the run
         */
        public Run {
            stopPorts = Set.copyOf(stopPorts);
        }

        @Override
        public StopCause invoke(VirtualMachine machine, ExitListener exits) {
            return machine.run(stopPorts, exits);
        }
    }

    /** {@link VirtualMachine#lastRunTrace}. */
    record LastRunTrace() implements MachineCall<InstructionTrace> {
        @Override
        public InstructionTrace invoke(VirtualMachine machine, ExitListener exits) {
            return machine.lastRunTrace();
        }
    }

    /** {@link VirtualMachine#reset}. */
    record Reset() implements MachineCall<Void> {
        @Override
        public Void invoke(VirtualMachine machine, ExitListener exits) {
            machine.reset();
            return null;
        }
    }
}
