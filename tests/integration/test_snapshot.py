"""Machine state from the command line (docs/snapshots.md), on small guests.

Usage: test_snapshot.py ORRERY ROOT

- The embedded demo stopped half way (--max-insns) and saved
  (--snapshot-save-at-exit), then continued from the snapshot in a new
  process (--snapshot-load, no --board: the snapshot carries it), prints
  exactly what one whole run prints.
- Bad snapshot files (missing, not a snapshot, truncated, one flipped
  byte, a future format, another board, memory size or CPU model, a disk
  image that changed since) each give one "orrery:" error line.
- Record and replay: an echo guest fed from a pipe is recorded; two
  replays (stdin ignored) print the same bytes and end with the recorded
  state hash; a journal with one input byte edited reports the divergence.
  The power button pressed from the monitor is journalled and replayed.
- The monitor's reverse execution on roms/tests/gdb_target.elf: after a
  write watchpoint hit, `rcontinue` lands on the previous write to the
  address, and `rstep`/`step` return to the same registers.
"""
import os
import re
import struct
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import orrtest as t  # noqa: E402

orrery, root = sys.argv[1], os.path.abspath(sys.argv[2])
UART = 0x09000000
gdb_target = os.path.join(root, 'roms', 'tests', 'gdb_target.elf')
d = t.tempdir()


def reseal(data):
    """Recomputes a snapshot's trailing CRC-32 after an edit."""
    body = bytes(data[:-4])
    return body + struct.pack('<I', zlib.crc32(body) & 0xffffffff)


def demo_split():
    whole = t.run([orrery, 'run'])
    t.check(whole.returncode == 0 and b'Goodbye.' in whole.stdout,
            'the demo runs to the end', t.describe(whole))
    snap = os.path.join(d, 'demo.snap')
    first = t.run([orrery, 'run', '--max-insns', '250000', '--snapshot-save-at-exit', snap])
    t.check(first.returncode == 0 and os.path.exists(snap) and b'Goodbye.' not in first.stdout,
            'the demo stops after 250000 instructions and is saved', t.describe(first))
    second = t.run([orrery, 'run', '--semihosting', '--snapshot-load', snap])
    t.check(second.returncode == 0 and first.stdout + second.stdout == whole.stdout,
            'the snapshot continues exactly where the first run stopped',
            t.describe(second))
    mode = os.stat(snap).st_mode & 0o777
    t.check(mode & 0o044 == (0o666 & ~os.umask(0o022)) & 0o044,
            'the snapshot file gets the usual permissions (%o)' % mode)
    return snap


