package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.TraceRecorder;
import java.util.Set;

/**
 * What the hooks of one run learned: the stop ports they watch, the first event that ended the run
 * (a stop-port write, a CPU exception, an access to unmapped memory), and, when the machine traces,
 * the instructions executed. Touched by the engine thread only.
 */
final class RunState {
    private final Set<Integer> stopPorts;
    private final TraceRecorder trace;
    private StopCause stopPortWrite;
    private int vector = -1;
    private long vectorAddress;
    private String unmappedAccess;
    private long unmappedRip;
    private String undelivered;
    private String shutdown;
    private boolean changedByHandler;
    private boolean blockEnded;
    private AbandonedAccess abandoned;
    private boolean completing;
    private int completingInstructions;

    /**
     * @param stopPorts ports whose {@code OUT} ends the run
     * @param traceLength how many of the last instructions to keep, 0 for none
     */
    RunState(Set<Integer> stopPorts, int traceLength) {
        this.stopPorts = stopPorts;
        this.trace = traceLength > 0 ? new TraceRecorder(traceLength) : null;
    }

    /** @return ports whose {@code OUT} ends the run */
    Set<Integer> stopPorts() {
        return stopPorts;
    }

    /**
     * @return whether a hook has ended the run; Unicorn may still finish the current translation
     *     block, whose exits are then dropped
     */
    boolean stopped() {
        return stopPortWrite != null || vector >= 0 || shutdown != null;
    }

    /**
     * Records an instruction the guest is about to execute, unless a hook has ended the run: the
     * rest of Unicorn's translation block still runs then, but KVM would not have run it.
     *
     * @param address its linear address
     */
    void executing(long address) {
        if (trace != null && !stopped() && !completing) {
            trace.record(address);
        }
    }

    /** @return the instructions recorded, empty when the run does not trace */
    InstructionTrace trace() {
        return trace == null ? InstructionTrace.empty() : trace.snapshot();
    }

    /** A handler changed memory or the system registers during an exit. */
    void changedByHandler() {
        changedByHandler = true;
    }

    /**
     * @return whether the exit now handled must end Unicorn's translation block, as a handler
     *     changed what it was translated from; the run is then to go on ({@link #takeBlockEnded})
     */
    boolean endBlockForChange() {
        if (!changedByHandler) {
            return false;
        }
        changedByHandler = false;
        blockEnded = true;
        return true;
    }

    /** @return whether an exit ended the translation block for a change, cleared by the call */
    boolean takeBlockEnded() {
        boolean ended = blockEnded;
        blockEnded = false;
        return ended;
    }

    /**
     * Ending the run inside a memory access abandons its instruction after the access: the access
     * reached its handler, but the instruction runs again when the run goes on.
     *
     * @param access the access its handler has seen
     */
    void abandoned(AbandonedAccess access) {
        abandoned = access;
    }

    /**
     * @param type {@code UC_MEM_READ} or {@code UC_MEM_WRITE}
     * @param address where the guest accesses
     * @param size how many bytes
     * @return the access an abandoned instruction made, if this is its repetition; then the guest
     *     gets what the handler gave it the first time, and the handler is not called again. Any
     *     other access forgets it.
     */
    AbandonedAccess repeated(int type, long address, int size) {
        AbandonedAccess access = abandoned;
        abandoned = null;
        return access != null && access.type() == type && access.address() == address && access.size() == size
                ? access : null;
    }

    /**
     * Forgets the abandoned access unless the run is to go on at its instruction: otherwise the
     * instruction completed after all, and the next such access is a new one.
     *
     * @param rip where the run goes on
     */
    void resumingAt(long rip) {
        if (abandoned != null && abandoned.rip() != rip) {
            abandoned = null;
        }
    }

    /**
     * @param rip where the run stopped
     * @return whether it stopped inside an instruction whose access an exit abandoned
     */
    boolean abandonedAt(long rip) {
        return abandoned != null && abandoned.rip() == rip;
    }

    /**
     * @param completing whether the engine now runs an abandoned instruction to its end; it was
     *     traced already
     */
    void completing(boolean completing) {
        this.completing = completing;
        steppingOne();
    }

    /** The engine is about to run one instruction alone; {@link #completedOne()} counts from here. */
    void steppingOne() {
        completingInstructions = 0;
    }

    /** @return whether the instruction being completed has run: called before each instruction */
    boolean completedOne() {
        return ++completingInstructions > 1;
    }

    /** @return whether the instruction run alone reached its end: the next one was about to start */
    boolean steppedOne() {
        return completingInstructions > 1;
    }

    /**
     * An access to MMIO, or a write to ROM, that an exit abandoned.
     *
     * @param type {@code UC_MEM_READ} or {@code UC_MEM_WRITE}
     * @param address where the guest accessed
     * @param size how many bytes
     * @param value the value read or written
     * @param rip the instruction that made it
     */
    record AbandonedAccess(int type, long address, int size, long value, long rip) {
    }

    /** @param cause the stop-port write that ends the run */
    void stopPort(StopCause cause) {
        stopPortWrite = cause;
    }


    /**
     * @param vector the CPU exception or interrupt that ends the run, as the emulator cannot deliver it
     * @param address the linear address of the instruction the vCPU was at when it was raised
     * @param reason why it was not delivered
     */
    void interrupt(int vector, long address, String reason) {
        this.vector = vector;
        this.vectorAddress = address;
        this.undelivered = reason;
    }

    /** @param description the triple fault that ends the run, and the exceptions that led to it */
    void shutdown(String description) {
        shutdown = description;
    }

    /** @return why {@link #vector()} was not delivered */
    String undelivered() {
        return undelivered;
    }

    /** @return the triple fault that ended the run, or null */
    String shutdown() {
        return shutdown;
    }

    /**
     * @param description what the guest touched where nothing is mapped
     * @param rip the instruction pointer of the instruction that touched it
     */
    void unmapped(String description, long rip) {
        if (unmappedAccess == null) {
            unmappedAccess = description;
            unmappedRip = rip;
        }
    }

    /** @return the stop-port write that ended the run, or null */
    StopCause stopPortWrite() {
        return stopPortWrite;
    }

    /** @return the vector that ended the run, or -1 */
    int vector() {
        return vector;
    }

    /** @return the linear address of the instruction the vCPU was at when {@link #vector()} was raised */
    long vectorAddress() {
        return vectorAddress;
    }

    /** @return the unmapped access that ended the run, or null */
    String unmappedAccess() {
        return unmappedAccess;
    }

    /** @return the instruction pointer of the instruction that made {@link #unmappedAccess()} */
    long unmappedRip() {
        return unmappedRip;
    }
}
