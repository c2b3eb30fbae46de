#!/usr/bin/env python3
"""A self-checking ROM: runs with --semihosting and must exit 0.

usage: test_rom.py ORRERY ROM [BOARD]   (BOARD: passed as --board)"""
import os
import sys

import orrtest as t


def main():
    orrery, rom = sys.argv[1], sys.argv[2]
    board = ['--board', sys.argv[3]] if len(sys.argv) > 3 else []
    p = t.run([orrery, 'run', '--semihosting', '--kernel', rom, '--timeout', '120'] + board,
              timeout=150)
    sys.stdout.write(p.stdout.decode(errors='replace'))
    t.check(p.returncode == 0, '%s exits 0' % os.path.basename(rom), t.describe(p))
    t.finish()


if __name__ == '__main__':
    main()
