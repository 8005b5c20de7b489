package io.github.junitkvm.emulator.unicorn;

/** A Unicorn function returned an error code other than {@link UnicornConstants#UC_ERR_OK}. */
public final class UnicornException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The {@code uc_err} code. */
    private final int error;

    /**
     * @param function the function that failed, with its arguments if they help
     * @param error the {@code uc_err}
     * @param description {@code uc_strerror(error)}
     */
    public UnicornException(String function, int error, String description) {
        super(function + " failed: " + description + " (uc_err " + error + ")");
        this.error = error;
    }

    /** @return the {@code uc_err} */
    public int error() {
        return error;
    }
}
