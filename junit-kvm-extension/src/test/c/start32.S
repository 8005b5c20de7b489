/* Entry of the 32-bit build: junit-kvm starts it in CpuMode.PROTECTED with a stack. */
    .text
    .globl _start
_start:
    call guest_main
    hlt
