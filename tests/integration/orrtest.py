"""Shared helpers for the integration tests (Python 3 standard library only).

Every script is run by `meson test` as `python3 SCRIPT ORRERY [MORE...]` and
exits 0 (pass), 1 (fail) or 77 (skip).
"""
import os
import pty
import re
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

SKIP = 77

failures = []


def fail(msg):
    failures.append(msg)
    sys.stdout.write('FAIL: %s\n' % msg)


def ok(msg):
    sys.stdout.write('ok: %s\n' % msg)


def check(cond, msg, detail=''):
    if cond:
        ok(msg)
    else:
        fail(msg + (('\n    ' + detail.replace('\n', '\n    ')) if detail else ''))
    return cond


def finish():
    if failures:
        sys.stdout.write('%d check(s) failed\n' % len(failures))
        sys.exit(1)
    sys.exit(0)


def skip(why):
    sys.stdout.write('SKIP: %s\n' % why)
    sys.exit(SKIP)


def run(argv, stdin=b'', timeout=60, env=None):
    """Runs a command; returns CompletedProcess with bytes stdout/stderr."""
    try:
        return subprocess.run(argv, input=stdin, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        fail('%s: did not finish within %d s' % (' '.join(argv), timeout))
        return subprocess.CompletedProcess(argv, -999, e.stdout or b'', e.stderr or b'')


def describe(p):
    return 'exit %s\n--- stdout:\n%s\n--- stderr:\n%s' % (
        p.returncode, p.stdout.decode(errors='replace')[-2000:],
        p.stderr.decode(errors='replace')[-2000:])


SANITIZER_MARKS = ('Sanitizer', 'runtime error:', 'LeakSanitizer')


def check_one_error_line(p, what, expect_status=None):
    """The contract for every host-input error: exactly one line on stderr,
    starting with "orrery:", a non-zero exit status that is not a signal,
    and no sanitizer report."""
    err = p.stderr.decode(errors='replace')
    lines = err.splitlines()
    good = (p.returncode > 0 and len(lines) == 1 and lines[0].startswith('orrery:')
            and err.endswith('\n') and not any(m in err for m in SANITIZER_MARKS))
    if expect_status is not None:
        good = good and p.returncode == expect_status
    check(good, '%s -> one "orrery:" line, exit %s' %
          (what, expect_status if expect_status is not None else 'non-zero'), describe(p))
    return lines[0] if lines else ''


def tempdir():
    return tempfile.mkdtemp(prefix='orrery-test-')


def write(path, data):
    mode = 'wb' if isinstance(data, (bytes, bytearray)) else 'w'
    with open(path, mode) as f:
        f.write(data)
    return path


# --- a few ARM (A32) encodings, enough for tiny hand-written test guests ---
# Each returns one 32-bit little-endian instruction word. `here` and
# `target` are byte offsets in the program (PC reads as here + 8).

AL, EQ, NE = 0xE, 0x0, 0x1


def mov_imm(rd, imm8):
    assert 0 <= imm8 <= 0xFF
    return 0xE3A00000 | rd << 12 | imm8


def ldr_lit(rd, here, target):
    off = target - (here + 8)
    assert 0 <= off < 4096
    return 0xE59F0000 | rd << 12 | off


def ldr_imm(rd, rn, off):
    return 0xE5900000 | rn << 16 | rd << 12 | off


def str_imm(rd, rn, off):
    return 0xE5800000 | rn << 16 | rd << 12 | off


def tst_imm(rn, imm8):
    return 0xE3100000 | rn << 16 | imm8


def cmp_imm(rn, imm8):
    return 0xE3500000 | rn << 16 | imm8


def and_imm(rd, rn, imm8):
    return 0xE2000000 | rn << 16 | rd << 12 | imm8


def branch(here, target, cond=AL):
    off = (target - (here + 8)) >> 2
    return cond << 28 | 0x0A000000 | (off & 0xFFFFFF)


SVC_SEMIHOSTING = 0xEF123456        # SVC #0x123456: ARM-state semihosting
SYS_EXIT = 0x18
ADP_STOPPED_APPLICATION_EXIT = 0x20026
PL011_DR, PL011_FR, PL011_CR = 0x00, 0x18, 0x30
PL011_FR_RXFE = 0x10
PL011_CR_ENABLE = 0x301             # UARTEN | TXE | RXE


def assemble(items):
    """items: list of words, or callables taking the offset of their own
    word and a dict of label offsets, or ('label', name) markers."""
    labels, pc = {}, 0
    for it in items:
        if isinstance(it, tuple):
            labels[it[1]] = pc
        else:
            pc += 4
    words, pc = [], 0
    for it in items:
        if isinstance(it, tuple):
            continue
        words.append(it(pc, labels) if callable(it) else it)
        pc += 4
    return b''.join(struct.pack('<I', w & 0xFFFFFFFF) for w in words)


def prog_print_and_exit(uart_base, text=b'OK\n'):
    """Raw image: enable the PL011 at uart_base, write text to it, then
    leave through semihosting SYS_EXIT (application exit: status 0)."""
    items = [
        lambda pc, l: ldr_lit(1, pc, l['uart']),
        lambda pc, l: ldr_lit(0, pc, l['cr']),
        str_imm(0, 1, PL011_CR),
    ]
    for c in text:
        items += [mov_imm(0, c), str_imm(0, 1, PL011_DR)]
    items += [
        mov_imm(0, SYS_EXIT),
        lambda pc, l: ldr_lit(1, pc, l['reason']),
        SVC_SEMIHOSTING,
        ('label', 'hang'),
        lambda pc, l: branch(pc, l['hang']),
        ('label', 'uart'), uart_base,
        ('label', 'cr'), PL011_CR_ENABLE,
        ('label', 'reason'), ADP_STOPPED_APPLICATION_EXIT,
    ]
    return assemble(items)


def prog_echo(uart_base, quit_char=ord('q')):
    """Raw image: echo every byte the PL011 receives until quit_char, then
    exit 0 through semihosting."""
    return assemble([
        lambda pc, l: ldr_lit(1, pc, l['uart']),
        lambda pc, l: ldr_lit(0, pc, l['cr']),
        str_imm(0, 1, PL011_CR),
        ('label', 'loop'),
        ldr_imm(2, 1, PL011_FR),
        tst_imm(2, PL011_FR_RXFE),
        lambda pc, l: branch(pc, l['loop'], NE),
        ldr_imm(0, 1, PL011_DR),
        and_imm(0, 0, 0xFF),
        cmp_imm(0, quit_char),
        lambda pc, l: branch(pc, l['done'], EQ),
        str_imm(0, 1, PL011_DR),
        lambda pc, l: branch(pc, l['loop']),
        ('label', 'done'),
        mov_imm(0, SYS_EXIT),
        lambda pc, l: ldr_lit(1, pc, l['reason']),
        SVC_SEMIHOSTING,
        ('label', 'hang'),
        lambda pc, l: branch(pc, l['hang']),
        ('label', 'uart'), uart_base,
        ('label', 'cr'), PL011_CR_ENABLE,
        ('label', 'reason'), ADP_STOPPED_APPLICATION_EXIT,
    ])


def prog_spin():
    """Raw image: `b .` forever."""
    return assemble([('label', 'x'), lambda pc, l: branch(pc, l['x'])])


def kernel_lines(log):
    """The kernel's messages without their timestamps."""
    out = set()
    for line in log.splitlines():
        line = line.strip()
        if line.startswith('[') and '] ' in line:
            out.add(line.split('] ', 1)[1])
    return out


def compare_logs(orrery_log, qemu_log, informational=()):
    """Orrery may not show a kernel error or warning that QEMU does not
    (the kernel's messages compared without timestamps); the lines only one
    of them printed are listed as notes. `informational` lists exact lines
    the caller knows to be information only, though they hold one of the
    words looked for (each with its reason where the caller names it)."""
    bad_words = ('error', 'fail', 'warn', 'bug', 'oops', 'panic', 'call trace',
                 'unable', 'cannot', 'timeout', 'timed out', 'stall')
    extra = sorted(kernel_lines(orrery_log) - kernel_lines(qemu_log))
    suspicious = [l for l in extra if any(w in l.lower() for w in bad_words)
                  and l not in informational]
    check(not suspicious, 'orrery\'s kernel log has no error or warning QEMU\'s lacks',
          '\n'.join(suspicious))
    for line in extra:
        sys.stdout.write('note: orrery only: %s\n' % line)
    for line in sorted(kernel_lines(qemu_log) - kernel_lines(orrery_log)):
        sys.stdout.write('note: qemu only: %s\n' % line)


# The busybox shell's prompt at the start of a line; ash then asks the
# terminal for the cursor position.
BUSYBOX_PROMPT = re.compile(rb'(?m)^/ # (?:\x1b\[6n)?')


def board_source(source_root):
    return os.path.join(source_root, 'machine', 'boards', 'arm-virt.dts')


class Console:
    """orrery on the slave side of a pty; this side types and reads."""

    def __init__(self, argv):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                                     start_new_session=True)
        os.close(slave)
        self.seen = b''
        self.mark = 0            # what expect() has consumed

    def read_some(self, timeout):
        r, _, _ = select.select([self.master], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.master, 4096)
        except OSError:          # EIO: the slave side is closed
            data = b''
        if not data:
            return None
        self.seen += data
        return True

    def expect(self, pattern, timeout):
        """Waits for pattern (bytes regex) after the last match."""
        rx = re.compile(pattern) if isinstance(pattern, bytes) else pattern
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.seen, self.mark)
            if m:
                self.mark = m.end()
                return True
            left = end - time.monotonic()
            if left <= 0 or self.read_some(min(left, 1.0)) is None:
                return bool(rx.search(self.seen, self.mark))

    def type(self, text):
        # One key at a time, as typed: the UART's receive FIFO is small.
        for ch in text.encode():
            os.write(self.master, bytes([ch]))
            time.sleep(0.02)

    def wait(self, timeout):
        end = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < end:
            self.read_some(0.5)
        while self.read_some(0.1):
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            return None
        return self.proc.returncode

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)

    def tail(self):
        return self.seen[-3000:].decode(errors='replace')


