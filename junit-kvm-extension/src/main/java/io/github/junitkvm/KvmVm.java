package io.github.junitkvm;

import java.time.Duration;

/**
 * A virtual machine with one vCPU, built from the effective {@link KvmGuest}: RAM mapped, code
 * loaded, registers set. The extension closes it after the test, whatever happened.
 *
 * <p>Handlers registered here take precedence over the built-in devices (COM1 at
 * {@code 0x3f8}–{@code 0x3ff}, the debug-exit port {@code 0xf4}, the {@link GuestLibrary}'s report
 * port {@value GuestLibrary#PORT}) on the same port or address.
 *
 * <h2>The machine at an exit</h2>
 * Handlers run on the thread that called {@link #run()}, at the guest's access, while the guest
 * waits: a handler may use this VM as a test does between runs ({@link #memory()},
 * {@link #registers()}, {@link #specialRegisters()} and their setters), on the vCPU as it stands at
 * that exit, and the guest goes on from the state the handler leaves. That is how a test answers a
 * hypercall in registers, lets a device copy data into guest memory, or plays firmware.
 * <ul>
 *   <li>The vCPU stands at the instruction that made the access: it completes when the handler
 *       returns (an {@code IN} or MMIO read then loads the handler's value, RIP moves past it).
 *       For a port access and an MMIO read, RIP points at that instruction and the registers are as
 *       before it; one element of a string instruction ({@code rep outsb}) shows its RSI, RDI and
 *       RCX as before that element. After an MMIO write, RIP is the one difference the backends
 *       keep: KVM has already moved it past the instruction, the emulator has not (see the
 *       guide's table of emulator differences, docs/backends.md).
 *   <li>A handler may change any register but the instruction pointer (RIP, and CS in
 *       {@link #setSpecialRegisters}): that throws {@link IllegalStateException}, as running the VM
 *       from a handler does. To send the guest elsewhere, {@link #stopRun(String)} and set the
 *       registers between runs.
 *   <li>{@link #stopRun(String)} ends the run once the handler returns, with
 *       {@link ExitReason#STOPPED} and the handler's reason; {@link #close()} ends it with
 *       {@link ExitReason#CLOSED}. A handler that throws, any {@link Throwable} (checked ones too),
 *       ends the run at once and fails the test with what it threw.
 *   <li>Writes to ports no handler observes may reach the record later than the access (the
 *       emulator streams them), but always in order, and before the next exit a handler sees.
 * </ul>
 * While a run is in progress, only its handlers may use the VM: another thread calling any method
 * but {@link #close()}, {@link #stopRun(String)}, {@link #raiseInterrupt(int)},
 * {@link #raiseIrq(int)} and {@link #raiseNmi()} gets {@link IllegalStateException}, and so does
 * a second {@link #run()}.
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
     * Serves the guest's {@code RDMSR}s of an MSR, even one the backend implements (EFER, the
     * TSC): the MSR is then the test's, and a {@code WRMSR} of it that no
     * {@link #onMsrWrite write handler} serves raises #GP in the guest, as a read-only MSR does.
     * Each read is recorded as an {@link ExitReason#MSR_READ} exit.
     *
     * @param index the MSR, 0 to {@code 0xffffffff}
     * @param handler supplies each value read
     * @return this VM
     * @throws IllegalArgumentException if the index is not an MSR index
     */
    KvmVm onMsrRead(long index, MsrReadHandler handler);

    /**
     * Serves the guest's {@code WRMSR}s of an MSR, even one the backend implements: the MSR is
     * then the test's, and an {@code RDMSR} of it that no {@link #onMsrRead read handler} serves
     * raises #GP in the guest, as a write-only MSR does. Each write is recorded as an
     * {@link ExitReason#MSR_WRITE} exit.
     *
     * @param index the MSR, 0 to {@code 0xffffffff}
     * @param handler receives each value written
     * @return this VM
     * @throws IllegalArgumentException if the index is not an MSR index
     */
    KvmVm onMsrWrite(long index, MsrWriteHandler handler);

    /**
     * Serves a software interrupt in Java: the handler runs whenever the guest reaches the
     * firmware's entry point of that vector, through its interrupt vector table or IDT
     * ({@code int n}, an exception, or a guest's own handler chaining to the entry it replaced), and
     * the guest then returns from it with {@code IRET} ({@code IRETD}, {@code IRETQ}). Replaces the BIOS's service of that vector, if any.
     * Each call is recorded as an {@link ExitReason#INTERRUPT} exit. See {@link Firmware}.
     *
     * @param vector the interrupt vector, 0 to 255
     * @param handler serves each call
     * @return this VM
     * @throws IllegalArgumentException if the vector is not 0 to 255
     * @throws IllegalStateException if the guest has no firmware ({@link KvmGuest#firmware()})
     */
    KvmVm onInterrupt(int vector, InterruptHandler handler);

    /**
     * @return the guest's virtual clock, which the modelled timers ({@link KvmGuest#devices()})
     *     count: the test reads it and moves it on ({@link GuestClock} says when else it moves);
     *     also from a handler during a run
     * @throws IllegalStateException if the VM is closed
     */
    GuestClock clock();

    /**
     * @return the PC BIOS of a guest with {@code @KvmGuest(firmware = Firmware.BIOS)}: its disks,
     *     keyboard and boot
     * @throws IllegalStateException if the guest has another firmware
     */
    Bios bios();

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
     * Looks a symbol up in the guest's ELF image: its {@code .symtab}, or its {@code .dynsym} when
     * it has no {@code .symtab}, read when first asked for.
     *
     * @param name the symbol's name, as the linker has it ({@code adler32})
     * @return the symbol, its address where the image was loaded
     * @throws IllegalArgumentException if there is no such symbol (the message lists similar
     *     names), or only local ones at different addresses
     * @throws IllegalStateException if the guest's code is not an ELF image ({@code code},
     *     {@code asm}, a flat binary)
     * @throws KvmGuestConfigurationException if the ELF file's symbol table is malformed
     */
    GuestSymbol symbol(String name);

    /**
     * @param name the symbol of a function in the guest's ELF image
     * @return the function, to call as compiled code calls it
     * @throws IllegalArgumentException if there is no such symbol, it names data
     *     ({@code STT_OBJECT}), or its address is outside RAM
     * @throws IllegalStateException as {@link #symbol(String)}, and in {@link CpuMode#REAL} mode,
     *     which has no calling convention the extension supports
     * @see GuestFunction
     */
    GuestFunction function(String name);

    /**
     * @param address the guest physical address of a function's first instruction, as for code
     *     given as {@code asm}, which has no symbols
     * @return the function, to call as compiled code calls it
     * @throws IllegalArgumentException if the address is outside RAM (or, in the 32-bit modes,
     *     not below 4 GiB)
     * @throws IllegalStateException in {@link CpuMode#REAL} mode
     */
    GuestFunction functionAt(long address);

    /**
     * Calls a function of the guest's ELF image by its symbol: {@code function(name).call(arguments)}.
     *
     * @param name the function's symbol
     * @param arguments its integer and pointer arguments (see {@link GuestFunction#call(long...)})
     * @return what it returned
     * @throws GuestCallError if it did not return normally; the message has the run's report
     */
    CallResult call(String name, long... arguments);

    /**
     * @return the VM's arena: free guest RAM for buffers and structures to pass to functions, the
     *     same for every call of this method
     * @throws IllegalStateException in {@link CpuMode#REAL} mode, or if the guest's RAM has no room
     *     beside the image and the extension's tables
     */
    GuestArena arena();

    /**
     * Starts an application processor that waits for its start, as a local APIC's INIT and
     * start-up IPI do on a PC: the vCPU begins in real mode at {@code vector * 0x1000}
     * (CS = {@code vector << 8}, IP = 0), with the registers of a vCPU after INIT. Callable between
     * runs, the vCPU then starting with the next run, and from a handler during a run, which goes on
     * with the vCPU. A vCPU that has started already ignores it, as a CPU ignores a start-up IPI
     * once it runs; the APs of a guest with {@link KvmGuest#apEntry()} start at once.
     *
     * @param vcpu the application processor, 1 to {@link KvmGuest#vcpus()} - 1
     * @param vector the start-up vector, 0 to 0xff: the page the vCPU starts in
     * @throws IllegalArgumentException if there is no such application processor, or the vector
     *     is out of range
     * @throws IllegalStateException if the VM is closed, or another thread runs it
     */
    void startVcpu(int vcpu, int vector);

    /**
     * Ends the run in progress once the exit being handled completes, with
     * {@link ExitReason#STOPPED} and this reason as the last exit's {@link VmExit#detail()}. Meant
     * for handlers (a device saw what the test waited for); another thread may call it too. The
     * first reason given in a run wins.
     *
     * @param reason why, for the test's assertions and the failure report
     * @throws IllegalStateException if no run is in progress, or the VM is closed
     */
    void stopRun(String reason);

    /**
     * Raises an external interrupt: the vCPU takes it, through the guest's interrupt vector table
     * ({@link CpuMode#REAL}) or IDT, at the first instruction boundary where a CPU would: RFLAGS.IF
     * set, and not right after an {@code STI} that set it or a {@code MOV SS} (their one-instruction
     * shadow). A guest halted with IF set wakes and takes it ({@code sti; hlt} waits for an
     * interrupt); one halted with IF clear stays halted, and the run ends on its {@code HLT} as
     * always, the interrupt still waiting for the next run. Each delivery is recorded as an
     * {@link ExitReason#EXTERNAL_INTERRUPT} exit, between the exits of the instructions before and
     * after it, the same on every backend.
     *
     * <p>Callable at any time while the VM is open: between runs (delivered when the next run can),
     * from a handler during a run (a device model raising its interrupt: delivered after the
     * instruction that made the exit, if the guest can take it then), and from another thread during
     * a run, which the guest takes without the run ending. Interrupts wait in the order raised;
     * a vector raised again while it waits is one request, as a bit of an interrupt controller's
     * request register.
     *
     * @param vector the vector, 32 to 255 (0 to 31 are the CPU's exceptions)
     * @throws IllegalArgumentException if the vector is not 32 to 255
     * @throws IllegalStateException if the VM is closed
     */
    void raiseInterrupt(int vector);

    /**
     * Raises an IRQ line of the modelled PIC pair ({@link Device#PIC}): a rising edge, latched in
     * the PIC's request register until the guest's CPU acknowledges it, as an ISA device raises
     * its interrupt. Whether and when the guest takes it is the PIC's business: its mask, the
     * priorities, the IRQs in service, and the CPU's IF. IRQ 2 is the cascade: a PC's IRQ 2
     * device raises IRQ 9. Callable as {@link #raiseInterrupt(int)}, from any thread.
     *
     * @param irq the IRQ, 0 to 15 but 2
     * @throws IllegalArgumentException if {@code irq} is not 0 to 15, or is 2
     * @throws IllegalStateException if the guest has no PIC, or the VM is closed
     */
    void raiseIrq(int irq);

    /**
     * Raises a non-maskable interrupt: the vCPU takes it through vector 2 at its next instruction
     * boundary, whatever RFLAGS.IF. While the guest serves an NMI, until its handler's {@code IRET},
     * a further NMI waits, and only one waits, as on a CPU. Not recorded as an exit (an NMI has no
     * acknowledge cycle); the guest's handler shows it. Callable at any time while the VM is open,
     * as {@link #raiseInterrupt(int)}.
     *
     * @throws IllegalStateException if the VM is closed
     */
    void raiseNmi();

    /**
     * Releases the VM's native resources; idempotent, and safe while another thread runs it: a
     * run in progress (in another thread, or the one whose handler calls this) then stops with
     * {@link ExitReason#CLOSED}.
     */
    @Override
    void close();
}
