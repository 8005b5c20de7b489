package io.github.junitkvm;

/** Observes a guest's {@code OUT} instruction to a port. */
@FunctionalInterface
public interface PortOutHandler {
    /**
     * Receives one port write.
     *
     * @param port the port the guest writes
     * @param size the access size in bytes: 1, 2 or 4
     * @param value the value written
     */
    void write(int port, int size, long value);
}
