#!/usr/bin/env python3
"""Idle cost: the host CPU time an emulator burns while its Linux guest sits
at the shell prompt, as a percentage of one host core.

usage: bench/idle.py [--orrery PATH] [--emulator orrery|qemu] [--clock realtime|virtual]
                     [--window S] [--settle S] [--append ARGS] [--timeout S]
                     [--show-console] [--cache DIR]

The interactive guest of scripts/debian-guest (no --init-script: /init
starts a busybox shell on the console) boots with the same command as in
bench/boot.py; the emulator's stdin is a pipe that stays open and silent, so
the shell waits for input. Once the prompt has appeared and --settle seconds
have passed, the emulator process's CPU time (utime + stime of all its
threads, /proc/PID/stat) is sampled every second for --window seconds. The
figure is CPU time over wall time. Each second's share and the process's
context switches per second (how often it wakes up) are printed too, so a
high figure can be told apart: a steady cost every second (polling or
ticking), or bursts. Finally a command is typed at the prompt to show that
the guest was alive all along, and the machine is stopped.

Orrery runs with --clock realtime by default: that is the interactive mode,
in which an idle CPU (WFI) makes the process sleep until the next timer
event. With --clock virtual guest time jumps to each event instead, so an
idle guest runs as fast as its timer events come (not an interactive mode).
Exit status 0 when the figure is under 5 %, 1 otherwise or on failure."""
import argparse
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402

SHELL_MARKER = b'ORRERY-GUEST-INIT: shell on the console'
PROMPT = b'# '
LIMIT_PERCENT = 5.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--orrery', default=guest.DEFAULT_ORRERY)
    ap.add_argument('--emulator', choices=['orrery', 'qemu'], default='orrery')
    ap.add_argument('--clock', choices=['virtual', 'realtime'], default='realtime')
    ap.add_argument('--window', type=float, default=15)
    ap.add_argument('--settle', type=float, default=5)
    ap.add_argument('--append', default='console=ttyAMA0 quiet')
    ap.add_argument('--timeout', type=float, default=900, help='limit for the boot (s)')
    ap.add_argument('--show-console', action='store_true')
    ap.add_argument('--cache')
    a = ap.parse_args()

    if a.emulator == 'qemu' and shutil.which('qemu-system-arm') is None:
        sys.exit('bench: qemu-system-arm is not installed')
    if a.emulator == 'orrery' and not os.access(a.orrery, os.X_OK):
        sys.exit('bench: no orrery binary at %s' % a.orrery)

    kernel, initrd = guest.build_guest(None, a.cache)
    if a.emulator == 'orrery':
        # The emulator's own limit covers boot, settling, window and exit.
        limit = int(a.timeout + a.settle + a.window + 60)
        argv = guest.orrery_argv(a.orrery, kernel, initrd, a.append, limit, a.clock)
    else:
        argv = guest.qemu_argv(kernel, initrd, a.append)
    print('emulator  %s' % ' '.join(argv))

    con = guest.Console(argv, echo=sys.stderr if a.show_console else None)
    ok = False
    try:
        t_shell, pos = con.wait_for(SHELL_MARKER, a.timeout)
        t_prompt = None
        if t_shell is not None:
            t_prompt, pos = con.wait_for(PROMPT, a.timeout, pos)
        if t_prompt is None:
            sys.stderr.write('bench: no shell prompt within %g s; the end of the output:\n%s\n'
                             % (a.timeout, con.tail()))
            return 1
        print('shell prompt after %.1f s' % t_prompt)

        end = time.monotonic() + a.settle
        while time.monotonic() < end:
            con.pump(end - time.monotonic())
        out_before = len(con.out)

        hz = os.sysconf('SC_CLK_TCK')
        ticks0, sw0, w0 = guest.cpu_ticks(con.pid), guest.context_switches(con.pid), \
            time.monotonic()
        ticks, sw, w = ticks0, sw0, w0
        per_second = []
        while w - w0 < a.window - 1e-6:
            next_w = min(w + 1.0, w0 + a.window)
            while time.monotonic() < next_w:
                con.pump(next_w - time.monotonic())
            t1, s1, w1 = guest.cpu_ticks(con.pid), guest.context_switches(con.pid), \
                time.monotonic()
            per_second.append(((t1 - ticks) / hz / (w1 - w) * 100, (s1 - sw) / (w1 - w)))
            ticks, sw, w = t1, s1, w1
        cpu_s = (ticks - ticks0) / hz
        percent = cpu_s / (w - w0) * 100
        print('per second: ' + ' '.join('%.0f%%/%.0fsw' % p for p in per_second))
        print('console output during the window: %d bytes' % (len(con.out) - out_before))

        # The guest still answers: the shell runs a command.
        start = len(con.out)
        con.send(b'echo "IDLE-$((6*7))"\n')
        t_echo, _ = con.wait_for(b'IDLE-42', time.monotonic() - con.t0 + 60, start)
        alive = t_echo is not None
        print('%s: %.2f s of CPU in %.1f s at the prompt = %.1f %% of one core '
              '(%.0f context switches/s); the shell %s' %
              (a.emulator, cpu_s, w - w0, percent, (sw - sw0) / (w - w0),
               'answered afterwards' if alive else 'did NOT answer afterwards'))
        ok = alive and percent < LIMIT_PERCENT
        try:
            con.send(b'poweroff -f\n')
        except BrokenPipeError:
            pass
        end = time.monotonic() + 10
        while con.proc.poll() is None and time.monotonic() < end:
            con.pump(0.5)
    finally:
        con.stop()
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
