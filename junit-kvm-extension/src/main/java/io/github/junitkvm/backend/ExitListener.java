package io.github.junitkvm.backend;

/**
 * Receives, during {@link VirtualMachine#run}, every exit that does not stop the run, in the order
 * the guest caused them, on the thread that called {@code run}. A string instruction
 * ({@code rep outsb}) arrives as one call per element.
 */
public interface ExitListener {
    /**
     * @param port the port
     * @param size 1, 2 or 4
     * @return the value the guest reads
     */
    long portIn(int port, int size);

    /**
     * @param port the port
     * @param size 1, 2 or 4
     * @param value the value written
     */
    void portOut(int port, int size, long value);

    /**
     * @param address a guest physical address outside RAM
     * @param size the access size in bytes
     * @return the value the guest reads
     */
    long mmioRead(long address, int size);

    /**
     * @param address a guest physical address outside RAM, or in a read-only region
     * @param size the access size in bytes
     * @param value the value written
     */
    void mmioWrite(long address, int size, long value);
}
