# A real-mode ELF32 guest for ElfResourceTest: its entry (start, 0x2004) is not the
# load address, and its one PT_LOAD segment has bss (counter) beyond the file's bytes.
# Built, with binutils 2.40, by:
#   as --32 -o elf32-bss.o elf32-bss.S
#   ld -m elf_i386 -N -s --no-warn-rwx-segments -Ttext=0x2000 -Tbss=0x3000 -e start -o elf32-bss.elf elf32-bss.o
        .code16
msg:    .ascii "elf:"
msglen = . - msg
        .globl start
start:  mov $0x3f8, %dx
        mov $msg, %si
        mov $msglen, %cx
        rep outsb
        mov counter, %al    # bss, so zero: prints "0"
        add $'0', %al
        out %al, %dx
        incw counter
        hlt
        .bss
counter: .skip 16
