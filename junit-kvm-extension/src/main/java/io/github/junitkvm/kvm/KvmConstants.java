package io.github.junitkvm.kvm;

/**
 * Plain constants of {@code linux/kvm.h} that are neither ioctl numbers nor exit reasons: the API
 * version, capabilities, memory-slot flags and sub-codes.
 */
final class KvmConstants {
    /** {@code KVM_API_VERSION}: the only version there has ever been since Linux 2.6.22. */
    static final int KVM_API_VERSION = 12;

    static final int KVM_CAP_SET_GUEST_DEBUG = 23;
    static final int KVM_CAP_VCPU_EVENTS = 41;
    static final int KVM_CAP_DEBUGREGS = 50;
    static final int KVM_CAP_XSAVE = 55;
    static final int KVM_CAP_XCRS = 56;
    static final int KVM_CAP_READONLY_MEM = 81;
    static final int KVM_CAP_IMMEDIATE_EXIT = 136;
    static final int KVM_CAP_X86_USER_SPACE_MSR = 188;
    static final int KVM_CAP_X86_MSR_FILTER = 189;

    static final int KVM_MSR_EXIT_REASON_UNKNOWN = 1 << 1;
    static final int KVM_MSR_EXIT_REASON_FILTER = 1 << 2;
    static final int KVM_MSR_FILTER_READ = 1;
    static final int KVM_MSR_FILTER_WRITE = 1 << 1;
    static final int KVM_MSR_FILTER_MAX_RANGES = 16;
    /** {@code KVM_MSR_FILTER_MAX_BITMAP_SIZE}: the bytes of one range's bitmap. */
    static final int KVM_MSR_FILTER_MAX_BITMAP_SIZE = 0x600;
    static final int KVM_MEM_LOG_DIRTY_PAGES = 1;
    static final int KVM_MEM_READONLY = 1 << 1;

    static final int KVM_GUESTDBG_ENABLE = 1;
    static final int KVM_GUESTDBG_SINGLESTEP = 2;

    /** The vector of the debug exception, {@code #DB}, that ends each single step. */
    static final int DB_VECTOR = 1;

    static final int KVM_EXIT_IO_IN = 0;
    static final int KVM_EXIT_IO_OUT = 1;

    static final int KVM_INTERNAL_ERROR_EMULATION = 1;
    static final int KVM_INTERNAL_ERROR_SIMUL_EX = 2;
    static final int KVM_INTERNAL_ERROR_DELIVERY_EV = 3;
    static final int KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON = 4;

    private KvmConstants() {
    }
}
