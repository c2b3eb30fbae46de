"""--trace: filters, triggers, the register and memory columns, the
explain view as JSON lines, `trace on/off` in the monitor, bad arguments;
with --linux (suite slow), the Debian kernel traced from its entry point
(0x40208000, after the decompressor) to its first console line (earlycon),
stopped through the monitor socket, with the size reported.

Usage: test_trace.py ORRERY ROOT [--linux]"""
import gzip
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import orrtest as t  # noqa: E402

orrery, root = sys.argv[1], sys.argv[2]
roms = os.path.join(root, 'roms', 'tests')
tour = os.path.join(roms, 'v7_explain.elf')
# Where the decompressor of Debian's armmp zImage enters the kernel on
# arm-virt (RAM + 0x208000; measured with --trace-range below the
# decompressor's relocated copy).
KERNEL_ENTRY = '0x40208000'
LINE = re.compile(r'^([0-9a-f]{8})  ([0-9a-f]{4}(?:[0-9a-f]{4})?) +(.*)$')


def symbols(elf):
    out = subprocess.run(['arm-none-eabi-nm', elf], stdout=subprocess.PIPE).stdout.decode()
    return {m.group(2): int(m.group(1), 16)
            for m in re.finditer(r'^([0-9a-f]+) \w (\S+)$', out, re.M)}


def trace(args, rom=tour, cpu='cortex-a15'):
    with tempfile.TemporaryDirectory(prefix='orrery-trace-') as d:
        path = os.path.join(d, 'trace.txt')
        p = t.run([orrery, 'run', '--cpu', cpu, '--kernel', rom, '--semihosting',
                   '--trace', path] + args, timeout=120)
        text = open(path).read() if os.path.exists(path) else ''
        return p, text.splitlines()


def pcs(lines):
    return [int(LINE.match(l).group(1), 16) for l in lines if LINE.match(l)]