def bad_snapshots(snap):
    data = open(snap, 'rb').read()
    cases = [
        ('a missing file', os.path.join(d, 'nonesuch.snap'), None, 'No such file'),
        ('a file that is no snapshot', gdb_target, None, 'not an Orrery snapshot'),
        ('a truncated snapshot', 'cut.snap', data[:len(data) // 2], 'truncated'),
        ('a snapshot with one flipped byte', 'flip.snap',
         data[:len(data) // 3] + bytes([data[len(data) // 3] ^ 4]) + data[len(data) // 3 + 1:],
         'checksum'),
        ('a snapshot of a future format', 'future.snap',
         reseal(data[:8] + struct.pack('<I', 99) + data[12:]), 'format 99'),
    ]
    for what, name, content, want in cases:
        path = name if os.path.isabs(name) else os.path.join(d, name)
        if content is not None:
            t.write(path, content)
        p = t.run([orrery, 'run', '--semihosting', '--snapshot-load', path])
        line = t.check_one_error_line(p, what)
        t.check(want in line, '%s: the message says "%s"' % (what, want), line)
    other = os.path.join(d, 'other.dts')
    with open(os.path.join(root, 'machine', 'boards', 'arm-virt.dts')) as f:
        t.write(other, f.read())
    p = t.run([orrery, 'run', '--semihosting', '--board', other, '--snapshot-load', snap])
    line = t.check_one_error_line(p, 'a snapshot for another board')
    t.check('arm-virt' in line and 'other' in line, 'it names both boards', line)
    p = t.run([orrery, 'run', '--semihosting', '-m', '64M', '--snapshot-load', snap])
    line = t.check_one_error_line(p, 'a snapshot with another memory size')
    t.check('MiB' in line, 'it says the sizes', line)
    # `orrery run` runs the demo on the board's own CPU, a Cortex-A15.
    p = t.run([orrery, 'run', '--semihosting', '--cpu', 'arm926ej-s', '--snapshot-load', snap])
    line = t.check_one_error_line(p, 'a snapshot for another CPU model')
    t.check('arm926ej-s' in line and 'cortex-a15' in line, 'it names both models', line)


def disk_identity():
    """A drive written in place: the snapshot records the image's identity."""
    img = t.write(os.path.join(d, 'disk.img'), b'\0' * 65536)
    snap = os.path.join(d, 'disk.snap')
    p = t.run([orrery, 'run', '--max-insns', '100000', '--drive', img,
               '--snapshot-save-at-exit', snap])
    t.check(p.returncode == 0, 'a run with an in-place drive saves', t.describe(p))
    p = t.run([orrery, 'run', '--semihosting', '--drive', img, '--snapshot-load', snap])
    t.check(p.returncode == 0 and b'Goodbye.' in p.stdout,
            'it loads against the unchanged image', t.describe(p))
    with open(img, 'r+b') as f:
        f.seek(4096)
        f.write(b'changed')
    p = t.run([orrery, 'run', '--semihosting', '--drive', img, '--snapshot-load', snap])
    line = t.check_one_error_line(p, 'a snapshot against a disk image changed since')
    t.check(img in line and 'changed' in line, 'the message names the image', line)
    p = t.run([orrery, 'run', '--semihosting', '--drive', img + ',snapshot',
               '--snapshot-load', snap])
    t.check_one_error_line(p, 'the same image opened copy-on-write')


def record_replay():
    echo = t.write(os.path.join(d, 'echo.bin'), t.prog_echo(UART))
    journal = os.path.join(d, 'echo.journal')
    text = b'record me\nand replay me\nq'
    rec = t.run([orrery, 'run', '--semihosting', '--kernel', echo, '--record', journal,
                 '--check-interval', '20000'], stdin=text)
    m = re.search(rb'record: (\d+) inputs and (\d+) checkpoints .* state hash ([0-9a-f]{16})',
                  rec.stderr)
    t.check(rec.returncode == 0 and rec.stdout == text[:-1] and m is not None,
            'an echo session is recorded', t.describe(rec))
    if not m:
        return
    hashes = []
    for n in (1, 2):
        rep = t.run([orrery, 'run', '--semihosting', '--kernel', echo, '--replay', journal],
                    stdin=b'ignored input\nq')
        r = re.search(rb'replay: complete at instruction \d+; (\d+) inputs and (\d+) '
                      rb'checkpoints matched the recording; state hash ([0-9a-f]{16})',
                      rep.stderr)
        t.check(rep.returncode == 0 and rep.stdout == rec.stdout and r is not None,
                'replay %d prints the same bytes and ends as recorded' % n, t.describe(rep))
        if r:
            hashes.append(r.group(3))
            t.check(r.group(1) == m.group(1) and int(r.group(2)) >= 2,
                    'replay %d applied every input and compared the checkpoints' % n,
                    t.describe(rep))
    t.check(hashes == [m.group(3)] * 2, 'both replays end with the recorded state hash',
            '%s vs %s' % (hashes, m.group(3)))

    # Edit one recorded byte: the final 'q' becomes 'z', so the guest does
    # not leave where the recording did; the replay says where it went astray.
    # (An edit that only changes what is printed leaves the state, and so
    # the hashes, the same.)
    data = bytearray(open(journal, 'rb').read())
    pos, edited = 36, False
    for _ in range(struct.unpack_from('<Q', data, 28)[0]):
        kind, _time, _insn, ln = struct.unpack_from('<BQQI', data, pos)
        payload = data[pos + 21:pos + 21 + ln]
        if kind == 1 and payload.endswith(b'q'):
            data[pos + 21 + ln - 1] = ord('z')
            edited = True
            break
        pos += 21 + ln
    t.check(edited, 'the journal holds the typed bytes')
    edited_path = t.write(os.path.join(d, 'edited.journal'), bytes(data))
    rep = t.run([orrery, 'run', '--semihosting', '--kernel', echo, '--replay', edited_path])
    line = t.check_one_error_line(rep, 'an edited journal')
    t.check('replay diverged between instruction' in line and 'cpu0' in line,
            'the divergence names the interval and the part that differs', line)

    p = t.run([orrery, 'run', '--semihosting', '--kernel', echo, '--replay',
               os.path.join(d, 'echo.bin')])
    t.check_one_error_line(p, 'a file that is no journal')

    # A guest that prints R and resets the machine (PSCI SYSTEM_RESET), over
    # and over until the timeout: the replay goes through the same resets.
    resetter = t.write(os.path.join(d, 'reset.bin'), t.assemble([
        lambda pc, l: t.ldr_lit(1, pc, l['uart']),
        lambda pc, l: t.ldr_lit(0, pc, l['cr']),
        t.str_imm(0, 1, t.PL011_CR),
        t.mov_imm(0, ord('R')),
        t.str_imm(0, 1, t.PL011_DR),
        lambda pc, l: t.ldr_lit(0, pc, l['fid']),
        0xE1400070,                                   # hvc #0
        ('label', 'x'), lambda pc, l: t.branch(pc, l['x']),
        ('label', 'uart'), UART,
        ('label', 'cr'), t.PL011_CR_ENABLE,
        ('label', 'fid'), 0x84000009]))
    journal = os.path.join(d, 'reset.journal')
    rec = t.run([orrery, 'run', '--kernel', resetter, '--record', journal, '--timeout', '0.3'])
    m = re.search(rb'state hash ([0-9a-f]{16})', rec.stderr)
    t.check(rec.returncode == 124 and rec.stdout.count(b'R') > 2 and m is not None,
            'a guest resetting itself is recorded (%d resets)' % rec.stdout.count(b'R'),
            t.describe(rec))
    rep = t.run([orrery, 'run', '--kernel', resetter, '--replay', journal])
    t.check(rep.returncode == 0 and rep.stdout == rec.stdout and m is not None and
            b'state hash ' + m.group(1) in rep.stderr,
            'its replay resets at the same points and ends in the same state', t.describe(rep))

    # An external input pressed from the monitor is journalled too: the
    # power button's GPIO level is part of the state the replay checks.
    spin = t.write(os.path.join(d, 'spin.bin'), t.prog_spin())
    journal = os.path.join(d, 'button.journal')
    rec = t.run([orrery, 'run', '--kernel', spin, '--monitor', '--record', journal,
                 '--max-insns', '100000'], stdin=b'step 3\ninput poweroff 1\ncontinue\n')
    m = re.search(rb'record: 1 inputs .* state hash ([0-9a-f]{16})', rec.stderr)
    t.check(rec.returncode == 0 and m is not None,
            'the monitor\'s `input poweroff 1` is recorded', t.describe(rec))
    rep = t.run([orrery, 'run', '--kernel', spin, '--replay', journal])
    t.check(rep.returncode == 0 and m is not None and
            b'state hash ' + m.group(1) in rep.stderr and b'1 inputs' in rep.stderr,
            'the replay presses the button at the same instruction', t.describe(rep))
    data = bytearray(open(journal, 'rb').read())
    pos = 36
    for _ in range(struct.unpack_from('<Q', data, 28)[0]):
        kind, _time, _insn, ln = struct.unpack_from('<BQQI', data, pos)
        if kind == 2:
            data[pos + 21] = 0          # pressed becomes released
        pos += 21 + ln
    edited_path = t.write(os.path.join(d, 'button-edited.journal'), bytes(data))
    rep = t.run([orrery, 'run', '--kernel', spin, '--replay', edited_path])
    line = t.check_one_error_line(rep, 'a journal whose button press was edited')
    t.check('dev:/pl061' in line, 'the divergence names the GPIO controller', line)


def monitor_reverse():
    saved = os.path.join(d, 'monitor.snap')
    script = '\n'.join([
        'break add_step', 'continue', 'watch w counter', 'continue', 'x/wd counter',
        'continue', 'continue', 'x/wd counter', 'delete 1', 'rcontinue', 'x/wd counter',
        'regs', 'rstep 4', 'step 4', 'regs', 'rcontinue', 'rcontinue', 'rcontinue',
        'rcontinue', 'continue', 'continue', 'x/wd counter', 'savevm ' + saved,
        'continue', 'continue', 'x/wd counter', 'loadvm ' + saved, 'x/wd counter',
        'rcontinue', 'quit', ''])
    p = t.run([orrery, 'run', '--kernel', gdb_target, '--monitor'],
              stdin=script.encode(), timeout=60)
    out = p.stdout.decode(errors='replace')
    t.check(p.returncode == 0, 'the monitor session ends cleanly', t.describe(p))
    hits = re.findall(r'watchpoint 2: write of 4 bytes at 0x[0-9a-f]+ by the instruction at '
                      r'(0x[0-9a-f]+) <main\+0x[0-9a-f]+> \(not yet executed\)', out)
    values = re.findall(r'<counter>: (-?\d+)', out)
    t.check(len(hits) >= 3 and hits[0] == hits[2] and values[:3] == ['0', '1', '0'],
            'rcontinue after a watchpoint hit lands on the previous write to the address '
            '(the same instruction, counter back to 0)', out[-3000:])
    regs = re.findall(r'(r0 +0x[0-9a-f]+.*?cpsr +0x[0-9a-f]+)', out, re.S)
    t.check(len(regs) == 2 and regs[0] == regs[1],
            '`rstep 4` then `step 4` returns to the same registers', out[-3000:])
    t.check('the oldest point in the history' in out,
            'going back past every hit stops at the start of the history', out[-2000:])
    after = out[out.find('loaded ' + saved):]
    t.check(len(values) == 6 and values[3] == values[5] != values[4] and
            re.search(r'\(instruction [1-9]\d*, the oldest point in the history\)', after),
            'savevm, two more writes, loadvm: the value saved is back, and the history '
            'starts again there', out[-2500:])


def history_from_ctrl_a_c():
    """No debugger option: the history starts when Ctrl-A c opens the monitor."""
    spin = t.write(os.path.join(d, 'spin2.bin'), t.prog_spin())
    con = t.Console([orrery, 'run', '--kernel', spin, '--timeout', '60'])
    try:
        time.sleep(0.3)
        os.write(con.master, b'\x01c')
        opened = con.expect(rb'\(orrery\) ', 20)
        con.type('continue\r')
        time.sleep(0.3)
        os.write(con.master, b'\x01c')
        opened = con.expect(rb'\(orrery\) ', 20) and opened
        con.type('rstep 5\r')
        back = con.expect(rb'back at 0x[0-9a-f]+.*\r?\n\(instruction \d+\)', 20)
        con.type('quit\r')
        status = con.wait(20)
        t.check(opened and back and status == 0,
                'after Ctrl-A c, rstep goes back without any debugger option', con.tail())
    finally:
        con.close()


snap = demo_split()
bad_snapshots(snap)
disk_identity()
record_replay()
monitor_reverse()
history_from_ctrl_a_c()
t.finish()
