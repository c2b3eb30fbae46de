#!/usr/bin/env python3
"""The embedded demo: `orrery` alone runs it and exits 0 with its banner;
`orrery run` and the --option=value spellings do the same."""
import sys

import orrtest as t

BANNER = b'Orrery'


def main():
    orrery = sys.argv[1]
    runs = [
        ([], 'orrery with no arguments'),
        (['run'], 'orrery run without --kernel'),
        (['run', '--board=arm-virt', '--cpu=arm926ej-s', '--clock=virtual', '--timeout=60'],
         '--option=value forms'),
        (['run', '--board', 'arm-virt', '--cpu', 'arm926ej-s', '-m', '256M', '--timeout', '60',
          '--no-reboot'], 'separate values and -m'),
        (['run', '--clock', 'realtime', '--timeout', '60'], 'realtime clock'),
    ]
    first = None
    for args, what in runs:
        p = t.run([orrery] + args, timeout=90)
        t.check(p.returncode == 0 and BANNER in p.stdout and p.stderr == b'',
                '%s: exit 0, banner on stdout, nothing on stderr' % what, t.describe(p))
        realtime = 'realtime' in args
        if first is None:
            first = p.stdout
        elif not realtime:
            # The virtual clock makes every run the same, byte for byte.
            t.check(p.stdout == first, '%s: same output as the first run' % what, t.describe(p))

    p = t.run([orrery, '-v'], timeout=90)
    t.check(p.returncode == 0 and b'[board]' in p.stderr,
            '-v logs board messages to stderr', t.describe(p))
    t.finish()


if __name__ == '__main__':
    main()
