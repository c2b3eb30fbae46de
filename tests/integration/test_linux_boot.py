#!/usr/bin/env python3
"""The Linux boot protocol from the command line: a zImage and a uImage
wrapping the same self-checking program (r0 = 0, r1 = 0xffffffff, r2 points
at a device tree) reach exit 0; an ELF with --initrd, RAM too small, a
truncated uImage and a missing initrd each give one error line, exit 1."""
import os
import struct
import sys
import zlib

import orrtest as t

RUN_TIME_ERROR = 0x20023


def checker():
    """Position-independent: checks the boot registers, exits through
    semihosting (application exit on success, run-time error otherwise)."""
    exit_with = lambda reason: [
        t.mov_imm(0, t.SYS_EXIT),
        lambda pc, l, r=reason: t.ldr_lit(1, pc, l[r]),
        t.SVC_SEMIHOSTING,
    ]
    return t.assemble([
        0xE3500000,                                   # cmp r0, #0
        lambda pc, l: t.branch(pc, l['fail'], t.NE),
        0xE3710001,                                   # cmn r1, #1
        lambda pc, l: t.branch(pc, l['fail'], t.NE),
        0xE5923000,                                   # ldr r3, [r2]
        lambda pc, l: t.ldr_lit(4, pc, l['magic']),
        0xE1530004,                                   # cmp r3, r4
        lambda pc, l: t.branch(pc, l['fail'], t.NE),
    ] + exit_with('good') + [('label', 'fail')] + exit_with('bad') + [
        ('label', 'hang'), lambda pc, l: t.branch(pc, l['hang']),
        ('label', 'magic'), 0xEDFE0DD0,               # 0xd00dfeed, big-endian
        ('label', 'good'), t.ADP_STOPPED_APPLICATION_EXIT,
        ('label', 'bad'), RUN_TIME_ERROR,
    ])


def zimage(code):
    # b 0x30; the header words at 0x24..0x2f; the code from 0x30.
    head = struct.pack('<I', t.branch(0, 0x30)) + b'\0' * 0x20
    size = 0x30 + len(code)
    head += struct.pack('<III', 0x016F2818, 0, size)
    return head + code


def uimage(code, load, entry):
    hdr = struct.pack('>IIIIIIIBBBB32s', 0x27051956, 0, 0, len(code), load, entry,
                      zlib.crc32(code), 5, 2, 2, 0, b'test')
    hdr = hdr[:4] + struct.pack('>I', zlib.crc32(hdr)) + hdr[8:]
    return hdr + code


def main():
    orrery = sys.argv[1]
    d = t.tempdir()
    code = checker()
    z = t.write(os.path.join(d, 'zImage'), zimage(code))
    u = t.write(os.path.join(d, 'uImage'), uimage(code, 0x40008000, 0x40008000))
    initrd = t.write(os.path.join(d, 'initrd'), b'\x5c' * 5000)
    base = [orrery, 'run', '--cpu', 'cortex-a15', '--semihosting', '--timeout', '20']

    for name, image in (('zImage', z), ('uImage', u)):
        p = t.run(base + ['--kernel', image])
        t.check(p.returncode == 0, '%s boots with r0/r1/r2 as booting.rst says' % name,
                t.describe(p))
    p = t.run(base + ['--kernel', z, '--initrd', initrd, '--append', 'console=ttyAMA0 x=1',
                      '-m', '64M'])
    t.check(p.returncode == 0, 'zImage with --initrd, --append and -m 64M', t.describe(p))

    elf = os.path.join(os.path.dirname(orrery), '..', 'roms', 'demo.elf')
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'roms', 'demo.elf')
    for cand in (elf, src):
        if os.path.exists(cand):
            p = t.run(base + ['--kernel', cand, '--initrd', initrd])
            t.check_one_error_line(p, 'ELF with --initrd', 1)
            break
    p = t.run(base + ['--kernel', z, '-m', '64K'])
    line = t.check_one_error_line(p, 'RAM too small for the kernel', 1)
    t.check('does not fit' in line, 'the message says what does not fit', line)
    bad = t.write(os.path.join(d, 'short.uImage'), uimage(code, 0x40008000, 0x40008000)[:-4])
    p = t.run(base + ['--kernel', bad])
    t.check_one_error_line(p, 'truncated uImage', 1)
    p = t.run(base + ['--kernel', z, '--initrd', os.path.join(d, 'missing')])
    t.check_one_error_line(p, 'missing initrd', 1)

    # PSCI over HVC from a raw Image: SYSTEM_OFF ends the run with status 0;
    # SYSTEM_RESET reboots (and so runs until --timeout) unless --no-reboot.
    def psci(fid):
        return t.assemble([lambda pc, l: t.ldr_lit(0, pc, l['fid']), 0xE1400070,
                           ('label', 'x'), lambda pc, l: t.branch(pc, l['x']),
                           ('label', 'fid'), fid])
    off = t.write(os.path.join(d, 'off.bin'), psci(0x84000008))
    reset = t.write(os.path.join(d, 'reset.bin'), psci(0x84000009))
    cpu = [orrery, 'run', '--cpu', 'cortex-a15']
    p = t.run(cpu + ['--timeout', '20', '--kernel', off])
    t.check(p.returncode == 0 and p.stderr == b'', 'PSCI SYSTEM_OFF: exit 0', t.describe(p))
    p = t.run(cpu + ['--timeout', '20', '--no-reboot', '--kernel', reset])
    t.check(p.returncode == 0 and p.stderr == b'', 'PSCI SYSTEM_RESET with --no-reboot: exit 0',
            t.describe(p))
    p = t.run(cpu + ['--timeout', '1', '--kernel', reset])
    t.check(p.returncode == 124, 'PSCI SYSTEM_RESET reboots until --timeout', t.describe(p))

    # --bios: firmware runs from flash at 0 and finds the device tree at the
    # start of RAM; then powers off through PSCI (or spins on failure).
    fw = t.assemble([
        lambda pc, l: t.ldr_lit(3, pc, l['ram']),
        0xE5933000,                                   # ldr r3, [r3]
        lambda pc, l: t.ldr_lit(4, pc, l['magic']),
        0xE1530004,                                   # cmp r3, r4
        lambda pc, l: t.branch(pc, l['spin'], t.NE),
        lambda pc, l: t.ldr_lit(0, pc, l['off']),
        0xE1400070,                                   # hvc #0
        ('label', 'spin'), lambda pc, l: t.branch(pc, l['spin']),
        ('label', 'ram'), 0x40000000,
        ('label', 'magic'), 0xEDFE0DD0,
        ('label', 'off'), 0x84000008,
    ])
    bios = t.write(os.path.join(d, 'bios.bin'), fw)
    p = t.run(cpu + ['--timeout', '20', '--bios', bios])
    t.check(p.returncode == 0, '--bios: runs from flash, DTB at the start of RAM', t.describe(p))
    p = t.run(cpu + ['--bios', bios, '--kernel', z])
    t.check_one_error_line(p, '--bios with --kernel', 1)
    big = os.path.join(d, 'big.bin')
    with open(big, 'wb') as f:
        f.truncate(64 * 1024 * 1024 + 4)
    p = t.run(cpu + ['--bios', big])
    line = t.check_one_error_line(p, '--bios larger than the flash bank', 1)
    t.check('larger than flash bank' in line, 'the message names the flash bank', line)
    os.unlink(big)
    t.finish()


if __name__ == '__main__':
    main()
