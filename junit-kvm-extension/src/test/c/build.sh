#!/bin/sh
# Builds the C guest of the guest library's tests against the library's header as the jar ships it:
#   reports-32.elf  i386, for CpuMode.PROTECTED
#   reports-64.elf  x86-64, for CpuMode.LONG
#   calls-32.elf    calls.c for i386, the functions CallTest calls in PROTECTED and PAGED mode
#   calls-64.elf    calls.c for x86-64, in LONG mode
# and copies reports.c next to them, where the tests look up the lines of its assertions.
# Usage: build.sh <header directory> <object directory> <output directory>; run by Maven in
# generate-test-resources.
set -eu
src=$(dirname "$0")
include=$1
obj=$2
out=$3
mkdir -p "$obj" "$out"

# Freestanding, as in sample-tests/src/test/c/build.sh; -Wextra too, since the header must not
# warn where users build with it. __FILE__ is the file's name alone (-fmacro-prefix-map).
common="-ffreestanding -fno-pic -fno-stack-protector -nostdlib -mgeneral-regs-only -O2 -Wall -Wextra -Werror
        -I$include -fmacro-prefix-map=$src/="

build() {
    width=$1 emulation=$2
    shift 2
    for unit in reports.c "start$width.S"; do
        gcc "-m$width" $common "$@" -c "$src/$unit" -o "$obj/${unit%.*}-$width.o"
    done
    ld -m "$emulation" -N -Ttext=0x1000 -e _start --build-id=none -z noexecstack --no-warn-rwx-segments \
        -o "$out/reports-$width.elf" "$obj/start$width-$width.o" "$obj/reports-$width.o"
    # A library of functions, no entry stub: the tests call them by name.
    gcc "-m$width" $common "$@" -c "$src/calls.c" -o "$obj/calls-$width.o"
    ld -m "$emulation" -N -Ttext=0x1000 -e add2 --build-id=none -z noexecstack --no-warn-rwx-segments \
        -o "$out/calls-$width.elf" "$obj/calls-$width.o"
}

build 32 elf_i386
build 64 elf_x86_64 -mno-red-zone -mcmodel=small
cp "$src/reports.c" "$out/reports.c"
