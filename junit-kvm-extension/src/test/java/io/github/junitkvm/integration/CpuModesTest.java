package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Registers;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.testsupport.DisabledOnPvm;
import org.junit.jupiter.api.Test;

/**
 * Guests that start in each CPU mode, on either backend. The code was built with
 * {@code as --32} (or {@code --64}) and {@code ld --oformat binary -Ttext=0x1000}; the source is
 * in the comment above each constant.
 */
class CpuModesTest {
    private static final long CR0_PE = 1;
    private static final long CR0_PG = 1L << 31;
    private static final long CR4_PAE = 1 << 5;
    private static final long EFER_LMA = 1 << 10;

    /*
     *   mov $0x3f8, %dx ; mov $'P', %al ; out %al, %dx ; mov $'\n', %al ; out %al, %dx
     *   mov $0x12345678, %ebx ; hlt
     */
    private static final String PROTECTED_HELLO = "66 ba f8 03 b0 50 ee b0 0a ee bb 78 56 34 12 f4";

    /*
     *   mov $0x3f8, %dx ; mov $'G', %al ; out %al, %dx
     *   mov 0x1000, %ebx            # reads its own first bytes through the page tables
     *   hlt
     */
    private static final String PAGED_HELLO = "66 ba f8 03 b0 47 ee 8b 1d 00 10 00 00 f4";

    /*
     *   mov $0x3f8, %dx ; mov $'L', %al ; out %al, %dx
     *   movabs $0x1122334455667788, %rax ; mov %rax, %r15 ; hlt
     */
    private static final String LONG_HELLO = "66 ba f8 03 b0 4c ee 48 b8 88 77 66 55 44 33 22 11 49 89 c7 f4";

    /*
     *   call print ; movl $0x11223344, 0x3000 ; hlt
     *   print: mov $0x3f8, %dx ; mov $'C', %al ; out %al, %dx ; ret
     */
    private static final String CALL_AND_STORE_32 = "e8 0b 00 00 00 c7 05 00 30 00 00 44 33 22 11 f4 66 ba f8 03 b0 43 ee c3";

    /* as CALL_AND_STORE_32, assembled with --64 */
    private static final String CALL_AND_STORE_64 =
            "e8 0c 00 00 00 c7 04 25 00 30 00 00 44 33 22 11 f4 66 ba f8 03 b0 43 ee c3";

    /* movl $0x2a, 0xd0000000 ; hlt */
    private static final String PROTECTED_MMIO_WRITE = "c7 05 00 00 00 d0 2a 00 00 00 f4";

