package io.github.junitkvm.emulator.protocol;

import io.github.junitkvm.backend.ExitListener;
import java.util.Set;

/**
 * What one vCPU's listener asks to see at the access, read in the parent before a run starts and
 * sent with it, so that the run does not ask across the pipe (two round trips a run).
 *
 * @param observedPorts the listener's {@link ExitListener#observedPorts}
 * @param routedMsrs the listener's {@link ExitListener#routedMsrs}
 */
public record ExitInterest(Set<Integer> observedPorts, Set<Long> routedMsrs) {
    /**
     * Copies both sets.
     *
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
     * @param listener the listener
     * @return what it asks to see
     */
    public static ExitInterest of(ExitListener listener) {
        return new ExitInterest(listener.observedPorts(), listener.routedMsrs());
    }
}
