package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static io.github.junitkvm.testsupport.IdtGates.SET_GATE_64;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.Cpuid;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.VmExit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The contract of CPUID and MSRs, the same on every backend: the leaves a test sets are what the
 * guest's {@code CPUID} reads, the vCPU never reports what the machine does not model, a test's
 * handlers serve {@code RDMSR} and {@code WRMSR} with the value in {@code EDX:EAX}, and an access
 * the MSR's handlers do not serve raises #GP through the guest's IDT.
 */
class CpuidAndMsrTest {
    private static final int X2APIC = 1 << 21;
    private static final int TSC_DEADLINE = 1 << 24;
    private static final int APIC = 1 << 9;
    /** {@code "KVMK"}, the start of KVM's paravirtual signature in leaf 0x40000000's EBX. */
    private static final long KVM_SIGNATURE = 0x4b4d564bL;
    private static final long SYSENTER_CS = 0x174;
    private static final long MADE_UP_MSR = 0x12345;

    /** Loads the IDT of {@link #GP_HANDLER_32}, counts #GPs in EBP from 0 and names {@link #MADE_UP_MSR} in ECX. */
    private static final String WITH_GP_HANDLER_32 = """
                    mov     $0x8000, %esp
                    lidt    idtr
                    xor     %ebp, %ebp
                    mov     $0x12345, %ecx
            """;

