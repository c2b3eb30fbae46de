#!/usr/bin/env python3
"""The x86-bare board (docs/boards.md): the boot ROM and its alias, the
I/O ports (0xE9 console, 0xF4 exit, POST codes, unclaimed ports reading
as all ones), guest reset keeping the ROM, and --bios errors. The ROMs
are a few bytes of hand-assembled real-mode code, so no assembler is
needed.

usage: test_x86_bare.py ORRERY"""
import os
import sys

import orrtest as t


def far_jmp(seg, off):
    return bytes([0xea, off & 0xff, off >> 8, seg & 0xff, seg >> 8])


def rom(code, size=0x10000, reset=far_jmp(0xf000, 0)):
    """An image of `size` bytes: `code` at the start of its last 64 KiB,
    the reset vector (offset size - 16) jumping to it."""
    img = bytearray(b'\xf4' * size)
    base = size - 0x10000
    img[base:base + len(code)] = code
    img[size - 16:size - 16 + len(reset)] = reset
    return bytes(img)


def exit_with(v):
    return bytes([0xb0, v, 0xe6, 0xf4, 0xf4])        # mov al, v; out 0xf4, al; hlt


def puts(s):
    out = b''
    for ch in s.encode():
        out += bytes([0xb0, ch, 0xe6, 0xe9])         # mov al, ch; out 0xe9, al
    return out


def ports_rom():
    """Port checks; exits with 5 (status 11) when all hold, 7 (15) if not."""
    good = puts('OK') + bytes([0xb0, 0x42, 0xe6, 0x80]) + exit_with(5)
    bad = exit_with(7)
    checks = [
        bytes([0xe4, 0xe9, 0x3c, 0xe9]),                 # in al, 0xe9; cmp al, 0xe9
        bytes([0xba, 0x00, 0x03, 0x66, 0xed,              # mov dx, 0x300; in eax, dx
               0x66, 0x83, 0xf8, 0xff]),                  # cmp eax, -1
        bytes([0xba, 0x00, 0x03, 0xec, 0x3c, 0xff]),      # in al, dx; cmp al, 0xff
        bytes([0xe5, 0xe8, 0x3d, 0xff, 0xe9]),            # in ax, 0xe8; cmp ax, 0xe9ff
    ]
    code = b''
    for i, c in enumerate(checks):
        rest = sum(len(x) + 2 for x in checks[i + 1:]) + len(good)
        code += c + bytes([0x75, rest])                   # jne bad
    return code + good + bad


def main():
    orrery = sys.argv[1]
    d = t.tempdir()

    p = t.run([orrery, 'boards'])
    t.check(b'x86-bare' in p.stdout, '`orrery boards` lists x86-bare', t.describe(p))
    p = t.run([orrery, 'devices'])
    for name in (b'bios-rom', b'debugcon', b'isa-debug-exit', b'post-code'):
        t.check(name in p.stdout, '`orrery devices` lists %s' % name.decode(), t.describe(p))

    path = os.path.join(d, 'ports.rom')
    t.write(path, rom(ports_rom()))
    run = [orrery, 'run', '--board', 'x86-bare', '--bios', path, '--timeout', '10']
    p = t.run(run)
    t.check(p.returncode == 11, 'port checks pass; exit value 5 gives status 11',
            t.describe(p))
    t.check(p.stdout == b'OK', 'port 0xE9 bytes reach stdout', t.describe(p))
    t.check(b'POST' not in p.stderr, 'POST codes are silent without -v', t.describe(p))
    p = t.run(run + ['-v'])
    t.check(b'POST code 0x42' in p.stderr, 'POST codes are logged with -v', t.describe(p))

    for cpu in ('i386', 'i486', 'pentium', 'pentium-pro'):
        p = t.run(run + ['--cpu', cpu])
        t.check(p.returncode == 11, 'port checks pass on %s' % cpu, t.describe(p))

    # A 128 KiB image ends at 0x100000: its first half is at 0xE0000.
    path = os.path.join(d, 'big.rom')
    low = exit_with(9) + b'\xf4' * (0x10000 - 5)
    t.write(path, low + rom(b'', reset=far_jmp(0xe000, 0)))
    p = t.run([orrery, 'run', '--board', 'x86-bare', '--bios', path, '--timeout', '10'])
    t.check(p.returncode == 19, 'a 128 KiB image starts at 0xE0000', t.describe(p))
    t.write(path, b'\0' + low + rom(b''))
    p = t.run([orrery, 'run', '--board', 'x86-bare', '--bios', path, '--timeout', '10'])
    t.check_one_error_line(p, 'an image over 128 KiB')

    # Triple fault: the machine resets, the ROM keeps its contents and RAM
    # its marker, and the program starts again from the reset vector.
    code = bytes([
        0x31, 0xc0, 0x8e, 0xd8,                   # xor ax, ax; mov ds, ax
        0x81, 0x3e, 0x00, 0x05, 0x34, 0x12,       # cmp word [0x500], 0x1234
        0x74, 0x0e,                               # je second
        0xc7, 0x06, 0x00, 0x05, 0x34, 0x12,       # mov word [0x500], 0x1234
        0x0f, 0x01, 0x1e, 0x10, 0x05,             # lidt [0x510] (limit 0)
        0xcc,                                     # int3: #GP, #DF, shutdown
        0xf4, 0xf4,
    ]) + exit_with(3)                             # second:
    path = os.path.join(d, 'reset.rom')
    t.write(path, rom(code))
    p = t.run([orrery, 'run', '--board', 'x86-bare', '--bios', path, '--timeout', '10'])
    t.check(p.returncode == 7, 'a triple fault restarts the ROM (second boot exits 3)',
            t.describe(p))

    p = t.run([orrery, 'run', '--board', 'x86-bare', '--bios', path, '--dtb', path,
               '--timeout', '10'])
    t.check(p.returncode != 0 and b'device tree' in p.stderr,
            '--dtb is refused with a boot ROM', t.describe(p))
    t.finish()


if __name__ == '__main__':
    main()
