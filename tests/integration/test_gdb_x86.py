#!/usr/bin/env python3
"""gdb-multiarch (`set architecture i386`) against the GDB stub on the
x86-bare board, running the protected-mode ROM (roms/tests/x86/protected.asm):
the registers at the reset vector (CS F000, EIP FFF0, real mode), a
stepi through the far jump to F000:0000, a breakpoint at the first 32-bit
instruction (pm_entry at linear 0xF2000, reached after the far jump to
08:000F2000), a stepi there, `x/2i` disassembling 32-bit code, and a
continue to the ROM's exit (status 1: passed).

usage: test_gdb_x86.py ORRERY ROM"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

import orrtest as t

PM_ENTRY = 0xf2000       # `section .text32 ... vstart=0xf2000`: pm_entry is first


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def values(out):
    """What each `p/x` printed, in order."""
    return [int(v, 16) for v in re.findall(r'^\$\d+ = (0x[0-9a-f]+)$', out, re.M)]


def main():
    orrery, rom = sys.argv[1], sys.argv[2]
    gdb = shutil.which('gdb-multiarch')
    if not gdb:
        t.skip('gdb-multiarch is not installed')
    port = free_port()
    proc = subprocess.Popen([orrery, 'run', '--board', 'x86-bare', '--bios', rom,
                             '--gdb', str(port), '--gdb-wait', '--timeout', '60'],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    commands = [
        'set pagination off', 'set confirm off', 'set architecture i386',
        'target remote :%d' % port,
        'p/x $eip', 'p/x $cs', 'p/x $eflags',
        'stepi', 'p/x $eip', 'p/x $cs',
        'break *0x%x' % PM_ENTRY, 'continue',
        'p/x $eip', 'p/x $cs', 'p/x $ds',
        'stepi', 'p/x $eip', 'p/x $eax & 0xffff',
        'x/2i $pc', 'info registers',
        'p $fctrl', 'set $st0 = 2.5', 'p $st0', 'p $ftag',
        'delete', 'continue',
    ]
    with tempfile.NamedTemporaryFile('w', suffix='.gdb', delete=False) as f:
        f.write('\n'.join(commands) + '\n')
        script = f.name
    try:
        p = subprocess.run([gdb, '-batch', '-nx', '-x', script], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        out = p.stdout.decode(errors='replace')
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b'').decode(errors='replace')
        t.fail('gdb did not finish within 60 s')
    finally:
        os.unlink(script)
    try:
        stdout, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, _ = proc.communicate()
    sys.stdout.write(out)

    v = values(out)
    t.check(len(v) == 10, 'gdb printed every value', out[-2000:])
    if len(v) == 10:
        t.check(v[0:2] == [0xfff0, 0xf000], 'reset: CS:EIP = F000:FFF0', str(v))
        t.check(v[2] == 0x2, 'reset: EFLAGS = 2', str(v))
        t.check(v[3:5] == [0x0, 0xf000], 'stepi through the far jump: F000:0000', str(v))
        t.check(v[5:7] == [PM_ENTRY, 0x08], 'breakpoint at pm_entry, CS = 08', str(v))
        t.check(v[7] == 0, 'DS still the real-mode 0 before pm_entry loads it', str(v))
        t.check(v[9] == 0x10 and v[8] == PM_ENTRY + 4,
                'stepi over `mov ax, 0x10` (4 bytes with the 66 prefix)', str(v))
    t.check(re.search(r'=> 0xf2004:\s+mov\s+%eax,%ds', out) is not None,
            'x/2i disassembles 32-bit code at the breakpoint', out[-1500:])
    t.check(re.search(r'^eflags\s+0x[0-9a-f]+\s+\[', out, re.M) is not None,
            'info registers shows EFLAGS with its flag names', out[-1500:])
    # The x87 registers: the power-on control word, and ST0 written and
    # read back through the 80-bit registers of the description.
    t.check(re.search(r'^\$\d+ = 64\n\$\d+ = 2\.5\n\$\d+ = 21844$', out, re.M) is not None,
            'the x87 registers: fctrl 0x40 at power-on, st0 written and read back as 2.5, '
            'ftag showing R0 valid', out[-1500:])
    t.check('exited with code 01' in out, 'continue runs the ROM to its exit (status 1)',
            out[-500:])
    t.check(proc.returncode == 1 and b'PASSED' in stdout,
            'the ROM passed under the debugger', 'status %s' % proc.returncode)
    t.finish()


if __name__ == '__main__':
    main()
