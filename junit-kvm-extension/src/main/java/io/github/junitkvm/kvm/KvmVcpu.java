package io.github.junitkvm.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.CodeAddress;
import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.StopCause;
import java.util.Set;

/**
 * One vCPU of a {@link KvmMachine}: its file descriptor, its {@code kvm_run} mapping (both owned by
 * the machine's resources), the state it had when new, and its runs.
 */
final class KvmVcpu {
    private final int fd;
    private final KvmRun kvmRun;
    /** The vCPU's state when new, which {@link #reset()} restores; null if the machine is not resettable. */
    private final VcpuState newState;
    private final VcpuInterrupter interrupter;
    private final InterruptInjector interrupts;
    /** How many instructions a run's trace keeps; 0: the vCPU is not single-stepped. */
    private final int traceLength;
    private InstructionTrace lastTrace = InstructionTrace.empty();

    /**
     * @param fd the vCPU's descriptor
     * @param kvmRun its {@code kvm_run}
     * @param newState its state when new, or null when it is not to be reset
     * @param traceLength how many instructions a run's trace keeps, 0 for none
     */
    KvmVcpu(int fd, KvmRun kvmRun, VcpuState newState, int traceLength) {
        this.fd = fd;
        this.kvmRun = kvmRun;
        this.newState = newState;
        this.interrupter = new VcpuInterrupter(kvmRun);
        this.interrupts = new InterruptInjector(fd, kvmRun, interrupter);
        this.traceLength = traceLength;
    }

    GeneralRegisters registers() {
        try (Memory regs = new Memory(KvmRegs.SIZE)) {
            Posix.ioctl(fd, KvmIoctl.KVM_GET_REGS, Pointer.nativeValue(regs));
            return KvmRegs.read(regs);
        }
    }

    void setRegisters(GeneralRegisters registers) {
        try (Memory regs = new Memory(KvmRegs.SIZE)) {
            KvmRegs.write(regs, registers);
            Posix.ioctl(fd, KvmIoctl.KVM_SET_REGS, Pointer.nativeValue(regs));
        }
        interrupts.stateChanged();
    }

    SpecialRegisters specialRegisters() {
        try (Memory sregs = new Memory(KvmSregs.SIZE)) {
            Posix.ioctl(fd, KvmIoctl.KVM_GET_SREGS, Pointer.nativeValue(sregs));
            return KvmSregs.read(sregs);
        }
    }

    /**
     * Sets the system registers by read-modify-write: the interrupt bitmap, which
     * {@link SpecialRegisters} does not model, keeps the value KVM reports, so that setting the
     * registers does not drop an interrupt KVM is about to inject.
     */
    void setSpecialRegisters(SpecialRegisters registers) {
        try (Memory sregs = new Memory(KvmSregs.SIZE)) {
            Posix.ioctl(fd, KvmIoctl.KVM_GET_SREGS, Pointer.nativeValue(sregs));
            KvmSregs.write(sregs, registers);
            Posix.ioctl(fd, KvmIoctl.KVM_SET_SREGS, Pointer.nativeValue(sregs));
        }
        interrupts.stateChanged();
    }

    /**
     * Runs the vCPU on the calling thread until something stops it. A string {@code OUT} to a stop
     * port stops on its first element. A stop request that arrives while an exit is being handled
     * takes effect once that exit's listener calls are done, so an {@code IN} always gets its value.
     *
     * @param stopPorts ports whose {@code OUT} stops the run
     * @param listener receives the other exits
     * @param started told on the running thread once a {@link #requestStop()} reaches this run
     * @return why the run stopped
     */
    StopCause run(Set<Integer> stopPorts, ExitListener listener, Runnable started) {
        lastTrace = InstructionTrace.empty();
        SingleStepTrace trace = traceLength > 0 ? startSingleStepping() : null;
        interrupter.begin();
        interrupts.stateChanged();
        try {
            started.run();
            return runUntilStop(stopPorts, listener, trace);
        } finally {
            if (trace != null) {
                lastTrace = trace.snapshot();
            }
            interrupter.end();
        }
    }

    /** @return whether the vCPU, its run stopped on {@code HLT}, takes an interrupt or NMI now requested */
    boolean wakesFromHalt() {
        return interrupts.wakesFromHalt();
    }

