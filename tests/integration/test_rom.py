#!/usr/bin/env python3
"""A self-checking ROM: runs with --semihosting and must exit 0."""
import os
import sys

import orrtest as t


def main():
    orrery, rom = sys.argv[1], sys.argv[2]
    p = t.run([orrery, 'run', '--semihosting', '--kernel', rom, '--timeout', '120'], timeout=150)
    sys.stdout.write(p.stdout.decode(errors='replace'))
    t.check(p.returncode == 0, '%s exits 0' % os.path.basename(rom), t.describe(p))
    t.finish()


if __name__ == '__main__':
    main()
