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
