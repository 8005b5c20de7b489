package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static io.github.junitkvm.testsupport.IdtGates.SET_GATE_32;
import static io.github.junitkvm.testsupport.IdtGates.SET_GATE_64;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.testsupport.LoadedUnicorn;
import org.junit.jupiter.api.Test;

/**
 * Guests that install their own interrupt handlers, in the IVT in real mode and the IDT in
 * protected and long mode, and use them: the CPU delivers software interrupts and exceptions
 * through them, with the frame, flags and error codes a CPU pushes, on both backends alike.
 */
class InterruptDeliveryTest {
    private static final long IF = 1 << 9;


    @Test
    @KvmGuest(asm = """
                    xor     %ax, %ax
                    mov     %ax, %ds
                    movw    $handler, 0x42*4
                    movw    $0, 0x42*4+2
                    mov     $0x7000, %sp
                    sti
                    int     $0x42
                    pushf
                    pop     %cx             # IF again, restored by IRET
                    mov     %sp, %si        # the whole frame popped
                    mov     $0x3f8, %dx
                    mov     $'B', %al
                    out     %al, %dx
                    hlt
            handler:
                    pushf
                    pop     %bx             # IF cleared by the delivery
                    mov     $0x3f8, %dx
                    mov     $'A', %al
                    out     %al, %dx
                    iret
            """)
    void aRealModeGuestHooksItsOwnSoftwareInterrupt(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("AB");
        assertThat(run.registers().rbx() & IF).as("IF in the handler").isZero();
        assertThat(run.registers().rcx() & IF).as("IF after IRET").isEqualTo(IF);
        assertThat(run).registers().hasRsi(0x7000);
    }

    @Test
    @KvmGuest(asm = """
                    xor     %ax, %ax
                    mov     %ax, %ds
                    mov     $handler, %cx
                    shr     $4, %cx
                    dec     %cx             # handler = segment:0x10, a segment other than CS
                    movw    $0x10, 0x42*4
                    mov     %cx, 0x42*4+2
                    mov     $0x7000, %sp
                    int     $0x42
                    mov     %sp, %si
                    mov     $0x3f8, %dx
                    mov     $'B', %al
                    out     %al, %dx
                    hlt
                    .balign 16
            handler:
                    mov     %cs, %bx
                    call    here            # 2 + 3 bytes in: IP 0x15
            here:   pop     %di
                    mov     $0x3f8, %dx
                    mov     $'A', %al
                    out     %al, %dx
                    iret
            """)
    void aRealModeHandlerRunsInItsOwnSegment(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("AB");
        assertThat(run.registers().rbx()).as("CS in the handler").isNotZero().isEqualTo(run.registers().rcx());
        assertThat(run).registers().hasRdi(0x15).hasRsi(0x7000);
    }

