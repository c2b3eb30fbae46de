#!/usr/bin/env python3
"""The real SDL2 window, photographed (docs/display.md): under Xvfb, orrery
runs a program on the pc board with --display sdl; the X server's own
picture of its screen (xwd, from Debian's x11-apps) must contain, pixel for
pixel, the frame the monitor's `screendump` writes at the same time: what
the window shows is the guest's screen, not only what the offscreen path
renders. Then, with xdotool (Debian's xdotool) typing into the focused
window through the X server's XTEST extension, as a keyboard would, a
program that copies the keyboard controller's bytes to the debug console
receives the set-1 scan codes of the keys.

Skips (77) when orrery was built without SDL2 or Xvfb/xwd are missing; the
typing part is left out (with a note) without xdotool.

usage: test_window.py ORRERY"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import orrtest as t  # noqa: E402
from orrtest import x86_realmode_elf as elf  # noqa: E402

# "WINDOW" in white on blue at the top left and a line of colours below,
# the cursor off (CR0A bit 5): nothing on the screen changes with time.
CELLS = [(c, 0x1f) for c in 'WINDOW'] + [(' ', 0x07)] + [('#', a) for a in range(1, 16)]


def program():
    code = bytes([0xb8, 0x00, 0xb8, 0x8e, 0xc0])                 # mov ax, 0xb800; mov es, ax
    for i, (ch, attr) in enumerate(CELLS):
        code += bytes([0x26, 0xc7, 0x06, 2 * i, 0, ord(ch), attr])
    code += bytes([0xba, 0xd4, 0x03, 0xb0, 0x0a, 0xee,            # CRTC index 0x0A
                   0x42, 0xb0, 0x20, 0xee])                       # cursor off
    return code + bytes([0xeb, 0xfe])


def keyboard_program():
    """Copies every byte the keyboard controller delivers to port 0xE9."""
    return bytes([0xe4, 0x64, 0xa8, 0x01, 0x74, 0xfa,            # in al, 0x64; test 1; jz
                  0xe4, 0x60, 0xe6, 0xe9, 0xeb, 0xf4])            # in al, 0x60; out 0xe9; jmp


def typing(orrery, d, env):
    """Keys typed into the window reach the guest's keyboard."""
    prog = os.path.join(d, 'kbd.elf')
    t.write(prog, elf(keyboard_program()))
    proc = subprocess.Popen([orrery, 'run', '--board', 'pc', '--kernel', prog, '--display', 'sdl',
                             '--timeout', '60'],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        wid = None
        end = time.monotonic() + 30
        while not wid and time.monotonic() < end:
            time.sleep(0.3)
            r = subprocess.run(['xdotool', 'search', '--name', '^Orrery pc'], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            wid = r.stdout.split()[0].decode() if r.stdout.split() else None
        if not t.check(wid is not None, 'the window is there, titled "Orrery pc - ..."'):
            return
        subprocess.run(['xdotool', 'windowfocus', '--sync', wid], env=env, timeout=30)
        time.sleep(0.5)
        subprocess.run(['xdotool', 'type', '--delay', '100', 'ab'], env=env, timeout=30)
        time.sleep(2)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    want = bytes([0x1e, 0x9e, 0x30, 0xb0])
    t.check(out == want, 'keys typed into the window reach the guest as the set-1 scan codes '
            'of "ab"', 'got %s, want %s\n%s' % (out.hex(' '), want.hex(' '),
                                              err.decode(errors='replace')))


def free_display():
    for n in range(90, 140):
        if not os.path.exists('/tmp/.X11-unix/X%d' % n) and not os.path.exists('/tmp/.X%d-lock' % n):
            return n
    return None


def main():
    orrery = sys.argv[1]
    v = t.run([orrery, '--version']).stdout.decode()
    if 'window: SDL2' not in v:
        t.skip('orrery was built without SDL2')
    for tool in ('Xvfb', 'xwd'):
        if not shutil.which(tool):
            t.skip('%s is not installed (Debian: xvfb, x11-apps)' % tool)
    n = free_display()
    if n is None:
        t.skip('no free X display number')
    d = t.tempdir()
    xvfb = subprocess.Popen(['Xvfb', ':%d' % n, '-screen', '0', '1024x768x24', '-nolisten',
                             'tcp', '-noreset'], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    env = dict(os.environ, DISPLAY=':%d' % n)
    env.pop('WAYLAND_DISPLAY', None)
    env.pop('SDL_VIDEODRIVER', None)
    proc = None
    try:
        end = time.monotonic() + 20
        while not os.path.exists('/tmp/.X11-unix/X%d' % n) and time.monotonic() < end:
            time.sleep(0.1)
        if not t.check(xvfb.poll() is None and os.path.exists('/tmp/.X11-unix/X%d' % n),
                       'Xvfb starts'):
            t.finish()
        prog = os.path.join(d, 'window.elf')
        t.write(prog, elf(program()))
        sock = os.path.join(d, 'mon.sock')
        proc = subprocess.Popen([orrery, 'run', '--board', 'pc', '--kernel', prog,
                                 '--display', 'sdl', '--monitor-socket', sock,
                                 '--timeout', '120'],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        c = t.MonitorClient(socket.AF_UNIX, sock)
        c.until(t.MONITOR_PROMPT)
        shot = os.path.join(d, 'shot.png')
        found, root, frame = None, None, None
        for _ in range(40):
            time.sleep(0.5)
            r = c.cmd('screendump %s' % shot)
            if 'wrote' not in r:
                continue
            frame = t.read_png(shot)
            x = subprocess.run(['xwd', '-root', '-silent', '-display', ':%d' % n],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
            if x.returncode != 0:
                continue
            root = t.read_xwd(x.stdout)
            found = root.find(frame)
            if found:
                break
        t.check(frame is not None and (frame.width, frame.height) == (720, 400),
                'the monitor\'s screendump is the 720x400 text screen')
        t.check(found is not None, 'the X server\'s picture of its screen (xwd -root) holds the '
                'guest\'s frame pixel for pixel%s' % (' at %r' % (found,) if found else ''),
                'root %s' % ('%dx%d, %d colours' % (root.width, root.height,
                                                    len(root.colours())) if root else 'none'))
        if found and os.environ.get('ORRERY_WINDOW_SHOT'):
            shutil.copyfile(shot, os.environ['ORRERY_WINDOW_SHOT'])
        c.cmd('quit')
        c.close()
        proc.wait(timeout=30)
        err = proc.stderr.read().decode(errors='replace')
        t.check(proc.returncode == 0, 'orrery ends with status 0 after `quit`', err)
        if shutil.which('xdotool'):
            typing(orrery, d, env)
        else:
            sys.stdout.write('note: xdotool is not installed; typing into the window not tried\n')
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        xvfb.send_signal(signal.SIGTERM)
        try:
            xvfb.wait(timeout=10)
        except subprocess.TimeoutExpired:
            xvfb.kill()
    t.finish()


if __name__ == '__main__':
    main()
