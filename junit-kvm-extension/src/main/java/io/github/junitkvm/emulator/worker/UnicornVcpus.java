package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.VirtualMachine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A machine of several vCPUs in the worker: one Unicorn engine per vCPU, all mapping the same
 * {@link SharedRam}, run in turns on the engine thread. Unicorn's engines cannot run on several
 * threads at once over shared memory (their atomic instructions are atomic within one engine only),
 * and turns of a fixed number of instructions, vCPU 0 first, make every run of the same guest
 * interleave its vCPUs the same way, so that an emulated SMP test is repeatable: a {@code LOCK}ed
 * instruction is atomic, and a race the guest loses, it loses every time.
 *
 * <p>A host write goes through every engine, so that each drops its translations of the code
 * written; a guest's write of code that another vCPU has run already is not seen by that vCPU's
 * engine (cross-modifying code), which KVM's vCPUs see.
 */
final class UnicornVcpus implements VirtualMachine {
    /**
     * The instructions of a vCPU's turn: short enough that a vCPU spinning on a lock hands over
     * soon, long enough that the turns' cost stays small beside the instructions'.
     */
    static final long TURN_INSTRUCTIONS = 1000;

    private final EngineOpener open;
    private final MachineConfig config;
    private final SharedRam ram;
    private final List<UnicornEngine> engines = new ArrayList<>();

    /** Opens an engine for one vCPU over the shared RAM. */
    @FunctionalInterface
    interface EngineOpener {
        /**
         * @param vcpu the vCPU's index
         * @param ram the RAM the engine maps
         * @return the engine
         */
        UnicornEngine open(int vcpu, SharedRam ram);
    }

    private UnicornVcpus(EngineOpener open, MachineConfig config, SharedRam ram) {
        this.open = open;
        this.config = config;
        this.ram = ram;
    }

    /**
     * @param config the machine, of several vCPUs
     * @param open opens the engine of one vCPU over the shared RAM
     * @return the machine, every engine open
     */
    static UnicornVcpus open(MachineConfig config, EngineOpener open) {
        UnicornVcpus machine = new UnicornVcpus(open, config, SharedRam.allocate(config.ram()));
        try {
            machine.openEngines();
            return machine;
        } catch (RuntimeException e) {
            machine.close();
            throw e;
        }
    }

    private void openEngines() {
        for (int i = 0; i < config.vcpus(); i++) {
            engines.add(open.open(i, ram));
        }
    }

    private UnicornEngine engine(int vcpu) {
        return engines.get(config.vcpu(vcpu));
    }

    @Override
    public byte[] readMemory(long address, int length) {
        return engines.get(0).readMemory(address, length);
    }

    @Override
    public void writeMemory(long address, byte[] data) {
        for (UnicornEngine engine : engines) {
            engine.writeMemory(address, data);
        }
    }

    @Override
    public GeneralRegisters registers(int vcpu) {
        return engine(vcpu).registers(0);
    }

    @Override
    public void setRegisters(int vcpu, GeneralRegisters registers) {
        engine(vcpu).setRegisters(0, registers);
    }

    @Override
    public SpecialRegisters specialRegisters(int vcpu) {
        return engine(vcpu).specialRegisters(0);
    }

    @Override
    public void setSpecialRegisters(int vcpu, SpecialRegisters registers) {
        engine(vcpu).setSpecialRegisters(0, registers);
    }

    /**
     * {@inheritDoc} The vCPUs take turns of {@link #TURN_INSTRUCTIONS} instructions, in index order,
     * skipping the stopped ones.
     */
    @Override
    public List<StopCause> runAll(Set<Integer> stopPorts, List<ExitListener> listeners) {
        config.listenersOfRun(listeners);
        int vcpus = config.vcpus();
        StopCause[] stops = new StopCause[vcpus];
        boolean anyRan = true;
        while (anyRan) {
            anyRan = false;
            for (int i = 0; i < vcpus; i++) {
                if (listeners.get(i) == null || stops[i] != null && !wakes(i, stops[i])) {
                    continue;
                }
                anyRan = true;
                stops[i] = engines.get(i).runSlice(stopPorts, listeners.get(i), TURN_INSTRUCTIONS);
                if (stops[i] != null && stops[i].kind() != StopCause.Kind.HLT) {
                    // The others stop where their last turn left them, as KVM's vCPUs are stopped.
                    Arrays.setAll(stops, vcpu -> stops[vcpu] == null && listeners.get(vcpu) != null
                            ? StopCause.stopRequested() : stops[vcpu]);
                    return Arrays.asList(stops);
                }
            }
        }
        return Arrays.asList(stops);
    }

    /**
     * A vCPU halted in this run takes its turn again once an interrupt it can take or an NMI is
     * requested for it, as a halted CPU wakes; when every vCPU has halted, the run is over.
     */
    private boolean wakes(int vcpu, StopCause stop) {
        return stop.kind() == StopCause.Kind.HLT && engines.get(vcpu).wakesFromHalt();
    }

    /** @return no trace: a machine of several vCPUs does not trace */
    @Override
    public InstructionTrace lastRunTrace() {
        return InstructionTrace.empty();
    }

    /** {@inheritDoc} New engines over new, zero RAM, as {@link UnicornEngine#reset()} does for one. */
    @Override
    public void reset() {
        closeEngines();
        ram.zero();
        openEngines();
    }

    @Override
    public void requestStop() {
        // The engines share the worker's stop switch: any of them delivers the request to the turn in progress.
        if (!engines.isEmpty()) {
            engines.get(0).requestStop();
        }
    }

    /** {@inheritDoc} That vCPU's engine's line. */
    @Override
    public void setInterruptRequest(int vcpu, boolean asserted) {
        engine(vcpu).setInterruptRequest(0, asserted);
    }

    /** {@inheritDoc} To that vCPU's engine, as {@link #setInterruptRequest}. */
    @Override
    public void raiseNmi(int vcpu) {
        engine(vcpu).raiseNmi(0);
    }

    @Override
    public void close() {
        closeEngines();
        ram.close();
    }

    private void closeEngines() {
        for (UnicornEngine engine : engines) {
            engine.close();
        }
        engines.clear();
    }
}
