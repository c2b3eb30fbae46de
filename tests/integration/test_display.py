#!/usr/bin/env python3
"""The display and input path without Linux (docs/display.md), on the pc
board with a few bytes of hand-assembled real-mode code:

- text mode 3 as the VGA powers on (the bundled font in plane 2): a program
  writes characters in several attributes, one blinking, and puts the
  cursor on row 2; --max-insns makes the time of the picture exact, and
  --screenshot-at-exit's PNG must equal the golden image pixel for pixel;
- mode 13h (320x200, 256 colours) and mode 12h (640x480, 16 colours, four
  planes), each set up register by register as a VGA BIOS would, with a
  palette and a pattern drawn: golden images again;
- input: `type` and `sendkey ctrl-alt-delete` through the monitor socket
  reach the i8042 as the scan codes (set 1, translated) a PC keyboard
  sends, which the program copies to the debug console;
- errors: a screenshot that cannot be written gives one error line and
  status 1 and leaves no file; --display sdl on a board without a display
  is refused the same way.

ORRERY_UPDATE_GOLDEN=1 writes the golden images instead of comparing them
(look at them before committing).

usage: test_display.py ORRERY SOURCE_ROOT"""
import os
import shutil
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import orrtest as t  # noqa: E402
from orrtest import x86_realmode_elf as elf  # noqa: E402

SPIN = bytes([0xeb, 0xfe])


def mov_ax(v):
    return bytes([0xb8, v & 0xff, v >> 8])


def mov_dx(v):
    return bytes([0xba, v & 0xff, v >> 8])


def out_dx(v):
    """mov al, v; out dx, al"""
    return bytes([0xb0, v, 0xee])


def outb(port, v):
    return mov_dx(port) + out_dx(v)


def indexed(port, pairs):
    """Index/data pairs at port and port + 1 (sequencer, CRTC, graphics)."""
    code = b''
    for index, value in pairs:
        code += outb(port, index) + outb(port + 1, value)
    return code


def attribute(pairs):
    """The attribute controller: read 0x3DA to reset its flip-flop, then
    index and value at 0x3C0; finally index 0x20 (palette address source:
    the display on)."""
    code = mov_dx(0x3da) + bytes([0xec]) + mov_dx(0x3c0)
    for index, value in pairs:
        code += out_dx(index) + out_dx(value)
    return code + out_dx(0x20)


def text_program():
    """Mode 3 as at power-on: "ORRERY" in six attributes on row 0, a
    blinking "!" and light-on-blue text on row 1, the cursor at row 2."""
    cells = []
    for ch, attr in zip('ORRERY', (0x07, 0x0f, 0x1e, 0x2c, 0x4a, 0x70)):
        cells.append((ch, attr))
    cells += [(' ', 0x07), ('!', 0x8e)]
    code = mov_ax(0xb800) + bytes([0x8e, 0xc0])             # mov es, ax
    for i, (ch, attr) in enumerate(cells):                  # mov word [es:2*i], attr:ch
        code += bytes([0x26, 0xc7, 0x06, 2 * i, 0, ord(ch), attr])
    for i, ch in enumerate(b'box \xc9\xcd\xbb line graphics \xb0\xb1\xb2\xdb'):
        off = 160 + 2 * i
        code += bytes([0x26, 0xc7, 0x06, off & 0xff, off >> 8, ch, 0x1b])
    pos = 2 * 80                                            # cursor: row 2, column 0
    code += indexed(0x3d4, [(0x0e, pos >> 8), (0x0f, pos & 0xff)])
    return code + SPIN


MODE13_SEQ = [(0, 0x03), (1, 0x01), (2, 0x0f), (3, 0x00), (4, 0x0e)]
MODE13_CRTC = [(0x11, 0x0e), (0, 0x5f), (1, 0x4f), (2, 0x50), (3, 0x82), (4, 0x54), (5, 0x80),
               (6, 0xbf), (7, 0x1f), (8, 0x00), (9, 0x41), (0x10, 0x9c), (0x11, 0x8e),
               (0x12, 0x8f), (0x13, 0x28), (0x14, 0x40), (0x15, 0x96), (0x16, 0xb9),
               (0x17, 0xa3), (0x18, 0xff), (0x0c, 0), (0x0d, 0)]
MODE13_GC = [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0x40), (6, 0x05), (7, 0x0f), (8, 0xff)]
MODE13_ATTR = [(i, i) for i in range(16)] + [(0x10, 0x41), (0x11, 0), (0x12, 0x0f),
                                             (0x13, 0), (0x14, 0)]


