#!/usr/bin/env python3
"""The terminal as the guest's console: stdin bytes reach the UART (pipe),
--timeout gives status 124, and on a pseudo-terminal: raw mode, the Ctrl-A
escape keys, and the tty put back after Ctrl-A x and after SIGTERM."""
import os
import select
import signal
import subprocess
import sys
import termios
import time

import orrtest as t

UART = 0x09000000


def wait_raw(fd, proc, seconds=20):
    """Waits until the child has switched the tty to raw mode."""
    end = time.time() + seconds
    while time.time() < end:
        if not termios.tcgetattr(fd)[3] & termios.ICANON:
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.02)
    return False


def read_until(fd, want, seconds=20):
    buf, end = b'', time.time() + seconds
    while want not in buf and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
    return buf


def pty_run(orrery, args):
    master, slave = os.openpty()
    saved = termios.tcgetattr(slave)
    proc = subprocess.Popen([orrery] + args, stdin=slave, stdout=slave,
                            stderr=subprocess.PIPE, start_new_session=True)
    return master, slave, saved, proc


def finish_proc(proc, master, seconds=20):
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return read_until(master, b'\0never', 0.3)


def main():
    orrery = sys.argv[1]
    d = t.tempdir()
    echo = t.write(os.path.join(d, 'echo.bin'), t.prog_echo(UART))
    spin = t.write(os.path.join(d, 'spin.bin'), t.prog_spin())

    # stdin as a pipe: bytes go to the guest's UART; EOF is fine.
    p = t.run([orrery, 'run', '--semihosting', '--kernel', echo, '--timeout', '20'],
              stdin=b'hello, uart\nq', timeout=40)
    t.check(p.returncode == 0 and p.stdout == b'hello, uart\n' and p.stderr == b'',
            'piped stdin reaches the guest UART and comes back', t.describe(p))

    # Input that never tells the guest to stop: the timeout ends the run.
    start = time.time()
    p = t.run([orrery, 'run', '--kernel', spin, '--timeout', '1'], timeout=30)
    t.check_one_error_line(p, '--timeout 1 on a spinning guest', expect_status=124)
    t.check(time.time() - start < 10, '--timeout 1 ends the run promptly')

    p = t.run([orrery, 'run', '--semihosting', '--kernel', echo, '--timeout', '1.5'],
              stdin=b'no exit here', timeout=30)
    t.check(p.returncode == 124 and p.stdout == b'no exit here',
            'echo guest whose input ended without q times out with 124', t.describe(p))

    # A pseudo-terminal: raw mode, echo through the guest, escape keys.
    master, slave, saved, proc = pty_run(orrery, ['run', '--semihosting', '--kernel', echo,
                                                  '--timeout', '60'])
    if t.check(wait_raw(slave, proc), 'stdin tty switched to raw mode'):
        os.write(master, b'abc')
        out = read_until(master, b'abc')
        t.check(b'abc' in out, 'typed keys reach the guest and echo back (no local echo)',
                repr(out))
        os.write(master, b'\x01h')
        out = read_until(master, b'C-a x')
        t.check(b'C-a x' in out, 'Ctrl-A h prints the escape keys', repr(out))
        os.write(master, b'\x01x')
    finish_proc(proc, master)
    err = proc.stderr.read().decode(errors='replace')
    t.check(proc.returncode == 0, 'Ctrl-A x quits with status 0', 'exit %s, stderr %r' %
            (proc.returncode, err))
    t.check(termios.tcgetattr(slave) == saved, 'tty settings restored after Ctrl-A x')
    os.close(master)
    os.close(slave)

    # Ctrl-A Ctrl-A sends one Ctrl-A to the guest (echoed back as 0x01).
    master, slave, saved, proc = pty_run(orrery, ['run', '--semihosting', '--kernel', echo,
                                                  '--timeout', '60'])
    if t.check(wait_raw(slave, proc), 'raw mode again'):
        os.write(master, b'\x01\x01q')
        out = finish_proc(proc, master)
        t.check(proc.returncode == 0 and b'\x01' in out,
                'Ctrl-A Ctrl-A sends a literal Ctrl-A', 'exit %s, output %r' %
                (proc.returncode, out))
    else:
        finish_proc(proc, master)
    t.check(termios.tcgetattr(slave) == saved, 'tty settings restored after guest exit')
    os.close(master)
    os.close(slave)

    # Signals: the tty is restored, then the signal does what it would.
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        master, slave, saved, proc = pty_run(orrery, ['run', '--kernel', spin,
                                                      '--timeout', '60'])
        raw = wait_raw(slave, proc)
        t.check(raw, 'raw mode before %s' % sig.name)
        proc.send_signal(sig)
        finish_proc(proc, master)
        t.check(proc.returncode == -sig, '%s ends the run by that signal' % sig.name,
                'exit %s' % proc.returncode)
        t.check(termios.tcgetattr(slave) == saved, 'tty settings restored after %s' % sig.name)
        os.close(master)
        os.close(slave)

    # Timeout on a tty: restored too.
    master, slave, saved, proc = pty_run(orrery, ['run', '--kernel', spin, '--timeout', '1'])
    finish_proc(proc, master)
    t.check(proc.returncode == 124, 'timeout on a tty gives 124', 'exit %s' % proc.returncode)
    t.check(termios.tcgetattr(slave) == saved, 'tty settings restored after a timeout')
    os.close(master)
    os.close(slave)

    t.finish()


if __name__ == '__main__':
    main()
