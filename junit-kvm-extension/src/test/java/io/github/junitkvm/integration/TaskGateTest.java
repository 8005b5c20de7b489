package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import org.junit.jupiter.api.Test;

/**
 * A task gate in the IDT: the CPU saves the interrupted task in its TSS, switches to the gate's
 * task (its registers, segments and flags from the new TSS, with the back link and NT set, TR on
 * the new TSS, both marked busy), and the handler's {@code IRET} switches back.
 */
class TaskGateTest {
    private static final long NT = 1 << 14;
    private static final long BUSY = 1L << 41;

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov     $0x8000, %esp
                    mov     $tss0, %eax
                    mov     %ax, gdt+0x18+2
                    shr     $16, %eax
                    mov     %al, gdt+0x18+4
                    mov     $tss1, %eax
                    mov     %ax, gdt+0x20+2
                    shr     $16, %eax
                    mov     %al, gdt+0x20+4
                    lgdt    gdtr
                    mov     $0x18, %ax
                    ltr     %ax
                    movw    $0x20, idt+0x40*8+2     # the gate's TSS selector
                    movw    $0x8500, idt+0x40*8+4   # present task gate
                    lidt    idtr
                    mov     $0x1111, %ebx           # kept in the interrupted task's TSS
                    mov     $0x2222, %ebp
                    int     $0x40
            back:   mov     flags, %esi
                    mov     tr, %edi
                    mov     link, %ecx
                    mov     $0x3f8, %dx
                    mov     $'B', %al
                    out     %al, %dx
                    hlt
            task:   mov     $0x3f8, %dx
                    mov     $'T', %al
                    out     %al, %dx
                    pushf
                    pop     flags
                    str     tr
                    mov     tss1, %eax
                    mov     %eax, link
                    mov     %esp, %ebx              # the new task's, lost when it switches back
                    iret
                    .balign 8
            gdt:    .quad   0
                    .quad   0x00cf9b000000ffff      # 0x08: code
                    .quad   0x00cf93000000ffff      # 0x10: data
                    .quad   0x0000890000000067      # 0x18: the first task's TSS
                    .quad   0x0000890000000067      # 0x20: the gate's TSS
            gdtr:   .word   5*8-1
                    .long   gdt
            flags:  .long   0
            tr:     .long   0
            link:   .long   0
                    .balign 8
            idt:    .fill   0x41*8, 1, 0
            idtr:   .word   0x41*8-1
                    .long   idt
            tss0:   .fill   0x68, 1, 0
            tss1:   .long   0                       # the back link, set by the switch
                    .fill   7, 4, 0                 # ESP0 to CR3
                    .long   task                    # EIP
                    .long   2                       # EFLAGS
                    .fill   4, 4, 0                 # EAX, ECX, EDX, EBX
                    .long   0x6000                  # ESP
                    .fill   3, 4, 0                 # EBP, ESI, EDI
                    .long   0x10, 0x08, 0x10, 0x10, 0x10, 0x10    # ES, CS, SS, DS, FS, GS
                    .long   0                       # LDT
                    .long   0x00680000              # I/O map beyond the limit
            """)
    void anInterruptThroughATaskGateSwitchesTasksAndIretSwitchesBack(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("TB");
        assertThat(run.registers().rsi() & NT).as("NT in the gate's task").isEqualTo(NT);
        assertThat(run).registers().hasRdi(0x20).hasRcx(0x18).hasRbx(0x1111).hasRbp(0x2222).hasRsp(0x8000);
        assertThat(run.specialRegisters().tr().selector()).as("TR after IRET").isEqualTo(0x18);
        long gdt = run.specialRegisters().gdt().base();
        assertThat(run.memory().readLong(gdt + 0x18) & BUSY).as("the first task's TSS, busy again").isEqualTo(BUSY);
        assertThat(run.memory().readLong(gdt + 0x20) & BUSY).as("the gate's TSS, free again").isZero();
    }
}