def palette_ramp():
    """DAC entries 0-255: red i & 63, green i >> 2, blue ~i & 63."""
    return (mov_dx(0x3c8) + out_dx(0) + bytes([0x42])          # inc dx: 0x3C9
            + bytes([0x31, 0xdb])                              # xor bx, bx
            + bytes([0x88, 0xd8, 0x24, 0x3f, 0xee,             # mov al, bl; and al, 63; out
                     0x88, 0xd8, 0xc0, 0xe8, 0x02, 0xee,       # mov al, bl; shr al, 2; out
                     0x88, 0xd8, 0xf6, 0xd0, 0x24, 0x3f, 0xee,  # mov al, bl; not al; and; out
                     0xfe, 0xc3, 0x75, 0xea]))                 # inc bl; jnz


def mode13_program():
    code = outb(0x3c2, 0x63) + indexed(0x3c4, MODE13_SEQ) + indexed(0x3d4, MODE13_CRTC)
    code += indexed(0x3ce, MODE13_GC) + attribute(MODE13_ATTR) + palette_ramp()
    # Every pixel: its offset's low byte (bands 64 pixels apart per row).
    code += mov_ax(0xa000) + bytes([0x8e, 0xc0, 0x31, 0xff,      # mov es, ax; xor di, di
                                    0xb9, 0x00, 0xfa,            # mov cx, 64000
                                    0x89, 0xf8, 0xaa, 0xe2, 0xfb])  # mov ax, di; stosb; loop
    return code + SPIN


MODE12_SEQ = [(0, 0x03), (1, 0x01), (2, 0x0f), (3, 0x00), (4, 0x06)]
MODE12_CRTC = [(0x11, 0x0c), (0, 0x5f), (1, 0x4f), (2, 0x50), (3, 0x82), (4, 0x54), (5, 0x80),
               (6, 0x0b), (7, 0x3e), (8, 0x00), (9, 0x40), (0x10, 0xea), (0x11, 0x8c),
               (0x12, 0xdf), (0x13, 0x28), (0x14, 0x00), (0x15, 0xe7), (0x16, 0x04),
               (0x17, 0xe3), (0x18, 0xff), (0x0c, 0), (0x0d, 0)]
MODE12_GC = [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0x00), (6, 0x05), (7, 0x0f), (8, 0xff)]
MODE12_ATTR = [(i, i) for i in range(16)]
MODE12_ATTR += [(0x10, 0x01), (0x11, 0x00), (0x12, 0x0f), (0x13, 0x00), (0x14, 0x00)]
# The 16 CGA colours in DAC entries 0-15 (6 bits per channel).
CGA = [(0, 0, 0), (0, 0, 42), (0, 42, 0), (0, 42, 42), (42, 0, 0), (42, 0, 42), (42, 21, 0),
       (42, 42, 42), (21, 21, 21), (21, 21, 63), (21, 63, 21), (21, 63, 63), (63, 21, 21),
       (63, 21, 63), (63, 63, 21), (63, 63, 63)]


def palette_cga():
    code = mov_dx(0x3c8) + out_dx(0) + bytes([0x42])           # inc dx: 0x3C9
    for rgb in CGA:
        for v in rgb:
            code += out_dx(v)
    return code


def mode12_program():
    code = outb(0x3c2, 0xe3) + indexed(0x3c4, MODE12_SEQ) + indexed(0x3d4, MODE12_CRTC)
    code += indexed(0x3ce, MODE12_GC) + attribute(MODE12_ATTR) + palette_cga()
    code += mov_ax(0xa000) + bytes([0x8e, 0xc0])                 # mov es, ax
    # Clear all four planes (plane 2 still holds the text font).
    code += bytes([0x31, 0xff, 0xb9, 0x00, 0x96, 0x31, 0xc0,     # xor di, di; mov cx, 38400
                   0xf3, 0xaa])                                  # xor ax, ax; rep stosb
    # Plane p (map mask 1 << p) gets the byte pattern 0xF0 >> p over rows
    # 60 * p and below: colour bands with stripes of every mix of planes.
    for plane in range(4):
        start = 60 * 80 * plane
        code += indexed(0x3c4, [(2, 1 << plane)])
        code += bytes([0xbf, start & 0xff, start >> 8,           # mov di, start
                       0xb9]) + (480 * 80 - start).to_bytes(2, 'little')  # mov cx, n
        code += bytes([0xb0, (0xf0 >> plane) | 0x01,             # mov al, pattern
                       0xf3, 0xaa])                              # rep stosb
    code += indexed(0x3c4, [(2, 0x0f)])
    return code + SPIN


def keyboard_program():
    """Copies every byte the keyboard controller delivers to port 0xE9."""
    return bytes([0xe4, 0x64, 0xa8, 0x01, 0x74, 0xfa,            # in al, 0x64; test 1; jz
                  0xe4, 0x60, 0xe6, 0xe9, 0xeb, 0xf4])            # in al, 0x60; out 0xe9; jmp


def golden(source_root, name):
    return os.path.join(source_root, 'tests', 'integration', 'golden', name)