    /** An IDT whose gate 13 leads to the handler {@code gp}, which skips the 2-byte instruction. */
    private static final String GP_HANDLER_32 = """
                    .balign 8
            idt:    .fill   13*8, 1, 0
                    .word   gp, 0x08, 0x8e00, 0
            idtr:   .word   14*8-1
                    .long   idt
            gp:     pop     %edi            # the error code
                    addl    $2, (%esp)
                    incl    %ebp            # one #GP more
                    iret
            """;

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, cpuid = {
            @Cpuid(leaf = 1, eax = 0x000906ea, ebx = 0x00010800, ecx = 0x00000201, edx = 0x078bfbff),
            @Cpuid(leaf = 0x80000002, eax = 0x4b4d564a, ebx = 0x2d74696e, ecx = 0x4d56, edx = 0)},
            asm = """
                    mov     $1, %eax
                    cpuid
                    mov     %eax, %esi
                    mov     %ebx, %edi
                    mov     %ecx, %ebp
                    mov     %edx, %esp
                    mov     $0x80000002, %eax
                    cpuid
                    hlt
            """)
    void theGuestReadsTheLeavesTheTestSet(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRsi(0x000906ea).hasRdi(0x00010800).hasRbp(0x00000201).hasRsp(0x078bfbff)
                .hasRax(0x4b4d564a).hasRbx(0x2d74696e).hasRcx(0x4d56).hasRdx(0);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, cpuid = {
            @Cpuid(leaf = 7, subleaf = 1, eax = 0x11, ebx = 0x22, ecx = 0x33, edx = 0x44),
            @Cpuid(leaf = 4, eax = 0x1234)},
            asm = """
                    mov     $0x123456789, %rax # CPUID clears the upper halves
                    mov     %rax, %rbx
                    mov     %rax, %rdx
                    mov     $7, %eax
                    mov     $1, %ecx
                    cpuid
                    mov     %rax, %r8
                    mov     %rbx, %r9
                    mov     %rcx, %r10
                    mov     %rdx, %r11
                    mov     $4, %eax
                    mov     $3, %ecx        # any subleaf: the test set them all
                    cpuid
                    hlt
            """)
    void aSubleafIsSetAloneAndALeafWithoutOneAnswersEverySubleaf(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).registers().hasR8(0x11).hasR9(0x22).hasR10(0x33).hasR11(0x44).hasRax(0x1234);
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov     $1, %eax
                    cpuid
                    mov     %ecx, %esi
                    mov     %edx, %edi
                    mov     $0x40000000, %eax
                    cpuid
                    hlt
            """)
    void theVcpuReportsNoApicTheMachineDoesNotModel(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run.registers().rsi() & (X2APIC | TSC_DEADLINE)).as("x2APIC and TSC deadline").isZero();
        assertThat(run.registers().rdi() & APIC).as("APIC").isZero();
        assertThat(run.registers().rbx()).as("KVM's paravirtual signature").isNotEqualTo(KVM_SIGNATURE);
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov     $0x174, %ecx    # SYSENTER_CS: the backend has it, the test takes it
                    mov     $0x11223344, %eax
                    mov     $0x55667788, %edx
                    wrmsr
                    rdmsr
                    mov     %eax, %esi
                    mov     %edx, %edi
                    mov     $0x12345, %ecx  # no backend has it
                    rdmsr
                    mov     %eax, %ebx
                    hlt
            """)
    void handlersServeReadsAndWritesInEdxEax(KvmVm vm) {
        List<Long> written = new ArrayList<>();
        List<Long> ecxAtTheExit = new ArrayList<>();
        vm.onMsrWrite(SYSENTER_CS, (index, value) -> written.add(value));
        vm.onMsrRead(SYSENTER_CS, index -> 0xaabbccdd_eeff0011L);
        vm.onMsrRead(MADE_UP_MSR, index -> {
            ecxAtTheExit.add(vm.registers().rcx());
            return 7;
        });

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(written).containsExactly(0x55667788_11223344L);
        assertThat(ecxAtTheExit).containsExactly(MADE_UP_MSR);
        assertThat(run).registers().hasRsi(0xeeff0011L).hasRdi(0xaabbccddL).hasRbx(7).hasRdx(0);
        assertThat(run.exits()).containsExactly(VmExit.msrWrite(SYSENTER_CS, 0x55667788_11223344L),
                VmExit.msrRead(SYSENTER_CS), VmExit.msrRead(MADE_UP_MSR), VmExit.hlt());
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = WITH_GP_HANDLER_32 + """
                    xor     %edi, %edi
                    wrmsr                   # the handler serves reads only: #GP(0)
                    rdmsr
                    mov     %eax, %ebx
                    hlt
            """ + GP_HANDLER_32)
    void anAccessTheHandlersDoNotServeRaisesGeneralProtectionInProtectedMode(KvmVm vm) {
        vm.onMsrRead(MADE_UP_MSR, index -> 0x42);
        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRbp(1).hasRdi(0).hasRbx(0x42);
        assertThat(run.exits()).extracting(VmExit::reason)
                .containsExactly(ExitReason.MSR_WRITE, ExitReason.MSR_READ, ExitReason.HLT);
        assertThat(run.exits().get(0).detail()).startsWith("#GP");
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    mov     $0x7ff8, %rsp
                    lea     idt+13*16(%rip), %rdi
                    lea     gp(%rip), %rbx
                    call    setgate
                    lidt    idtr(%rip)
                    mov     $0x12345, %ecx
            fault:  rdmsr                   # the handler serves writes only: #GP(0)
                    hlt
            gp:     pop     %rdi
                    pop     %rsi            # the pushed RIP: the RDMSR
                    lea     fault(%rip), %rbp
                    hlt
            """ + SET_GATE_64 + """
                    .balign 16
            idt:    .fill   14*16, 1, 0
            idtr:   .word   14*16-1
                    .quad   idt
            """)
    void anAccessTheHandlersDoNotServeRaisesGeneralProtectionInLongMode(KvmVm vm) {
        vm.onMsrWrite(MADE_UP_MSR, (index, value) -> { });
        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRdi(0).hasRsi(run.registers().rbp());
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov     $0x12345, %ecx
                    rdmsr
                    mov     %eax, %ebx
                    hlt
            """)
    void aHandlerThatStopsTheRunLetsItsInstructionComplete(KvmVm vm) {
        vm.onMsrRead(MADE_UP_MSR, index -> {
            vm.stopRun("seen");
            return 0x99;
        });
        GuestRun run = vm.run();

        assertThat(run).stoppedWith(ExitReason.STOPPED);
        assertThat(run).registers().hasRax(0x99).hasRip(0x1007);
    }

    /**
     * An MSR that neither a handler nor the backend serves raises #GP on KVM, as on a CPU; Unicorn
     * has no hook on {@code RDMSR} and reads 0 for every MSR it does not know (docs/backends.md, the
     * emulator's differences).
     */
    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = WITH_GP_HANDLER_32 + """
                    mov     $0x5a5a, %eax
                    rdmsr
                    mov     %eax, %ebx
                    hlt
            """ + GP_HANDLER_32)
    void anMsrNoOneServesRaisesGeneralProtectionOnKvmOnly(GuestRun run) {
        assertThat(run).haltedNormally();
        if (run.backend() == Backend.KVM) {
            assertThat(run).registers().hasRbp(1).hasRbx(0x5a5a);
        } else {
            assertThat(run).registers().hasRbp(0).hasRbx(0);
        }
        assertThat(run.exits()).containsExactly(VmExit.hlt());
    }

    /** The guide's examples (docs/devices-and-handlers.md), verbatim. */
    // tag::cpuid[]
    @Test
    @KvmGuest(mode = CpuMode.PROTECTED,
            cpuid = {@Cpuid(leaf = 1, eax = 0x906ea, ecx = 0x201, edx = 0x78bfbff),
                     @Cpuid(leaf = 7, subleaf = 1, eax = 0x10)},   // subleaf 0 stays the backend's
            asm = "mov $1, %eax; cpuid; hlt")
    void sees(GuestRun run) {
        assertThat(run).haltedNormally().registers().hasRax(0x906ea).hasRcx(0x201);
    }
    // end::cpuid[]

    // tag::msr[]
    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
            mov  $0xc0010000, %ecx
            rdmsr               # EDX:EAX = 0x1_00000002
            wrmsr               # to the handler
            hlt
            """)
    void msr(KvmVm vm) {
        List<Long> written = new ArrayList<>();
        vm.onMsrRead(0xc0010000L, index -> 0x1_00000002L)
                .onMsrWrite(0xc0010000L, (index, value) -> written.add(value));
        assertThat(vm.run()).haltedNormally().registers().hasRax(2).hasRdx(1);
        assertThat(written).containsExactly(0x1_00000002L);
    }
    // end::msr[]
}
