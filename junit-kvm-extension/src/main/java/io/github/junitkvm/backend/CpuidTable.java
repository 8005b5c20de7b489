package io.github.junitkvm.backend;

import java.util.ArrayList;
import java.util.List;

/**
 * A vCPU's CPUID: the backend's own table, less what the machine does not model, with the leaves
 * the test set. One definition for both backends: KVM hands the entries to the kernel
 * ({@code KVM_SET_CPUID2}), the emulator answers each {@code CPUID} instruction from
 * {@link #answer}, by the rules the kernel answers by.
 */
public final class CpuidTable {
    /** Leaf 1 {@code ECX}: the x2APIC, which no machine models. */
    static final int X2APIC = 1 << 21;
    /** Leaf 1 {@code ECX}: the local APIC timer's TSC-deadline mode. */
    static final int TSC_DEADLINE = 1 << 24;
    /** Leaf 1 {@code EDX}: an on-chip local APIC. */
    static final int APIC = 1 << 9;
    /** Leaf 0x80000001 {@code ECX}: AMD's x2APIC-capable extended APIC space. */
    static final int EXTENDED_APIC_SPACE = 1 << 3;
    /**
     * KVM's paravirtual leaves: their features (kvmclock, asynchronous page faults, paravirtual
     * EOI) are MSRs and shared pages that only KVM backs, and none of them reaches the emulator.
     */
    private static final int HYPERVISOR_LEAVES = 0x40000000;
    private static final int HYPERVISOR_LEAVES_END = 0x50000000;
    private static final int EXTENDED = 0x80000000;
    /** The extended topology leaves, whose {@code EDX} is the vCPU's x2APIC ID. */
    private static final int TOPOLOGY = 0xb;
    private static final int TOPOLOGY_V2 = 0x1f;
    private static final int CENTAUR = 0xc0000000;
    /** Leaf 1 {@code ECX}: CR4.OSXSAVE, as the OS set it. */
    private static final int OSXSAVE = 1 << 27;
    /** Leaf 7 {@code ECX}: CR4.PKE, as the OS set it. */
    private static final int OSPKE = 1 << 4;
    private static final long CR4_OSXSAVE = 1L << 18;
    private static final long CR4_PKE = 1L << 22;
    /** {@code "Genu"} of {@code "GenuineIntel"}, leaf 0 {@code EBX}. */
    private static final int INTEL_EBX = 0x756e6547;

    private final List<CpuidEntry> entries;

