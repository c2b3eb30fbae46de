#!/usr/bin/env python3
"""Orrery against QEMU on the same bare-metal guests, in one run.

usage: bench/run.py [--orrery PATH] [--repeat N]

Each guest (bench/*.elf) runs on Orrery (`orrery run --board arm-virt
--cpu cortex-a15 --semihosting --stats`) and on `qemu-system-arm -M virt
-cpu cortex-a15 -semihosting`. Wall time is the best of N runs. QEMU's
start-up cost is measured with empty.elf and subtracted from its times;
Orrery's time is the host time of the guest's run as --stats reports it.
The ratio is Orrery time / QEMU time (above 1: Orrery is slower).
Debian's qemu-system-arm is installed with apt-get when it is missing."""
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GUESTS = [('int_loop', 'tight integer loop'), ('mem_loop', 'load/store loop')]


def need_qemu():
    if shutil.which('qemu-system-arm'):
        return
    print('installing qemu-system-arm (Debian package)...', file=sys.stderr)
    sudo = [] if os.geteuid() == 0 else ['sudo']
    subprocess.run(sudo + ['apt-get', 'install', '-y', '-q', 'qemu-system-arm'], check=True)


def orrery_run(orrery, elf):
    p = subprocess.run([orrery, 'run', '--board', 'arm-virt', '--cpu', 'cortex-a15',
                        '--semihosting', '--stats', '--kernel', elf],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    m = re.search(r'stats: (\d+) instructions in ([0-9.]+) s', p.stderr)
    if p.returncode != 0 or not m:
        sys.exit('bench: orrery failed on %s: %s' % (elf, p.stderr.strip()))
    return int(m.group(1)), float(m.group(2))


def qemu_run(elf):
    t0 = time.monotonic()
    p = subprocess.run(['qemu-system-arm', '-M', 'virt', '-cpu', 'cortex-a15', '-nographic',
                        '-semihosting', '-kernel', elf],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
    t = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit('bench: qemu failed on %s (status %d)' % (elf, p.returncode))
    return t


def main():
    args = sys.argv[1:]
    orrery = os.path.join(HERE, '..', 'build', 'frontends', 'orrery')
    repeat = 3
    while args:
        a = args.pop(0)
        if a == '--orrery' and args:
            orrery = args.pop(0)
        elif a == '--repeat' and args:
            repeat = max(1, int(args.pop(0)))
        else:
            sys.exit(__doc__)
    need_qemu()
    elf = lambda name: os.path.join(HERE, name + '.elf')
    qemu_startup = min(qemu_run(elf('empty')) for _ in range(repeat))
    print('QEMU start-up (empty.elf, subtracted below): %.3f s' % qemu_startup)
    print('%-20s %12s %10s %10s %10s %10s' %
          ('guest', 'instructions', 'orrery s', 'MIPS', 'qemu s', 'ratio'))
    for name, what in GUESTS:
        runs = [orrery_run(orrery, elf(name)) for _ in range(repeat)]
        insns = runs[0][0]
        o_s = min(r[1] for r in runs)
        q_s = max(min(qemu_run(elf(name)) for _ in range(repeat)) - qemu_startup, 1e-3)
        print('%-20s %12d %10.3f %10.1f %10.3f %10.1f' %
              (what, insns, o_s, insns / o_s / 1e6, q_s, o_s / q_s))


if __name__ == '__main__':
    main()
