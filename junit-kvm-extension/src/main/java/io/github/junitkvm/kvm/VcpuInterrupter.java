package io.github.junitkvm.kvm;

/**
 * Makes a run in progress stop soon, from any thread, without racing with its start or end.
 *
 * <p>Two mechanisms cover every moment of a run: {@code kvm_run.immediate_exit} makes any
 * {@code KVM_RUN} that starts after the request return {@code EINTR} at once, and a
 * {@link KickSignal} sent to the vCPU thread interrupts a {@code KVM_RUN} already in the guest. The
 * thread is only signalled while it is registered as running, under the same lock that registers
 * and deregisters it, so the signal never reaches a thread that has left the run (or died). The
 * run loop also checks {@link #stopRequested()} between exits, which catches a request that arrives
 * while it handles an exit. A {@linkplain #kick() kick} uses both mechanisms without the stop: the
 * loop sees why it was kicked, and {@linkplain #kickSeen() clears} {@code immediate_exit} before
 * entering again.
 */
final class VcpuInterrupter {
    private static final int PROCESS_ID = (int) ProcessHandle.current().pid();

    private final KvmRun run;
    private final Object lock = new Object();
    private int runningThreadId;
    private boolean running;
    private volatile boolean stopRequested;

    /** @param run the vCPU's {@code kvm_run}, mapped for at least as long as runs can happen */
    VcpuInterrupter(KvmRun run) {
        this.run = run;
    }

    /** Registers the calling thread as running the vCPU; a request made earlier is forgotten. */
    void begin() {
        synchronized (lock) {
            runningThreadId = Posix.gettid();
            running = true;
            stopRequested = false;
            run.setImmediateExit(false);
        }
    }

    /** Deregisters the running thread: from now on requests are ignored. */
    void end() {
        synchronized (lock) {
            running = false;
            runningThreadId = 0;
        }
    }

    /** @return whether a stop was requested since {@link #begin()} */
    boolean stopRequested() {
        return stopRequested;
    }

    /**
     * Kicks the run in progress, if any, out of {@code KVM_RUN} without stopping it, so that its
     * loop sees what changed (an interrupt raised from another thread); does nothing when none is.
     */
    void kick() {
        synchronized (lock) {
            if (running) {
                run.setImmediateExit(true);
                KickSignal.send(PROCESS_ID, runningThreadId);
            }
        }
    }

    /**
     * Called by the run's thread before it enters {@code KVM_RUN}: a kick has been seen, so the
     * next {@code KVM_RUN} runs the guest again, unless a stop was requested.
     */
    void kickSeen() {
        synchronized (lock) {
            if (!stopRequested) {
                run.setImmediateExit(false);
            }
        }
    }

    /** Asks the run in progress, if any, to stop; does nothing when none is. */
    void requestStop() {
        synchronized (lock) {
            if (!running) {
                return;
            }
            stopRequested = true;
            // Set before the signal: if the signal lands just before the thread enters KVM_RUN, the
            // flag still stops that KVM_RUN.
            run.setImmediateExit(true);
            KickSignal.send(PROCESS_ID, runningThreadId);
        }
    }
}
