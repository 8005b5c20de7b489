package io.github.junitkvm.backend;

/**
 * A hypervisor operation failed: the message says which operation, on what, and the system's
 * reason (for example {@code KVM_CREATE_VM failed: Cannot allocate memory (errno 12)}).
 */
public class HypervisorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed and why */
    public HypervisorException(String message) {
        super(message);
    }

    /**
     * @param message what failed and why
     * @param cause the underlying failure
     */
    public HypervisorException(String message, Throwable cause) {
        super(message, cause);
    }
}
