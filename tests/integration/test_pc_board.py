#!/usr/bin/env python3
"""The pc board without Linux (docs/boards.md, "pc"): a few bytes of
hand-assembled real-mode code, loaded as an ELF at 0x8000, check what the
Linux test cannot isolate:

- every reset path reaches the board's reset: the keyboard controller's
  pulse (0xFE to port 0x64), port 0x92's fast reset and a triple fault; the
  run ends with status 0 under --no-reboot, and without it the program
  starts again (it prints one letter per start);
- the VGA text screen: bytes written at 0xB8000 show in the monitor's
  `screen`;
- the PIT counts in virtual time with 1 us ISA port cycles: counter 2's
  MSB holds for the same number of read loops every time (deterministic);
- ports nobody claims read 0xFF.

usage: test_pc_board.py ORRERY"""
import os
import sys

import orrtest as t
from orrtest import x86_realmode_elf as elf, x86_putc as putc

SPIN = bytes([0xeb, 0xfe])                             # jmp $
KBC_RESET = putc('K') + bytes([0xb0, 0xfe, 0xe6, 0x64]) + SPIN   # out 0x64, 0xfe
FAST_RESET = putc('F') + bytes([0xe4, 0x92, 0x0c, 0x01, 0xe6, 0x92]) + SPIN
# lidt [0x9000] (6 zero bytes past the code: limit 0), then int3: #GP, #DF,
# shutdown.
TRIPLE = putc('T') + bytes([0x0f, 0x01, 0x1e, 0x00, 0x90, 0xcc]) + SPIN


def main():
    orrery = sys.argv[1]
    d = t.tempdir()
    base = [orrery, 'run', '--board', 'pc', '--clock', 'virtual', '--timeout', '20']

    for name, code, letter in (('the keyboard controller\'s reset pulse', KBC_RESET, b'K'),
                               ('port 0x92\'s fast reset', FAST_RESET, b'F'),
                               ('a triple fault', TRIPLE, b'T')):
        path = os.path.join(d, 'reset.elf')
        t.write(path, elf(code))
        p = t.run(base + ['--kernel', path, '--no-reboot'])
        t.check(p.returncode == 0 and p.stdout == letter,
                '%s ends the run with status 0 under --no-reboot' % name, t.describe(p))
        p = t.run([orrery, 'run', '--board', 'pc', '--clock', 'virtual', '--timeout', '1',
                   '--kernel', path])
        t.check(p.stdout.count(letter) >= 3,
                'without --no-reboot, %s resets the machine and the program starts again '
                '(%d starts)' % (name, p.stdout.count(letter)), t.describe(p))

    # VGA: "HI" at the top left of the text screen, then a spin.
    code = bytes([0xb8, 0x00, 0xb8, 0x8e, 0xd8,             # mov ax, 0xb800; mov ds, ax
                  0xc7, 0x06, 0x00, 0x00, 0x48, 0x07,       # mov word [0], 0x0748
                  0xc7, 0x06, 0x02, 0x00, 0x49, 0x07]) + SPIN
    path = os.path.join(d, 'vga.elf')
    t.write(path, elf(code))
    p = t.run(base + ['--kernel', path, '--monitor'], stdin=b'step 10\nscreen\nquit\n')
    lines = p.stdout.decode(errors='replace').splitlines()
    t.check(any(l.rstrip() == 'HI' for l in lines), 'the monitor\'s screen shows the text',
            t.describe(p))

    # PIT counter 2, mode 0 from 0xFFFF with the gate open: count the read
    # loops while the MSB is 0xFF and print them as four hex digits.
    code = bytes([
        0xe4, 0x61, 0x24, 0xfd, 0x0c, 0x01, 0xe6, 0x61,   # port B: gate on, speaker off
        0xb0, 0xb0, 0xe6, 0x43,                           # counter 2, LSB/MSB, mode 0
        0xb0, 0xff, 0xe6, 0x42, 0xe6, 0x42,               # count 0xFFFF
        0xe4, 0x42, 0xe4, 0x42,                           # let the load edge pass
        0x31, 0xf6,                                       # xor si, si
        0x46, 0xe4, 0x42, 0xe4, 0x42, 0x3c, 0xff, 0x74, 0xf7,  # loop: inc si; read; je loop
        0x89, 0xf3,                                       # mov bx, si
        0xb9, 0x04, 0x00,                                 # mov cx, 4
        0xc1, 0xc3, 0x04,                                 # hex: rol bx, 4
        0x88, 0xd8, 0x24, 0x0f, 0x04, 0x30,               # mov al, bl; and al, 15; add al, '0'
        0x3c, 0x39, 0x76, 0x02, 0x04, 0x07,               # cmp al, '9'; jbe +2; add al, 7
        0xe6, 0xe9, 0xe2, 0xed,                           # out 0xe9, al; loop hex
        0xb0, 0x00, 0xe6, 0xf4,                           # exit: status 1
    ])
    path = os.path.join(d, 'pit.elf')
    t.write(path, elf(code))
    outs = [t.run(base + ['--kernel', path]).stdout for _ in range(2)]
    try:
        loops = int(outs[0], 16)
    except ValueError:
        loops = -1
    # 255 input clocks (213.7 us) of loops of 2 port reads (2 us) and 7
    # instructions (70 ns): about 103.
    t.check(95 <= loops <= 110 and outs[0] == outs[1],
            'the PIT\'s MSB holds for the same ~103 read loops every run (%r, %r)'
            % (outs[0], outs[1]))

    # An unclaimed port floats high.
    code = bytes([0xba, 0x00, 0x03, 0xec,                  # mov dx, 0x300; in al, dx
                  0x3c, 0xff, 0x75, 0x04]) + putc('Y') + bytes([0xb0, 0x00, 0xe6, 0xf4])
    path = os.path.join(d, 'float.elf')
    t.write(path, elf(code))
    p = t.run(base + ['--kernel', path])
    t.check(p.stdout == b'Y', 'an unclaimed port reads 0xFF', t.describe(p))
    t.finish()


if __name__ == '__main__':
    main()
