#!/bin/sh
# Builds the C guests into ELF executables that @KvmGuest(resource = ...) loads:
#   crc32-32.elf        i386, for CpuMode.PROTECTED: guest.c, the CRC-32 printed to COM1
#   crc32-64.elf        x86-64, for CpuMode.LONG
#   crc32-check-32.elf  i386: selfcheck.c, the CRC-32 checked in the guest with KVM_ASSERT_EQ
#   crc32-check-64.elf  x86-64
#   calendar-32.elf     i386, for PROTECTED: calendar.c, a library of functions the tests call by name
#   calendar-64.elf     x86-64, for LONG
#   multiboot-kernel.elf, multiboot-kernel.bin: multiboot.c, a Multiboot kernel (below)
#   smp-kernel.elf      smp.c, a Multiboot kernel that starts a second vCPU (at the end)
#   zlib-64.elf         x86-64, for LONG: zlib's adler32.o and crc32.o as Debian built them, taken
#                       unchanged from its static library (zlib1g-dev's libz.a), linked freestanding
# All are linked at 0x1000 (-N: one segment, no page alignment), entry point _start. selfcheck.c
# is copied next to them, for the test that looks up the line of its assertion.
# Usage: build.sh <guest library directory> <object directory> <output directory>; run by Maven in
# generate-test-resources, after it extracted the guest library (junitkvm.h) from the extension.
set -eu
src=$(dirname "$0")
include=$1
obj=$2
out=$3
mkdir -p "$obj" "$out"

# Freestanding: no libc, no stack protector, no position-independent code, and no SSE/x87
# (-mgeneral-regs-only), so the code runs whatever the guest's CR0/CR4 say about the FPU.
# -fmacro-prefix-map makes __FILE__, which failed guest assertions show, the file's name alone.
common="-ffreestanding -fno-pic -fno-stack-protector -nostdlib -mgeneral-regs-only -O2 -Wall -Werror
        -I$include -fmacro-prefix-map=$src/="

build() {
    width=$1 emulation=$2
    shift 2
    for unit in crc32.c guest.c selfcheck.c calendar.c "start$width.S"; do
        gcc "-m$width" $common "$@" -c "$src/$unit" -o "$obj/${unit%.*}-$width.o"
    done
    for program in crc32:guest crc32-check:selfcheck; do
        ld -m "$emulation" -N -Ttext=0x1000 -e _start --build-id=none -z noexecstack --no-warn-rwx-segments \
            -o "$out/${program%:*}-$width.elf" "$obj/start$width-$width.o" "$obj/${program#*:}-$width.o" \
            "$obj/crc32-$width.o"
    done
    # A library, no entry stub: the tests call its functions by name (the ELF entry is unused).
    ld -m "$emulation" -N -Ttext=0x1000 -e epoch_millis --build-id=none -z noexecstack --no-warn-rwx-segments \
        -o "$out/calendar-$width.elf" "$obj/calendar-$width.o"
}

build 32 elf_i386
# No red zone (an interrupt handler would clobber it); the small code model: everything below 2 GiB.
build 64 elf_x86_64 -mno-red-zone -mcmodel=small
cp "$src/selfcheck.c" "$out/selfcheck.c"

# zlib's checksum functions need nothing from libc: its objects link as they are.
libz=$(gcc -print-file-name=libz.a)
if [ ! -f "$libz" ]; then
    echo "build.sh: zlib's static library libz.a is missing: apt-get install zlib1g-dev" >&2
    exit 1
fi
(cd "$obj" && ar x "$libz" adler32.o crc32.o)
ld -m elf_x86_64 -N -Ttext=0x1000 -e adler32 --build-id=none -z noexecstack --no-warn-rwx-segments \
    -o "$out/zlib-64.elf" "$obj/adler32.o" "$obj/crc32.o"

# The Multiboot kernel, at 1 MiB: an i386 ELF (multiboot-kernel.elf) and the same kernel as a flat
# binary whose header carries its load addresses (multiboot-kernel.bin).
for variant in elf:"" bin:-DFLAT; do
    suffix=${variant%%:*}
    gcc -m32 $common ${variant#*:} -c "$src/multiboot.S" -o "$obj/multiboot-start-$suffix.o"
    gcc -m32 $common -c "$src/multiboot.c" -o "$obj/multiboot-$suffix.o"
    ld -m elf_i386 -T "$src/multiboot.ld" --build-id=none -z noexecstack --no-warn-rwx-segments \
        -o "$obj/multiboot-kernel-$suffix.elf" "$obj/multiboot-start-$suffix.o" "$obj/multiboot-$suffix.o"
done
cp "$obj/multiboot-kernel-elf.elf" "$out/multiboot-kernel.elf"
objcopy -O binary "$obj/multiboot-kernel-bin.elf" "$out/multiboot-kernel.bin"

# The SMP kernel: multiboot.S's entry, smp.c, and the AP's real-mode trampoline.
gcc -m32 $common -c "$src/smp.c" -o "$obj/smp.o"
gcc -m32 $common -c "$src/smp-trampoline.S" -o "$obj/smp-trampoline.o"
ld -m elf_i386 -T "$src/multiboot.ld" --build-id=none -z noexecstack --no-warn-rwx-segments \
    -o "$out/smp-kernel.elf" "$obj/multiboot-start-elf.o" "$obj/smp.o" "$obj/smp-trampoline.o"
