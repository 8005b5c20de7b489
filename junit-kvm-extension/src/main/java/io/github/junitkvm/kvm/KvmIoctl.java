package io.github.junitkvm.kvm;

/**
 * The KVM ioctls the backend issues, with their request numbers encoded as the kernel's
 * {@code _IO}/{@code _IOR}/{@code _IOW}/{@code _IOWR} macros do; the constant names are the C macro names, so
 * error messages read like the kernel documentation.
 */
enum KvmIoctl {
    KVM_GET_API_VERSION(io(0x00)),
    KVM_CREATE_VM(io(0x01)),
    KVM_GET_MSR_INDEX_LIST(iowr(0x02, VcpuState.MSR_LIST_HEADER_SIZE)),
    KVM_CHECK_EXTENSION(io(0x03)),
    KVM_GET_VCPU_MMAP_SIZE(io(0x04)),
    KVM_GET_SUPPORTED_CPUID(iowr(0x05, KvmCpuid.HEADER_SIZE)),
    KVM_CREATE_VCPU(io(0x41)),
    KVM_GET_DIRTY_LOG(iow(0x42, DirtyLog.SIZE)),
    KVM_SET_USER_MEMORY_REGION(iow(0x46, KvmUserspaceMemoryRegion.SIZE)),
    KVM_SET_TSS_ADDR(io(0x47)),
    KVM_RUN(io(0x80)),
    KVM_GET_REGS(ior(0x81, KvmRegs.SIZE)),
    KVM_SET_REGS(iow(0x82, KvmRegs.SIZE)),
    KVM_GET_SREGS(ior(0x83, KvmSregs.SIZE)),
    KVM_INTERRUPT(iow(0x86, Integer.BYTES)),
    KVM_SET_SREGS(iow(0x84, KvmSregs.SIZE)),
    KVM_GET_MSRS(iowr(0x88, VcpuState.MSRS_HEADER_SIZE)),
    KVM_SET_MSRS(iow(0x89, VcpuState.MSRS_HEADER_SIZE)),
    KVM_GET_FPU(ior(0x8c, VcpuState.FPU_SIZE)),
    KVM_SET_FPU(iow(0x8d, VcpuState.FPU_SIZE)),
    KVM_SET_CPUID2(iow(0x90, KvmCpuid.HEADER_SIZE)),
    KVM_NMI(io(0x9a)),
    KVM_SET_GUEST_DEBUG(iow(0x9b, KvmGuestDebug.SIZE)),
    KVM_GET_VCPU_EVENTS(ior(0x9f, VcpuState.VCPU_EVENTS_SIZE)),
    KVM_SET_VCPU_EVENTS(iow(0xa0, VcpuState.VCPU_EVENTS_SIZE)),
    KVM_ENABLE_CAP(iow(0xa3, MsrRouting.ENABLE_CAP_SIZE)),
    KVM_GET_DEBUGREGS(ior(0xa1, VcpuState.DEBUGREGS_SIZE)),
    KVM_SET_DEBUGREGS(iow(0xa2, VcpuState.DEBUGREGS_SIZE)),
    KVM_GET_XSAVE(ior(0xa4, VcpuState.XSAVE_SIZE)),
    KVM_SET_XSAVE(iow(0xa5, VcpuState.XSAVE_SIZE)),
    KVM_GET_XCRS(ior(0xa6, VcpuState.XCRS_SIZE)),
    KVM_SET_XCRS(iow(0xa7, VcpuState.XCRS_SIZE)),
    KVM_X86_SET_MSR_FILTER(iow(0xc6, MsrRouting.FILTER_SIZE));

    /** The ioctl type byte of every KVM request ({@code KVMIO}). */
    private static final int KVMIO = 0xae;
    private static final int IOC_WRITE = 1;
    private static final int IOC_READ = 2;

    private final long number;

    KvmIoctl(long number) {
        this.number = number;
    }

    /** @return the request number passed to {@code ioctl(2)} */
    long number() {
        return number;
    }

    private static long io(int nr) {
        return ioc(0, nr, 0);
    }

    private static long ior(int nr, int size) {
        return ioc(IOC_READ, nr, size);
    }

    private static long iow(int nr, int size) {
        return ioc(IOC_WRITE, nr, size);
    }

    private static long iowr(int nr, int size) {
        return ioc(IOC_READ | IOC_WRITE, nr, size);
    }

    private static long ioc(int direction, int nr, int size) {
        return ((long) direction << 30) | ((long) size << 16) | ((long) KVMIO << 8) | nr;
    }
}
