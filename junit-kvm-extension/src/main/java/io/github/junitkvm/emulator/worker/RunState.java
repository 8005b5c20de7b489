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
        return stopPortWrite != null || vector >= 0;
    }

    /**
     * Records an instruction the guest is about to execute, unless a hook has ended the run: the
     * rest of Unicorn's translation block still runs then, but KVM would not have run it.
     *
     * @param address its linear address
     */
    void executing(long address) {
        if (trace != null && !stopped()) {
            trace.record(address);
        }
    }

    /** @return the instructions recorded, empty when the run does not trace */
    InstructionTrace trace() {
        return trace == null ? InstructionTrace.empty() : trace.snapshot();
    }

    /** @param cause the stop-port write that ends the run */
    void stopPort(StopCause cause) {
        stopPortWrite = cause;
    }

    /**
     * @param vector the CPU exception or interrupt that ends the run
     * @param address the linear address of the instruction the vCPU was at when it was raised
     */
    void interrupt(int vector, long address) {
        this.vector = vector;
        this.vectorAddress = address;
    }

    /** @param description what the guest touched where nothing is mapped */
    void unmapped(String description) {
        if (unmappedAccess == null) {
            unmappedAccess = description;
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
}
