#!/usr/bin/env python3
"""Probes whose output is compared with QEMU 7.2's virt: a zImage that
prints the boot registers (r0, r1, r2, where it runs, CPSR) for several RAM
sizes and initrds, a uImage of type kernel_noload, and --bios firmware that
drives every CFI flash command and prints each answer. The expected lines
were captured from qemu-system-arm 7.2 (-M virt -cpu cortex-a15); when that
QEMU is installed the probes run on it too and must print the same. A PSCI
probe makes calls over HVC and prints each result (QEMU differs only in
PSCI_VERSION, 1.1 there)."""
import os
import shutil
import struct
import subprocess
import sys
import zlib

import orrtest as t

UART = 0x09000000
FLASH1 = 0x04000000
HEX = [  # prints r0 as 8 hex digits and a newline to the UART at r4
    0xE3A0201C, 0xE1A03230, 0xE203300F, 0xE353000A, 0xB2833030, 0xA2833057,
    0xE5843000, 0xE2522004, 0xAAFFFFF7, 0xE3A0300A, 0xE5843000, 0xE12FFF1E,
]
SYSTEM_OFF = 0x84000008


def bl(here, target):
    return 0xEB000000 | (((target - (here + 8)) >> 2) & 0xFFFFFF)


def uart_setup():
    return [lambda pc, l: t.ldr_lit(4, pc, l['uart']),
            lambda pc, l: t.ldr_lit(3, pc, l['cr']),
            0xE5843030]                                   # str r3, [r4, #0x30]


def tail():
    return [lambda pc, l: t.ldr_lit(0, pc, l['off']),
            0xE1400070,                                   # hvc #0 (SYSTEM_OFF)
            ('label', 'spin'), lambda pc, l: t.branch(pc, l['spin']),
            ('label', 'hex')] + HEX + [
            ('label', 'uart'), UART, ('label', 'cr'), 0x301, ('label', 'off'), SYSTEM_OFF]


def print_reg(rn):
    return [0xE1A00000 | rn, lambda pc, l: bl(pc, l['hex'])]     # mov r0, rn; bl hex


def reg_probe():
    # b over the zImage header words at 0x24..0x2f, then save r0-r2.
    items = [lambda pc, l: t.branch(pc, l['go'])] + [0] * 8 + [
        0x016F2818, 0, lambda pc, l: l['end'],
        ('label', 'go'),
        0xE1A0A000, 0xE1A09001, 0xE1A08002,               # mov r10, r0; r9, r1; r8, r2
    ] + uart_setup() + print_reg(10) + print_reg(9) + print_reg(8)
    items += [lambda pc, l: 0xE24F0000 | (pc + 8),       # sub r0, pc, #(pc+8): the start
              lambda pc, l: bl(pc, l['hex']),
              0xE10F0000,                                # mrs r0, cpsr
              lambda pc, l: bl(pc, l['hex'])] + tail() + [('label', 'end')]
    return t.assemble(items)


def flash_ops():
    b = FLASH1
    ops = [('w', b + 0x55 * 4, 0x98)]
    ops += [('r', b + i * 4) for i in range(0x10, 0x40)]
    ops += [('r', b + 0x50 * 4), ('r8', b + 0x41), ('r16', b + 0x42), ('r8', b + 0x40),
            ('w', b, 0x70), ('r', b + 0x40), ('w', b, 0xff), ('r', b),
            ('w', b, 0x90), ('r', b), ('r', b + 4), ('r', b + 8), ('r', b + 0x40008),
            ('r', b + 12),
            ('w', b, 0x70), ('r', b), ('r16', b), ('w', b, 0x50), ('r', b), ('w', b, 0x70),
            ('r', b),
            ('w', b + 0x100, 0x40), ('w', b + 0x100, 0x12345678), ('r', b + 0x100),
            ('w', b, 0xff), ('r', b + 0x100),
            ('w', b + 0x100, 0x20), ('r', b + 0x100), ('r', b + 0x104),
            ('w', b + 0x100, 0xd0), ('r', b + 0x100), ('w', b, 0xff), ('r', b + 0x100),
            ('w', b + 0x200, 0xe8), ('r', b + 0x200), ('w', b + 0x200, 1),
            ('w', b + 0x200, 0xa), ('w', b + 0x204, 0xb), ('r', b + 0x200),
            ('w', b + 0x200, 0xd0), ('r', b + 0x200), ('w', b, 0xff), ('r', b + 0x200),
            ('r', b + 0x204),
            ('w', b, 0x60), ('w', b, 0x01), ('r', b), ('w', b, 0x90), ('r', b + 8),
            ('w', b, 0xff), ('w', b, 0x33), ('r', b + 0x200),
            ('w', b, 0x20), ('w', b, 0x55), ('r', b + 0x200)]
    return ops


def flash_probe():
    items = uart_setup()
    lits = []

    def lit(value):
        name = 'lit%d' % len(lits)
        lits.append((name, value))
        return name

    load = {'r': 0xE5970000, 'r8': 0xE5D70000, 'r16': 0xE1D700B0}   # ldr/ldrb/ldrh r0, [r7]
    for op in flash_ops():
        a = lit(op[1])
        items.append(lambda pc, l, a=a: t.ldr_lit(7, pc, l[a]))
        if op[0] == 'w':
            v = lit(op[2])
            items += [lambda pc, l, v=v: t.ldr_lit(8, pc, l[v]), 0xE5878000]   # str r8, [r7]
        else:
            items += [load[op[0]], lambda pc, l: bl(pc, l['hex'])]
    items += tail()
    for name, value in lits:
        items += [('label', name), value]
    return t.assemble(items)