    @Test
    @KvmGuest(asm = """
                    xor     %ax, %ax
                    mov     %ax, %ds
                    movw    $divide, 0*4
                    movw    $0, 0*4+2
                    movw    $overflow, 4*4
                    movw    $0, 4*4+2
                    mov     $0x7000, %sp
                    mov     $5, %ax
                    xor     %bl, %bl
                    div     %bl             # #DE: the handler skips these two bytes
                    mov     %ax, %si
                    mov     $0x7f, %cl
                    add     $1, %cl         # OF
                    into
                    mov     $0x3f8, %dx
                    mov     $'E', %al
                    out     %al, %dx
                    hlt
            divide: push    %bp
                    mov     %sp, %bp
                    addw    $2, 2(%bp)
                    pop     %bp
                    push    %ax
                    mov     $0x3f8, %dx
                    mov     $'D', %al
                    out     %al, %dx
                    pop     %ax
                    iret
            overflow:
                    mov     $0x3f8, %dx
                    mov     $'O', %al
                    out     %al, %dx
                    iret
            """)
    void aRealModeGuestHandlesADivideErrorAndAnOverflow(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("DOE");
        assertThat(run).registers().hasRsi(5);
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov     $0x8000, %esp
                    mov     $13, %eax
                    mov     $gp, %ebx
                    mov     $0x8e00, %cx    # interrupt gate
                    call    setgate
                    mov     $0x40, %eax
                    mov     $trap, %ebx
                    mov     $0x8f00, %cx    # trap gate
                    call    setgate
                    lidt    idtr
                    sti
                    int     $0x40
                    mov     $0x1230, %ax
                    mov     %ax, %ds        # beyond the GDT: #GP(0x1230), the handler skips it
                    mov     %esp, %ebp
                    hlt
            trap:   pushf
                    pop     %esi            # a trap gate keeps IF
                    iret
            gp:     pop     %edi            # the error code
                    pushf
                    pop     %ecx            # an interrupt gate clears IF
                    addl    $2, (%esp)
                    iret
            """ + SET_GATE_32 + """
                    .balign 8
            idt:    .fill   0x41*8, 1, 0
            idtr:   .word   0x41*8-1
                    .long   idt
            """)
    void aProtectedModeGuestHasInterruptAndTrapGates(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run.registers().rsi() & IF).as("IF in the trap gate's handler").isEqualTo(IF);
        assertThat(run.registers().rcx() & IF).as("IF in the interrupt gate's handler").isZero();
        assertThat(run).registers().hasRdi(0x1230).hasRbp(0x8000);
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov     $0x8000, %esp
                    lgdt    gdtr
                    lea     idt+0x40*8, %edi
                    mov     $handler-0x100, %eax
                    mov     %ax, (%edi)
                    movw    $0x18, 2(%edi)  # not the interrupted code's CS (0x08)
                    movw    $0x8e00, 4(%edi)
                    shr     $16, %eax
                    mov     %ax, 6(%edi)
                    lidt    idtr
                    xor     %ebx, %ebx
                    int     $0x40
                    mov     %esp, %ebp
                    mov     $0x3f8, %dx
                    mov     $'B', %al
                    out     %al, %dx
                    hlt
            handler:
                    mov     %cs, %bx
                    call    here
            here:   pop     %edi            # EIP of here, in the handler's segment
                    mov     $here, %esi
                    sub     %edi, %esi      # the handler's segment base
                    mov     $0x3f8, %dx
                    mov     $'A', %al
                    out     %al, %dx
                    iret
                    .balign 8
            gdt:    .quad   0
                    .quad   0x00cf9b000000ffff      # 0x08: flat 32-bit code, as the extension's
                    .quad   0x00cf93000000ffff      # 0x10: flat data
                    .quad   0x00cf9b000100ffff      # 0x18: 32-bit code at base 0x100
            gdtr:   .word   4*8-1
                    .long   gdt
                    .balign 8
            idt:    .fill   0x41*8, 1, 0
            idtr:   .word   0x41*8-1
                    .long   idt
            """)
    void aProtectedModeGateLoadsItsOwnCodeSegment(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("AB");
        assertThat(run).registers().hasRbx(0x18).hasRsi(0x100).hasRbp(0x8000);
        assertThat(run.specialRegisters().cs().selector()).as("CS after IRET").isEqualTo(0x08);
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov     $0x8000, %esp
                    mov     $8, %eax
                    mov     $double, %ebx
                    mov     $0x8e00, %cx
                    call    setgate
                    lidt    idtr
                    int     $0x41           # not present: #NP, whose gate is not present either: #DF
                    hlt
            double: pop     %edi            # the error code, 0
                    mov     %esp, %esi
                    mov     $0x3f8, %dx
                    mov     $'D', %al
                    out     %al, %dx
                    hlt
            """ + SET_GATE_32 + """
                    .balign 8
            idt:    .fill   0x42*8, 1, 0
            idtr:   .word   0x42*8-1
                    .long   idt
            """)
    void aMissingGateEndsInTheGuestsDoubleFaultHandler(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("D");
        assertThat(run).registers().hasRdi(0).hasRsi(0x8000 - 12);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    mov     $0x7ff8, %rsp   # not 16-byte aligned: the CPU aligns it
                    lea     idt+13*16(%rip), %rdi
                    lea     gp(%rip), %rbx
                    call    setgate
                    lidt    idtr(%rip)
                    mov     $0x1230, %ax
                    mov     %ax, %ds        # beyond the GDT: #GP(0x1230)
                    hlt
            gp:     pop     %rdi
                    mov     %rsp, %rbp
                    mov     16(%rsp), %rcx  # the pushed RFLAGS
                    mov     24(%rsp), %rdx  # the pushed RSP
                    hlt
            """ + SET_GATE_64 + """
                    .balign 16
            idt:    .fill   14*16, 1, 0
            idtr:   .word   14*16-1
                    .quad   idt
            """)
    void aLongModeGuestHandlesAGeneralProtectionFault(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRdi(0x1230).hasRdx(0x7ff8).hasRbp(0x7ff0 - 40);
        assertThat(run.registers().rcx() & IF).as("pushed RFLAGS.IF").isZero();
    }

    /**
     * A page fault's handler learns the address from CR2 and why from the error code, as a kernel's
     * does: here a write to an address beyond the extension's page tables (not present, write).
     */
    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    mov     $0x7ff8, %rsp
                    lea     idt+14*16(%rip), %rdi
                    lea     pf(%rip), %rbx
                    call    setgate
                    lidt    idtr(%rip)
                    mov     $0x100000000, %rax
                    lea     fault(%rip), %rbp
            fault:  movl    $1, (%rax)
                    hlt
            pf:     pop     %rdi
                    mov     %cr2, %rsi
                    mov     (%rsp), %rcx    # the pushed RIP
                    hlt
            """ + SET_GATE_64 + """
                    .balign 16
            idt:    .fill   15*16, 1, 0
            idtr:   .word   15*16-1
                    .quad   idt
            """)
    void aLongModeGuestHandlesAPageFault(GuestRun run) {
        if (run.backend() == Backend.EMULATOR && !LoadedUnicorn.isAtLeast(2, 1, 0)) {
            // docs/backends.md, the emulator's differences: 2.0.1 does not translate through the guest's tables.
            assertThat(run).stoppedWith(ExitReason.EMULATOR_FAULT);
            return;
        }
        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRdi(0x2).hasRsi(0x100000000L).hasRcx(run.registers().rbp());
    }
}