def rom_tests():
    sym = symbols(tour)
    p, lines = trace([])
    t.check(p.returncode == 0 and len(lines) > 50 and all(LINE.match(l) for l in lines),
            'the whole tour traced, every line in the documented format (%d)' % len(lines),
            t.describe(p) + '\n' + '\n'.join(lines[:5]))
    t.check(re.search(r'^orrery: trace: %d lines, \d+ bytes to ' % len(lines),
                      p.stderr.decode(), re.M) is not None, 'the size is reported', t.describe(p))
    full = lines

    arm = os.path.join(roms, 'arm.elf')
    p, lines = trace(['--trace-range', '0x40000100:0x40000200'], rom=arm)
    got = pcs(lines)
    t.check(p.returncode == 0 and got and all(0x40000100 <= a < 0x40000200 for a in got),
            'the ARM self-test traced with an address filter: only lines in range (%d)'
            % len(got), t.describe(p))

    p, lines = trace(['--trace-from', hex(sym['dp_insn']), '--trace-count', '5'])
    got = pcs(lines)
    t.check(len(got) == 5 and got[0] == sym['dp_insn'],
            'start at an address, stop after 5 lines', '\n'.join(lines))

    p, lines = trace(['--trace-skip', '10', '--trace-count', '3'])
    t.check(lines == full[10:13], 'skip 10 instructions, then 3 lines: the same as the full '
            'trace\'s 11th to 13th', '\n'.join(lines) + '\n---\n' + '\n'.join(full[10:13]))

    p, lines = trace(['--trace-until', hex(sym['ldm_insn'])])
    got = pcs(lines)
    t.check(got and got[-1] < sym['ldm_insn'] and sym['ldm_insn'] not in got and
            p.returncode == 0, 'stop at an address (the run goes on untraced)',
            '\n'.join(lines[-3:]))

    p, lines = trace(['--trace-priv', 'user'])
    got = pcs(lines)
    t.check(got == [sym['svc_insn']], 'only User mode: the one SVC the tour makes there',
            '\n'.join(lines))
    p, lines = trace(['--trace-priv', 'kernel'])
    t.check(sym['svc_insn'] not in pcs(lines) and len(lines) == len(full) - 1,
            'only privileged: everything else', str(len(lines)))

    p, lines = trace(['--trace-regs', '--trace-mem'])
    wb = [l for l in lines if l.startswith('%08x' % sym['load_wb'])]
    t.check(wb and wb[0].endswith('<load_wb>  ; r3=0->22 r4=4000013c->40000140'
                                  '  ; R4 40000140:22'),
            'regs and mem columns on the load with writeback', '\n'.join(wb))
    mmu = [l for l in lines if l.startswith('%08x' % sym['mmu_load'])]
    t.check(mmu and mmu[0].endswith('; r8=0->cafe0042  ; R4 80000010=40009010:cafe0042'),
            'mem column: virtual=physical address on the mapped load', '\n'.join(mmu))

    with tempfile.TemporaryDirectory(prefix='orrery-trace-') as d:
        path = os.path.join(d, 'x.jsonl')
        p = t.run([orrery, 'run', '--cpu', 'cortex-a15', '--kernel', tour, '--semihosting',
                   '--trace', path, '--explain', '--explain-format', 'json',
                   '--trace-from', hex(sym['svc_insn']), '--trace-count', '2'], timeout=60)
        objs = []
        for l in open(path).read().splitlines():
            try:
                objs.append(json.loads(l))
            except ValueError:
                t.fail('not JSON: ' + l[:200])
        t.check(len(objs) == 2 and objs[0]['exceptions'][0]['kind'] == 'supervisor call',
                '--explain --explain-format json: one object per instruction', repr(objs)[:600])

        path = os.path.join(d, 'mon.txt')
        script = ('break dp_insn\ncontinue\ntrace on %s\nstep 2\ncontinue\n' % path).encode()
        p = t.run([orrery, 'run', '--cpu', 'cortex-a15', '--kernel', tour, '--semihosting',
                   '--monitor'], stdin=script, timeout=60)
        lines = open(path).read().splitlines() if os.path.exists(path) else []
        t.check(p.returncode == 0 and pcs(lines)[:1] == [sym['dp_insn'] + 8] and
                len(lines) == len(full) - full.index(next(l for l in full if l.startswith(
                    '%08x' % (sym['dp_insn'] + 8)))),
                'monitor `trace on`: from the next instruction run to the end (steps are '
                'shown by step itself)', t.describe(p))

        p = t.run([orrery, 'run', '--kernel', tour, '--trace',
                   os.path.join(d, 'no', 'dir', 'x')], timeout=30)
        err = p.stderr.decode().strip().splitlines()
        t.check(p.returncode == 1 and len(err) == 1 and err[0].startswith('orrery: --trace:'),
                'an unwritable trace file: one error line, status 1', t.describe(p))
        if os.path.exists('/dev/full'):
            p = t.run([orrery, 'run', '--cpu', 'cortex-a15', '--kernel', tour, '--semihosting',
                       '--trace', '/dev/full'], timeout=60)
            err = p.stderr.decode().strip().splitlines()
            t.check(p.returncode == 1 and len(err) == 1 and
                    err[0] == 'orrery: --trace: writing /dev/full failed: '
                              'No space left on device',
                    'a trace that cannot be written (disk full): one clear error, status 1',
                    t.describe(p))
        p = t.run([orrery, 'run', '--kernel', tour, '--trace', 'x', '--trace-range', '5:3'])
        t.check(p.returncode == 2, 'a backwards range is a usage error', t.describe(p))