    /* mov $0xd0000000, %ebx ; movl $0x2a, (%rbx) ; hlt */
    private static final String LONG_MMIO_WRITE = "bb 00 00 00 d0 c7 03 2a 00 00 00 f4";

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, code = PROTECTED_HELLO)
    void protectedModeRunsThirtyTwoBitCode(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("P\n");
        assertThat(run).registers().hasRbx(0x12345678).hasRip(0x1010).hasRsp(0x1ff000);
        SpecialRegisters sregs = run.specialRegisters();
        assertThat(sregs.cr0() & (CR0_PE | CR0_PG)).isEqualTo(CR0_PE);
        assertThat(sregs.cs().selector()).isEqualTo(0x08);
        assertThat(sregs.cs().db()).isTrue();
        assertThat(sregs.cs().base()).isZero();
        assertThat(sregs.ds().selector()).isEqualTo(0x10);
        assertThat(sregs.ds().limit()).isEqualTo(0xffffffff);
        assertThat(sregs.gdt().base()).isEqualTo(0x1ff000);
        assertThat(run.memory().readLong(0x1ff008)).as("the 32-bit code descriptor").isEqualTo(0x00cf9b000000ffffL);
    }

    @Test
    @DisabledOnPvm
    @KvmGuest(mode = CpuMode.PAGED, code = PAGED_HELLO)
    void pagedModeIdentityMapsRam(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("G");
        assertThat(run).registers().hasRbx(0x03f8ba66).hasRsp(0x1fa000);
        SpecialRegisters sregs = run.specialRegisters();
        assertThat(sregs.cr0() & (CR0_PE | CR0_PG)).isEqualTo(CR0_PE | CR0_PG);
        assertThat(sregs.cr4() & CR4_PAE).isEqualTo(CR4_PAE);
        assertThat(sregs.efer() & EFER_LMA).isZero();
        assertThat(sregs.cr3()).isEqualTo(0x1fb000);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, code = LONG_HELLO)
    void longModeRunsSixtyFourBitCode(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("L");
        assertThat(run).registers().hasRax(0x1122334455667788L).hasR15(0x1122334455667788L)
                .hasRip(0x1015).hasRsp(0x1f9000);
        SpecialRegisters sregs = run.specialRegisters();
        assertThat(sregs.cr0() & (CR0_PE | CR0_PG)).isEqualTo(CR0_PE | CR0_PG);
        assertThat(sregs.cr4() & CR4_PAE).isEqualTo(CR4_PAE);
        assertThat(sregs.efer() & EFER_LMA).isEqualTo(EFER_LMA);
        assertThat(sregs.cr3()).isEqualTo(0x1fa000);
        assertThat(sregs.cs().selector()).isEqualTo(0x18);
        assertThat(sregs.cs().l()).isTrue();
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, code = CALL_AND_STORE_32)
    void protectedModeCallsThroughTheDefaultStack(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("C");
        assertThat(run).registers().hasRsp(0x1ff000);
        assertThat(run).memoryAt(0x3000, 4).containsExactly(0x44, 0x33, 0x22, 0x11);
        assertThat(run).memoryAt(0x1ff000 - 4, 4).as("the return address").containsExactly(0x05, 0x10, 0, 0);
    }

    @Test
    @DisabledOnPvm
    @KvmGuest(mode = CpuMode.PAGED, code = CALL_AND_STORE_32)
    void pagedModeCallsAndStoresThroughThePageTables(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("C");
        assertThat(run).memoryAt(0x3000, 4).containsExactly(0x44, 0x33, 0x22, 0x11);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, code = CALL_AND_STORE_64)
    void longModeCallsAndStoresThroughThePageTables(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("C");
        assertThat(run).registers().hasRsp(0x1f9000);
        assertThat(run).memoryAt(0x3000, 4).containsExactly(0x44, 0x33, 0x22, 0x11);
        assertThat(run).memoryAt(0x1f9000 - 8, 8).as("the return address").containsExactly(5, 0x10, 0, 0, 0, 0, 0, 0);
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, code = PROTECTED_MMIO_WRITE)
    void protectedModeReachesMmioBelowFourGib(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.mmioWrite(0xd0000000L, 4, 0x2a), VmExit.hlt());
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, code = LONG_MMIO_WRITE)
    void longModeReachesMmioBelowFourGib(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.mmioWrite(0xd0000000L, 4, 0x2a), VmExit.hlt());
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, code = LONG_HELLO, registers = @Registers(r8 = -1))
    void longModeTakesSixtyFourBitInitialRegisters(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).registers().hasR8(-1);
    }

    /** Both backends keep R8–R15 in 32-bit modes: the guest cannot see them, but the host can set and read them. */
    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, code = PROTECTED_HELLO)
    void upperRegistersInThirtyTwoBitModes(KvmVm vm) {
        vm.setRegisters(vm.registers().withR8(5));

        assertThat(vm.registers()).hasR8(5);
    }

    /** Both backends take any segment state from the host: the descriptor cache need not match the GDT. */
    @Test
    @KvmGuest(mode = CpuMode.LONG, code = LONG_HELLO)
    void segmentsThatDifferFromTheGdt(KvmVm vm) {
        SpecialRegisters sregs = vm.specialRegisters();
        vm.setSpecialRegisters(sregs.withFs(sregs.fs().withBase(0x5000)));

        assertThat(vm.specialRegisters().fs().base()).isEqualTo(0x5000);
        assertThat(vm.run()).haltedNormally().hasSerialOutput("L");
    }
}
