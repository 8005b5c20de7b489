package io.github.junitkvm;

import java.util.Objects;

/**
 * A {@link GuestFunction} call that did not return normally: it faulted, hung past its time
 * limit, stopped anywhere but at its return address, returned with its stack unbalanced or with a
 * callee-saved register changed. An {@link AssertionError}, so that the test fails (rather than
 * errs); its message says what went wrong and carries the run's report, as a failed assertion on a
 * {@link GuestRun} shows it.
 */
public final class GuestCallError extends AssertionError {
    private static final long serialVersionUID = 1L;

    /** Not serialized: a run holds its VM's memory view. */
    private final transient GuestRun run;

    /**
     * @param message what went wrong, and the run's report
     * @param run the run of the call
     */
    public GuestCallError(String message, GuestRun run) {
        super(message);
        this.run = Objects.requireNonNull(run, "run");
    }

    /** @return the run of the call, as it stopped */
    public GuestRun run() {
        return run;
    }
}
