package io.github.junitkvm.backend;

/**
 * A backend cannot be used on this machine: the message says why and what to do (load a module,
 * join a group, install a package).
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