MONITOR_PROMPT = b'(orrery) '


class MonitorClient:
    """A connection to `--monitor-socket` (a Unix path or a TCP address)."""

    def __init__(self, family, address, timeout=30):
        end = time.monotonic() + timeout
        while True:
            try:
                self.s = socket.socket(family, socket.SOCK_STREAM)
                self.s.connect(address)
                break
            except OSError:
                self.s.close()
                if time.monotonic() > end:
                    raise
                time.sleep(0.05)
        self.s.settimeout(30)
        self.buf = b''

    def until(self, marker):
        while marker not in self.buf:
            data = self.s.recv(65536)
            if not data:
                break
            self.buf += data
        head, sep, rest = self.buf.partition(marker)
        self.buf = rest
        return (head + sep).decode(errors='replace')

    def cmd(self, line):
        self.s.sendall(line.encode() + b'\n')
        return self.until(MONITOR_PROMPT)

    def close(self):
        self.s.close()


class Image:
    """An RGB picture: pixel(x, y) -> (r, g, b)."""

    def __init__(self, width, height, rgb):
        self.width, self.height, self.rgb = width, height, rgb

    def pixel(self, x, y):
        i = (y * self.width + x) * 3
        return tuple(self.rgb[i:i + 3])

    def row(self, y, x=0, n=None):
        n = self.width - x if n is None else n
        i = (y * self.width + x) * 3
        return self.rgb[i:i + 3 * n]

    def colours(self):
        return {bytes(self.rgb[i:i + 3]) for i in range(0, len(self.rgb), 3)}

    def diff(self, other):
        """Pixels that differ, as a count, with the first one's position."""
        if (self.width, self.height) != (other.width, other.height):
            return -1, None
        n, first = 0, None
        for i in range(0, len(self.rgb), 3):
            if self.rgb[i:i + 3] != other.rgb[i:i + 3]:
                n += 1
                if first is None:
                    first = ((i // 3) % self.width, (i // 3) // self.width)
        return n, first

    def find(self, sub):
        """Where sub appears in this picture, exactly: (x, y) or None."""
        first = sub.row(0)
        for y in range(self.height - sub.height + 1):
            row = self.row(y)
            start = 0
            while True:
                at = row.find(first, start)
                if at < 0:
                    break
                if at % 3 == 0:
                    x = at // 3
                    if x + sub.width <= self.width and all(
                            self.row(y + k, x, sub.width) == sub.row(k)
                            for k in range(1, sub.height)):
                        return x, y
                start = at + 1
        return None


def read_png(path):
    """An 8-bit RGB or RGBA, non-interlaced PNG (what screendump writes)."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('%s: not a PNG file' % path)
    pos, idat, width = 8, b'', None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            width, height, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError('%s: unsupported PNG layout' % path)
            bpp = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    out = bytearray()
    prev = bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
        prev = line
        if bpp == 3:
            out += line
        else:
            for i in range(0, stride, 4):
                out += line[i:i + 3]
    return Image(width, height, bytes(out))


def read_xwd(data):
    """An X window dump (xwd's output) in ZPixmap format, 24 or 32 bits per
    pixel, as RGB."""
    head = struct.unpack('>25I', data[:100])
    (header_size, version, fmt, depth, width, height, _, byte_order, _, _, _, bpp,
     bytes_per_line, _, rmask, gmask, bmask, _, _, ncolors) = head[:20]
    if version != 7 or fmt != 2 or bpp not in (24, 32):
        raise ValueError('unsupported XWD dump (version %d, format %d, %d bpp)'
                         % (version, fmt, bpp))
    pos = header_size + ncolors * 12
    step = bpp // 8
    order = 'little' if byte_order == 0 else 'big'

    def shift(mask):
        return (mask & -mask).bit_length() - 1

    rs, gs, bs = shift(rmask), shift(gmask), shift(bmask)
    out = bytearray()
    for y in range(height):
        line = data[pos + y * bytes_per_line:pos + y * bytes_per_line + width * step]
        for x in range(0, width * step, step):
            v = int.from_bytes(line[x:x + step], order)
            out += bytes(((v & rmask) >> rs, (v & gmask) >> gs, (v & bmask) >> bs))
    return Image(width, height, bytes(out))


X86_LOAD = 0x8000


def x86_realmode_elf(code):
    """A minimal i386 ELF: `code` (and 4 KiB of zeros after it) at
    X86_LOAD; the entry is real mode, CS:IP = 0000:8000 (the pc and
    x86-bare boards start an ELF so)."""
    ehdr = struct.pack('<16sHHIIIIIHHHHHH', b'\x7fELF\x01\x01\x01' + b'\0' * 9, 2, 3, 1,
                       X86_LOAD, 52, 0, 0, 52, 32, 1, 40, 0, 0)
    phdr = struct.pack('<IIIIIIII', 1, 84, X86_LOAD, X86_LOAD, len(code), len(code) + 4096,
                       7, 4)
    return ehdr + phdr + code


def x86_putc(ch):
    """mov al, ch; out 0xe9, al: a byte to the debug console."""
    return bytes([0xb0, ord(ch) if isinstance(ch, str) else ch, 0xe6, 0xe9])


NETWORK_STATUS = 3      # scripts/debian-guest: Debian's archive unreachable


def debian_guest(source_root, guest, init_script, workdir):
    """Builds (or takes from the cache: ORRERY_GUEST_CACHE, else the
    builder's default) a Debian guest whose /init runs init_script (bytes),
    and returns (kernel, initrd); skips when Debian's archive cannot be
    reached, fails the test on any other builder error."""
    script = os.path.join(source_root, 'scripts', 'debian-guest')
    cache = os.environ.get('ORRERY_GUEST_CACHE')
    init = os.path.join(workdir, 'init-%s.sh' % guest)
    with open(init, 'wb') as f:
        f.write(init_script)
    p = run([sys.executable, script, '--guest', guest, '--init-script', init, '--print-paths']
            + (['--cache', cache] if cache else []), timeout=1200)
    if p.returncode == NETWORK_STATUS:
        skip("Debian's archive is unreachable: "
             + p.stderr.decode(errors='replace').strip().splitlines()[-1])
    paths = p.stdout.decode().split()
    if not check(p.returncode == 0 and len(paths) >= 2, '%s: the guest builder succeeds' % guest,
                 describe(p)):
        finish()
    return paths[0], paths[1]
