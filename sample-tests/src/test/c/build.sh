#!/bin/sh
# Builds the C guests into ELF executables that @KvmGuest(resource = ...) loads:
#   crc32-32.elf  i386, for CpuMode.PROTECTED
#   crc32-64.elf  x86-64, for CpuMode.LONG
# Both are linked at 0x1000 (-N: one segment, no page alignment), entry point _start.
# Usage: build.sh <object directory> <output directory>; run by Maven in generate-test-resources.
set -eu
src=$(dirname "$0")
obj=$1
out=$2
mkdir -p "$obj" "$out"

# Freestanding: no libc, no stack protector, no position-independent code, and no SSE/x87
# (-mgeneral-regs-only), so the code runs whatever the guest's CR0/CR4 say about the FPU.
common="-ffreestanding -fno-pic -fno-stack-protector -nostdlib -mgeneral-regs-only -O2 -Wall -Werror"

build() {
    width=$1 emulation=$2
    shift 2
    for unit in crc32.c guest.c "start$width.S"; do
        gcc "-m$width" $common "$@" -c "$src/$unit" -o "$obj/${unit%.*}-$width.o"
    done
    ld -m "$emulation" -N -Ttext=0x1000 -e _start --build-id=none -z noexecstack --no-warn-rwx-segments \
        -o "$out/crc32-$width.elf" "$obj/start$width-$width.o" "$obj/guest-$width.o" "$obj/crc32-$width.o"
}

build 32 elf_i386
# No red zone (an interrupt handler would clobber it); the small code model: everything below 2 GiB.
build 64 elf_x86_64 -mno-red-zone -mcmodel=small
