package io.github.junitkvm.kvm;

import com.sun.jna.Pointer;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.CpuidTable;
import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.GuardedMachine;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.VirtualMachine;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A KVM virtual machine: owns the VM and vCPU file descriptors, the guest RAM mappings and the
 * {@code kvm_run} mappings.
 *
 * <p>Called by one thread at a time and closed between calls, as {@link GuardedMachine} ensures
 * for the machines {@link KvmHypervisor} hands out; only {@link #requestStop()},
 * {@link #setInterruptRequest} and {@link #raiseNmi()} come from other threads. A machine of several vCPUs runs each on a thread of its own ({@link VcpuThreads}), and
 * their exits reach the listeners on the calling thread, one at a time.
 */
final class KvmMachine implements VirtualMachine {
    /**
     * Where Intel's KVM puts the three pages of the real-mode TSS it needs; AMD ignores it. QEMU
     * uses the same address, just below the BIOS area at 4 GiB.
     */
    static final long TSS_ADDRESS = 0xfffbd000L;
    static final long TSS_SIZE = 3 * 4096;

    private final NativeResources resources;
    private final MachineConfig config;
    private final GuestRam ram;
    private final List<KvmVcpu> vcpus;
    private final MsrRouting msrRouting;
    /** The run of several vCPUs in progress, which {@link #requestStop()} stops; null otherwise. */
    private volatile VcpuThreads parallelRun;
    private boolean closed;

    private KvmMachine(NativeResources resources, MachineConfig config, GuestRam ram, List<KvmVcpu> vcpus,
                       MsrRouting msrRouting) {
        this.resources = resources;
        this.config = config;
        this.ram = ram;
        this.vcpus = vcpus;
        this.msrRouting = msrRouting;
    }

    /**
     * Creates the VM, its RAM and its vCPUs; on any failure releases what it acquired.
     *
     * @param kvmFd the open {@code /dev/kvm}
     * @param config the RAM regions, the vCPU count, and whether to single-step the vCPU's runs for
     *     a trace
     * @param vcpuMmapSize {@code KVM_GET_VCPU_MMAP_SIZE}
     * @param readOnlySupported whether {@code KVM_CAP_READONLY_MEM} is available
     * @param cpuid what the vCPUs' CPUID reports
     * @param resettable whether {@link #reset()} must work: the RAM then logs dirty pages and each
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
            List<KvmVcpu> vcpus = new ArrayList<>();
            for (int id = 0; id < config.vcpus(); id++) {
                CpuidTable table = CpuidTable.of(cpuid.supportedEntries(), config, id);
                // Without an in-kernel irqchip every vCPU is runnable at once: none waits for a SIPI.
                int vcpuFd = Posix.ioctl(vmFd, KvmIoctl.KVM_CREATE_VCPU, id);
                resources.add(() -> Posix.close(vcpuFd));
                KvmCpuid.applyTo(vcpuFd, table);
                if (!table.reportsApic()) {
                    KvmCpuid.disableApic(vcpuFd);
                }
                long run = Posix.mmap(vcpuMmapSize, Posix.PROT_READ | Posix.PROT_WRITE, Posix.MAP_SHARED, vcpuFd,
                        "kvm_run");
                resources.add(() -> Posix.munmap(run, vcpuMmapSize));
                vcpus.add(new KvmVcpu(vcpuFd, new KvmRun(new Pointer(run), vcpuMmapSize),
                        resettable ? VcpuState.capture(kvmFd, vcpuFd) : null, config.traceLength()));
            }
            return new KvmMachine(resources, config, ram, List.copyOf(vcpus), msrRouting);
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

    /**
     * {@inheritDoc} During a run of several vCPUs, a listener reads the registers of the vCPU whose
     * exit it handles: another vCPU's, while it runs, only once it has left the guest.
     */
    @Override
    public GeneralRegisters registers(int vcpu) {
        return vcpu(vcpu).registers();
    }

    @Override
    public void setRegisters(int vcpu, GeneralRegisters registers) {
        vcpu(vcpu).setRegisters(registers);
    }

    @Override
    public SpecialRegisters specialRegisters(int vcpu) {
        return vcpu(vcpu).specialRegisters();
    }

    @Override
    public void setSpecialRegisters(int vcpu, SpecialRegisters registers) {
        vcpu(vcpu).setSpecialRegisters(registers);
    }

    private KvmVcpu vcpu(int vcpu) {
        ensureOpen();
        return vcpus.get(config.vcpu(vcpu));
    }

    /** {@inheritDoc} A machine of one vCPU runs it on the calling thread. */
    @Override
    public List<StopCause> runAll(Set<Integer> stopPorts, List<ExitListener> listeners) {
        ensureOpen();
        List<ExitListener> each = config.listenersOfRun(listeners);
        // The MSR filter is the VM's: every vCPU's listener serves the same guest's handlers.
        each.stream().filter(Objects::nonNull).findFirst().ifPresent(listener -> msrRouting.route(listener.routedMsrs()));
        if (vcpus.size() == 1) {
            return Collections.singletonList(each.get(0) == null ? null : vcpus.get(0).run(stopPorts, each.get(0), () -> { }));
        }
        VcpuThreads run = new VcpuThreads(vcpus);
        parallelRun = run;
        try {
            return run.run(stopPorts, each);
        } finally {
            parallelRun = null;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Zeroes the pages the dirty log and the host's writes name, writes back each vCPU's state
     * captured at creation, and turns off the single-stepping a traced run left on.
     */
    @Override
    public void reset() {
        ensureOpen();
        if (!vcpus.stream().allMatch(KvmVcpu::reset)) {
            throw new IllegalStateException("this KVM machine cannot be reset: it was not created by"
                    + " Hypervisor.createResettableMachine");
        }
        ram.zeroWritten();
    }

    /** @return vCPU 0's trace: only a machine of one vCPU traces */
    @Override
    public InstructionTrace lastRunTrace() {
        ensureOpen();
        return vcpus.get(0).lastRunTrace();
    }

    @Override
    public void requestStop() {
        VcpuThreads run = parallelRun;
        if (run != null) {
            run.stopAll();
        } else {
            vcpus.get(0).requestStop();
        }
    }

    /**
     * {@inheritDoc} Injected on that vCPU's descriptor, by its thread; see {@link InterruptInjector}.
     * A change after {@link #close()} is ignored.
     */
    @Override
    public void setInterruptRequest(int vcpu, boolean asserted) {
        vcpu(vcpu).setInterruptRequest(asserted);
    }

    /** {@inheritDoc} As {@link #setInterruptRequest}; an NMI after {@link #close()} is ignored. */
    @Override
    public void raiseNmi(int vcpu) {
        vcpu(vcpu).raiseNmi();
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
