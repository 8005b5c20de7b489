package io.github.junitkvm.guest;

/**
 * A guest image that cannot be built or loaded: an ELF file that is truncated or foreign, or
 * assembly that does not assemble. The message says what is wrong; the caller adds which
 * attribute it came from.
 */
final class InvalidImageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidImageException(String message) {
        super(message);
    }

    InvalidImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
