package io.github.junitkvm;

import java.time.Duration;

/**
 * A virtual machine with one vCPU, built from the effective {@link KvmGuest}: RAM mapped, code
 * loaded, registers set. The extension closes it after the test, whatever happened.
 *
 * <p>Handlers registered here take precedence over the built-in devices (COM1 at
 * {@code 0x3f8}–{@code 0x3ff}, the debug-exit port {@code 0xf4}, the {@link GuestLibrary}'s report
 * port {@value GuestLibrary#PORT}) on the same port or address.
 * Handlers run on the thread that called {@link #run()}, inside the run: a handler may
 * {@link #close()} the VM or register handlers, but reading or writing its memory or registers, or
 * running it, throws {@link IllegalStateException} (which ends the run, as any exception of a
 * handler does); do those between runs.
 * After {@link #close()} every method but {@code close()} throws {@link IllegalStateException}.
 */
public interface KvmVm extends AutoCloseable {
    /** @return the hypervisor this VM runs on */
    Backend backend();

    /** @return guest physical memory */
    GuestMemory memory();

    /** @return the vCPU's general registers now */
    GeneralRegisters registers();

    /**
     * @param registers the general registers the vCPU continues with
     * @throws IllegalArgumentException if RFLAGS has a reserved bit (3, 5, 15, 22 to 63) set
     */
    void setRegisters(GeneralRegisters registers);

    /** @return the vCPU's control registers, EFER, segments and descriptor tables now */
    SpecialRegisters specialRegisters();

    /** @param registers the system state the vCPU continues with */
    void setSpecialRegisters(SpecialRegisters registers);

    /**
     * Serves the guest's reads of a port.
     *
     * @param port the port, 0 to 0xffff
     * @param handler supplies each value read
     * @return this VM
     */
    KvmVm onPortIn(int port, PortInHandler handler);

    /**
     * Observes the guest's writes to a port. The writes are recorded whether or not a handler
     * observes them.
     *
     * @param port the port, 0 to 0xffff
     * @param handler receives each value written
     * @return this VM
     */
    KvmVm onPortOut(int port, PortOutHandler handler);

    /**
     * Serves guest accesses to a range of addresses outside RAM. The range may also cover
     * read-only regions ({@link Memory#readOnly()}): there the guest reads the memory, and only its
     * writes reach the handler.
     *
     * @param address the guest physical address of the range's first byte
     * @param length the range's length in bytes
     * @param handler serves the accesses
     * @return this VM
     * @throws IllegalArgumentException if the range overlaps writable RAM, another handler's range,
     *     its length is not positive, or it does not lie in the guest physical address space
     *     {@code [0, 2^63)}
     */
    KvmVm onMmio(long address, long length, MmioHandler handler);

    /**
     * Runs the vCPU until it stops, with the {@link KvmGuest#timeoutMillis()} limit.
     *
     * @return what happened
     */
    GuestRun run();

    /**
     * Runs the vCPU until it stops: on {@code HLT}, a shutdown, a write to the debug-exit port, a
     * guest's {@code KVM_DONE} or failed assertion ({@link GuestLibrary}), a failed entry or
     * internal error, an emulator fault, the time limit, an interrupt of the calling thread (as
     * JUnit's {@code @Timeout} makes), or a {@link #close()} of this VM ({@link ExitReason#CLOSED}).
     *
     * @param timeout the wall-clock limit of this run, positive; one beyond about 292 years (such
     *     as {@code ChronoUnit.FOREVER.getDuration()}) is no limit
     * @return what happened
     */
    GuestRun run(Duration timeout);

    /**
     * Releases the VM's native resources; idempotent, and safe while another thread runs it: a
     * run in progress (in another thread, or the one whose handler calls this) then stops with
     * {@link ExitReason#CLOSED}.
     */
    @Override
    void close();
}