def linux_trace():
    paths = subprocess.run([sys.executable, os.path.join(root, 'scripts', 'debian-guest'),
                            '--print-paths', '-q'], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    if paths.returncode != 0:
        if 'unreachable' in paths.stderr.decode(errors='replace'):
            t.skip("Debian's archive is unreachable")
        t.fail('the guest builder failed')
        return
    kernel, initrd, disk = paths.stdout.decode().split()[:3]
    with tempfile.TemporaryDirectory(prefix='orrery-trace-') as d:
        sock, out = os.path.join(d, 'mon.sock'), os.path.join(d, 'linux.trace.gz')
        t0 = time.monotonic()
        p = subprocess.Popen([orrery, 'run', '--kernel', kernel, '--initrd', initrd,
                              '--append', 'console=ttyAMA0 earlycon=pl011,0x09000000',
                              '-m', '256M', '--drive', disk + ',ro', '--monitor-socket', sock,
                              '--timeout', '1500', '--trace', out, '--trace-from', KERNEL_ENTRY,
                              '--trace-mem'],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        try:
            while not os.path.exists(sock):
                time.sleep(0.05)
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock)
            data = b''
            while b'Booting Linux' not in data:
                chunk = os.read(p.stdout.fileno(), 4096)
                if not chunk:
                    break
                data += chunk
            secs = time.monotonic() - t0
            s.sendall(b'stop\ntrace off\nquit\n')
            s.settimeout(120)
            reply = b''
            while b'trace:' not in reply:
                chunk = s.recv(65536)
                if not chunk:
                    break
                reply += chunk
            rc = p.wait(timeout=120)
            m = re.search(rb'trace: (\d+) lines, (\d+) bytes', reply)
            t.check(m is not None and rc == 0,
                    'the trace from the kernel entry to the first console line completes',
                    repr(reply[-500:]) + p.stderr.read().decode(errors='replace'))
            if m:
                size = os.path.getsize(out)
                sys.stdout.write('Linux trace: %s lines, %s bytes (%d bytes gzip), %.0f s\n'
                                 % (m.group(1).decode(), m.group(2).decode(), size, secs))
                # The first console byte is the first write to the PL011's
                # data register (physical 0x09000000, through the kernel's
                # fixmap): the trace up to there is the boot to that line.
                uart = re.compile(r' W\d (?:9000000|[0-9a-f]+=9000000):')
                first, upto = None, None
                with gzip.open(out, 'rt') as f:
                    for n, line in enumerate(f, 1):
                        if first is None:
                            first = line
                        if uart.search(line):
                            upto = n
                            break
                t.check(first and first.startswith(KERNEL_ENTRY[2:] + '  '),
                        'it starts at the kernel entry', first)
                t.check(upto is not None, 'it reaches the first console byte')
                sys.stdout.write('first console byte written by trace line %s\n' % upto)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()

        # Later in the boot, with interrupts: the step that takes an IRQ runs
        # the vector's instruction (ARM high vectors: 0xffff0018, a branch to
        # vector_irq in the page above), so that is the line it gets; the
        # interrupted instruction's line comes after the return.
        out = os.path.join(d, 'irq.trace')
        p = t.run([orrery, 'run', '--kernel', kernel, '--initrd', initrd, '--append',
                   'console=ttyAMA0', '-m', '256M', '--drive', disk + ',ro', '--timeout', '150',
                   '--trace', out, '--trace-skip', '2500000000', '--trace-count', '3000000'],
                  timeout=300)   # the guest runs on after the trace: --timeout ends it
        got = pcs(open(out).read().splitlines()) if os.path.exists(out) else []
        vectors = sum(1 for a in got if a == 0xffff0018)
        orphans = sum(1 for a, b in zip(got, got[1:])
                      if 0xffff1000 <= b < 0xffff2000 and not 0xffff0000 <= a < 0xffff2000)
        t.check(len(got) == 3000000 and vectors > 0 and orphans == 0,
                'interrupts: %d IRQ vector lines, every handler entry after its vector '
                '(%d not)' % (vectors, orphans), t.describe(p))


if '--linux' in sys.argv[3:]:
    linux_trace()
else:
    rom_tests()
t.finish()
