package io.github.junitkvm.emulator.worker;

/**
 * Turns the parent's asynchronous stop requests into {@code uc_emu_stop} calls on the right run.
 *
 * <p>Three threads meet here: the stdin reader {@linkplain #arm arms} the switch when it reads a
 * run request and {@linkplain #request requests} a stop when it reads one, in stream order, so a
 * stop always finds its run armed; the engine thread {@linkplain #enter enters} and
 * {@linkplain #leave leaves} the emulator; a daemon thread repeats the stop action every few
 * milliseconds while a requested stop has not ended the run. The repetition matters because
 * Unicorn forgets a {@code uc_emu_stop} that lands just before {@code uc_emu_start} has reset its
 * state. Stop actions run under this object's lock and only between {@code enter} and
 * {@code leave}, so they never touch an engine that has finished its run or been closed.
 */
final class StopSwitch {
    private int armedRun = -1;
    private boolean stopRequested;
    private Runnable stopAction;

    /** Starts the daemon thread that delivers and repeats stops. */
    StopSwitch() {
        RepeatedStop.start(this, () -> stopRequested ? stopAction : null, "emulator-stopper");
    }

    /**
     * A run with this id has been requested: forget any stop of an earlier run.
     *
     * @param runId the run
     */
    synchronized void arm(int runId) {
        armedRun = runId;
        stopRequested = false;
    }

    /**
     * Asks the run with this id to stop; ignored if another run is armed (the request came too
     * late for its run).
     *
     * @param runId the run to stop
     */
    synchronized void request(int runId) {
        if (runId == armedRun) {
            stopRequested = true;
            notifyAll();
        }
    }

    /** Asks the armed run to stop, whichever it is: the engine's own {@code requestStop()}. */
    synchronized void requestArmed() {
        stopRequested = true;
        notifyAll();
    }

    /**
     * The engine thread is about to start the emulator.
     *
     * @param action stops the emulator; called from another thread
     * @return false if a stop was already requested, in which case the run must not start
     */
    synchronized boolean enter(Runnable action) {
        if (stopRequested) {
            return false;
        }
        // No stop is due, so the stopper thread has nothing to do yet: waking it would cost two
        // thread switches a run.
        stopAction = action;
        return true;
    }

    /**
     * @return whether a stop was requested for the armed run: an exit whose answer arrives after
     *     its stop request (a handler that failed or stopped the run) ends the run at once
     */
    synchronized boolean requested() {
        return stopRequested;
    }

    /**
     * The emulator returned.
     *
     * @return whether a stop was requested for this run
     */
    synchronized boolean leave() {
        stopAction = null;
        return stopRequested;
    }
}
