/*
 * Entry of the Multiboot kernel (multiboot.c). The loader starts it in 32-bit protected mode with
 * EAX = 0x2BADB002 and EBX = the information structure; it sets its own stack, calls C with both,
 * and leaves through the debug-exit port with what C returns (QEMU's isa-debug-exit convention:
 * 0 becomes exit status 1, a pass).
 * Built twice: as an ELF the loader places by its program headers, and with -DFLAT as a flat
 * binary whose header carries the addresses (flag bit 16, the "a.out kludge").
 */
#define MAGIC 0x1BADB002
#ifdef FLAT
#define FLAGS ((1 << 0) | (1 << 1) | (1 << 16))
#else
#define FLAGS ((1 << 0) | (1 << 1))
#endif

    .section .multiboot, "a"
    .p2align 2
header:
    .long MAGIC, FLAGS, -(MAGIC + FLAGS)
#ifdef FLAT
    .long header            /* header_addr */
    .long __image_start     /* load_addr */
    .long __data_end        /* load_end_addr */
    .long __bss_end         /* bss_end_addr */
    .long _start            /* entry_addr */
#endif

    .text
    .globl _start
_start:
    mov $stack_top, %esp
    push %ebx
    push %eax
    call kernel_main
    mov $0xf4, %dx
    out %eax, %dx
    hlt

    .bss
    .p2align 4
    .skip 8192
stack_top:
