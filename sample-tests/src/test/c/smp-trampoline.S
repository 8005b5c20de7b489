/*
 * The application processor's way in for the SMP kernel (smp.c), and its timer interrupt stub.
 * trampoline_start..trampoline_end is copied below 1 MiB, to the page the start-up IPI names: the
 * AP starts there in real mode (CS = vector << 8, IP = 0), loads the kernel's GDT, enters 32-bit
 * protected mode and calls ap_main on a stack of its own; it halts when ap_main returns, its
 * result in EAX for the test to read.
 */
    .text
    .code16
    .globl trampoline_start, trampoline_end
trampoline_start:
    cli
    mov %cs, %ax
    mov %ax, %ds
    lgdtl gdt_pointer - trampoline_start
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $0x08, $ap_protected
    .p2align 2
gdt_pointer:
    .word gdt_end - gdt - 1
    .long gdt
trampoline_end:

    .code32
ap_protected:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    mov $ap_stack_top, %esp
    call ap_main
    cli
1:  hlt
    jmp 1b

/* IRQ 0, remapped to vector 0x20: counts the tick and ends the interrupt at the master PIC. */
    .globl timer_isr
timer_isr:
    push %eax
    lock incl ticks
    mov $0x20, %al
    out %al, $0x20
    pop %eax
    iret

    .section .rodata
    .p2align 3
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff    /* 0x08: code, flat, 32-bit */
    .quad 0x00cf92000000ffff    /* 0x10: data, flat */
gdt_end:

    .bss
    .p2align 4
    .skip 4096
ap_stack_top:
