/*
 * The QEMU baseline's firmware: a 64 KiB BIOS image for qemu-system-x86_64 -bios. QEMU maps it
 * below 4 GiB and, as the legacy BIOS, at 0xf0000; the CPU starts at the reset vector, 0xffff0.
 * It runs the 2+2 program of the other baselines (the sum and a newline to COM1), then leaves
 * through isa-debug-exit at port 0xf4: writing 0 there makes QEMU exit with status 1.
 * A test of an existing KVM unit-test suite boots like this, minus SeaBIOS and a kernel loader,
 * so one process per test costs at least this much.
 */
    .code16
    .text
start:
    mov $2, %al
    mov $2, %bl
    mov $0x3f8, %dx
    add %bl, %al
    add $'0', %al
    out %al, %dx
    mov $'\n', %al
    out %al, %dx
    mov $0xf4, %dx
    mov $0, %al
    out %al, %dx
    hlt

    .org 0xfff0
reset_vector:
    ljmp $0xf000, $start
    .org 0x10000
