#!/bin/sh
# Rebuilds the ROMs into a temporary directory and compares them with the
# committed files: the ARM ELFs when the ARM cross compiler is installed,
# the x86 images when nasm is. Exit status: 0 up to date, 1 stale, 77
# (skip) when neither tool is installed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cross=${CROSS:-arm-none-eabi-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
checked=0
compare() {
    for f in "$@"; do
        if ! cmp -s "$here/$f" "$tmp/$f"; then
            echo "check-up-to-date: roms/$f differs from a fresh build (run make -C roms)"
            status=1
        fi
    done
}
if command -v "${cross}gcc" >/dev/null 2>&1; then
    make -s -C "$here" O="$tmp" CROSS="$cross" arm >/dev/null
    compare demo.elf tests/arm.elf tests/thumb.elf tests/exceptions.elf tests/uart.elf \
            tests/rtcgpio.elf tests/v7_mmu.elf tests/virt_parity.elf
    checked=1
else
    echo "check-up-to-date: ${cross}gcc not found, the ARM ROMs are not checked"
fi
if command -v nasm >/dev/null 2>&1; then
    make -s -C "$here" O="$tmp" x86 >/dev/null
    compare tests/x86/realmode.rom tests/x86/protected.rom tests/x86/cpuid.rom \
            tests/x86/x87.rom
    checked=1
else
    echo "check-up-to-date: nasm not found, the x86 ROMs are not checked"
fi
[ $checked -eq 0 ] && exit 77
[ $status -eq 0 ] && echo "check-up-to-date: the ROMs checked match their sources"
exit $status
