package io.github.junitkvm.guest;

/**
 * A source of maskable interrupts as the vCPU sees it: the output of an interrupt controller (an
 * 8259A PIC pair, a local APIC, the test's own {@code KvmVm.raiseInterrupt} queue) wired to the
 * vCPU's {@code INTR} pin through the VM's {@link InterruptPin}.
 *
 * <p>A controller tells the pin whenever its output may have changed
 * ({@link InterruptPin#outputChanged()}), from any thread, and never while holding a lock of its
 * own that {@link #requesting()} takes: the pin asks {@code requesting()} under its lock, so the
 * locks are always taken pin first, controller second. Both methods may be called from any thread.
 */
public interface InterruptController {
    /** @return whether the controller's output is asserted: it has an interrupt for the vCPU */
    boolean requesting();

    /**
     * The acknowledge cycle: the vCPU takes the interrupt now. The controller moves the request it
     * answers for to "in service" (or forgets it); the pin reads the outputs again afterwards.
     * Called on the run's thread, while the guest waits at the instruction boundary.
     *
     * @return the vector the vCPU delivers, 0 to 255; or -1 if the controller no longer requests
     *     anything (the pin then asks the next controller)
     */
    int acknowledge();
}
