package io.github.junitkvm.backend;

/**
 * A backend cannot be used on this machine, for a reason that lasts until someone changes the
 * machine: the message says why and what to do (load a module, join a group, install a package).
 * With {@code junitkvm.backend=auto} it is remembered for the rest of the test run, and when no backend
 * is left the tests are skipped with it. A failure that may pass is a
 * {@link TransientHypervisorException} instead.
 */
public class HypervisorUnavailableException extends HypervisorException {
    private static final long serialVersionUID = 1L;

    /** @param message why, and what to do */
    public HypervisorUnavailableException(String message) {
        super(message);
    }

    /**
     * @param message why, and what to do
     * @param cause the underlying failure
     */
    public HypervisorUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
