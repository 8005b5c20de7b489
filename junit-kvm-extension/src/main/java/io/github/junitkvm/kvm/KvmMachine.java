package io.github.junitkvm.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.CodeAddress;
import io.github.junitkvm.backend.CpuidTable;
import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.GuardedMachine;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.VirtualMachine;
import java.util.Set;

/**
 * A KVM virtual machine with one vCPU: owns the VM and vCPU file descriptors, the guest RAM
 * mappings and the {@code kvm_run} mapping.
 *
 * <p>Called by one thread at a time and closed between calls, as {@link GuardedMachine} ensures
 * for the machines {@link KvmHypervisor} hands out; only {@link #requestStop()} comes from other
 * threads.
 */
final class KvmMachine implements VirtualMachine {
    /**
     * Where Intel's KVM puts the three pages of the real-mode TSS it needs; AMD ignores it. QEMU
     * uses the same address, just below the BIOS area at 4 GiB.
     */
    static final long TSS_ADDRESS = 0xfffbd000L;
    static final long TSS_SIZE = 3 * 4096;

    private final NativeResources resources;
    private final GuestRam ram;
    private final int vcpuFd;
    private final KvmRun kvmRun;
    /** The vCPU's state when new, which {@link #reset()} restores; null if the machine is not resettable. */
    private final VcpuState newVcpu;
    private final VcpuInterrupter interrupter;
    private final MsrRouting msrRouting;
    /** How many instructions a run's trace keeps; 0: the vCPU is not single-stepped. */
    private final int traceLength;
    private boolean closed;
    private InstructionTrace lastTrace = InstructionTrace.empty();

    private KvmMachine(NativeResources resources, GuestRam ram, int vcpuFd, KvmRun kvmRun, VcpuState newVcpu,
                       int traceLength, MsrRouting msrRouting) {
        this.resources = resources;
        this.ram = ram;
        this.vcpuFd = vcpuFd;
        this.kvmRun = kvmRun;
        this.newVcpu = newVcpu;
        this.interrupter = new VcpuInterrupter(kvmRun);
        this.traceLength = traceLength;
        this.msrRouting = msrRouting;
    }

    /**
     * Creates the VM, its RAM and its vCPU; on any failure releases what it acquired.
     *
     * @param kvmFd the open {@code /dev/kvm}
     * @param config the RAM regions, and whether to single-step the vCPU's runs for a trace
     * @param vcpuMmapSize {@code KVM_GET_VCPU_MMAP_SIZE}
     * @param readOnlySupported whether {@code KVM_CAP_READONLY_MEM} is available
     * @param cpuid what the vCPU's CPUID reports
     * @param resettable whether {@link #reset()} must work: the RAM then logs dirty pages and the
     *     vCPU's state is captured
     * @return the machine
     */
    static KvmMachine create(int kvmFd, MachineConfig config, long vcpuMmapSize, boolean readOnlySupported,
                             KvmCpuid cpuid, boolean resettable) {
        NativeResources resources = new NativeResources();
        try {
            int vmFd = Posix.ioctl(kvmFd, KvmIoctl.KVM_CREATE_VM, 0);
            resources.add(() -> Posix.close(vmFd));
            GuestRam ram = GuestRam.map(vmFd, config.ram(), readOnlySupported, resettable, resources);
            if (!ram.overlaps(TSS_ADDRESS, TSS_SIZE)) {
                Posix.ioctl(vmFd, KvmIoctl.KVM_SET_TSS_ADDR, TSS_ADDRESS);
            }
            MsrRouting msrRouting = MsrRouting.enable(vmFd);
            int vcpuFd = Posix.ioctl(vmFd, KvmIoctl.KVM_CREATE_VCPU, 0);
            resources.add(() -> Posix.close(vcpuFd));
            CpuidTable table = CpuidTable.of(cpuid.supportedEntries(), config);
            KvmCpuid.applyTo(vcpuFd, table);
            if (!table.reportsApic()) {
                KvmCpuid.disableApic(vcpuFd);
            }
            long run = Posix.mmap(vcpuMmapSize, Posix.PROT_READ | Posix.PROT_WRITE, Posix.MAP_SHARED, vcpuFd,
                    "kvm_run");
            resources.add(() -> Posix.munmap(run, vcpuMmapSize));
            return new KvmMachine(resources, ram, vcpuFd, new KvmRun(new Pointer(run), vcpuMmapSize),
                    resettable ? VcpuState.capture(kvmFd, vcpuFd) : null, config.traceLength(), msrRouting);
        } catch (RuntimeException | Error e) {
            try {
                resources.close();
            } catch (RuntimeException releaseFailure) {
                e.addSuppressed(releaseFailure);
            }
            throw e;
        }
    }

