package io.github.junitkvm;

/**
 * A {@link KvmGuest} that cannot be honoured, or a backend that cannot be used: the message names
 * the attribute (or resource, address, backend) and the value at fault. The test fails with it.
 */
public class KvmGuestConfigurationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and where */
    public KvmGuestConfigurationException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong and where
     * @param cause the underlying failure
     */
    public KvmGuestConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
