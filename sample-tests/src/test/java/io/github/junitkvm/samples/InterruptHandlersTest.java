package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import org.junit.jupiter.api.Test;

/**
 * Guests that bring their own interrupt handlers, as firmware, DOS programs and kernels do: a
 * real-mode guest fills its interrupt vector table with a software-interrupt service, hooks that
 * service again the way a resident program (or GRUB's {@code drivemap}) chains to the old vector,
 * and recovers from a divide error; a protected-mode guest serves {@code int $0x80} system calls
 * and the invalid-opcode and general-protection faults from its IDT; a long-mode guest counts
 * breakpoints. The CPU delivers each through the guest's own tables, on KVM and on the emulator
 * alike.
 *
 * <p>What to learn: a handler's frame is the CPU's (IP, CS, FLAGS, and an error code for some
 * faults), so a fault handler that wants the guest to go on moves the saved IP past the faulting
 * instruction; and a test reads what the handlers did from the registers and memory at the stop.
 */
class InterruptHandlersTest {

    @Test
    @KvmGuest(asm = """
                    xor     %ax, %ax
                    mov     %ax, %ds
                    mov     $0x7000, %sp
                    movw    $print, 0x21*4          # INT 21h, AH = 09h: print the '$'-terminated string at DS:DX
                    movw    %cs, 0x21*4+2
                    movw    $divide, 0*4            # vector 0: the divide error
                    movw    %cs, 0*4+2
                    mov     $hello, %dx
                    mov     $0x09, %ah
                    int     $0x21

                    # Hook INT 21h as a resident program would: count the call, then chain to the old vector.
                    mov     0x21*4, %ax
                    mov     %ax, old21
                    mov     0x21*4+2, %ax
                    mov     %ax, old21+2
                    movw    $counter, 0x21*4
                    movw    %cs, 0x21*4+2
                    mov     $chained, %dx
                    mov     $0x09, %ah
                    int     $0x21

                    mov     $100, %ax
                    xor     %bl, %bl
                    div     %bl                     # #DE: the handler answers 0xffff and skips the DIV
                    mov     %ax, %si
                    hlt

            print:  push    %ax
                    push    %bx
                    push    %dx
                    mov     %dx, %bx
                    mov     $0x3f8, %dx
            1:      mov     (%bx), %al
                    cmp     $'$', %al
                    je      2f
                    out     %al, %dx
                    inc     %bx
                    jmp     1b
            2:      pop     %dx
                    pop     %bx
                    pop     %ax
                    iret

            counter:
                    incw    %cs:calls
                    ljmp    *%cs:old21

            divide: push    %bp
                    mov     %sp, %bp
                    addw    $2, 2(%bp)              # the saved IP: past the two-byte DIV
                    pop     %bp
                    mov     $0xffff, %ax
                    iret

            hello:  .ascii  "Hello from INT 21h\\r\\n$"
            chained:
                    .ascii  "Through the hook\\r\\n$"
                    .balign 4
            old21:  .word   0, 0
            calls:  .word   0
            """)
    void aRealModeGuestServesHooksAndRecoversFromItsOwnInterrupts(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("Hello from INT 21h\r\nThrough the hook\r\n");
        assertThat(run).registers().hasRsi(0xffff).hasRsp(0x7000);
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov     $0x8000, %esp
                    mov     $0x80, %eax
                    mov     $syscall, %ebx
                    call    setgate
                    mov     $6, %eax
                    mov     $invalid, %ebx
                    call    setgate
                    mov     $13, %eax
                    mov     $protection, %ebx
                    call    setgate
                    lidt    idtr

                    mov     $1, %eax                # system call 1: write ECX bytes at EBX to COM1
                    mov     $message, %ebx
                    mov     $message_end - message, %ecx
                    int     $0x80
                    mov     %eax, %esi              # its result: the bytes written
                    ud2                             # #UD: the handler reports it and skips the UD2
                    mov     $0x1230, %ax
                    mov     %ax, %ds                # a selector beyond the GDT: #GP, its error code the selector
                    hlt

            syscall:
                    cmp     $1, %eax
                    jne     1f
                    push    %ebx
                    push    %ecx
                    push    %edx
                    mov     $0x3f8, %dx
            2:      mov     (%ebx), %al
                    out     %al, %dx
                    inc     %ebx
                    loop    2b
                    pop     %edx
                    pop     %ecx
                    pop     %ebx
                    mov     %ecx, %eax
                    iret
            1:      mov     $-1, %eax               # no such call
                    iret

            invalid:
                    push    %eax
                    push    %edx
                    mov     $0x3f8, %dx
                    mov     $'#', %al
                    out     %al, %dx
                    mov     $'U', %al
                    out     %al, %dx
                    mov     $'D', %al
                    out     %al, %dx
                    pop     %edx
                    pop     %eax
                    addl    $2, (%esp)              # the saved EIP: past the two-byte UD2
                    iret

            protection:
                    pop     %edi                    # the error code
                    addl    $2, (%esp)              # the saved EIP: past the two-byte MOV
                    iret

            # Sets IDT entry EAX to an interrupt gate (ring 0, present) for the handler at EBX.
            setgate:
                    lea     idt(,%eax,8), %edi
                    mov     %bx, (%edi)
                    mov     %cs, %dx
                    mov     %dx, 2(%edi)
                    movw    $0x8e00, 4(%edi)
                    shr     $16, %ebx
                    mov     %bx, 6(%edi)
                    ret

            message:
                    .ascii  "write(2) from ring 0\\n"
            message_end:
                    .balign 8
            idt:    .fill   0x81*8, 1, 0
            idtr:   .word   0x81*8-1
                    .long   idt
            """)
    void aProtectedModeGuestServesSystemCallsAndFaultsFromItsIdt(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("write(2) from ring 0\n#UD");
        assertThat(run).registers().hasRsi("write(2) from ring 0\n".length()).hasRdi(0x1230).hasRsp(0x8000);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    mov     $0x8000, %rsp
                    lea     idt+3*16(%rip), %rdi    # vector 3: the breakpoint
                    lea     breakpoint(%rip), %rbx
                    mov     %bx, (%rdi)
                    mov     %cs, %dx
                    mov     %dx, 2(%rdi)
                    movw    $0x8e00, 4(%rdi)        # a 64-bit interrupt gate
                    shr     $16, %rbx
                    mov     %bx, 6(%rdi)
                    shr     $16, %rbx
                    mov     %ebx, 8(%rdi)
                    lidt    idtr(%rip)
                    mov     $3, %ecx
            1:      int3
                    loop    1b
                    mov     hits(%rip), %rax
                    hlt

            breakpoint:
                    incq    hits(%rip)
                    mov     (%rsp), %rsi            # the saved RIP: after the INT3, a trap
                    iretq

                    .balign 8
            hits:   .quad   0
                    .balign 16
            idt:    .fill   4*16, 1, 0
            idtr:   .word   4*16-1
                    .quad   idt
            """)
    void aLongModeGuestCountsBreakpoints(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRax(3).hasRsp(0x8000);
        assertThat(run.memory().readByte(run.registers().rsi() - 1)).as("the instruction before the saved RIP")
                .isEqualTo(0xcc);
    }
}
