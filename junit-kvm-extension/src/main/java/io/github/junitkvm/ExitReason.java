package io.github.junitkvm;

/** Why the vCPU left the guest: the kind of a {@link VmExit}. */
public enum ExitReason {
    /** The guest wrote to an I/O port ({@code OUT}, or one element of {@code OUTS}). */
    IO_OUT,
    /** The guest read from an I/O port ({@code IN}, or one element of {@code INS}). */
    IO_IN,
    /** The guest read an address outside its RAM. */
    MMIO_READ,
    /** The guest wrote an address outside its RAM, or inside a read-only region. */
    MMIO_WRITE,
    /**
     * The guest read an MSR a test's handler serves ({@link KvmVm#onMsrRead}): {@link VmExit#address()}
     * is the MSR's index. Reads of the MSRs the backend implements are not exits.
     */
    MSR_READ,
    /**
     * The guest wrote an MSR a test's handler serves ({@link KvmVm#onMsrWrite}):
     * {@link VmExit#address()} is the MSR's index, {@link VmExit#value()} what was written.
     */
    MSR_WRITE,
    /** The guest executed {@code HLT}: the normal end of a run. */
    HLT,
    /** The guest shut down, usually by a triple fault. */
    SHUTDOWN,
    /** The hypervisor refused to enter the guest; {@link VmExit#value()} holds the hardware reason. */
    FAIL_ENTRY,
    /**
     * The hypervisor failed inside; {@link VmExit#value()} holds the sub-error, KVM's: 1
     * ({@code KVM_INTERNAL_ERROR_EMULATION}, on the emulator too) for an instruction it cannot
     * run, such as code fetched from outside RAM.
     */
    INTERNAL_ERROR,
    /** The guest wrote to the debug-exit port {@code 0xf4}; {@link VmExit#value()} is the exit code. */
    DEBUG_EXIT,
    /** The run reached its time limit (or its thread was interrupted) and was stopped. */
    TIMEOUT,
    /**
     * The VM was closed while the run was in progress ({@link KvmVm#close()} from another thread, or
     * from a handler of the run), which stopped the run; its registers and memory went with the VM.
     */
    CLOSED,
    /**
     * The emulator could not go on: a CPU exception or a software interrupt such as {@code INT 0x10}
     * (vector in {@link VmExit#value()}, and {@link VmExit#detail()} says which), an invalid
     * instruction, an access it cannot serve, or the emulator process died.
     */
    EMULATOR_FAULT,
    /**
     * An assertion in the guest failed and the {@link GuestLibrary} reported it on port
     * {@value GuestLibrary#PORT}; {@link VmExit#detail()} describes it, and
     * {@link GuestRun#guestAssertionFailure()} has it in full.
     */
    GUEST_ASSERTION_FAILED,
    /** The guest reported, with the {@link GuestLibrary}'s {@code KVM_DONE}, that it finished. */
    GUEST_DONE,
    /**
     * The guest called a firmware service ({@link Firmware}): it reached the entry point of the
     * interrupt vector {@link VmExit#value()} ({@code int n}, or a chain to it), which a handler
     * served in Java; {@link VmExit#detail()} names the call ({@code AH}). The guest goes on after
     * the call.
     */
    INTERRUPT,
    /**
     * The vCPU took an external interrupt ({@link KvmVm#raiseInterrupt(int)}, or an interrupt
     * controller's): vector {@link VmExit#value()}, delivered through the guest's interrupt vector
     * table or IDT before the instruction that follows in the record. Recorded when the vCPU takes
     * it (its acknowledge cycle), not when it was raised; a non-maskable interrupt has no
     * acknowledge cycle and is not recorded.
     */
    EXTERNAL_INTERRUPT,
    /**
     * The test stopped the run with {@link KvmVm#stopRun(String)}, usually from a handler; the
     * reason it gave is {@link VmExit#detail()}. The guest stopped after the exit being handled
     * completed, and can be run again from there.
     */
    STOPPED
}
