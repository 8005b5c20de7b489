package io.github.junitkvm;

/**
 * Serves a software interrupt ({@code int n}) of a guest with {@link Firmware}, registered with
 * {@link KvmVm#onInterrupt(int, InterruptHandler)}.
 *
 * <p>The handler runs as a BIOS service routine would, between the guest's {@code int} and its
 * return: through its {@link KvmVm} it reads and changes the guest's registers and memory, and
 * {@link KvmVm#registers()} shows the flags as the caller had them, so that setting or clearing
 * the carry flag ({@code CF}, bit 0 of RFLAGS) with {@link KvmVm#setRegisters} is what the caller
 * finds after the {@code int}. The guest then goes on after its {@code int}. RIP, CS and RSP are
 * the entry point's: the frame the CPU pushed (the caller's return address, code segment and
 * flags, and, for an exception that pushes one, the error code below them) is at the top of the
 * stack.
 */
@FunctionalInterface
public interface InterruptHandler {
    /**
     * Serves one call.
     *
     * @param vector the interrupt vector the guest called, 0 to 255
     */
    void serve(int vector);
}
