#!/usr/bin/env python3
"""The command line itself: --help covers every option, --version, the
listings, and usage errors (exit 2, one line) for malformed commands."""
import sys

import orrtest as t


def main():
    orrery = sys.argv[1]

    p = t.run([orrery, '--help'])
    out = p.stdout.decode()
    t.check(p.returncode == 0 and p.stderr == b'', '--help exits 0, quietly', t.describe(p))
    for opt in ('--board', '--cpu', '-m', '--memory', '--kernel', '--initrd', '--append', '--dtb',
                '--bios', '--semihosting', '--clock',
                '--timeout', '--no-reboot', '--display', '--confirm-close',
                '--screenshot-at-exit', '-v', '-vv', '--verbose', '--help', '--version',
                '--min-pass', 'run', 'boards', 'cpus', 'devices', 'conformance', 'Ctrl-A x',
                'Ctrl-A h', 'Ctrl-A Ctrl-A', '124'):
        t.check(opt in out, '--help mentions %s' % opt)
    for args in (['run', '--help'], ['help'], ['-h']):
        p = t.run([orrery] + args)
        t.check(p.returncode == 0 and p.stdout.decode() == out,
                '%s prints the same help' % ' '.join(args), t.describe(p))

    p = t.run([orrery, '--version'])
    t.check(p.returncode == 0 and p.stdout.startswith(b'orrery '), '--version', t.describe(p))

    p = t.run([orrery, 'boards'])
    t.check(p.returncode == 0 and b'arm-virt' in p.stdout, 'boards lists arm-virt', t.describe(p))
    p = t.run([orrery, 'cpus'])
    t.check(p.returncode == 0 and b'arm926ej-s' in p.stdout, 'cpus lists arm926ej-s',
            t.describe(p))
    p = t.run([orrery, 'devices'])
    t.check(p.returncode == 0 and b'pl011' in p.stdout and b'compatible:' in p.stdout,
            'devices lists pl011 with its compatibles', t.describe(p))

    usage = [
        (['--bogus'], 'unknown option'),
        (['run', '--bogus'], 'unknown option after run'),
        (['run', 'stray'], 'stray argument'),
        (['frobnicate'], 'unknown command'),
        (['run', '--kernel'], 'missing --kernel value'),
        (['run', '--board'], 'missing --board value'),
        (['run', '--cpu='], 'empty --cpu= value'),
        (['run', '-m'], 'missing -m value'),
        (['run', '-m', '12Q'], 'bad -m suffix'),
        (['run', '-m', 'abc'], 'bad -m number'),
        (['run', '-m', '-5M'], 'negative -m'),
        (['run', '-m', '0'], 'zero -m'),
        (['run', '-m', '1.5G'], 'fractional -m'),
        (['run', '-m', '256M ', ], '-m with trailing space'),
        (['run', '-m', '99999999999999999999G'], 'overflowing -m'),
        (['run', '--memory=1001K'], '-m not a multiple of 4K'),
        (['run', '--clock', 'sundial'], 'bad --clock'),
        (['run', '--timeout', 'soon'], 'bad --timeout'),
        (['run', '--timeout=0'], 'zero --timeout'),
        (['run', '--semihosting=yes'], 'flag given a value'),
        (['boards', 'extra'], 'boards with an argument'),
        (['conformance'], 'conformance without suite'),
        (['conformance', 'z80', '/tmp'], 'conformance with unknown suite'),
        (['conformance', 'arm7tdmi', '/tmp', '--min-pass', '101'], 'bad --min-pass'),
    ]
    for args, what in usage:
        p = t.run([orrery] + args, timeout=20)
        t.check_one_error_line(p, what, expect_status=2)

    t.finish()


if __name__ == '__main__':
    main()
