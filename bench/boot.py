#!/usr/bin/env python3
"""Linux boot time, Orrery against QEMU: the same kernel, initramfs and
command line, booted to a marker on the console.

usage: bench/boot.py [--guest debian-arm|debian-x86] [--orrery PATH] [--rounds N]
                     [--append ARGS] [--clock virtual|realtime] [--timeout S]
                     [--only orrery|qemu] [--show-console] [--cache DIR]

The guest comes from scripts/debian-guest with an --init-script that
prints the marker (its /init then powers the machine off). Each round boots
it once on Orrery

  debian-arm: orrery run -m 256 --kernel K --initrd I --append ARGS --clock C
  debian-x86: orrery run --board pc -m 255M --kernel K --initrd I ...

and once on QEMU

  debian-arm: qemu-system-arm -M virt -cpu cortex-a15 -nic none -m 256 ...
  debian-x86: qemu-system-i386 -M isapc -cpu pentium,+cmov,-apic -m 256 ...
      (both with -display none -monitor none -serial stdio -no-reboot
       -kernel K -initrd I -append ARGS)

alternating which goes first. The time of a boot is the wall-clock time from
starting the emulator to the marker appearing in its console output, read as
it arrives; the emulator is then stopped. Prints every time, each
emulator's median, and the ratio of the medians (Orrery / QEMU).
Defaults: debian-arm, 3 rounds, --append "console=ttyAMA0 quiet" (x86:
"console=ttyS0 quiet"), Orrery's default virtual clock, 900 s per boot."""
import argparse
import os
import shutil
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402

MARKER = b'ORRERY-BENCH: booted'
# The marker is built by the shell at run time, so the text of the script
# itself (which the kernel never prints anyway) cannot match it.
INIT_SCRIPT = '#!/bin/sh\nB=booted\necho "ORRERY-BENCH: $B"\n'
DEFAULT_APPEND = {'debian-arm': 'console=ttyAMA0 quiet', 'debian-x86': 'console=ttyS0 quiet'}


def boot_once(name, argv, timeout_s, show):
    con = guest.Console(argv, echo=sys.stderr if show else None)
    t, _ = con.wait_for(MARKER, timeout_s)
    status = con.stop()
    if t is None:
        sys.stderr.write('bench: %s did not print the marker within %g s (status %s); '
                         'the end of its output:\n%s\n' % (name, timeout_s, status, con.tail()))
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--guest', choices=guest.GUESTS, default='debian-arm')
    ap.add_argument('--orrery', default=guest.DEFAULT_ORRERY)
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--append')
    ap.add_argument('--clock', choices=['virtual', 'realtime'], default='virtual')
    ap.add_argument('--timeout', type=float, default=900)
    ap.add_argument('--only', choices=['orrery', 'qemu'])
    ap.add_argument('--show-console', action='store_true',
                    help='copy the guests\' console output to stderr')
    ap.add_argument('--cache', help='the guest builder\'s cache directory')
    a = ap.parse_args()
    if a.append is None:
        a.append = DEFAULT_APPEND[a.guest]

    want = ['orrery', 'qemu'] if a.only is None else [a.only]
    qemu = guest.qemu_program(a.guest)
    if 'qemu' in want and shutil.which(qemu) is None:
        sys.exit('bench: %s is not installed (Debian package %s)' %
                 (qemu, 'qemu-system-x86' if a.guest == 'debian-x86' else 'qemu-system-arm'))
    if 'orrery' in want and not os.access(a.orrery, os.X_OK):
        sys.exit('bench: no orrery binary at %s (build it, or pass --orrery)' % a.orrery)

    kernel, initrd = guest.build_guest(INIT_SCRIPT, a.cache, a.guest)
    argv = {
        'orrery': guest.orrery_argv(a.orrery, kernel, initrd, a.append,
                                    int(a.timeout) + 1, a.clock, a.guest),
        'qemu': guest.qemu_argv(kernel, initrd, a.append, a.guest),
    }
    print('guest   %s\nkernel  %s\ninitrd  %s\nappend  %s\norrery clock  %s' %
          (a.guest, kernel, initrd, a.append, a.clock))
    times = {name: [] for name in want}
    for r in range(a.rounds):
        order = want if r % 2 == 0 else list(reversed(want))
        for name in order:
            t = boot_once(name, argv[name], a.timeout, a.show_console)
            print('round %d  %-6s  %s' % (r + 1, name, 'failed' if t is None else '%.2f s' % t),
                  flush=True)
            if t is not None:
                times[name].append(t)

    print()
    print('%-8s %8s %8s %8s  %s' % ('', 'median', 'min', 'max', 'runs'))
    medians = {}
    for name in want:
        ts = times[name]
        if not ts:
            print('%-8s %8s' % (name, 'failed'))
            continue
        medians[name] = statistics.median(ts)
        print('%-8s %7.2fs %7.2fs %7.2fs  %d/%d' %
              (name, medians[name], min(ts), max(ts), len(ts), a.rounds))
    if 'orrery' in medians and 'qemu' in medians:
        print('ratio (orrery median / qemu median): %.2f' %
              (medians['orrery'] / medians['qemu']))
    sys.exit(0 if all(len(times[n]) == a.rounds for n in want) else 1)


if __name__ == '__main__':
    main()
