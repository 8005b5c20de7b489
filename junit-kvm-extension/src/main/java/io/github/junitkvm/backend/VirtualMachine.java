package io.github.junitkvm.backend;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import java.util.Set;

/**
 * A machine of one backend: its RAM, one vCPU, and the native resources behind them, which this
 * object alone owns.
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

    /** @return the vCPU's general registers */
    GeneralRegisters registers();

    /** @param registers the new general registers */
    void setRegisters(GeneralRegisters registers);

    /** @return the vCPU's system registers */
    SpecialRegisters specialRegisters();

    /** @param registers the new system registers */
    void setSpecialRegisters(SpecialRegisters registers);

    /**
     * Runs the vCPU until something stops it, passing every other exit to the listener.
     *
     * @param stopPorts ports whose {@code OUT} ends the run with {@link StopCause.Kind#STOP_PORT}
     *     instead of reaching the listener
     * @param listener receives the exits that do not stop the run
     * @return why the run stopped
     */
    StopCause run(Set<Integer> stopPorts, ExitListener listener);

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
     * Sets the level of the vCPU's {@code INTR} input, the output of the machine's interrupt
     * controllers. While it is asserted, the backend calls {@link ExitListener#acknowledgeInterrupt()}
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
     * @param asserted whether the line is asserted
     */
    void setInterruptRequest(boolean asserted);

    /**
     * Raises a non-maskable interrupt (an edge): the vCPU delivers vector 2 through the guest's
     * interrupt table at its next instruction boundary whatever RFLAGS.IF, unless an NMI is being
     * served: from the delivery of an NMI until the next {@code IRET}, further NMIs wait, and at
     * most one waits (raising twice before delivery delivers once), as on a CPU. Callable from any
     * thread at any time, as {@link #setInterruptRequest}; {@link #reset()} drops a waiting one.
     */
    void raiseNmi();

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
