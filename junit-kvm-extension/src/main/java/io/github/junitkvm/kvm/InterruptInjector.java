package io.github.junitkvm.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.github.junitkvm.backend.ExitListener;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The vCPU's {@code INTR} line and NMIs on a VM without an in-kernel interrupt controller, as the
 * KVM API documentation and the kernel's selftests do it: before each {@code KVM_RUN}, an asserted
 * line is acknowledged and its vector injected with {@code KVM_INTERRUPT} if the last exit said
 * the vCPU can take it ({@code ready_for_interrupt_injection} and {@code if_flag}); otherwise
 * {@code request_interrupt_window} makes KVM return {@code KVM_EXIT_IRQ_WINDOW_OPEN} as soon as it
 * can, and the next entry injects. NMIs go in with {@code KVM_NMI}; KVM itself keeps them blocked
 * until the guest's {@code IRET}.
 *
 * <p>Vcpu ioctls must come from the run's thread (KVM holds the vCPU's mutex for the whole of a
 * {@code KVM_RUN}), so a change from another thread only records itself and kicks the run out of
 * {@code KVM_RUN} ({@link VcpuInterrupter#kick()}); its loop then calls {@link #beforeEntry} again.
 */
final class InterruptInjector {
    /** KVM keeps at most two NMIs (one being injected, one waiting); more in one go would be merged. */
    private static final int MOST_NMIS_KEPT = 2;

    private final int vcpuFd;
    private final KvmRun run;
    private final VcpuInterrupter interrupter;
    private volatile boolean requested;
    private final AtomicInteger raisedNmis = new AtomicInteger();
    /**
     * Whether {@code kvm_run}'s {@code if_flag} and {@code ready_for_interrupt_injection} describe
     * the vCPU as it stands: only after an exit of this run, and before anything changed its
     * registers; otherwise the window is asked for, which KVM answers at once if it is open.
     */
    private boolean exitStateCurrent;

    /**
     * @param vcpuFd the vCPU
     * @param run its {@code kvm_run}
     * @param interrupter kicks the vCPU's run
     */
    InterruptInjector(int vcpuFd, KvmRun run, VcpuInterrupter interrupter) {
        this.vcpuFd = vcpuFd;
        this.run = run;
        this.interrupter = interrupter;
    }

    /** @param asserted the line's new level; from any thread */
    void setRequest(boolean asserted) {
        requested = asserted;
        if (asserted) {
            interrupter.kick();
        }
    }

    /** Raises an NMI; from any thread. */
    void raiseNmi() {
        raisedNmis.incrementAndGet();
        interrupter.kick();
    }

    /** The registers may have changed (a new run, a host write, a kick): the last exit's state is stale. */
    void stateChanged() {
        exitStateCurrent = false;
    }

    /** {@code KVM_RUN} returned an exit: its state is the vCPU's. */
    void exited() {
        exitStateCurrent = true;
    }

    /**
     * @return whether the vCPU, stopped on {@code HLT}, wakes: an NMI waits, or the line is
     *     asserted and the vCPU could take an interrupt at that exit
     */
    boolean wakesFromHalt() {
        return raisedNmis.get() > 0 || requested && run.interruptible();
    }

    /** Lowers the line and drops waiting NMIs, as on a new vCPU. */
    void reset() {
        requested = false;
        raisedNmis.set(0);
        run.setRequestInterruptWindow(false);
    }

    /**
     * Prepares the next {@code KVM_RUN}, on the run's thread: injects what the vCPU can take now and
     * asks for the interrupt window if the line stays asserted.
     *
     * @param listener acknowledges the interrupt, which gives its vector
     */
    void beforeEntry(ExitListener listener) {
        interrupter.kickSeen();
        for (int nmis = Math.min(raisedNmis.getAndSet(0), MOST_NMIS_KEPT); nmis > 0; nmis--) {
            Posix.ioctl(vcpuFd, KvmIoctl.KVM_NMI, 0);
        }
        if (requested && exitStateCurrent && run.interruptible()) {
            int vector = listener.acknowledgeInterrupt();
            if (vector >= 0) {
                inject(vector);
                exitStateCurrent = false;
            }
        }
        run.setRequestInterruptWindow(requested);
    }

    private void inject(int vector) {
        try (Memory irq = new Memory(Integer.BYTES)) {
            irq.setInt(0, vector);
            Posix.ioctl(vcpuFd, KvmIoctl.KVM_INTERRUPT, Pointer.nativeValue(irq));
        }
    }
}
