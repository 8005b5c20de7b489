package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.Segment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Deliveries that change privilege, as an operating system's are: from ring 3 to a ring-0 handler
 * on the stack the TSS names for ring 0 (SS0:ESP0 of a 32-bit TSS, RSP0 of a 64-bit one) with the
 * interrupted SS:ESP pushed, IST stacks, the DPL check of {@code INT n}, a handler's code segment
 * from the LDT, and the guest's tables and stack reached through its page tables, a page they do
 * not map being a page fault. The same guest runs on both backends, with the same result.
 */
class PrivilegedDeliveryTest {
    /**
     * Protected mode: {@code tables} loads the GDT below (ring-0 code 0x08 and data 0x10, ring-3
     * code 0x1b and data 0x23, the TSS 0x28 at {@code tss}, an LDT 0x30 at {@code ldt}), TR, LDTR
     * and the IDT; {@code enter3} does, then enters ring 3 at {@code user} with ESP 0x6000.
     */
    private static final String ENTER_RING_3_32 = """
            tables: mov     $tss, %eax
                    mov     %ax, gdt+0x28+2
                    shr     $16, %eax
                    mov     %al, gdt+0x28+4
                    mov     %ah, gdt+0x28+7
                    mov     $ldt, %eax
                    mov     %ax, gdt+0x30+2
                    shr     $16, %eax
                    mov     %al, gdt+0x30+4
                    mov     %ah, gdt+0x30+7
                    lgdt    gdtr
                    mov     $0x28, %ax
                    ltr     %ax
                    mov     $0x30, %ax
                    lldt    %ax
                    lidt    idtr
                    ret
            enter3: call    tables
                    push    $0x23
                    push    $0x6000
                    pushf
                    push    $0x1b
                    push    $user
                    iret
                    .balign 8
            gdt:    .quad   0
                    .quad   0x00cf9b000000ffff      # 0x08: ring-0 code
                    .quad   0x00cf93000000ffff      # 0x10: ring-0 data
                    .quad   0x00cffb000000ffff      # 0x18: ring-3 code
                    .quad   0x00cff3000000ffff      # 0x20: ring-3 data
                    .quad   0x0000890000000067      # 0x28: the TSS, base set above
                    .quad   0x0000820000000007      # 0x30: the LDT, one descriptor, base set above
            gdtr:   .word   7*8-1
                    .long   gdt
            ldt:    .quad   0x00cf9b000000ffff      # 0x04: ring-0 code, from the LDT
            tss:    .long   0
                    .long   0x7000                  # ESP0
                    .long   0x10                    # SS0
                    .fill   0x68-12, 1, 0
            """;

