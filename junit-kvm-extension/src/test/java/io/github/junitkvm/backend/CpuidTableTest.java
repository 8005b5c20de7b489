package io.github.junitkvm.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.CpuMode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The machine's CPUID made from a backend's: what is taken out, what a test sets, how it answers. */
class CpuidTableTest {
    private static final int INTEL_EBX = 0x756e6547;
    private static final int AMD_EBX = 0x68747541;
    private static final List<RamRegion> RAM = List.of(new RamRegion(0, 0x200000, false));

    private static final List<CpuidEntry> BACKEND = List.of(
            new CpuidEntry(0, 0, false, 0xd, INTEL_EBX, 0x6c65746e, 0x49656e69),
            new CpuidEntry(1, 0, false, 0x306c4, 0x800, 0xffffffff, 0xffffffff),
            new CpuidEntry(7, 0, true, 1, 0x389, 0, 0),
            new CpuidEntry(7, 1, true, 0x10, 0, 0, 0),
            new CpuidEntry(0xb, 1, true, 1, 2, 0x201, 0),
            new CpuidEntry(0xd, 0, true, 7, 0x240, 0x340, 0),
            new CpuidEntry(0x40000000, 0, false, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d),
            new CpuidEntry(0x40000001, 0, false, 0x1000, 0, 0, 0),
            new CpuidEntry(0x80000000, 0, false, 0x80000008, 0, 0, 0),
            new CpuidEntry(0x80000001, 0, false, 0, 0, 0xffffffff, 0));

    private static MachineConfig machine(boolean localApic, CpuidEntry... set) {
        return new MachineConfig(RAM, CpuMode.REAL, 0, 1, localApic, List.of(set));
    }

    @Test
    void takesOutTheApicsAndKvmsParavirtualLeavesOfAMachineWithoutALocalApic() {
        CpuidTable table = CpuidTable.of(BACKEND, machine(false), 0);

        CpuidEntry leaf1 = table.answer(1, 0, 0);
        assertThat(leaf1.ecx() & CpuidTable.X2APIC).isZero();
        assertThat(leaf1.ecx() & CpuidTable.TSC_DEADLINE).isZero();
        assertThat(leaf1.edx() & CpuidTable.APIC).isZero();
        assertThat(table.answer(0x80000001, 0, 0).ecx() & CpuidTable.EXTENDED_APIC_SPACE).isZero();
        assertThat(table.entries()).noneMatch(entry -> entry.leaf() == 0x40000000 || entry.leaf() == 0x40000001);
        assertThat(leaf1.ecx() | CpuidTable.X2APIC | CpuidTable.TSC_DEADLINE | 1 << 27).isEqualTo(0xffffffff);
    }

    @Test
    void keepsTheApicOfAMachineWithALocalApicButNeverTheX2apicNorTheTscDeadlineTimer() {
        CpuidEntry leaf1 = CpuidTable.of(BACKEND, machine(true), 0).answer(1, 0, 0);

        assertThat(leaf1.ecx() & CpuidTable.TSC_DEADLINE).isZero();
        assertThat(leaf1.edx() & CpuidTable.APIC).isNotZero();
        assertThat(leaf1.ecx() & CpuidTable.X2APIC).isZero();
    }

    @Test
    void eachVcpuReportsItsIndexAsItsInitialAndX2apicId() {
        CpuidTable table = CpuidTable.of(BACKEND, machine(true), 5);

        assertThat(table.answer(1, 0, 0).ebx()).isEqualTo(0x0500_0800);
        assertThat(table.answer(0xb, 1, 0)).isEqualTo(new CpuidEntry(0xb, 1, true, 1, 2, 0x201, 5));
        assertThat(CpuidTable.of(BACKEND, machine(true), 0).answer(1, 0, 0).ebx()).isEqualTo(0x800);
    }

    @Test
    void aLeafTheTestSetsReplacesTheBackendsEvenItsX2apic() {
        CpuidTable table = CpuidTable.of(BACKEND, machine(false, new CpuidEntry(1, 0, false, 1, 2, CpuidTable.X2APIC, 4),
                new CpuidEntry(7, 1, true, 5, 6, 7, 8), new CpuidEntry(0xd, 0, false, 9, 0, 0, 0)), 3);

        assertThat(table.answer(1, 0, 0)).isEqualTo(new CpuidEntry(1, 0, true, 1, 2, CpuidTable.X2APIC, 4));
        assertThat(table.answer(7, 1, 0).eax()).isEqualTo(5);
        assertThat(table.answer(7, 0, 0).ebx()).as("the subleaf the test did not set").isEqualTo(0x389);
        assertThat(table.answer(0xd, 5, 0).eax()).as("a leaf set without subleaf answers them all").isEqualTo(9);
    }

    @Test
    void answersALeafBeyondItsRangeWithTheHighestBasicLeafOnIntelAndZerosOnAmd() {
        CpuidTable intel = CpuidTable.of(BACKEND, machine(false), 0);
        assertThat(intel.answer(0x99, 0, 0).ebx()).isEqualTo(0x240);
        assertThat(intel.answer(0x80000099, 0, 0).ebx()).isEqualTo(0x240);
        assertThat(intel.answer(0x40000000, 0, 0).ebx()).as("KVM's leaves are gone: out of range").isEqualTo(0x240);
        assertThat(intel.answer(0x6, 0, 0).ebx()).as("absent within the range").isZero();

        CpuidTable amd = CpuidTable.of(List.of(new CpuidEntry(0, 0, false, 0xd, AMD_EBX, 0, 0),
                new CpuidEntry(0xd, 0, true, 7, 0x240, 0x340, 0)), machine(false), 0);
        assertThat(amd.answer(0x99, 0, 0).ebx()).isZero();
    }

    @Test
    void mirrorsTheOsBitsOfCr4() {
        CpuidTable table = CpuidTable.of(BACKEND, machine(false), 0);

        assertThat(table.answer(1, 0, 0).ecx() & 1 << 27).isZero();
        assertThat(table.answer(1, 0, 1L << 18).ecx() & 1 << 27).isNotZero();
        assertThat(table.answer(7, 0, 1L << 22).ecx() & 1 << 4).isNotZero();
    }

    @Test
    void anEntryForEverySubleafNamesNone() {
        assertThatThrownBy(() -> new CpuidEntry(1, 2, false, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leaf 0x1");
    }
}
