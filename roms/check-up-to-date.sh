#!/bin/sh
# Rebuilds the ROMs into a temporary directory and compares them with the
# committed ELF files. Exit status: 0 up to date, 1 stale, 77 (skip) when
# no ARM cross compiler is installed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cross=${CROSS:-arm-none-eabi-}
if ! command -v "${cross}gcc" >/dev/null 2>&1; then
    echo "check-up-to-date: ${cross}gcc not found, skipping"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s -C "$here" O="$tmp" CROSS="$cross" all >/dev/null
status=0
for elf in demo.elf tests/arm.elf tests/thumb.elf tests/exceptions.elf tests/uart.elf \
           tests/rtcgpio.elf tests/v7_mmu.elf tests/virt_parity.elf; do
    if ! cmp -s "$here/$elf" "$tmp/$elf"; then
        echo "check-up-to-date: roms/$elf differs from a fresh build (run make -C roms)"
        status=1
    fi
done
[ $status -eq 0 ] && echo "check-up-to-date: all ROMs match their sources"
exit $status
