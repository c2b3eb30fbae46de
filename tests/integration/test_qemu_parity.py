#!/usr/bin/env python3
"""Bare-metal parity with QEMU: the same ELF, unmodified, runs on Orrery's
arm-virt and on QEMU's virt, and both give the same console output (byte for
byte) and the same exit status.

usage: test_qemu_parity.py ORRERY SOURCE_ROOT

Orrery:  orrery run --kernel ELF --semihosting [--cpu MODEL] --timeout T
QEMU:    qemu-system-arm -M virt -cpu MODEL -semihosting -kernel ELF
         -display none -monitor none -serial stdio -nodefaults
         (stdin from /dev/null, stdout a pipe, killed after T seconds)

The programs: roms/tests/virt_parity.elf (computations printed on the PL011,
exit status 0 only when every result is the expected one), every ROM in
roms/ built for the virt machine, and two hand-made ELFs that print a line
and leave with a non-zero status through SYS_EXIT_EXTENDED and SYS_EXIT, so
a status is compared both ways. Skipped (77) only when qemu-system-arm is
not installed."""
import os
import shutil
import signal
import struct
import subprocess
import sys

import orrtest as t

TIMEOUT = 60
RAM_BASE = 0x40000000
UART_BASE = 0x09000000

# (file under roms/, CPU models to run it on). Everything here runs on
# QEMU's virt as built; exceptions.elf takes its vectors through VBAR there.
ROMS = [
    ('tests/virt_parity.elf', ['cortex-a15']),
    ('demo.elf', ['cortex-a15']),
    ('tests/arm.elf', ['cortex-a15']),
    ('tests/thumb.elf', ['cortex-a15']),
    ('tests/uart.elf', ['cortex-a15']),
    ('tests/rtcgpio.elf', ['cortex-a15']),
    ('tests/exceptions.elf', ['cortex-a15']),
    ('tests/v7_mmu.elf', ['cortex-a15', 'cortex-a7']),
]


def qemu_argv(elf, cpu):
    return ['qemu-system-arm', '-M', 'virt', '-cpu', cpu, '-nodefaults',
            '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
            '-semihosting', '-kernel', elf]


def orrery_argv(orrery, elf, cpu):
    return [orrery, 'run', '--semihosting', '--cpu', cpu, '--kernel', elf,
            '--timeout', str(TIMEOUT)]


def run(argv):
    """Runs argv in its own process group with stdin from /dev/null (QEMU's
    stdio backend must not take the test's stdin or terminal); returns
    (status, stdout, stderr), status None when it had to be killed."""
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = p.communicate(timeout=TIMEOUT + 15)
        return p.returncode, out, err
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        return None, out, err


def elf32_arm(entry, image):
    """A minimal ELF32 ARM executable: one PT_LOAD of image at RAM_BASE."""
    offset = 0x100
    ehdr = struct.pack('<16sHHIIIIIHHHHHH', b'\x7fELF\x01\x01\x01' + b'\0' * 9,
                       2, 40, 1, entry, 52, 0, 0x05000000, 52, 32, 1, 0, 0, 0)
    phdr = struct.pack('<IIIIIIII', 1, offset, RAM_BASE, RAM_BASE,
                       len(image), len(image), 5, 4)
    head = ehdr + phdr
    return head + b'\0' * (offset - len(head)) + image


def prog_print_and_exit_extended(text, subcode):
    """Prints text on the PL011 and exits through SYS_EXIT_EXTENDED with
    {ADP_Stopped_ApplicationExit, subcode}: exit status subcode."""
    items = [
        lambda pc, l: t.ldr_lit(1, pc, l['uart']),
        lambda pc, l: t.ldr_lit(0, pc, l['cr']),
        t.str_imm(0, 1, t.PL011_CR),
    ]
    for c in text:
        items += [t.mov_imm(0, c), t.str_imm(0, 1, t.PL011_DR)]
    items += [
        t.mov_imm(0, 0x20),                        # SYS_EXIT_EXTENDED
        lambda pc, l: t.ldr_lit(1, pc, l['block_addr']),
        t.SVC_SEMIHOSTING,
        ('label', 'hang'),
        lambda pc, l: t.branch(pc, l['hang']),
        ('label', 'uart'), UART_BASE,
        ('label', 'cr'), t.PL011_CR_ENABLE,
        ('label', 'block_addr'), lambda pc, l: RAM_BASE + l['block'],
        ('label', 'block'), t.ADP_STOPPED_APPLICATION_EXIT, subcode,
    ]
    return t.assemble(items)


def prog_print_and_fail(text):
    """Prints text and exits through SYS_EXIT with
    ADP_Stopped_RunTimeErrorUnknown: a non-zero status (1 on both)."""
    image = t.prog_print_and_exit(UART_BASE, text)
    # The last word of prog_print_and_exit is the exit reason.
    return image[:-4] + struct.pack('<I', 0x20023)


def compare(orrery, elf, cpu, what):
    o_status, o_out, o_err = run(orrery_argv(orrery, elf, cpu))
    q_status, q_out, q_err = run(qemu_argv(elf, cpu))
    detail = ('orrery: exit %s, stderr %r\nqemu: exit %s, stderr %r\n'
              '--- orrery stdout:\n%s\n--- qemu stdout:\n%s' %
              (o_status, o_err.decode(errors='replace')[-500:],
               q_status, q_err.decode(errors='replace')[-500:],
               o_out.decode(errors='replace')[-1500:], q_out.decode(errors='replace')[-1500:]))
    same = (q_status is not None and o_status == q_status and o_out == q_out
            and len(q_out) > 0)
    t.check(same, '%s on %s: same output (%d bytes) and exit status (%s)' %
            (what, cpu, len(q_out), q_status), detail)
    return o_status, q_status


def main():
    orrery, source_root = sys.argv[1], sys.argv[2]
    if shutil.which('qemu-system-arm') is None:
        t.skip('qemu-system-arm is not installed (Debian package qemu-system-arm)')
    roms = os.path.join(source_root, 'roms')

    for rom, cpus in ROMS:
        for cpu in cpus:
            o_status, _ = compare(orrery, os.path.join(roms, rom), cpu, rom)
            t.check(o_status == 0, '%s on %s exits 0' % (rom, cpu))

    d = t.tempdir()
    made = [
        ('exit-extended-3.elf', prog_print_and_exit_extended(b'status 3\r\n', 3), 3),
        ('exit-extended-42.elf', prog_print_and_exit_extended(b'status 42\r\n', 42), 42),
        ('exit-runtime-error.elf', prog_print_and_fail(b'run-time error\r\n'), 1),
    ]
    for name, image, status in made:
        elf = t.write(os.path.join(d, name), elf32_arm(RAM_BASE, image))
        o_status, q_status = compare(orrery, elf, 'cortex-a15', name)
        t.check(o_status == status and q_status == status,
                '%s: exit status %d on both' % (name, status),
                'orrery %s, qemu %s' % (o_status, q_status))
    shutil.rmtree(d, ignore_errors=True)
    t.finish()


if __name__ == '__main__':
    main()
