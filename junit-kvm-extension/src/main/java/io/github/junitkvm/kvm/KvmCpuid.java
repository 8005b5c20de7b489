package io.github.junitkvm.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.github.junitkvm.backend.CpuidEntry;
import io.github.junitkvm.backend.CpuidTable;
import io.github.junitkvm.backend.HypervisorException;
import java.util.ArrayList;
import java.util.List;

/**
 * What KVM supports on this host, read once with {@code KVM_GET_SUPPORTED_CPUID}, and the table
 * each new vCPU gets with {@code KVM_SET_CPUID2}, as every VMM does: the supported entries made a
 * {@link CpuidTable} for the machine. Without it a guest's CPUID shows no long mode, and KVM
 * refuses the guest's own {@code WRMSR} of EFER.LME with a #GP: boot code could not switch itself
 * into long mode.
 */
final class KvmCpuid {
    /** {@code struct kvm_cpuid2} without its entries: {@code nent} and padding. */
    static final int HEADER_SIZE = 8;
    /** {@code struct kvm_cpuid_entry2}. */
    static final int ENTRY_SIZE = 40;
    /** {@code KVM_CPUID_FLAG_SIGNIFCANT_INDEX}: the entry answers one subleaf. */
    static final int FLAG_SIGNIFICANT_INDEX = 1;
    /** Room for every leaf current kernels report (about 60 on recent CPUs). */
    private static final int MAX_ENTRIES = 256;
    static final int FUNCTION = 0;
    static final int INDEX = 4;
    static final int FLAGS = 8;
    static final int EAX = 12;
    static final int EBX = 16;
    static final int ECX = 20;
    static final int EDX = 24;

    private static final int IA32_APIC_BASE = 0x1b;
    private static final long APIC_BASE_ENABLE = 1 << 11;

    private final List<CpuidEntry> supported;

    private KvmCpuid(List<CpuidEntry> supported) {
        this.supported = List.copyOf(supported);
    }

    /**
     * @param kvmFd the open {@code /dev/kvm}
     * @return the host's supported CPUID
     */
    static KvmCpuid supported(int kvmFd) {
        try (Memory table = new Memory(HEADER_SIZE + (long) ENTRY_SIZE * MAX_ENTRIES)) {
            table.clear();
            table.setInt(0, MAX_ENTRIES);
            Posix.ioctl(kvmFd, KvmIoctl.KVM_GET_SUPPORTED_CPUID, Pointer.nativeValue(table));
            int count = Math.min(table.getInt(0), MAX_ENTRIES);
            List<CpuidEntry> entries = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long at = HEADER_SIZE + (long) ENTRY_SIZE * i;
                boolean indexed = (table.getInt(at + FLAGS) & FLAG_SIGNIFICANT_INDEX) != 0;
                entries.add(new CpuidEntry(table.getInt(at + FUNCTION), indexed ? table.getInt(at + INDEX) : 0, indexed,
                        table.getInt(at + EAX), table.getInt(at + EBX), table.getInt(at + ECX), table.getInt(at + EDX)));
            }
            return new KvmCpuid(entries);
        }
    }

    /** @return what {@code KVM_GET_SUPPORTED_CPUID} reported */
    List<CpuidEntry> supportedEntries() {
        return supported;
    }

    /**
     * Disables the vCPU's local APIC in {@code IA32_APIC_BASE}: KVM reports leaf 1's APIC bit as
     * that MSR's enable bit, whatever the table says, and a new vCPU's APIC is enabled.
     *
     * @param vcpuFd a vCPU that has not run yet
     */
    static void disableApic(int vcpuFd) {
        int[] apicBase = {IA32_APIC_BASE};
        long[] value = new long[1];
        MsrSnapshot.transfer(vcpuFd, KvmIoctl.KVM_GET_MSRS, apicBase, value);
        value[0] &= ~APIC_BASE_ENABLE;
        if (MsrSnapshot.transfer(vcpuFd, KvmIoctl.KVM_SET_MSRS, apicBase, value) != 1) {
            throw new HypervisorException("KVM_SET_MSRS refused to disable the vCPU's local APIC (IA32_APIC_BASE)");
        }
    }

    /**
     * @param vcpuFd a vCPU that has not run yet
     * @param table what it is to report
     */
    static void applyTo(int vcpuFd, CpuidTable table) {
        List<CpuidEntry> entries = table.entries();
        try (Memory cpuid2 = new Memory(HEADER_SIZE + (long) ENTRY_SIZE * Math.max(1, entries.size()))) {
            cpuid2.clear();
            cpuid2.setInt(0, entries.size());
            for (int i = 0; i < entries.size(); i++) {
                CpuidEntry entry = entries.get(i);
                long at = HEADER_SIZE + (long) ENTRY_SIZE * i;
                cpuid2.setInt(at + FUNCTION, entry.leaf());
                cpuid2.setInt(at + INDEX, entry.subleaf());
                cpuid2.setInt(at + FLAGS, entry.indexed() ? FLAG_SIGNIFICANT_INDEX : 0);
                cpuid2.setInt(at + EAX, entry.eax());
                cpuid2.setInt(at + EBX, entry.ebx());
                cpuid2.setInt(at + ECX, entry.ecx());
                cpuid2.setInt(at + EDX, entry.edx());
            }
            Posix.ioctl(vcpuFd, KvmIoctl.KVM_SET_CPUID2, Pointer.nativeValue(cpuid2));
        }
    }
}
