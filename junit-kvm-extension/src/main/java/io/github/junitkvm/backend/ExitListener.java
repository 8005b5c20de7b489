package io.github.junitkvm.backend;

import java.util.Set;

/**
 * Receives, during {@link VirtualMachine#run}, every exit that does not stop the run, in the order
 * the guest caused them, on the thread that called {@code run}. A string instruction
 * ({@code rep outsb}) arrives as one call per element.
 *
 * <p>Reads, MMIO writes and the {@code OUT}s to {@link #observedPorts()} arrive at the access,
 * while the vCPU waits at it: the listener may read and change the machine's memory and registers
 * through the same {@link VirtualMachine}, and the guest goes on from the state it leaves. The
 * {@code OUT}s to other ports may arrive later, in order, but always before the next exit that
 * arrives at the access and before {@code run} returns: that is how the emulator streams a
 * guest's output without a round trip per byte.
 */
public interface ExitListener {
    /**
     * @return the ports whose {@code OUT}s must reach {@link #portOut} at the access; asked at most
     *     once per run, before the run's first {@code OUT} reaches {@link #portOut}
     */
    Set<Integer> observedPorts();

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

    /**
     * The CPU's interrupt acknowledge cycle: the vCPU takes the interrupt its {@code INTR} line
     * ({@link VirtualMachine#setInterruptRequest}) requests, now, at an instruction boundary where
     * it can. Called on the run's thread, at the boundary, with the vCPU waiting there: the answer
     * is delivered before the guest's next instruction.
     *
     * @return the vector to deliver, 0 to 255; or -1 when nothing is requested any more (the line
     *     fell meanwhile), in which case nothing is delivered and the run goes on
     */
    int acknowledgeInterrupt();

    /**
     * @return the MSRs whose {@code RDMSR} and {@code WRMSR} must reach {@link #msrRead} and
     *     {@link #msrWrite}, even those the backend itself implements; asked once per run, before
     *     the guest runs. A backend may pass other MSRs it does not implement too.
     */
    Set<Long> routedMsrs();

    /**
     * A guest's {@code RDMSR}, at the access as a port read.
     *
     * @param index the MSR, {@code ECX}: 0 to {@code 0xffffffff}
     * @return the value the guest reads in {@code EDX:EAX}, or null for none: the guest then gets
     *     the #GP a CPU raises for an MSR it does not have
     */
    Long msrRead(long index);

    /**
     * A guest's {@code WRMSR}, at the access as a port read.
     *
     * @param index the MSR, {@code ECX}: 0 to {@code 0xffffffff}
     * @param value {@code EDX:EAX}
     * @return whether the MSR took it; false makes the guest take a #GP
     */
    boolean msrWrite(long index, long value);
}
