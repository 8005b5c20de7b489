package io.github.junitkvm.kvm;

import io.github.junitkvm.backend.HypervisorException;

/**
 * A system call failed: keeps the errno so that callers can react to particular ones (a missing
 * {@code /dev/kvm}, a refused permission), and says in its message which call failed and why, for
 * example {@code KVM_CREATE_VM failed: Cannot allocate memory (errno 12)}.
 */
final class ErrnoException extends HypervisorException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * @param operation what was attempted, for example an ioctl name
     * @param errno the C errno value
     */
    ErrnoException(String operation, int errno) {
        super(operation + " failed: " + describe(errno));
        this.errno = errno;
    }

    /** @return the C errno value */
    int errno() {
        return errno;
    }

    /**
     * @return whether the call failed for want of something the process or the system may have
     *     again a moment later: file descriptors ({@code EMFILE}, {@code ENFILE}), memory
     *     ({@code ENOMEM}, {@code EAGAIN}), or because a signal interrupted it ({@code EINTR})
     */
    boolean isTransient() {
        return switch (errno) {
            case Posix.EMFILE, Posix.ENFILE, Posix.ENOMEM, Posix.EAGAIN, Posix.EINTR -> true;
            default -> false;
        };
    }

    /**
     * @param errno a C errno value
     * @return the system's text for it followed by the number, for example
     *     {@code Cannot allocate memory (errno 12)}
     */
    static String describe(int errno) {
        return LibC.strerror(errno) + " (errno " + errno + ")";
    }
}
