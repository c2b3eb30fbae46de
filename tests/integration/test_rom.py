#!/usr/bin/env python3
"""A self-checking ROM: runs with --semihosting and must exit 0.

usage: test_rom.py ORRERY ROM [BOARD] [OPTION...]
(BOARD: passed as --board; OPTIONs such as `--cpu cortex-a7` are passed on)"""
import os
import sys

import orrtest as t


def main():
    orrery, rom = sys.argv[1], sys.argv[2]
    extra = sys.argv[3:]
    if extra and not extra[0].startswith('--'):
        extra = ['--board'] + extra
    p = t.run([orrery, 'run', '--semihosting', '--kernel', rom, '--timeout', '120'] + extra,
              timeout=150)
    sys.stdout.write(p.stdout.decode(errors='replace'))
    t.check(p.returncode == 0, '%s exits 0' % os.path.basename(rom), t.describe(p))
    t.finish()


if __name__ == '__main__':
    main()
