/*
 * Entry stub of the 32-bit guest. junit-kvm starts it in flat protected mode (CpuMode.PROTECTED)
 * at e_entry with a 16-byte aligned stack: there is nothing to set up before calling C.
 */
    .text
    .globl _start
_start:
    call guest_main         /* the CRC comes back in EAX */
    hlt
