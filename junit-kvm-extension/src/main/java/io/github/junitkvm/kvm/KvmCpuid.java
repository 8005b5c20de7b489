package io.github.junitkvm.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * The CPUID table every vCPU reports: what KVM supports on this host, read once with
 * {@code KVM_GET_SUPPORTED_CPUID} and given to each new vCPU with {@code KVM_SET_CPUID2}, as every
 * VMM does. Without it a guest's CPUID shows no long mode, and KVM refuses the guest's own
 * {@code WRMSR} of EFER.LME with a #GP: boot code could not switch itself into long mode.
 */
final class KvmCpuid {
    /** {@code struct kvm_cpuid2} without its entries: {@code nent} and padding. */
    static final int HEADER_SIZE = 8;
    /** {@code struct kvm_cpuid_entry2}. */
    static final int ENTRY_SIZE = 40;
    /** Room for every leaf current kernels report (about 60 on recent CPUs). */
    private static final int MAX_ENTRIES = 256;

    /** Kept for the life of the hypervisor: the kernel copies it at each {@code KVM_SET_CPUID2}. */
    private final Memory table;

    private KvmCpuid(Memory table) {
        this.table = table;
    }

    /**
     * @param kvmFd the open {@code /dev/kvm}
     * @return the host's supported CPUID
     */
    static KvmCpuid supported(int kvmFd) {
        Memory table = new Memory(HEADER_SIZE + (long) ENTRY_SIZE * MAX_ENTRIES);
        table.clear();
        table.setInt(0, MAX_ENTRIES);
        Posix.ioctl(kvmFd, KvmIoctl.KVM_GET_SUPPORTED_CPUID, Pointer.nativeValue(table));
        return new KvmCpuid(table);
    }

    /** @param vcpuFd a vCPU that has not run yet */
    void applyTo(int vcpuFd) {
        Posix.ioctl(vcpuFd, KvmIoctl.KVM_SET_CPUID2, Pointer.nativeValue(table));
    }
}