    /** @param trace records the instructions, or null when the vCPU is not single-stepped */
    private StopCause runUntilStop(Set<Integer> stopPorts, ExitListener listener, SingleStepTrace trace) {
        // Whether the last KVM_RUN returned an I/O, MMIO or MSR exit: the kernel finishes one (IN
        // or RDMSR data into the registers, RIP past the instruction, or a #GP) only when KVM_RUN
        // is entered again.
        boolean exitUnfinished = false;
        while (true) {
            if (interrupter.stopRequested()) {
                if (trace != null) {
                    trace.finish(exitUnfinished);
                }
                return finished(StopCause.stopRequested(), exitUnfinished);
            }
            // EINTR: a kick, or some other signal; the check above tells them apart. Entering
            // KVM_RUN finished the previous exit either way.
            exitUnfinished = false;
            interrupts.beforeEntry(listener);
            if (!Posix.ioctlInterruptible(fd, KvmIoctl.KVM_RUN, 0)) {
                interrupts.stateChanged();
            } else {
                interrupts.exited();
                int reason = kvmRun.exitReason();
                // A single step is not guest behaviour: it goes to the trace, never to the listener.
                if (trace != null && reason == KvmExitReason.KVM_EXIT_DEBUG
                        && kvmRun.debugException() == KvmConstants.DB_VECTOR) {
                    trace.stepped(kvmRun.debugPc());
                    continue;
                }
                exitUnfinished = reason == KvmExitReason.KVM_EXIT_IO || reason == KvmExitReason.KVM_EXIT_MMIO
                        || reason == KvmExitReason.KVM_EXIT_X86_RDMSR || reason == KvmExitReason.KVM_EXIT_X86_WRMSR;
                StopCause stop = ExitDecoder.decode(kvmRun, stopPorts, listener);
                if (stop != null) {
                    if (trace != null) {
                        trace.finish(true);
                    }
                    return finished(stop, exitUnfinished);
                }
            }
        }
    }

    /**
     * Enables single-stepping at every run, not once: KVM sets the trap flag only while the vCPU is
     * still at the address it had when single-stepping was enabled, so a {@code KVM_SET_REGS} or
     * {@code KVM_SET_SREGS} that moves it (the guest layer's, a test's) would turn the steps off.
     */
    private SingleStepTrace startSingleStepping() {
        KvmGuestDebug.enableSingleStep(fd);
        return new SingleStepTrace(traceLength, CodeAddress.linear(registers(), specialRegisters()));
    }

    /**
     * Finishes the I/O or MMIO exit a run stops on, so that the registers at the stop are those
     * after the instruction on every kernel (left alone, RIP still points at an {@code OUT} on some
     * kernels and past it on others). Entering {@code KVM_RUN} with {@code immediate_exit} set
     * completes the pending operation and returns {@code EINTR} without running the guest further:
     * the KVM API documentation's way to bring a vCPU to a consistent state.
     */
    private StopCause finished(StopCause stop, boolean exitUnfinished) {
        if (exitUnfinished) {
            kvmRun.setImmediateExit(true);
            Posix.ioctlInterruptible(fd, KvmIoctl.KVM_RUN, 0);
        }
        return stop;
    }

    /**
     * Writes back the state captured at creation, and turns off the single-stepping a traced run
     * left on.
     *
     * @return whether the vCPU could be reset: false when it was not created resettable
     */
    boolean reset() {
        if (newState == null) {
            return false;
        }
        if (traceLength > 0) {
            KvmGuestDebug.disable(fd);
        }
        newState.restore(fd);
        interrupts.reset();
        lastTrace = InstructionTrace.empty();
        return true;
    }

    /** @return the instructions the last run executed, empty when the vCPU is not traced */
    InstructionTrace lastRunTrace() {
        return lastTrace;
    }

    /** @param asserted the level of the vCPU's {@code INTR} line; see {@link InterruptInjector} */
    void setInterruptRequest(boolean asserted) {
        interrupts.setRequest(asserted);
    }

    /** Raises an NMI; see {@link InterruptInjector}. */
    void raiseNmi() {
        interrupts.raiseNmi();
    }

    /** Asks the run in progress, if any, to stop; from any thread. */
    void requestStop() {
        interrupter.requestStop();
    }
}
