package io.github.junitkvm.emulator.protocol;

import io.github.junitkvm.backend.ExitListener;
import java.util.Set;

/**
 * Whether one vCPU runs and what its listener asks to see at the access, read in the parent before
 * a run starts and sent with it, so that the run does not ask across the pipe (two round trips a
 * run).
 *
 * @param runs whether the vCPU runs: it has a listener
 * @param observedPorts the listener's {@link ExitListener#observedPorts}
 * @param routedMsrs the listener's {@link ExitListener#routedMsrs}
 */
public record ExitInterest(boolean runs, Set<Integer> observedPorts, Set<Long> routedMsrs) {
    /** A vCPU that does not run. */
    public static final ExitInterest IDLE = new ExitInterest(false, Set.of(), Set.of());

    /**
     * Copies both sets.
     *
     * @param runs whether the vCPU runs
     * @param observedPorts the ports whose {@code OUT}s the listener sees at the access
     * @param routedMsrs the MSRs whose accesses the listener serves
     */
    public ExitInterest {
        observedPorts = Set.copyOf(observedPorts);
        routedMsrs = Set.copyOf(routedMsrs);
    }

    /**
     * Asks the listener, once for the run, as {@link ExitListener} allows.
     *
     * @param listener a vCPU's listener; null for a vCPU that does not run
     * @return what it asks to see
     */
    public static ExitInterest of(ExitListener listener) {
        return listener == null ? IDLE : new ExitInterest(true, listener.observedPorts(), listener.routedMsrs());
    }
}
