/*
 * Entry stub of the 64-bit guest. junit-kvm starts it in long mode (CpuMode.LONG) with the first
 * 4 GiB identity-mapped and a 16-byte aligned stack: there is nothing to set up before calling C.
 */
    .text
    .globl _start
_start:
    call guest_main         /* the CRC comes back in EAX */
    mov %eax, %eax          /* the upper half of RAX is undefined after a uint32_t return: clear it */
    hlt