def check_golden(shot, path, what):
    if os.environ.get('ORRERY_UPDATE_GOLDEN') == '1':
        shutil.copyfile(shot, path)
        t.ok('%s: golden image written to %s' % (what, path))
        return
    try:
        got, want = t.read_png(shot), t.read_png(path)
    except (OSError, ValueError) as e:
        t.fail('%s: %s' % (what, e))
        return
    n, first = got.diff(want)
    t.check(n == 0, '%s: the screenshot equals %s (%dx%d, %d colours)'
            % (what, os.path.basename(path), got.width, got.height, len(got.colours())),
            'size %dx%d vs %dx%d, %d pixels differ, the first at %r'
            % (got.width, got.height, want.width, want.height, n, first))


def main():
    orrery, source_root = sys.argv[1], sys.argv[2]
    d = t.tempdir()
    base = [orrery, 'run', '--board', 'pc', '--clock', 'virtual', '--timeout', '60']

    for key, name, program, insns, size in (
            ('text', 'text mode 3', text_program(), 200000, (720, 400)),
            ('mode13h', 'mode 13h', mode13_program(), 2000000, (320, 200)),
            ('mode12h', 'mode 12h', mode12_program(), 2000000, (640, 480))):
        prog = os.path.join(d, key + '.elf')
        shot = os.path.join(d, key + '.png')
        t.write(prog, elf(program))
        p = t.run(base + ['--kernel', prog, '--max-insns', str(insns),
                          '--screenshot-at-exit', shot])
        if not t.check(p.returncode == 0 and os.path.isfile(shot),
                       '%s: the run ends after --max-insns with a screenshot' % name,
                       t.describe(p)):
            continue
        img = t.read_png(shot)
        t.check((img.width, img.height) == size, '%s: the picture is %dx%d'
                % (name, size[0], size[1]), '%dx%d' % (img.width, img.height))
        check_golden(shot, golden(source_root, 'display-pc-%s.png' % key), name)

    # Keys through the monitor socket, seen as scan codes by the program.
    prog = os.path.join(d, 'kbd.elf')
    t.write(prog, elf(keyboard_program()))
    sock = os.path.join(d, 'mon.sock')
    proc = t.subprocess.Popen(base + ['--kernel', prog, '--monitor-socket', sock],
                              stdout=t.subprocess.PIPE, stderr=t.subprocess.PIPE)
    try:
        c = t.MonitorClient(socket.AF_UNIX, sock)
        c.until(t.MONITOR_PROMPT)
        r1 = c.cmd('type "aB"')
        r2 = c.cmd('sendkey ctrl-alt-delete')
        r3 = c.cmd('touch 10 10')
        r4 = c.cmd('sendkey nosuchkey')
        # 14 key events, 15 ms of guest time apart, at a few MIPS.
        t.time.sleep(3)
        c.cmd('quit')
        c.close()
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    t.check('error' not in r1 + r2, '`type` and `sendkey` are accepted', r1 + r2)
    want = bytes([0x1e, 0x9e,                      # a
                  0x2a, 0x30, 0xb0, 0xaa,          # shift, b, shift up
                  0x1d, 0x38, 0xe0, 0x53,          # ctrl, alt, delete down
                  0xe0, 0xd3, 0xb8, 0x9d])         # and up in reverse
    t.check(out == want, 'the keyboard controller delivers the set-1 scan codes of "aB" and '
            'ctrl-alt-delete, in order', 'got %s\nwant %s' % (out.hex(' '), want.hex(' ')))
    t.check('no touch screen' in r3, '`touch` on a board without a touch screen says so', r3)
    t.check('nosuchkey' in r4 and 'help keys' in r4, 'an unknown key name is refused', r4)

    # Errors: one line, status 1, no file left.
    prog = os.path.join(d, 'text.elf')
    bad = os.path.join(d, 'missing', 'shot.png')
    p = t.run(base + ['--kernel', prog, '--max-insns', '1000', '--screenshot-at-exit', bad])
    lines = p.stderr.decode(errors='replace').splitlines()
    t.check(p.returncode == 1 and len(lines) == 2 and 'max-insns' in lines[0] and
            lines[1].startswith('orrery: --screenshot-at-exit: ') and
            not os.path.exists(bad), 'a screenshot into a missing directory: one error line '
            '(after the --max-insns note), status 1, no file left', t.describe(p))
    p = t.run([orrery, 'run', '--board', 'x86-bare', '--kernel', prog, '--display', 'sdl'])
    t.check_one_error_line(p, '--display sdl on a board without a display', 1)
    p = t.run([orrery, 'run', '--board', 'x86-bare', '--kernel', prog, '--max-insns', '10',
               '--screenshot-at-exit', os.path.join(d, 'none.png')])
    t.check_one_error_line(p, '--screenshot-at-exit on a board without a display', 1)
    p = t.run([orrery, 'run', '--display', 'sdl,scale=9'])
    t.check_one_error_line(p, 'a bad --display value', 2)
    t.finish()


if __name__ == '__main__':
    main()
