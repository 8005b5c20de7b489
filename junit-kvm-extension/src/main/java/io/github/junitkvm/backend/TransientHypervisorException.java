package io.github.junitkvm.backend;

/**
 * A backend could not be opened, or could not start what a machine needs, for a reason that is not
 * known to last: the process was out of file descriptors or memory for a moment, or the emulator's
 * worker could not be started or died before it was ready. Unlike
 * {@link HypervisorUnavailableException} it is never a reason to skip a test: the test that meets it
 * fails with it, and the next test tries again.
 */
public class TransientHypervisorException extends HypervisorException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed and why */
    public TransientHypervisorException(String message) {
        super(message);
    }

    /**
     * @param message what failed and why
     * @param cause the underlying failure
     */
    public TransientHypervisorException(String message, Throwable cause) {
        super(message, cause);
    }
}
