#!/usr/bin/env python3
"""Debian's kernels on a screen (docs/display.md; suite 'slow').

For each guest, arm-virt (the PL111 framebuffer with fbcon) and pc (the VGA
text console with vgacon), booted in virtual time with the kernel log on
tty1 as well as the serial console:

1. the boot log is on tty1: the kernel's own copy of the screen
   (/dev/vcs1) holds its last lines ("Run /init as init process");
2. the script clears tty1 and starts a shell there with the prompt
   "tty1# "; the monitor's `type "echo ORRERY-$((6*7))\\n"` types it on the
   guest's keyboard, and /dev/vcs1 (the kernel's console buffer, not a
   reading of pixels) shows ORRERY-42;
3. the monitor's screendump then equals a golden image: exactly on
   arm-virt (fbcon's cursor blink is switched off through sysfs); on the pc
   exactly except the cursor's character cell, whose blink phase depends on
   when the screendump arrives (a documented tolerance);
4. arm-virt only: the virtio touch screen, read by busybox (cat of its
   /dev/input/eventN, shown with hexdump), reports a `touch X Y` tap with
   ABS_MT_POSITION_X/Y and ABS_X/Y equal to the pixel scaled to the
   device's 0..32767 range, BTN_TOUCH down then up.

ORRERY_UPDATE_GOLDEN=1 writes the golden images instead of comparing.

usage: test_display_debian.py ORRERY SOURCE_ROOT"""
import os
import re
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import orrtest as t  # noqa: E402

TYPED = 'echo ORRERY-$((6*7))\\n'
TAP = (300, 200)            # the touch test's pixel

INIT = r'''#!/bin/sh
echo "ORRERY-TEST: display script"
grep -q -e "Run /init as init process" -e "Freeing unused kernel" /dev/vcs1 &&
  echo "ORRERY-TEST: tty1 shows the boot log"
echo "ORRERY-TEST: waiting for go"
read go
[ -e /sys/class/graphics/fbcon/cursor_blink ] && echo 0 > /sys/class/graphics/fbcon/cursor_blink
dmesg -n 1
# The shell clears the screen after its banner (whose version would date
# the golden image): $ENV runs before the first prompt.
printf "printf '\\033[H\\033[J'\n" > /tmp/shrc
ENV=/tmp/shrc PS1='tty1# ' setsid -c sh -i < /dev/tty1 > /dev/tty1 2>&1 &
sleep 1
echo "ORRERY-TEST: tty1 shell started"
i=0
while [ $i -lt 120 ] && ! grep -q "ORRERY-42" /dev/vcs1; do sleep 1; i=$((i+1)); done
sleep 2
grep -q "ORRERY-42" /dev/vcs1 && echo "ORRERY-TEST: tty1 shows ORRERY-42"
@TOUCH@
echo "ORRERY-TEST: waiting for the screendump"
i=0
while [ $i -lt 300 ] && [ ! -e /tmp/done ]; do sleep 1; i=$((i+1)); done
'''

TOUCH = r'''
ev=
for d in /sys/class/input/event*; do
  case "$(cat $d/device/name)" in *ouch*) ev=${d##*/};; esac
done
echo "ORRERY-TEST: touch device $ev: $(cat /sys/class/input/$ev/device/name)"
cat /dev/input/$ev > /tmp/touch.bin &
reader=$!
sleep 1
echo "ORRERY-TEST: touch reader ready"
i=0
while [ $i -lt 60 ] && [ "$(wc -c < /tmp/touch.bin)" -lt 128 ]; do sleep 1; i=$((i+1)); done
sleep 2
kill $reader
echo "ORRERY-TEST: touch events begin"
hexdump -v -e '16/1 "%02x" "\n"' /tmp/touch.bin
echo "ORRERY-TEST: touch events end"
'''

