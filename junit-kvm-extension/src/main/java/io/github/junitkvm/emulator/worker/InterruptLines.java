package io.github.junitkvm.emulator.worker;

/**
 * The vCPU's interrupt inputs in the worker: the level of its {@code INTR} line and the NMIs
 * raised, which the stdin reader sets as the parent's messages arrive, also while the guest runs,
 * and the engine thread reads at instruction boundaries.
 *
 * <p>A change the running guest must see pauses the emulator: while the engine emulates (between
 * {@link #emulating} and {@link #emulated}), a {@link RepeatedStop} calls the engine's pause
 * action until the engine returns. The pause action is only ever called between those two calls,
 * under this object's lock, so a pause never reaches an emulation that did not ask for it.
 */
final class InterruptLines {
    /** NMIs kept while none is served, as KVM keeps them: one delivered at once, one waiting. */
    private static final int MOST_NMIS_KEPT = 2;

    private boolean requested;
    private int raisedNmis;
    private boolean pauseWanted;
    private Runnable pauseAction;

    /** Starts the daemon thread that delivers and repeats pauses. */
    InterruptLines() {
        RepeatedStop.start(this, () -> pauseWanted ? pauseAction : null, "emulator-interrupts");
    }

    /** @param asserted the line's new level; an asserted line pauses the emulator to be seen */
    synchronized void setRequest(boolean asserted) {
        requested = asserted;
        if (asserted) {
            pause();
        }
    }

    /** Raises an NMI and pauses the emulator, so that the guest sees it. */
    synchronized void raiseNmi() {
        raisedNmis = Math.min(raisedNmis + 1, MOST_NMIS_KEPT);
        pause();
    }

    /**
     * The engine looks at the lines at an instruction boundary: a pause asked for so far has done
     * its work.
     *
     * @return whether nothing is raised: no line asserted, no NMI waiting
     */
    synchronized boolean quiet() {
        pauseWanted = false;
        return !requested && raisedNmis == 0;
    }

    /** @return whether the line is asserted */
    synchronized boolean requested() {
        return requested;
    }

    /**
     * Looks at the NMIs at an instruction boundary. While one is being served, one more waits at
     * most; otherwise two may (the first is delivered at once), as KVM keeps them.
     *
     * @param blocked whether an NMI is being served (until its handler's {@code IRET})
     * @return whether an NMI waits for delivery
     */
    synchronized boolean nmiWaiting(boolean blocked) {
        raisedNmis = Math.min(raisedNmis, blocked ? 1 : MOST_NMIS_KEPT);
        return raisedNmis > 0;
    }

    /** One waiting NMI has been delivered. */
    synchronized void nmiDelivered() {
        raisedNmis = Math.max(0, raisedNmis - 1);
    }

    /** Lowers the line and forgets waiting NMIs: the state of a new vCPU. */
    synchronized void reset() {
        requested = false;
        raisedNmis = 0;
        pauseWanted = false;
    }

    /**
     * The engine thread is about to start the emulator; a change from now on pauses it.
     *
     * @param action stops the emulator; called from another thread
     */
    synchronized void emulating(Runnable action) {
        pauseAction = action;
        // Only a change that came before the action did needs its thread woken: it found no action
        // then. Waking it for nothing would cost two thread switches an emulation.
        if (pauseWanted) {
            notifyAll();
        }
    }

    /**
     * The emulator returned.
     *
     * @return whether a change asked for a pause since {@link #emulating}, or just before it: the
     *     return may be that pause, and the engine looks at the lines again before it goes on
     */
    synchronized boolean emulated() {
        pauseAction = null;
        boolean paused = pauseWanted;
        pauseWanted = false;
        return paused;
    }

    /**
     * @return whether a change waits for the emulator to pause: an exit's hook ends the emulation
     *     itself, as it must for a stop inside a hook
     */
    synchronized boolean pauseWanted() {
        return pauseWanted;
    }

    private void pause() {
        pauseWanted = true;
        notifyAll();
    }
}