    private CpuidTable(List<CpuidEntry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * @param backendDefault what the backend's vCPU reports when left alone
     * @param config the machine: which devices it models, which leaves the test set
     * @param vcpu the vCPU's index, which is its APIC ID: the initial APIC ID of leaf 1
     *     ({@code EBX} bits 31–24) and the x2APIC ID of the topology leaves 0xB and 0x1F
     *     ({@code EDX}), unless the test set those leaves itself
     * @return the table the vCPU reports
     */
    public static CpuidTable of(List<CpuidEntry> backendDefault, MachineConfig config, int vcpu) {
        List<CpuidEntry> table = new ArrayList<>();
        for (CpuidEntry entry : backendDefault) {
            if (Integer.compareUnsigned(entry.leaf(), HYPERVISOR_LEAVES) >= 0
                    && Integer.compareUnsigned(entry.leaf(), HYPERVISOR_LEAVES_END) < 0) {
                continue;
            }
            table.add(withApicId(unmodelledRemoved(entry, config.localApic()), vcpu));
        }
        for (CpuidEntry set : config.cpuid()) {
            table.removeIf(entry -> entry.sameSlot(set));
            table.add(set);
        }
        return new CpuidTable(table);
    }

    private static CpuidEntry withApicId(CpuidEntry entry, int apicId) {
        if (entry.leaf() == 1) {
            return new CpuidEntry(entry.leaf(), entry.subleaf(), entry.indexed(), entry.eax(),
                    entry.ebx() & 0x00ff_ffff | apicId << 24, entry.ecx(), entry.edx());
        }
        if (entry.leaf() == TOPOLOGY || entry.leaf() == TOPOLOGY_V2) {
            return new CpuidEntry(entry.leaf(), entry.subleaf(), entry.indexed(), entry.eax(), entry.ebx(), entry.ecx(),
                    apicId);
        }
        return entry;
    }

    private static CpuidEntry unmodelledRemoved(CpuidEntry entry, boolean localApic) {
        if (entry.leaf() == 1) {
            // The modelled APIC's timer has no TSC-deadline mode: a kernel told of it would wait for a deadline never met.
            return entry.without(X2APIC | TSC_DEADLINE, localApic ? 0 : APIC);
        }
        if (entry.leaf() == EXTENDED + 1) {
            return entry.without(EXTENDED_APIC_SPACE, 0);
        }
        return entry;
    }

    /** @return whether leaf 1 reports a local APIC (a machine that models one, or a test that set the bit) */
    public boolean reportsApic() {
        CpuidEntry leaf1 = find(1, 0);
        return leaf1 != null && (leaf1.edx() & APIC) != 0;
    }

    /** @return the entries, in no particular order */
    public List<CpuidEntry> entries() {
        return entries;
    }

    /**
     * What {@code CPUID} returns, as KVM computes it from the same entries: the entry for the leaf
     * (and subleaf), or, for a leaf beyond the highest of its range on an Intel CPU, the entry of
     * the highest basic leaf (as Intel's CPUs answer); zeros otherwise. The bits that mirror CR4
     * (leaf 1's OSXSAVE, leaf 7's OSPKE) follow it, as on a CPU.
     *
     * @param leaf {@code EAX} in
     * @param subleaf {@code ECX} in
     * @param cr4 the vCPU's CR4 now
     * @return the answer; its {@code leaf} and {@code subleaf} are the question's
     */
    public CpuidEntry answer(int leaf, int subleaf, long cr4) {
        CpuidEntry found = find(leaf, subleaf);
        if (found == null && beyondItsRange(leaf)) {
            found = find(find(0, 0).eax(), subleaf);
        }
        if (found == null) {
            return new CpuidEntry(leaf, subleaf, true, 0, 0, 0, 0);
        }
        int ecx = found.ecx();
        if (leaf == 1) {
            ecx = mirror(ecx, OSXSAVE, (cr4 & CR4_OSXSAVE) != 0);
        } else if (leaf == 7 && subleaf == 0) {
            ecx = mirror(ecx, OSPKE, (cr4 & CR4_PKE) != 0);
        }
        return new CpuidEntry(leaf, subleaf, true, found.eax(), found.ebx(), ecx, found.edx());
    }

    private static int mirror(int register, int bit, boolean set) {
        return set ? register | bit : register & ~bit;
    }

    private boolean beyondItsRange(int leaf) {
        CpuidEntry basic = find(0, 0);
        if (basic == null || basic.ebx() != INTEL_EBX) {
            return false;
        }
        int rangeStart;
        if (Integer.compareUnsigned(leaf, HYPERVISOR_LEAVES) >= 0 && Integer.compareUnsigned(leaf, HYPERVISOR_LEAVES_END) < 0) {
            rangeStart = leaf & 0xffffff00;
        } else if (Integer.compareUnsigned(leaf, CENTAUR) >= 0) {
            rangeStart = CENTAUR;
        } else {
            rangeStart = leaf & EXTENDED;
        }
        CpuidEntry range = find(rangeStart, 0);
        return range == null || Integer.compareUnsigned(leaf, range.eax()) > 0;
    }

    private CpuidEntry find(int leaf, int subleaf) {
        for (CpuidEntry entry : entries) {
            if (entry.answers(leaf, subleaf)) {
                return entry;
            }
        }
        return null;
    }
}