GUESTS = {
    'debian-arm': dict(board='arm-virt', append='console=tty1 console=ttyAMA0',
                       extra=['--device', 'input-keyboard', '--device', 'input-tablet',
                              '--device', 'input-touch'],
                       touch=True, size=(1024, 768)),
    'debian-x86': dict(board='pc', append='console=tty0 console=ttyS0 cryptomgr.notests',
                       extra=['-m', '255M'], touch=False, size=(720, 400)),
}
EV_ABS, EV_KEY, EV_SYN = 3, 1, 0
ABS_X, ABS_Y, ABS_MT_POSITION_X, ABS_MT_POSITION_Y = 0x00, 0x01, 0x35, 0x36
BTN_TOUCH = 0x14a
ABS_MAX = 32767


class Serial:
    """orrery's stdout (the serial console), read in the background."""

    def __init__(self, proc):
        self.proc, self.seen = proc, b''
        os.set_blocking(proc.stdout.fileno(), False)

    def expect(self, text, timeout):
        end = time.monotonic() + timeout
        while text.encode() not in self.seen:
            if time.monotonic() > end or self.proc.poll() is not None:
                self.pump()
                return text.encode() in self.seen
            self.pump()
            time.sleep(0.2)
        return True

    def pump(self):
        try:
            data = self.proc.stdout.read()
        except (BlockingIOError, OSError):
            data = None
        if data:
            self.seen += data


def touch_events(log):
    m = re.search(rb'ORRERY-TEST: touch events begin\r?\n(.*?)ORRERY-TEST: touch events end',
                  log, re.S)
    events = []
    if not m:
        return events
    for line in m.group(1).split(b'\n'):
        line = line.strip()
        if len(line) != 32:
            continue
        b = bytes.fromhex(line.decode())
        events.append((int.from_bytes(b[8:10], 'little'), int.from_bytes(b[10:12], 'little'),
                       int.from_bytes(b[12:16], 'little', signed=True)))
    return events


def cursor_cell(img, row, col, cell_w, cell_h):
    return (col * cell_w, row * cell_h, cell_w, cell_h)


def compare(shot, golden, what, mask=None):
    if os.environ.get('ORRERY_UPDATE_GOLDEN') == '1':
        shutil.copyfile(shot, golden)
        t.ok('%s: golden image written to %s' % (what, golden))
        return
    got, want = t.read_png(shot), t.read_png(golden)
    if (got.width, got.height) != (want.width, want.height):
        t.fail('%s: %dx%d, the golden image is %dx%d' % (what, got.width, got.height,
                                                         want.width, want.height))
        return
    n, first = 0, None
    for y in range(got.height):
        a, b = got.row(y), want.row(y)
        if a == b:
            continue
        for x in range(got.width):
            if a[3 * x:3 * x + 3] == b[3 * x:3 * x + 3]:
                continue
            if mask and mask[0] <= x < mask[0] + mask[2] and mask[1] <= y < mask[1] + mask[3]:
                continue
            n += 1
            first = first or (x, y)
    t.check(n == 0, '%s: the screendump equals %s%s' % (
        what, os.path.basename(golden),
        ' outside the cursor cell %r' % (mask,) if mask else ''),
        '%d pixels differ, the first at %r' % (n, first))


