package io.github.junitkvm.kvm;

import io.github.junitkvm.Backend;
import io.github.junitkvm.backend.GuardedMachine;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.HypervisorUnavailableException;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.TransientHypervisorException;
import io.github.junitkvm.backend.VirtualMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The Linux kernel's KVM, reached through {@code /dev/kvm}: the open device, which it owns until
 * {@link #close()}, and what the device told about itself when opened. Thread-safe: its state never
 * changes after {@link #open()} but for closing, and each machine owns its own file descriptors
 * (a VM's stay valid after the device's is closed).
 */
public final class KvmHypervisor implements Hypervisor {
    private static final Path DEVICE = Path.of("/dev/kvm");
    /** Where the kernel shows that KVM's PVM module is loaded. */
    private static final Path PVM_MODULE = Path.of("/sys/module/kvm_pvm");

    private final int kvmFd;
    /**
     * Machines are created under the read lock, the device is closed under the write lock: never
     * under a machine being created, whose ioctls could otherwise reach another file given the
     * same descriptor number.
     */
    private final ReadWriteLock deviceLock = new ReentrantReadWriteLock();
    /** Guarded by {@link #deviceLock}. */
    private boolean closed;
    private final long vcpuMmapSize;
    private final boolean readOnlyMemory;
    private final KvmCpuid cpuid;
    /** Why traces cannot be trusted here, empty if they can; null until the first traced machine. */
    private Optional<String> singleStepProblem;

    private KvmHypervisor(int kvmFd, long vcpuMmapSize, boolean readOnlyMemory, KvmCpuid cpuid) {
        this.kvmFd = kvmFd;
        this.vcpuMmapSize = vcpuMmapSize;
        this.readOnlyMemory = readOnlyMemory;
        this.cpuid = cpuid;
    }

    /**
     * {@inheritDoc} KVM's PVM module ({@code kvm_pvm}) runs guests without hardware
     * virtualization: its guests read the host's CPUID whatever the vCPU's is, it single-steps
     * unfaithfully, and keeps {@code CR0.PG} only in long mode, among other differences.
     */
    @Override
    public Optional<String> deviation() {
        return Files.isDirectory(PVM_MODULE) ? Optional.of(DEVICE + " is kvm_pvm, KVM without hardware"
                + " virtualization, which does not run every guest as a CPU does (the host's CPUID, single-stepping,"
                + " paging outside long mode)") : Optional.empty();
    }

    /**
     * Opens {@code /dev/kvm}.
     *
     * @return the hypervisor; the caller owns it, with the device's file descriptor, and must close it
     * @throws HypervisorUnavailableException if KVM cannot be used here; the message says why and
     *     what to do
     * @throws TransientHypervisorException if the process or the system was short of file
     *     descriptors or memory
     */
    public static KvmHypervisor open() {
        return open(DEVICE);
    }

    /**
     * Opens a KVM device at a given path, a fresh one each call (the tests give paths that are not
     * KVM devices).
     *
     * @param device the device file
     * @return the hypervisor
     * @throws HypervisorUnavailableException if the device cannot be used
     * @throws TransientHypervisorException if it could not be opened or asked for want of file
     *     descriptors or memory
     */
    static KvmHypervisor open(Path device) {
        int fd = openDevice(device);
        try {
            checkApiVersion(device, Posix.ioctl(fd, KvmIoctl.KVM_GET_API_VERSION, 0));
            requireImmediateExit(device, fd);
            KickSignal.verifyHandled();
            long vcpuMmapSize = Posix.ioctl(fd, KvmIoctl.KVM_GET_VCPU_MMAP_SIZE, 0);
            boolean readOnlyMemory =
                    Posix.ioctl(fd, KvmIoctl.KVM_CHECK_EXTENSION, KvmConstants.KVM_CAP_READONLY_MEM) > 0;
            return new KvmHypervisor(fd, vcpuMmapSize, readOnlyMemory, KvmCpuid.supported(fd));
        } catch (ErrnoException e) {
            closeQuietly(fd, e);
            throw failure(device + " is not a usable KVM device: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            closeQuietly(fd, e);
            throw e;
        }
    }

    /**
     * @param device the device file
     * @param version what its {@code KVM_GET_API_VERSION} returned
     * @throws HypervisorUnavailableException unless it is the version this backend speaks
     */
    static void checkApiVersion(Path device, int version) {
        if (version != KvmConstants.KVM_API_VERSION) {
            throw new HypervisorUnavailableException(device + " speaks KVM API version " + version
                    + ", but this backend expected version " + KvmConstants.KVM_API_VERSION
                    + "; use -Djunitkvm.backend=emulator");
        }
    }

    // Without kvm_run.immediate_exit (Linux 4.11+), a stop request that lands just before KVM_RUN
    // is entered would be lost and the guest would run on.
    private static void requireImmediateExit(Path device, int fd) {
        if (Posix.ioctl(fd, KvmIoctl.KVM_CHECK_EXTENSION, KvmConstants.KVM_CAP_IMMEDIATE_EXIT) <= 0) {
            throw new HypervisorUnavailableException(device + " lacks KVM_CAP_IMMEDIATE_EXIT (Linux 4.11 and"
                    + " later have it), which stopping a running guest needs; use a newer kernel or"
                    + " -Djunitkvm.backend=emulator");
        }
    }

    @Override
    public Backend backend() {
        return Backend.KVM;
    }

    /**
     * {@inheritDoc}
     *
     * @throws HypervisorException if the machine traces ({@link MachineConfig#tracing()}) and this
     *     KVM cannot single-step guests faithfully, saying what it did wrong
     * @throws IllegalStateException if the hypervisor is closed
     */
    @Override
    public VirtualMachine createMachine(MachineConfig config) {
        return create(config, false);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Its RAM logs the pages the guest dirties, and its vCPU's state is captured right after
     * creation, about 0.1 ms on {@code kvm_pvm}: machines that are never reset do neither.
     *
     * @throws HypervisorException as {@link #createMachine}
     * @throws IllegalStateException if the hypervisor is closed
     */
    @Override
    public VirtualMachine createResettableMachine(MachineConfig config) {
        return create(config, true);
    }

    private VirtualMachine create(MachineConfig config, boolean resettable) {
        deviceLock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("KVM is closed: its test run is over");
            }
            if (config.tracing()) {
                singleStepProblem().ifPresent(problem -> {
                    throw new HypervisorException("this KVM cannot trace guests: " + problem
                            + "; run traced tests with -Djunitkvm.backend=emulator, or on a KVM with hardware"
                            + " virtualization");
                });
            }
            return GuardedMachine.of(KvmMachine.create(kvmFd, config, vcpuMmapSize, readOnlyMemory, cpuid, resettable));
        } finally {
            deviceLock.readLock().unlock();
        }
    }

    /** Probes once per hypervisor, when the first machine that traces is created. */
    private synchronized Optional<String> singleStepProblem() {
        if (singleStepProblem == null) {
            singleStepProblem = SingleStepCheck.problem(kvmFd, vcpuMmapSize, cpuid);
        }
        return singleStepProblem;
    }

    /** Closes the device's file descriptor. Idempotent. */
    @Override
    public void close() {
        deviceLock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                Posix.close(kvmFd);
            }
        } finally {
            deviceLock.writeLock().unlock();
        }
    }

    private static int openDevice(Path device) {
        try {
            // O_CLOEXEC: a process the tests start must not inherit access to KVM.
            return Posix.open(device, Posix.O_RDWR | Posix.O_CLOEXEC);
        } catch (ErrnoException e) {
            throw failure(DeviceOpenFailure.explain(device, e.errno()), e);
        }
    }

    /**
     * A call that failed for want of file descriptors or memory may succeed a moment later; any
     * other failure while opening says that KVM cannot be used here.
     */
    private static HypervisorException failure(String message, ErrnoException cause) {
        return cause.isTransient()
                ? new TransientHypervisorException(message, cause)
                : new HypervisorUnavailableException(message, cause);
    }

    private static void closeQuietly(int fd, Throwable failure) {
        try {
            Posix.close(fd);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
