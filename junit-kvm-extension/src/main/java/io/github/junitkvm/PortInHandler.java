package io.github.junitkvm;

/** Supplies the value a guest's {@code IN} instruction reads from a port. */
@FunctionalInterface
public interface PortInHandler {
    /**
     * Answers one port read.
     *
     * @param port the port the guest reads
     * @param size the access size in bytes: 1, 2 or 4
     * @return the value; bits beyond {@code size} are ignored
     */
    long read(int port, int size);
}
