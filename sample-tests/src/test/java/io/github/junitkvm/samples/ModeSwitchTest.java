package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import org.junit.jupiter.api.Test;

/**
 * A guest that does what early boot code does: it starts in real mode, loads its own GDT, enters
 * 32-bit protected mode, builds identity page tables, turns on long mode and paging, and jumps to
 * 64-bit code — printing one letter to COM1 at each stage, on both backends.
 */
class ModeSwitchTest {
    @Test
    @KvmGuest(asm = """
                    cli
                    lgdt    gdtr
                    mov     %cr0, %eax
                    or      $1, %eax                # CR0.PE
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
                    mov     $0x10000, %edi          # PML4, PDPT and PD at 0x10000..0x12fff
                    xor     %eax, %eax
                    mov     $3072, %ecx
                    rep stosl
                    movl    $0x11003, 0x10000       # PML4[0] -> PDPT, present and writable
                    movl    $0x12003, 0x11000       # PDPT[0] -> PD
                    movl    $0x83, 0x12000          # PD[0]: the first 2 MiB, a large page
                    mov     $0x10000, %eax
                    mov     %eax, %cr3
                    mov     %cr4, %eax
                    or      $0x20, %eax             # CR4.PAE
                    mov     %eax, %cr4
                    mov     $0xc0000080, %ecx       # EFER.LME (RDMSR/WRMSR use EDX:EAX)
                    rdmsr
                    or      $0x100, %eax
                    wrmsr
                    mov     %cr0, %eax
                    or      $0x80000000, %eax       # CR0.PG: long mode is active
                    mov     %eax, %cr0
                    ljmp    $0x18, $long
            .code64
            long:
                    mov     $0x3f8, %dx
                    mov     $'L', %al
                    out     %al, %dx
                    movabs  $0x1122334455667788, %rax
                    hlt
                    .p2align 3
            gdt:    .quad   0
                    .quad   0x00cf9a000000ffff      # 0x08: 32-bit code
                    .quad   0x00cf92000000ffff      # 0x10: data
                    .quad   0x00af9a000000ffff      # 0x18: 64-bit code
            gdtr:   .word   gdtr - gdt - 1
                    .long   gdt
            """)
    void bootsFromRealModeIntoLongMode(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("PL");
        assertThat(run).registers().hasRax(0x1122334455667788L);
        assertThat(run.specialRegisters().efer() & 0x400).as("EFER.LMA").isEqualTo(0x400);
    }
}
