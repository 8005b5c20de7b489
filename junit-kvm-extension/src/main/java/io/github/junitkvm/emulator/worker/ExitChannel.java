package io.github.junitkvm.emulator.worker;

/**
 * Where an engine reports the exits of a run that do not stop it, in the order the guest caused
 * them. Reads block until the value is known.
 */
interface ExitChannel {
    /**
     * @param port the port
     * @param size 1, 2 or 4
     * @param value the value written
     */
    void portOut(int port, int size, long value);

    /**
     * @param port the port
     * @param size 1, 2 or 4
     * @return the value the guest reads
     */
    long portIn(int port, int size);

    /**
     * @param address guest physical address
     * @param size access size in bytes
     * @param value the value written
     */
    void mmioWrite(long address, int size, long value);

    /**
     * @param address guest physical address
     * @param size access size in bytes
     * @return the value the guest reads
     */
    long mmioRead(long address, int size);
}
