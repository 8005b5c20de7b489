package io.github.junitkvm.emulator.protocol;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.VirtualMachine;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

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
     * @param exits makes the listener through which a run's exits of each vCPU go
     * @return what the method returned
     */
    R invoke(VirtualMachine machine, ExitRelay exits);

    /**
     * @return whether the method returns nothing, so that the parent may go on without waiting for
     *     the worker (see {@link Message.Post})
     */
    default boolean returnsNothing() {
        return CallTypes.returnsNothing(getClass());
    }

    /**
     * @return whether the call leaves the registers as they were, so that a {@link MachineState}
     *     known before it still holds after it; a call that may change them says false, as every
     *     call does unless it says otherwise
     */
    default boolean keepsRegisters() {
        return false;
    }

    /**
     * @return whether the worker sends the machine's state with its reply
     *     ({@link Message.ReplyWithState}), because the caller reads it next: after a run, a reset
     */
    default boolean reportsState() {
        return false;
    }

    /**
     * @param state the machine's registers, as last reported and not changed since
     * @return what the call would return, when the state holds it; null otherwise
     */
    default R answerFrom(MachineState state) {
        return null;
    }

    /**
     * {@link VirtualMachine#readMemory}.
     *
     * @param address guest physical address
     * @param length byte count
     */
    record ReadMemory(long address, int length) implements MachineCall<byte[]> {
        @Override
        public boolean keepsRegisters() {
            return true;
        }

        @Override
        public byte[] invoke(VirtualMachine machine, ExitRelay exits) {
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
        public boolean keepsRegisters() {
            return true;
        }

        @Override
        public Void invoke(VirtualMachine machine, ExitRelay exits) {
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

    /**
     * {@link VirtualMachine#registers(int)}.
     *
     * @param vcpu the vCPU
     */
    record GetRegisters(int vcpu) implements MachineCall<GeneralRegisters> {
        @Override
        public boolean keepsRegisters() {
            return true;
        }

        @Override
        public GeneralRegisters answerFrom(MachineState state) {
            return vcpu == 0 ? state.registers() : null;
        }

        @Override
        public GeneralRegisters invoke(VirtualMachine machine, ExitRelay exits) {
            return machine.registers(vcpu);
        }
    }

    /**
     * {@link VirtualMachine#setRegisters(int, GeneralRegisters)}.
     *
     * @param vcpu the vCPU
     * @param registers the new general registers
     */
    record SetRegisters(int vcpu, GeneralRegisters registers) implements MachineCall<Void> {
        @Override
        public Void invoke(VirtualMachine machine, ExitRelay exits) {
            machine.setRegisters(vcpu, registers);
            return null;
        }
    }

    /**
     * {@link VirtualMachine#specialRegisters(int)}.
     *
     * @param vcpu the vCPU
     */
    record GetSpecialRegisters(int vcpu) implements MachineCall<SpecialRegisters> {
        @Override
        public boolean keepsRegisters() {
            return true;
        }

        @Override
        public SpecialRegisters answerFrom(MachineState state) {
            return vcpu == 0 ? state.specialRegisters() : null;
        }

        @Override
        public SpecialRegisters invoke(VirtualMachine machine, ExitRelay exits) {
            return machine.specialRegisters(vcpu);
        }
    }

    /**
     * {@link VirtualMachine#setSpecialRegisters(int, SpecialRegisters)}.
     *
     * @param vcpu the vCPU
     * @param registers the new system registers
     */
    record SetSpecialRegisters(int vcpu, SpecialRegisters registers) implements MachineCall<Void> {
        @Override
        public Void invoke(VirtualMachine machine, ExitRelay exits) {
            machine.setSpecialRegisters(vcpu, registers);
            return null;
        }
    }

    /**
     * {@link VirtualMachine#runAll}: the worker sends the run's exits, each naming its vCPU
     * ({@link Message.Exit#vcpu()}), then replies with why each vCPU stopped. The worker's listener
     * of each vCPU relays its exits to the parent.
     *
     * @param runId identifies the run for {@link Message.Stop}; differs from every earlier run's
     * @param stopPorts ports whose {@code OUT} ends the run
     * @param vcpus for each vCPU, by index, whether it runs (has a listener) and what its listener
     *     asks to see at the access
     */
    record Run(int runId, Set<Integer> stopPorts, List<ExitInterest> vcpus) implements MachineCall<List<StopCause>> {
        /**
         * Copies the port set and the list.
         *
         * @param runId identifies the run
         * @param stopPorts ports whose {@code OUT} ends the run
         * @param vcpus for each vCPU, whether it runs and what its listener asks to see
         */
        public Run {
            stopPorts = Set.copyOf(stopPorts);
            vcpus = List.copyOf(vcpus);
        }

        @Override
        public boolean reportsState() {
            return true;
        }

        @Override
        public List<StopCause> invoke(VirtualMachine machine, ExitRelay exits) {
            return machine.runAll(stopPorts, IntStream.range(0, vcpus.size())
                    .mapToObj(vcpu -> vcpus.get(vcpu).runs() ? exits.relay(vcpu, vcpus.get(vcpu)) : null).toList());
        }
    }

    /** {@link VirtualMachine#lastRunTrace}. */
    record LastRunTrace() implements MachineCall<InstructionTrace> {
        @Override
        public boolean keepsRegisters() {
            return true;
        }

        @Override
        public InstructionTrace invoke(VirtualMachine machine, ExitRelay exits) {
            return machine.lastRunTrace();
        }
    }

    /** {@link VirtualMachine#reset}. */
    record Reset() implements MachineCall<Void> {
        @Override
        public boolean reportsState() {
            return true;
        }

        @Override
        public Void invoke(VirtualMachine machine, ExitRelay exits) {
            machine.reset();
            return null;
        }
    }
}