    /** Sets the protected-mode IDT gate for vector %eax to handler %ebx, selector %dx, type and flags %cx. */
    private static final String SET_GATE_32 = """
            setgate: lea     idt(,%eax,8), %edi
                     mov     %bx, (%edi)
                     mov     %dx, 2(%edi)
                     mov     %cx, 4(%edi)
                     shr     $16, %ebx
                     mov     %bx, 6(%edi)
                     ret
                     .balign 8
            idt:     .fill   0x81*8, 1, 0
            idtr:    .word   0x81*8-1
                     .long   idt
            """;

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov     $0x8000, %esp
                    mov     $0x80, %eax
                    mov     $handler, %ebx
                    mov     $0x04, %dx      # the LDT's code segment
                    mov     $0xee00, %cx    # DPL 3: ring 3 may use it
                    call    setgate
                    jmp     enter3
            user:   int     $0x80
            after:  hlt
            handler:
                    mov     %esp, %ebp
                    mov     (%esp), %edi    # EIP, after the INT
                    sub     $after, %edi
                    mov     4(%esp), %esi   # CS, ring 3's
                    mov     12(%esp), %ecx  # ESP, ring 3's
                    mov     16(%esp), %edx  # SS, ring 3's
                    mov     %ss, %ebx
                    mov     %cs, %eax
                    hlt
            """ + ENTER_RING_3_32 + SET_GATE_32)
    void ringThreeEntersARingZeroHandlerOnTheTssStack(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRbp(0x7000 - 20).hasRdi(0).hasRsi(0x1b).hasRcx(0x6000).hasRdx(0x23)
                .hasRbx(0x10).hasRax(0x04);
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov     $0x8000, %esp
                    mov     $13, %eax
                    mov     $gp, %ebx
                    mov     $0x08, %dx
                    mov     $0x8e00, %cx    # DPL 0: an exception reaches it from any ring
                    call    setgate
                    mov     $0x41, %eax
                    mov     $never, %ebx
                    mov     $0x08, %dx
                    mov     $0x8e00, %cx    # DPL 0: INT 0x41 from ring 3 may not use it
                    call    setgate
                    jmp     enter3
            user:   int     $0x41
            never:  hlt
            gp:     pop     %edi            # the error code: vector 0x41, IDT
                    mov     (%esp), %esi    # EIP: the INT
                    sub     $user, %esi
                    mov     4(%esp), %ecx   # CS, ring 3's
                    mov     %esp, %ebp
                    hlt
            """ + ENTER_RING_3_32 + SET_GATE_32)
    void intFromRingThreeThroughAPrivilegedGateIsAGeneralProtectionFault(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRdi(0x41 * 8 + 2).hasRcx(0x1b).hasRbp(0x7000 - 20);
        // The CPU reports the fault at the INT (the emulator does); KVM nested in QEMU's SVM, which
        // intercepts #GP there and injects the INT again, pushes the EIP after it.
        assertThat(run.registers().rsi()).as("the pushed EIP, from the INT").isIn(0L, 2L);
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov     $0x8000, %esp
                    call    tables
                    mov     $tss, %esi
                    mov     $ldt, %edi
                    hlt
            user:   hlt                     # enter3's label, unused here
            """ + ENTER_RING_3_32 + SET_GATE_32)
    void theTaskAndLdtRegistersAreAsTheGuestLoadedThem(GuestRun run) {
        assertThat(run).haltedNormally();
        Segment tr = run.specialRegisters().tr();
        Segment ldt = run.specialRegisters().ldt();
        assertThat(List.of(tr.selector(), tr.base(), (long) tr.limit(), (long) tr.type())).as("TR")
                .containsExactly(0x28, run.registers().rsi(), 0x67L, 0xbL);
        assertThat(List.of(ldt.selector(), ldt.base(), (long) ldt.limit(), (long) ldt.type())).as("LDTR")
                .containsExactly(0x30, run.registers().rdi(), 7L, 2L);
    }

    /**
     * Long mode: {@code tables} makes the first 2 MiB a user page, loads the GDT below (ring-0 code
     * 0x08, data 0x10, ring-3 data 0x1b and 64-bit code 0x23, the 64-bit TSS 0x28 at {@code tss}),
     * TR and the IDT; {@code enter3} does, then enters ring 3 at {@code user} with RSP 0x6000.
     */
    private static final String ENTER_RING_3_64 = """
            tables: mov     %cr3, %rax
                    orq     $4, (%rax)              # PML4[0], PDPT[0], PD[0]: user pages
                    mov     (%rax), %rbx
                    and     $-4096, %rbx
                    orq     $4, (%rbx)
                    mov     (%rbx), %rcx
                    and     $-4096, %rcx
                    orq     $4, (%rcx)
                    mov     %rax, %cr3
                    lea     tss(%rip), %rax
                    mov     %ax, gdt+0x28+2(%rip)
                    shr     $16, %rax
                    mov     %al, gdt+0x28+4(%rip)
                    mov     %ah, gdt+0x28+7(%rip)
                    shr     $16, %rax
                    mov     %eax, gdt+0x28+8(%rip)
                    lgdt    gdtr(%rip)
                    mov     $0x28, %ax
                    ltr     %ax
                    lidt    idtr(%rip)
                    ret
            enter3: call    tables
                    push    $0x1b
                    push    $0x6000
                    pushf
                    push    $0x23
                    lea     user(%rip), %rax
                    push    %rax
                    iretq
                    .balign 8
            gdt:    .quad   0
                    .quad   0x00af9b000000ffff      # 0x08: ring-0 64-bit code
                    .quad   0x00cf93000000ffff      # 0x10: ring-0 data
                    .quad   0x00cff3000000ffff      # 0x18: ring-3 data
                    .quad   0x00affb000000ffff      # 0x20: ring-3 64-bit code
                    .quad   0x0000890000000067      # 0x28: the TSS, base set above
                    .quad   0
            gdtr:   .word   7*8-1
                    .quad   gdt
                    .balign 8
            tss:    .long   0
                    .quad   0x7008                  # RSP0, aligned down to 0x7000 by the CPU
                    .quad   0, 0, 0
                    .quad   0x5000                  # IST1
                    .fill   0x68-0x2c, 1, 0
            """;

    /** Sets the long-mode IDT gate for vector %rax to handler %rbx, selector 0x08, type and flags %cx. */
    private static final String SET_GATE_64 = """
            setgate: shl     $4, %rax
                     lea     idt(%rip), %rdi
                     add     %rax, %rdi
                     mov     %bx, (%rdi)
                     movw    $0x08, 2(%rdi)
                     mov     %cx, 4(%rdi)
                     shr     $16, %rbx
                     mov     %bx, 6(%rdi)
                     shr     $16, %rbx
                     mov     %ebx, 8(%rdi)
                     ret
                     .balign 16
            idt:     .fill   0x81*16, 1, 0
            idtr:    .word   0x81*16-1
                     .quad   idt
            """;

    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    mov     $0x8000, %rsp
                    mov     $0x80, %eax
                    lea     syscall(%rip), %rbx
                    mov     $0xee00, %cx    # DPL 3
                    call    setgate
                    mov     $0x41, %eax
                    lea     ist(%rip), %rbx
                    mov     $0x8e01, %cx    # IST1
                    call    setgate
                    jmp     enter3
            user:   int     $0x80
            after:  hlt
            syscall:
                    mov     %rsp, %rbp
                    mov     (%rsp), %rdi    # RIP, after the INT
                    lea     after(%rip), %rax
                    sub     %rax, %rdi
                    mov     8(%rsp), %rsi   # CS, ring 3's
                    mov     24(%rsp), %rcx  # RSP, ring 3's
                    mov     32(%rsp), %rdx  # SS, ring 3's
                    mov     %ss, %ebx       # a null selector of ring 0
                    int     $0x41
            ist:    mov     %rsp, %r8
                    mov     24(%rsp), %r9   # RSP, the ring-0 stack's
                    hlt
            """ + ENTER_RING_3_64 + SET_GATE_64)
    void ringThreeEntersARingZeroHandlerOnRspZeroAndAnIstStack(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRbp(0x7000 - 40).hasRdi(0).hasRsi(0x23).hasRcx(0x6000)
                .hasRdx(0x1b).hasRbx(0).hasR8(0x5000 - 40).hasR9(0x7000 - 40);
    }

    /**
     * The stack is where the page tables map nothing: pushing the frame is a page fault, whose
     * delivery faults again on the same stack, which is a double fault, delivered on an IST stack.
     */
    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    mov     $0x8000, %rsp
                    mov     $8, %eax
                    lea     double(%rip), %rbx
                    mov     $0x8e01, %cx    # IST1
                    call    setgate
                    mov     $14, %eax
                    lea     never(%rip), %rbx
                    mov     $0x8e00, %cx
                    call    setgate
                    mov     $0x40, %eax
                    lea     never(%rip), %rbx
                    mov     $0x8e00, %cx
                    call    setgate
                    call    tables
                    mov     $0x100001000, %rsp
            user:   int     $0x40           # enter3's label, unused here
            never:  hlt
            double: pop     %rdi            # the error code, 0
                    mov     %cr2, %rsi
                    mov     8(%rsp), %rcx   # CS, the extension's (the pushed RIP of a #DF is undefined)
                    mov     24(%rsp), %rdx  # RSP, unmapped
                    mov     %rsp, %rbp
                    hlt
            """ + ENTER_RING_3_64 + SET_GATE_64)
    void aStackThePageTablesDoNotMapIsAPageFaultThenADoubleFault(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRdi(0).hasRsi(0x100000ff8L).hasRcx(0x18).hasRdx(0x100001000L)
                .hasRbp(0x5000 - 40);
    }

    /**
     * The IDT and the stack at virtual addresses the page tables map elsewhere: the second 2 MiB
     * page maps the first one's RAM again, so the delivery reads the gate and writes the frame at
     * physical addresses 2 MiB below the virtual ones, and marks the page dirty.
     */
    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    mov     $0x8000, %rsp
                    call    tables
                    mov     $0x40, %eax
                    lea     handler(%rip), %rbx
                    mov     $0x8e00, %cx
                    call    setgate
                    mov     %cr3, %rax
                    mov     (%rax), %rbx
                    and     $-4096, %rbx
                    mov     (%rbx), %rcx
                    and     $-4096, %rcx    # the page directory
                    mov     (%rcx), %rdx
                    and     $~0x60, %rdx    # not accessed, not dirty
                    mov     %rdx, 8(%rcx)   # virtual 2 MiB: physical 0, as virtual 0
                    mov     %rax, %cr3
                    lea     idt+0x200000(%rip), %rax
                    mov     %rax, idtr+2(%rip)
                    lidt    idtr(%rip)
                    mov     $0x207000, %rsp
            user:   int     $0x40           # enter3's label, unused here
            after:  hlt
            handler:
                    mov     %rsp, %rbp
                    lea     after(%rip), %rsi
                    hlt
            """ + ENTER_RING_3_64 + SET_GATE_64)
    void theIdtAndTheStackAreReachedThroughThePageTables(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRbp(0x207000 - 40);
        assertThat(run.memory().readLong(0x7000 - 40)).as("the pushed RIP, in physical memory").isEqualTo(
                run.registers().rsi());
        assertThat(run.memory().readLong(run.registers().rcx() + 8) & 0x60).as("the mapping's accessed and dirty"
                + " bits").isEqualTo(0x60);
    }
}