    @Override
    public byte[] readMemory(long address, int length) {
        ensureOpen();
        return ram.read(address, length);
    }

    @Override
    public void writeMemory(long address, byte[] data) {
        ensureOpen();
        ram.write(address, data);
    }

    @Override
    public GeneralRegisters registers() {
        ensureOpen();
        try (Memory regs = new Memory(KvmRegs.SIZE)) {
            Posix.ioctl(vcpuFd, KvmIoctl.KVM_GET_REGS, Pointer.nativeValue(regs));
            return KvmRegs.read(regs);
        }
    }

    @Override
    public void setRegisters(GeneralRegisters registers) {
        ensureOpen();
        try (Memory regs = new Memory(KvmRegs.SIZE)) {
            KvmRegs.write(regs, registers);
            Posix.ioctl(vcpuFd, KvmIoctl.KVM_SET_REGS, Pointer.nativeValue(regs));
        }
    }

    @Override
    public SpecialRegisters specialRegisters() {
        ensureOpen();
        try (Memory sregs = new Memory(KvmSregs.SIZE)) {
            Posix.ioctl(vcpuFd, KvmIoctl.KVM_GET_SREGS, Pointer.nativeValue(sregs));
            return KvmSregs.read(sregs);
        }
    }

    /**
     * Sets the system registers by read-modify-write: the interrupt bitmap, which
     * {@link SpecialRegisters} does not model, keeps the value KVM reports, so that setting the
     * registers does not drop an interrupt KVM is about to inject.
     */
    @Override
    public void setSpecialRegisters(SpecialRegisters registers) {
        ensureOpen();
        try (Memory sregs = new Memory(KvmSregs.SIZE)) {
            Posix.ioctl(vcpuFd, KvmIoctl.KVM_GET_SREGS, Pointer.nativeValue(sregs));
            KvmSregs.write(sregs, registers);
            Posix.ioctl(vcpuFd, KvmIoctl.KVM_SET_SREGS, Pointer.nativeValue(sregs));
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A string {@code OUT} to a stop port stops on its first element. A stop request that
     * arrives while an exit is being handled takes effect once that exit's listener calls are done,
     * so an {@code IN} always gets its value.
     */
    @Override
    public StopCause run(Set<Integer> stopPorts, ExitListener listener) {
        ensureOpen();
        lastTrace = InstructionTrace.empty();
        msrRouting.route(listener.routedMsrs());
        SingleStepTrace trace = traceLength > 0 ? startSingleStepping() : null;
        interrupter.begin();
        try {
            return runUntilStop(stopPorts, listener, trace);
        } finally {
            if (trace != null) {
                lastTrace = trace.snapshot();
            }
            interrupter.end();
        }
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
            if (Posix.ioctlInterruptible(vcpuFd, KvmIoctl.KVM_RUN, 0)) {
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
        KvmGuestDebug.enableSingleStep(vcpuFd);
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
            Posix.ioctlInterruptible(vcpuFd, KvmIoctl.KVM_RUN, 0);
        }
        return stop;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Zeroes the pages the dirty log and the host's writes name, writes back the vCPU state
     * captured at creation, and turns off the single-stepping a traced run left on.
     */
    @Override
    public void reset() {
        ensureOpen();
        if (newVcpu == null) {
            throw new IllegalStateException("this KVM machine cannot be reset: it was not created by"
                    + " Hypervisor.createResettableMachine");
        }
        ram.zeroWritten();
        if (traceLength > 0) {
            KvmGuestDebug.disable(vcpuFd);
        }
        newVcpu.restore(vcpuFd);
        lastTrace = InstructionTrace.empty();
    }

    @Override
    public InstructionTrace lastRunTrace() {
        ensureOpen();
        return lastTrace;
    }

    @Override
    public void requestStop() {
        interrupter.requestStop();
    }

    /** Releases every native resource; idempotent. Never called while another call is in progress. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            resources.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the KVM machine is closed");
        }
    }
}
