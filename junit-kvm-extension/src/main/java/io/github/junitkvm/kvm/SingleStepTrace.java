package io.github.junitkvm.kvm;

import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.backend.TraceRecorder;

/**
 * The trace of one run, built from single-step exits. A {@code KVM_EXIT_DEBUG} reports where the
 * vCPU goes next, after the instruction it has just executed; so the trace holds one address
 * pending, the next instruction, and records it once the vCPU is known to have started it: at the
 * next debug exit, or when the instruction itself exits and ends the run ({@code HLT}, an
 * {@code OUT} to a stop port, a shutdown).
 */
final class SingleStepTrace {
    private final TraceRecorder recorder;
    private long pending;
    private boolean finished;

    /**
     * @param capacity how many of the last addresses to keep
     * @param start the linear address of the first instruction
     */
    SingleStepTrace(int capacity, long start) {
        this.recorder = new TraceRecorder(capacity);
        this.pending = start;
    }

    /** @param next the linear address of the next instruction, from a {@code KVM_EXIT_DEBUG} */
    void stepped(long next) {
        recorder.record(pending);
        pending = next;
    }

    /**
     * Ends the trace; later calls change nothing.
     *
     * @param pendingStarted whether the run stopped during the pending instruction (it exited)
     *     rather than before it (a stop request)
     */
    void finish(boolean pendingStarted) {
        if (!finished && pendingStarted) {
            recorder.record(pending);
        }
        finished = true;
    }

    /** @return what was recorded */
    InstructionTrace snapshot() {
        return recorder.snapshot();
    }
}
