package io.github.junitkvm.backend;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * A machine of one backend: its RAM, its vCPUs ({@link MachineConfig#vcpus()}, vCPU 0 the bootstrap
 * processor, which the methods without a vCPU index address), and the native resources behind them,
 * which this object alone owns.
 *
 * <p>Memory accesses are already checked by the caller to lie inside one RAM region. Methods other
 * than {@link #requestStop()} and {@link #close()} are called from one thread at a time. After
 * {@code close()} every method but {@code close()} and {@code requestStop()} throws
 * {@link IllegalStateException}; no method ever touches freed native memory.
 */
public interface VirtualMachine extends AutoCloseable {
    /**
     * @param address guest physical address, inside one RAM region with {@code length}
     * @param length byte count
     * @return the bytes
     */
    byte[] readMemory(long address, int length);

    /**
     * @param address guest physical address, inside one RAM region with {@code data.length}
     * @param data the bytes
     */
    void writeMemory(long address, byte[] data);

    /** @return vCPU 0's general registers */
    default GeneralRegisters registers() {
        return registers(0);
    }

    /** @param registers vCPU 0's new general registers */
    default void setRegisters(GeneralRegisters registers) {
        setRegisters(0, registers);
    }

    /** @return vCPU 0's system registers */
    default SpecialRegisters specialRegisters() {
        return specialRegisters(0);
    }

    /** @param registers vCPU 0's new system registers */
    default void setSpecialRegisters(SpecialRegisters registers) {
        setSpecialRegisters(0, registers);
    }

    /**
     * @param vcpu the vCPU's index, 0 to {@link MachineConfig#vcpus()} - 1
     * @return its general registers
     * @throws IllegalArgumentException if the machine has no such vCPU
     */
    GeneralRegisters registers(int vcpu);

    /**
     * @param vcpu the vCPU's index
     * @param registers its new general registers
     * @throws IllegalArgumentException if the machine has no such vCPU
     */
    void setRegisters(int vcpu, GeneralRegisters registers);

    /**
     * @param vcpu the vCPU's index
     * @return its system registers
     * @throws IllegalArgumentException if the machine has no such vCPU
     */
    SpecialRegisters specialRegisters(int vcpu);

    /**
     * @param vcpu the vCPU's index
     * @param registers its new system registers
     * @throws IllegalArgumentException if the machine has no such vCPU
     */
    void setSpecialRegisters(int vcpu, SpecialRegisters registers);

    /**
     * Runs a machine of one vCPU until something stops it, passing every other exit to the
     * listener: {@link #runAll} with one listener.
     *
     * @param stopPorts ports whose {@code OUT} ends the run with {@link StopCause.Kind#STOP_PORT}
     *     instead of reaching the listener
     * @param listener receives the exits that do not stop the run
     * @return why the run stopped
     * @throws IllegalArgumentException if the machine has several vCPUs
     */
    default StopCause run(Set<Integer> stopPorts, ExitListener listener) {
        return runAll(stopPorts, Collections.singletonList(listener)).get(0);
    }

    /**
     * Runs every vCPU, each from its registers, until the run ends, passing every exit that does
     * not stop a vCPU to that vCPU's listener. A vCPU that executes {@code HLT} stops there (no
     * interrupt wakes it in this run); the run ends when every vCPU has stopped on {@code HLT}, or
     * as soon as one stops for anything else (a stop port, a fault, {@link #requestStop()}), when
     * the others are stopped where they are, with {@link StopCause#stopRequested()}.
     *
     * <p>The vCPUs run at once: on KVM each on a thread of its own, on the emulator in turns of a
     * fixed number of instructions, vCPU 0 first, so that an emulated run is the same every time.
     * Their exits reach the listeners one at a time, on the thread that called {@code runAll}, while
     * the vCPU that made the exit waits at it (the others may go on): a listener may use this
     * machine as {@link ExitListener} says, and needs no lock of its own.
     *
     * <p>A vCPU whose listener is null does not run: it stays as it is (halted, or waiting to be
     * started), so that a caller can run again the vCPUs that have not halted, and only those.
     *
     * @param stopPorts ports whose {@code OUT} stops the run
     * @param listeners one per vCPU, by index; null for a vCPU that is not to run
     * @return why each vCPU stopped, by index; null for one that did not run
     * @throws IllegalArgumentException if there is not one listener per vCPU
     */
    List<StopCause> runAll(Set<Integer> stopPorts, List<ExitListener> listeners);

    /**
     * The instructions the last run executed, as far as {@link MachineConfig#traceLength()} keeps
     * them. Recording them is the backend's business (single-stepping, a code hook) and never shows
     * as an exit, nor changes what the run does.
     *
     * @return the last run's trace; empty when the machine does not trace, before its first run, or
     *     when the run's trace was lost with the emulator's process
     */
    InstructionTrace lastRunTrace();

    /**
     * Brings the machine back to the state it had when created: all RAM zero, the vCPU's every
     * register (general, system, FPU/SSE, model-specific, debug) and pending event as on a new
     * vCPU, no trace. A machine reset this way behaves exactly as a newly created one with the
     * same {@link MachineConfig}, at a fraction of the cost.
     *
     * @throws IllegalStateException if the machine is closed, its emulator worker died, a run is in
     *     progress, or it was not created by {@link Hypervisor#createResettableMachine}
     * @throws HypervisorException if the hypervisor refuses to restore some state
     */
    void reset();

    /**
     * Sets the level of a vCPU's {@code INTR} input, the output of the interrupt controllers wired
     * to it (each vCPU has its own, as each CPU of a PC has its local APIC's). While it is
     * asserted, the backend calls that vCPU's listener's {@link ExitListener#acknowledgeInterrupt()}
     * (the CPU's acknowledge cycle, which asks the controller for the vector) at the instruction
     * boundary where the vCPU takes the interrupt, as a CPU does: RFLAGS.IF set, no {@code STI} or
     * {@code MOV SS} shadow on the instruction before, no NMI being delivered; then it delivers the
     * vector through the guest's interrupt table (IVT or IDT) as an external interrupt, without an
     * error code. A vCPU halted with IF clear is not woken; {@code HLT} still ends the run
     * ({@link StopCause.Kind#HLT}), and the caller runs the machine again to let a halted vCPU with
     * IF set take the interrupt.
     *
     * <p>Callable from any thread at any time: between runs, from the listener during a run (the
     * vCPU takes the interrupt after the instruction that made the exit), and from another thread
     * during a run, which the run then takes without ending. The level lasts across runs until set
     * again; {@link #reset()} lowers it.
     *
     * @param vcpu the vCPU's index, 0 to {@link MachineConfig#vcpus()} - 1
     * @param asserted whether the line is asserted
     * @throws IllegalArgumentException if the machine has no such vCPU
     */
    void setInterruptRequest(int vcpu, boolean asserted);

    /** @param asserted the new level of vCPU 0's {@code INTR} input: {@link #setInterruptRequest(int, boolean)} */
    default void setInterruptRequest(boolean asserted) {
        setInterruptRequest(0, asserted);
    }

    /**
     * Raises a non-maskable interrupt (an edge) on a vCPU, which delivers vector 2 through the guest's
     * interrupt table at its next instruction boundary whatever RFLAGS.IF, unless an NMI is being
     * served: from the delivery of an NMI until the next {@code IRET}, further NMIs wait, and at
     * most one waits (raising twice before delivery delivers once), as on a CPU. Callable from any
     * thread at any time, as {@link #setInterruptRequest}; {@link #reset()} drops a waiting one.
     *
     * @param vcpu the vCPU's index
     * @throws IllegalArgumentException if the machine has no such vCPU
     */
    void raiseNmi(int vcpu);

    /** Raises an NMI on vCPU 0: {@link #raiseNmi(int)}. */
    default void raiseNmi() {
        raiseNmi(0);
    }

    /**
     * Makes the run in progress, if any, return {@link StopCause#stopRequested()} soon. Callable from
     * any thread at any time; has no effect on runs that start afterwards.
     */
    void requestStop();

    /**
     * Stops a run in progress (as {@link #requestStop()}), waits for it to return, and releases
     * every native resource. Idempotent; callable from any thread.
     */
    @Override
    void close();
}
