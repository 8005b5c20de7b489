package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.SpecialRegisters;
import org.junit.jupiter.api.Test;

/**
 * Mode switches the guest does itself, as boot loaders and kernels do, and the same on both
 * backends: real to protected mode, on to long mode, and from long mode to compatibility mode and
 * back. The compatibility-mode case pins what running kvm-unit-tests on the emulator found wrong
 * (a 16-bit stack after {@code lretq} to a 32-bit code segment).
 */
class GuestModeSwitchTest {
    /** A GDT of flat segments: 0x08 32-bit code, 0x10 data, 0x18 64-bit code, 0x20 16-bit code. */
    private static final String GDT = """
                    .p2align 3
            gdt:    .quad   0
                    .quad   0x00cf9b000000ffff
                    .quad   0x00cf93000000ffff
                    .quad   0x00af9b000000ffff
                    .quad   0x00009b000000ffff
            gdtr:   .word   gdtr - gdt - 1
                    .long   gdt
            """;

    @Test
    @KvmGuest(asm = """
                    cli
                    lgdt    gdtr
                    mov     %cr0, %eax
                    or      $1, %eax
                    mov     %eax, %cr0
                    ljmp    $0x08, $protected
            .code32
            protected:
                    mov     $0x10, %ax
                    mov     %ax, %ds
                    mov     %ax, %ss
                    mov     $0x8000, %esp
                    push    $0x2a
                    pop     %ebx
                    hlt
            """ + GDT)
    void realModeGuestEntersProtectedModeAndHalts(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRbx(0x2a);
        SpecialRegisters sregs = run.specialRegisters();
        assertThat(sregs.cr0() & 1).as("CR0.PE").isEqualTo(1);
        assertThat(sregs.cs().selector()).isEqualTo(0x08);
        assertThat(sregs.cs().db()).as("CS.D").isTrue();
        assertThat(sregs.ss().selector()).isEqualTo(0x10);
        assertThat(sregs.ss().db()).as("SS.B").isTrue();
    }

    @Test
    @KvmGuest(asm = """
                    cli
                    lgdt    gdtr
                    mov     %cr0, %eax
                    or      $1, %eax
                    mov     %eax, %cr0
                    ljmp    $0x08, $protected
            .code32
            protected:
                    mov     $0x10, %ax
                    mov     %ax, %ds
                    mov     %ax, %es
                    mov     %ax, %ss
                    mov     $0x3f8, %dx
                    mov     $'P', %al
                    out     %al, %dx
                    mov     $0x10000, %edi
                    xor     %eax, %eax
                    mov     $3072, %ecx
                    rep stosl
                    movl    $0x11003, 0x10000
                    movl    $0x12003, 0x11000
                    movl    $0x83, 0x12000
                    mov     $0x10000, %eax
                    mov     %eax, %cr3
                    mov     %cr4, %eax
                    or      $0x20, %eax
                    mov     %eax, %cr4
                    mov     $0xc0000080, %ecx
                    rdmsr
                    or      $0x100, %eax
                    wrmsr
                    mov     %cr0, %eax
                    or      $0x80000000, %eax
                    mov     %eax, %cr0
                    ljmp    $0x18, $long
            .code64
            long:
                    mov     $0x3f8, %dx             # RDMSR changed EDX
                    mov     $'L', %al
                    out     %al, %dx
                    movabs  $0x1122334455667788, %rax
                    mov     $0x1234, %r9
                    hlt
            """ + GDT)
    void realModeGuestEntersLongMode(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("PL");
        assertThat(run).registers().hasRax(0x1122334455667788L).hasR9(0x1234);
        SpecialRegisters sregs = run.specialRegisters();
        assertThat(sregs.efer() & 0x500).as("EFER.LME and LMA").isEqualTo(0x500);
        assertThat(sregs.cs().selector()).isEqualTo(0x18);
        assertThat(sregs.cs().l()).as("CS.L").isTrue();
    }

    /**
     * {@code lretq} to the 32-bit code segment enters compatibility mode, whose stack is 32-bit as
     * SS says (the emulator used it as 16-bit: the push went to 0xfffc); a far jump through a
     * 64-bit selector returns to 64-bit mode.
     */
    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    lea     gdt(%rip), %rax
                    mov     %rax, gdtr + 2(%rip)
                    lgdt    gdtr(%rip)
                    mov     $0x10, %ax
                    mov     %ax, %ss
                    mov     $0x20000, %rsp
                    pushq   $0x08
                    lea     compat(%rip), %rax
                    push    %rax
                    lretq
            .code32
            compat:
                    mov     $0x110000, %esp
                    pushl   $0x12345678
                    mov     %esp, %ebx
                    mov     (%esp), %ecx
                    ljmp    $0x18, $back
            .code64
            back:
                    mov     $0x33, %edx
                    hlt
            """ + """
                    .p2align 3
            gdt:    .quad   0
                    .quad   0x00cf9b000000ffff
                    .quad   0x00cf93000000ffff
                    .quad   0x00af9b000000ffff
            gdtr:   .word   gdtr - gdt - 1
                    .quad   0
            """)
    void longModeGuestVisitsCompatibilityModeAndReturns(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRbx(0x10fffc).hasRcx(0x12345678).hasRdx(0x33);
        assertThat(run.specialRegisters().cs().selector()).isEqualTo(0x18);
        assertThat(run.specialRegisters().ss().db()).as("SS.B").isTrue();
    }
}
