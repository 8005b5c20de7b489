#!/bin/sh
# Builds the benchmark's baselines into OUTDIR: the C loops on /dev/kvm (kvm_loop) and on
# libunicorn (unicorn_loop), the pipe round trip between two processes (pipe_loop), and the QEMU
# baseline's 64 KiB firmware (qemu_firmware.bin).
# Needs gcc, binutils, linux-libc-dev and libunicorn-dev. Used by tools/bench and by the tests.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
src=$(dirname "$0")
out=$1
mkdir -p "$out"
gcc -O2 -Wall -Wextra -Werror -o "$out/kvm_loop" "$src/kvm_loop.c"
gcc -O2 -Wall -Wextra -Werror -o "$out/unicorn_loop" "$src/unicorn_loop.c" -lunicorn
gcc -O2 -Wall -Wextra -Werror -o "$out/pipe_loop" "$src/pipe_loop.c"
gcc -c -o "$out/qemu_firmware.o" "$src/qemu_firmware.S"
objcopy -O binary -j .text "$out/qemu_firmware.o" "$out/qemu_firmware.bin"
rm -f "$out/qemu_firmware.o"
