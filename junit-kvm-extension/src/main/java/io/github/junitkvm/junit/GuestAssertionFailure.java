package io.github.junitkvm.junit;

import io.github.junitkvm.GuestAssertion;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.guest.RunSummary;
import org.opentest4j.AssertionFailedError;

/** Turns a run that ended on a failed guest assertion into the failure of its test. */
public final class GuestAssertionFailure {
    private GuestAssertionFailure() {
    }

    /**
     * @param run a run whose {@link GuestRun#guestAssertionFailure()} is present
     * @return an error whose message has the assertion (where, what, the values and the message),
     *     then the run: how it stopped, its last exits, its serial output, its guest log, its
     *     registers
     */
    public static AssertionFailedError of(GuestRun run) {
        GuestAssertion assertion = run.guestAssertionFailure().orElseThrow(() ->
                new IllegalArgumentException("the run has no failed guest assertion"));
        return new AssertionFailedError(assertion.describe() + System.lineSeparator() + RunSummary.of(run));
    }
}
