#!/usr/bin/env python3
"""The monitor on x86-bare (`--monitor`, commands on stdin) with the
protected-mode ROM (roms/tests/x86/protected.asm): `step` at the reset vector
explains a real-mode instruction in 16-bit mode and shows CS's base
changing with the far jump, and the next step is at CS base + IP; after `break` at pm_entry (linear 0xF2000)
and `continue`, `step` explains `mov ax, 0x10` as 32-bit protected-mode
code with its operand-size prefix; `--trace` prints x86 instructions as their
bytes at their linear addresses.

usage: test_monitor_x86.py ORRERY ROM"""
import sys

import orrtest as t


def main():
    orrery, rom = sys.argv[1], sys.argv[2]
    p = t.run([orrery, 'run', '--board', 'x86-bare', '--bios', rom, '--monitor',
               '--timeout', '30'],
              stdin=b'step\nstep\nbreak 0xf2000\ncontinue\nstep\nquit\n', timeout=60)
    out = p.stdout.decode(errors='replace')
    sys.stdout.write(out)
    first, _, rest = out.partition('(orrery) break')
    t.check('mode          real, 16-bit code' in first,
            'the first step is explained as real-mode 16-bit code', first[-800:])
    t.check('cs_base       0xffff0000 -> 0x000f0000' in first,
            'the far jump at the reset vector reloads CS (base 0xF0000)', first[-800:])
    t.check('\n0x000f0000:  ' in first,
            'the next step shows the instruction at CS base + IP (linear 0xF0000), as '
            'breakpoints see it', first[-800:])
    t.check('0x000f2000:  66b81000  mov ax, 0x10' in rest,
            'at pm_entry the disassembly is 32-bit code (66 prefix: AX)', rest[-800:])
    t.check('mode          protected, 32-bit code' in rest,
            'the step at pm_entry is explained as protected-mode 32-bit code', rest[-800:])
    # The trace shows x86 instructions as their bytes in memory order, at
    # their linear addresses.
    p = t.run([orrery, 'run', '--board', 'x86-bare', '--bios', rom, '--trace', '-',
               '--trace-count', '2', '--timeout', '30'], timeout=60)
    lines = p.stdout.decode(errors='replace').splitlines()
    t.check(len(lines) >= 2 and lines[0].startswith('fffffff0  ea000000f0  ') and
            'ljmp 0xf000:0' in lines[0] and lines[1].startswith('000f0000  '),
            'the trace: bytes in memory order, linear addresses', '\n'.join(lines[:4]))
    t.check('eip           0x000f2000 -> 0x000f2004' in rest,
            'the step advances EIP by the 4-byte instruction', rest[-800:])
    t.finish()


if __name__ == '__main__':
    main()
