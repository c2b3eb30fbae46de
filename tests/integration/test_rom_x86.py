#!/usr/bin/env python3
"""An x86 self-checking ROM on x86-bare: must print PASSED and write 0 to
the exit port (exit status 1: the port's status is (value << 1) | 1), and
print the lines expected of the CPU model.

usage: test_rom_x86.py ORRERY ROM CPU"""
import os
import sys

import orrtest as t

# Lines a program prints that depend on the model (docs/roms.md).
EXPECTED = {
    'cpuid': {
        'i386': 'cpuid: none, AC fixed',
        'i486': 'cpuid: none, AC changes',
        'pentium': 'cpuid: family 5, features 00000139',
        'pentium-pro': 'cpuid: family 6, features 0000a139',
    },
    'x87': {
        'i386': 'x87: absent',
        'i486': 'x87: present',
        'pentium': 'x87: present',
        'pentium-pro': 'x87: present',
    },
}


def main():
    orrery, rom, cpu = sys.argv[1], sys.argv[2], sys.argv[3]
    name = os.path.basename(rom)[len('x86-'):-len('.rom')]
    p = t.run([orrery, 'run', '--board', 'x86-bare', '--bios', rom, '--cpu', cpu,
               '--timeout', '30'], timeout=50)
    out = p.stdout.decode(errors='replace')
    sys.stdout.write(out)
    t.check(p.returncode == 1, '%s on %s exits through port 0xF4 with 0 (status 1)'
            % (name, cpu), t.describe(p))
    t.check('\nPASSED\n' in out, '%s on %s prints PASSED' % (name, cpu), out[-300:])
    t.check('FAIL' not in out, '%s on %s reports no failed check' % (name, cpu), out[-300:])
    want = EXPECTED.get(name, {}).get(cpu)
    if want:
        t.check(('  ' + want + '\n') in out, '%s on %s prints "%s"' % (name, cpu, want),
                out[-300:])
    t.finish()


if __name__ == '__main__':
    main()