def run_guest(orrery, source_root, guest, d):
    g = GUESTS[guest]
    script = INIT.replace('@TOUCH@', TOUCH if g['touch'] else '').encode()
    kernel, initrd = t.debian_guest(source_root, guest, script, d)
    sock = os.path.join(d, guest + '.sock')
    argv = [orrery, 'run', '--board', g['board'], '--kernel', kernel, '--initrd', initrd,
            '--append', g['append'], '--clock', 'virtual', '--monitor-socket', sock,
            '--display', 'none', '--timeout', '1500'] + g['extra']
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    serial = Serial(proc)
    try:
        c = t.MonitorClient(socket.AF_UNIX, sock, timeout=60)
        c.until(t.MONITOR_PROMPT)
        t.check(serial.expect('ORRERY-TEST: waiting for go', 1200),
                '%s: the guest boots to the scripted init' % guest, serial.seen[-2000:].decode(
                    errors='replace'))
        t.check(b'ORRERY-TEST: tty1 shows the boot log' in serial.seen,
                '%s: tty1 shows the boot log (/dev/vcs1 holds its last lines)' % guest)
        docs = os.environ.get('ORRERY_DISPLAY_DOCS')
        if docs:        # pictures for docs/display.md
            c.cmd('screendump %s' % os.path.join(docs, '%s-boot.png' % guest))
        proc.stdin.write(b'go\n')
        proc.stdin.flush()
        t.check(serial.expect('ORRERY-TEST: tty1 shell started', 300),
                '%s: the shell on tty1 starts' % guest)
        r = c.cmd('type "%s"' % TYPED)
        t.check('error' not in r, '%s: the monitor types the command' % guest, r)
        t.check(serial.expect('ORRERY-TEST: tty1 shows ORRERY-42', 300),
                '%s: the shell on tty1 ran the typed command (/dev/vcs1 shows ORRERY-42)'
                % guest, serial.seen[-1500:].decode(errors='replace'))
        shot = os.path.join(d, guest + '.png')
        r = c.cmd('screendump %s' % shot)
        if t.check('wrote' in r, '%s: screendump' % guest, r):
            img = t.read_png(shot)
            t.check((img.width, img.height) == g['size'], '%s: the screen is %dx%d'
                    % (guest, g['size'][0], g['size'][1]), '%dx%d' % (img.width, img.height))
            golden = os.path.join(source_root, 'tests', 'integration', 'golden',
                                  'display-%s-tty1.png' % guest)
            # The pc's cursor blinks in hardware: row 2 after "tty1# ", 9x16 cells.
            mask = None if g['touch'] else (6 * 9, 2 * 16, 9, 16)
            compare(shot, golden, guest, mask)
        if g['touch']:
            if t.check(serial.expect('ORRERY-TEST: touch reader ready', 300),
                       '%s: the touch screen is there (%s)' % (guest, re.search(
                           rb'touch device [^\n]*', serial.seen).group(0).decode()
                           if b'touch device' in serial.seen else 'none')):
                r = c.cmd('touch %d %d' % TAP)
                t.check('error' not in r, '%s: the monitor taps the screen' % guest, r)
                serial.expect('ORRERY-TEST: touch events end', 300)
                ev = touch_events(serial.seen)
                w, h = g['size']
                ax = (TAP[0] * ABS_MAX + (w - 1) // 2) // (w - 1)
                ay = (TAP[1] * ABS_MAX + (h - 1) // 2) // (h - 1)
                vals = {(ty, code): v for ty, code, v in ev if ty == EV_ABS}
                t.check(vals.get((EV_ABS, ABS_MT_POSITION_X)) == ax and
                        vals.get((EV_ABS, ABS_MT_POSITION_Y)) == ay and
                        vals.get((EV_ABS, ABS_X)) == ax and vals.get((EV_ABS, ABS_Y)) == ay,
                        '%s: the guest reads the tap at pixel %r as ABS_MT_POSITION and ABS '
                        'X/Y = %d, %d' % (guest, TAP, ax, ay), repr(ev))
                keys = [v for ty, code, v in ev if ty == EV_KEY and code == BTN_TOUCH]
                t.check(keys == [1, 0], '%s: BTN_TOUCH goes down, then up' % guest, repr(ev))
                t.check(any(ty == EV_SYN for ty, _, _ in ev), '%s: reports end with SYN_REPORT'
                        % guest, repr(ev))
        c.cmd('quit')
        c.close()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main():
    orrery, source_root = sys.argv[1], sys.argv[2]
    d = t.tempdir()
    for guest in sys.argv[3:] or GUESTS:
        run_guest(orrery, source_root, guest, d)
    t.finish()


if __name__ == '__main__':
    main()
