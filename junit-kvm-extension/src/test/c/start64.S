/* Entry of the 64-bit build: junit-kvm starts it in CpuMode.LONG with a stack. */
    .text
    .globl _start
_start:
    call guest_main
    hlt