FLASH_EXPECTED = '''
00510051 00520052 00590059 00010001 00000000 00310031 00000000 00000000 00000000 00000000
00000000 00450045 00550055 00000000 00000000 00070007 00070007 000a000a 00000000 00040004
00040004 00040004 00000000 00190019 00020002 00000000 000b000b 00000000 00010001 00ff00ff
00000000 00000000 00020002 00500050 00520052 00490049 00310031 00300030 00000000 00000000
00000000 00000000 00000000 00000000 00000000 00000000 00000000 00010001 00000000 00000051
00000051 00000051 00510051 00000000 00890089 00180018 00000000 00000000 00000000 00800080
00000080 00000000 00000000 00800080 12345678 00800080 00800080 00800080 ffffffff 00800080
00800080 00800080 0000000a 0000000b 00800080 00000000 0000000a ffffffff'''.split()


PSCI_CALLS = [  # (function id, r1, r2); each call's r0 is printed
    (0x84000000, 0, 0)] + [(0x8400000A, f, 0) for f in list(range(0x84000000, 0x8400000B)) +
                           [0xC4000003, 0x12345678]] + [
    (0x84000003, 0, 0), (0x84000003, 1, 0), (0x84000004, 0, 0), (0x84000004, 1, 0),
    (0x84000004, 0, 1), (0x84000006, 0, 0), (0x84000005, 0, 0), (0x84000007, 0, 0),
    (0x84000001, 0x20000, 0)]
# PSCI_VERSION is 1.0 here (the tree's "arm,psci-1.0"); QEMU 7.2 answers 1.1.
PSCI_EXPECTED = ('00010000 00000000 00000000 00000000 00000000 00000000 ffffffff 00000000 '
                 'ffffffff 00000000 00000000 00000000 ffffffff ffffffff fffffffc fffffffe '
                 '00000000 fffffffe 00000000 00000002 ffffffff ffffffff fffffffe')


def psci_probe():
    items = uart_setup()
    lits = []
    for call in PSCI_CALLS:
        for reg, value in enumerate(call):
            name = 'lit%d' % len(lits)
            lits.append((name, value))
            items.append(lambda pc, l, n=name, r=reg: t.ldr_lit(r, pc, l[n]))
        items += [0xE1400070, lambda pc, l: bl(pc, l['hex'])]
    items += tail()
    for name, value in lits:
        items += [('label', name), value]
    return t.assemble(items)


def uimage_noload(code):
    hdr = struct.pack('>IIIIIIIBBBB32s', 0x27051956, 0, 0, len(code), 0, 0,
                      zlib.crc32(code), 5, 2, 14, 0, b'probe')
    hdr = hdr[:4] + struct.pack('>I', zlib.crc32(hdr)) + hdr[8:]
    return hdr + code


def words(out):
    return out.decode(errors='replace').replace('\r', '').split()


def main():
    orrery = sys.argv[1]
    d = t.tempdir()
    z = t.write(os.path.join(d, 'regs.zImage'), reg_probe())
    u = t.write(os.path.join(d, 'regs.uImage'), uimage_noload(reg_probe()))
    initrd = t.write(os.path.join(d, 'initrd'), b'\x11' * 3000)
    fw = t.write(os.path.join(d, 'flash.bin'), flash_probe())
    psci = t.write(os.path.join(d, 'psci.bin'), psci_probe())
    qemu = shutil.which('qemu-system-arm')
    if qemu:
        v = subprocess.run([qemu, '--version'], stdout=subprocess.PIPE).stdout
        if b'version 7.2' not in v:
            qemu = None
    cases = [
        ('zImage, 256M', ['--kernel', z, '-m', '256M'],
         '00000000 ffffffff 48000000 40010000 800001d3'),
        ('zImage, 64M', ['--kernel', z, '-m', '64M'],
         '00000000 ffffffff 42000000 40010000 800001d3'),
        ('zImage, 256M, initrd', ['--kernel', z, '-m', '256M', '--initrd', initrd],
         '00000000 ffffffff 48001000 40010000 800001d3'),
        ('zImage, 16M, initrd', ['--kernel', z, '-m', '16M', '--initrd', initrd],
         '00000000 ffffffff 40801000 40010000 800001d3'),
        ('uImage kernel_noload', ['--kernel', u, '-m', '256M'],
         '00000000 ffffffff 48000000 42000040 800001d3'),
        ('--bios flash commands', ['--bios', fw], ' '.join(FLASH_EXPECTED)),
        ('PSCI calls over HVC', ['--bios', psci], PSCI_EXPECTED),
    ]
    for what, args, expected in cases:
        p = t.run([orrery, 'run', '--cpu', 'cortex-a15', '--timeout', '30'] + args)
        t.check(p.returncode == 0 and words(p.stdout) == expected.split(),
                '%s: as on QEMU 7.2' % what, t.describe(p) + '\nexpected: ' + expected)
        if qemu:
            qargs = [a.replace('--kernel', '-kernel').replace('--initrd', '-initrd')
                     .replace('--bios', '-bios') for a in args]
            q = t.run([qemu, '-M', 'virt', '-cpu', 'cortex-a15', '-nographic',
                       '-monitor', 'none', '-serial', 'stdio'] + qargs, timeout=60)
            want = expected.split()
            if what.startswith('PSCI'):
                want[0] = '00010001'
            t.check(words(q.stdout) == want, '%s: QEMU prints the same' % what, t.describe(q))
    t.finish()


if __name__ == '__main__':
    main()
