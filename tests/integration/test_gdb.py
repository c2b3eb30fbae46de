"""Real gdb-multiarch against the GDB stub (--gdb).

Usage: test_gdb.py ORRERY ROOT [--linux]

Bare metal (roms/tests/gdb_target.elf, with debug information): raw
protocol checks first (a 100 KB packet, a client that vanishes mid-packet),
then a batch GDB session: break at a function, continue, `info registers`,
`set var` on a global, a write watchpoint (old and new value, and the
instruction it stops after), stepi x10 with the PCs checked against QEMU's
gdbstub on the same program when qemu-system-arm is installed, `x/4i $pc`,
`finish`, detach; then a second GDB reconnects and continues to the exit,
whose status shows the changed global. Reverse execution: reverse-stepi x5
then stepi x5 gives back the same registers, reverse-finish and
reverse-continue to a watchpoint.

With --linux (suite slow): Debian's kernel boots to its shell with --gdb;
start_kernel's address comes from the guest's /proc/kallsyms; GDB attaches,
loads it through `monitor symbols`, breaks at start_kernel and continues;
`reboot` typed on the console restarts the kernel into the breakpoint; GDB
detaches and the boot finishes to the shell again, where `poweroff` ends
the run with status 0."""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import orrtest as t  # noqa: E402

orrery, root = sys.argv[1], sys.argv[2]
linux = '--linux' in sys.argv[3:]
GDB = shutil.which('gdb-multiarch')
elf = os.path.join(root, 'roms', 'tests', 'gdb_target.elf')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def connect(port, timeout=30):
    end = time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection(('127.0.0.1', port), timeout=10)
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.05)


def packet(body):
    return b'$' + body + b'#' + b'%02x' % (sum(body) & 0xff)


def read_reply(s):
    data = b''
    while not re.search(rb'\$[^#]*#[0-9a-f]{2}', data):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    m = re.search(rb'\$([^#]*)#[0-9a-f]{2}', data)
    return m.group(1) if m else None


def gdb_batch(port, commands, timeout=120, program=elf):
    with tempfile.NamedTemporaryFile('w', suffix='.gdb', delete=False) as f:
        f.write('set pagination off\nset confirm off\ntarget remote :%d\n' % port)
        f.write('\n'.join(commands) + '\n')
        script = f.name
    try:
        argv = [GDB, '-batch', '-nx', '-x', script]
        if program:
            argv.append(program)
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        return p.stdout.decode(errors='replace')
    except subprocess.TimeoutExpired as e:
        t.fail('gdb did not finish within %d s' % timeout)
        return (e.stdout or b'').decode(errors='replace')
    finally:
        os.unlink(script)


SESSION = ['break add_step', 'continue', 'info registers', 'set var limit = 3',
           'watch counter', 'continue', 'p/x $pc', 'delete 2', 'continue'] + \
          ['stepi', 'p/x $pc'] * 10 + ['x/4i $pc', 'continue', 'finish']


def pcs_of(out):
    """The values `p/x $pc` printed, in order."""
    return [int(v, 16) for v in re.findall(r'^\$\d+ = (0x[0-9a-f]+)$', out, re.M)]


def expected_steps(dis, n):
    """The PCs n single steps from add_step's first instruction go through,
    read off the disassembly: straight-line code, add_step's `bx lr`
    returning after main's `bl`. None when the code holds another branch
    (the ROM changed: this derivation must be revisited)."""
    insns = {int(a, 16): text.strip() for a, text in
             re.findall(r'^([0-9a-f]{8}):\s+[0-9a-f]{8}\s+(.*)$', dis, re.M)}
    start = re.search(r'^([0-9a-f]{8}) <add_step>:', dis, re.M)
    call = re.search(r'^([0-9a-f]{8}):\s+[0-9a-f]{8}\s+bl\s+[0-9a-f]+ <add_step>', dis, re.M)
    if not start or not call:
        return None
    pc, pcs = int(start.group(1), 16), []
    for _ in range(n):
        text = insns.get(pc, '')
        if text.startswith('bx') and text.split()[1:] == ['lr']:
            pc = int(call.group(1), 16) + 4
        elif not text or re.match(r'(b|bl|bx|blx|pop|ldm[a-z]*)\s|'
                                  r'b(l|x)?(eq|ne|cs|cc|hs|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)\s',
                                  text):
            return None
        else:
            pc += 4
        pcs.append(pc)
    return pcs


def qemu_reference():
    """The same session against QEMU's gdbstub, or None without QEMU."""
    qemu = shutil.which('qemu-system-arm')
    if not qemu:
        return None
    port = free_port()
    q = subprocess.Popen([qemu, '-M', 'virt', '-cpu', 'cortex-a15', '-nographic',
                          '-monitor', 'none', '-serial', 'stdio', '-semihosting',
                          '-kernel', elf, '-S', '-gdb', 'tcp:127.0.0.1:%d' % port],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        connect(port).close()
        return gdb_batch(port, SESSION + ['detach'])
    finally:
        q.kill()
        q.wait()


def bare_metal():
    port = free_port()
    proc = subprocess.Popen([orrery, 'run', '--kernel', elf, '--semihosting', '--gdb',
                             str(port), '--gdb-wait', '--timeout', '300'],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        # Raw protocol: supported features, memory, an oversized packet, and
        # a client that goes away in the middle of one.
        s = connect(port)
        s.sendall(packet(b'qSupported:multiprocess+;swbreak+'))
        reply = read_reply(s)
        t.check(reply is not None and b'PacketSize=4000' in reply and
                b'qXfer:features:read+' in reply, 'qSupported advertises PacketSize',
                repr(reply))
        s.sendall(packet(b'm40000000,4'))
        t.check(read_reply(s) == b'20d09fe5', 'm: reads the first instruction')
        s.sendall(b'$' + b'a' * 100000 + b'#00')
        s.sendall(packet(b'qC'))
        reply = read_reply(s)
        t.check(reply is not None, 'a 100 KB packet does not break the stub', repr(reply))
        s.sendall(b'$qSupp')
        s.close()
        s = connect(port)
        s.sendall(packet(b'?'))
        t.check(read_reply(s) == b'T05thread:1;', 'after a half-sent packet and a '
                'disconnect, a new client is served and the guest is still at its start')
        s.sendall(packet(b'g'))
        regs = read_reply(s) or b''
        t.check(len(regs) == 17 * 8 and regs[15 * 8:16 * 8] == b'00000040',
                'g: 17 registers, pc = 0x40000000', repr(regs[:200]))
        s.close()

        # Before detaching, a breakpoint of the monitor's own (through GDB's
        # `monitor`) keeps the guest from running to its end before the
        # second GDB connects; GDB's own breakpoints go with the detach.
        out = gdb_batch(port, SESSION + ['monitor break uart_puts', 'detach'])
        t.check('Breakpoint 1, add_step (acc=acc@entry=0, k=k@entry=0)' in out,
                'break at a function and continue', out[-3000:])
        t.check(re.search(r'^pc\s+0x400002fc', out, re.M) and
                re.search(r'^cpsr\s+0x[0-9a-f]+', out, re.M),
                'info registers shows pc and cpsr', out[-3000:])
        t.check('Old value = 0\nNew value = 1' in out, 'the write watchpoint: old and new value',
                out[-3000:])
        pcs = pcs_of(out)
        # The watchpoint stops before the store; GDB steps over it and shows
        # the next instruction: the one after main's store to counter.
        dis = subprocess.run(['arm-none-eabi-objdump', '-d', elf], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL).stdout.decode()
        main = dis[dis.find('<main>:'):]
        store = re.search(r'^([0-9a-f]+):\s+[0-9a-f]+\s+str\s', main, re.M)
        if store and pcs:
            t.check(pcs[0] == int(store.group(1), 16) + 4,
                    'the watchpoint stops right after the store (0x%x)' % pcs[0])
        t.check(len(pcs) == 11, '10 stepi, each PC printed (%d)' % len(pcs), out[-3000:])
        steps = pcs[1:11]
        t.check(steps[:3] == [0x40000300, 0x40000304, 0x40000308],
                'stepi walks add_step', str([hex(p) for p in steps]))
        expected = expected_steps(dis, 10)
        t.check(steps == expected, 'the 10 stepi PCs follow the code as objdump shows it',
                'got      %s\nexpected %s' % ([hex(p) for p in steps],
                                            [hex(p) for p in expected or []]))
        ref = qemu_reference()
        if ref is None:
            t.ok('(qemu-system-arm not installed: no reference PCs)')
        else:
            ref_pcs = pcs_of(ref)[1:11]
            t.check(steps == ref_pcs, 'the 10 stepi PCs are the ones QEMU gives',
                    'orrery %s\nqemu   %s' % ([hex(p) for p in steps], [hex(p) for p in ref_pcs]))
            ref_ret = re.search(r'Value returned is \$\d+ = (\d+)', ref)
            got_ret = re.search(r'Value returned is \$\d+ = (\d+)', out)
            t.check(ref_ret and got_ret and ref_ret.group(1) == got_ret.group(1),
                    'finish returns what it returns on QEMU')
        t.check(re.search(r'=> 0x[0-9a-f]+ <main\+\d+>:', out) and
                len(re.findall(r'^(?:=>|  ) 0x[0-9a-f]+ <main\+\d+>:', out, re.M)) == 4,
                'x/4i $pc: four instructions', out[-2000:])
        t.check(re.search(r'in main \(\) at tests/gdb_target.c:\d+\n.*\nValue returned is '
                          r'\$\d+ = 12', out) is not None,
                'finish returns to main with add_step\'s value (12)', out[-2000:])
        t.check('breakpoint 1 at 0x' in out and '<uart_puts>' in out,
                'monitor commands through GDB', out[-1000:])
        t.check('[Inferior 1 (Remote target) detached]' in out, 'detach', out[-1000:])
        out2 = gdb_batch(port, ['monitor info breakpoints', 'p/x $pc', 'monitor delete',
                                'continue'])
        t.check(re.search(r'^1   breakpoint  0x[0-9a-f]+ <uart_puts>$', out2, re.M) and
                'add_step' not in out2,
                'a second GDB: the guest waits at the monitor\'s breakpoint; the first '
                'GDB\'s are gone', out2[-2000:])
        t.check('exited with code 03' in out2, 'it continues to the exit, status 3 '
                '(limit was set to 3)', out2[-2000:])
        rc = proc.wait(timeout=60)
        output = proc.stdout.read().decode(errors='replace')
        t.check(rc == 3 and 'counter=3' in output, 'orrery exits with the guest\'s status 3',
                'exit %s, output %r, stderr %s' % (rc, output,
                                                   proc.stderr.read().decode(errors='replace')))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def registers_of(out):
    """Each `info registers` block: the (name, value) lines in order."""
    blocks, cur = [], []
    for line in out.splitlines():
        m = re.match(r'^(r\d+|sp|lr|pc|cpsr|fp|ip)\s+(0x[0-9a-f]+)', line)
        if m:
            cur.append(m.groups())
            if m.group(1) == 'cpsr':
                blocks.append(cur)
                cur = []
    return blocks


def reverse():
    """Reverse execution through GDB (bs/bc): reverse-stepi x5 then stepi x5
    returns to the same registers; reverse-finish returns to the caller;
    reverse-continue with a watchpoint stops before the previous write."""
    port = free_port()
    proc = subprocess.Popen([orrery, 'run', '--kernel', elf, '--semihosting', '--gdb',
                             str(port), '--gdb-wait', '--timeout', '300'],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        s = connect(port)
        s.sendall(packet(b'qSupported:swbreak+'))
        reply = read_reply(s) or b''
        t.check(b'ReverseStep+' in reply and b'ReverseContinue+' in reply,
                'qSupported advertises ReverseStep and ReverseContinue', repr(reply))
        s.close()
        out = gdb_batch(port, ['break add_step', 'continue', 'continue', 'delete', 'stepi 3',
                               'info registers'] + ['reverse-stepi'] * 5 +
                        ['info registers'] + ['stepi'] * 5 +
                        ['info registers', 'reverse-finish', 'p/x $pc', 'watch counter',
                         'reverse-continue', 'p counter', 'p/x $pc', 'detach'])
        regs = registers_of(out)
        t.check(len(regs) == 3 and regs[0] == regs[2] and regs[0] != regs[1],
                'reverse-stepi x5 then stepi x5: the same PC and registers again',
                out[-3000:])
        dis = subprocess.run(['arm-none-eabi-objdump', '-d', elf], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL).stdout.decode()
        main = dis[dis.find('<main>:'):]
        call = re.search(r'^([0-9a-f]+):\s+[0-9a-f]+\s+bl\s+[0-9a-f]+ <add_step>', main, re.M)
        store = re.search(r'^([0-9a-f]+):\s+[0-9a-f]+\s+str\s', main, re.M)
        pcs = pcs_of(out)
        t.check(call is not None and len(pcs) == 2 and pcs[0] == int(call.group(1), 16),
                'reverse-finish stops at the call in main', out[-2000:])
        t.check(store is not None and len(pcs) == 2 and pcs[1] == int(store.group(1), 16)
                and re.search(r'^\$\d+ = 0$', out, re.M) is not None,
                'reverse-continue to a watchpoint: before the previous store, counter 0',
                out[-2000:])
    finally:
        proc.kill()
        proc.wait()


def interrupt_and_kill():
    """Ctrl-C (0x03) stops a running guest with SIGINT; k ends orrery."""
    with tempfile.TemporaryDirectory(prefix='orrery-gdb-') as d:
        spin = os.path.join(d, 'spin.bin')
        with open(spin, 'wb') as f:
            f.write(bytes.fromhex('feffffea'))       # b .
        port = free_port()
        proc = subprocess.Popen([orrery, 'run', '--kernel', spin, '--gdb', str(port),
                                 '--timeout', '120'], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            s = connect(port)
            s.sendall(packet(b'?'))
            t.check((read_reply(s) or b'').startswith(b'T02'),
                    'attaching to a running guest stops it (T02)')
            s.sendall(packet(b'vCont;c'))
            time.sleep(0.3)
            s.sendall(b'\x03')
            t.check((read_reply(s) or b'').startswith(b'T02thread:1;'),
                    'Ctrl-C stops the running guest with SIGINT')
            s.sendall(packet(b'k'))
            t.check(proc.wait(timeout=30) == 0, 'k ends orrery')
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def linux_boot():
    paths = subprocess.run([sys.executable, os.path.join(root, 'scripts', 'debian-guest'),
                            '--print-paths', '-q'], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    if paths.returncode != 0:
        text = paths.stderr.decode(errors='replace')
        if 'unreachable' in text:
            t.skip("Debian's archive is unreachable")
        t.fail('the guest builder failed: ' + text[-2000:])
        return
    port = free_port()
    prompt = rb'(?m)^/ # (?:\x1b\[6n)?'
    con = t.Console([orrery, 'boot', 'debian-arm', '--gdb', str(port), '--timeout', '1500'])
    with tempfile.TemporaryDirectory(prefix='orrery-gdb-') as d:
        try:
            if not t.check(con.expect(prompt, 900), 'the guest reaches its shell', con.tail()):
                return
            start = len(con.seen)
            con.type('grep -w -e start_kernel -e panic -e kernel_init -e schedule '
                     '/proc/kallsyms\r')
            if not t.check(con.expect(rb'([0-9a-f]{8}) T start_kernel', 60),
                           'start_kernel in /proc/kallsyms', con.tail()):
                return
            con.expect(prompt, 60)
            # The console's lines may carry CRs and interleaved kernel
            # messages: take every "ADDRESS TYPE NAME" of a code symbol.
            text = con.seen[start:].decode(errors='replace')
            syms = re.findall(r'\b([0-9a-f]{8}) ([TtWw]) ([A-Za-z_][A-Za-z0-9_.]*)', text)
            addr = int([a for a, _, n in syms if n == 'start_kernel'][-1], 16)
            sysmap = os.path.join(d, 'System.map')
            with open(sysmap, 'w') as f:
                for sym in syms:
                    f.write('%s %s %s\n' % sym)
            t.check(len(syms) >= 2, 'a System.map of %d symbols from /proc/kallsyms' % len(syms),
                    text[-2000:])
            gdb = subprocess.Popen([GDB, '-batch', '-nx', '-ex', 'set pagination off',
                                    '-ex', 'target remote :%d' % port,
                                    '-ex', 'monitor symbols ' + sysmap,
                                    '-ex', 'break *0x%x' % addr,
                                    '-ex', 'continue',
                                    '-ex', 'p/x $pc',
                                    '-ex', 'monitor disas $pc 1',
                                    '-ex', 'detach'],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            # Once GDB has set its breakpoint (it continues right after),
            # reboot into it.
            lines = []
            reader = threading.Thread(target=lambda: lines.extend(
                iter(gdb.stdout.readline, b'')), daemon=True)
            reader.start()
            end = time.monotonic() + 120
            while not any(b'Breakpoint 1 at' in x for x in lines) and \
                    time.monotonic() < end and gdb.poll() is None:
                time.sleep(0.2)
            time.sleep(2)
            con.type('reboot\r')
            try:
                gdb.wait(timeout=600)
            except subprocess.TimeoutExpired:
                gdb.kill()
                gdb.wait()
                t.fail('gdb did not see start_kernel within 600 s')
            reader.join(10)
            out = b''.join(lines).decode(errors='replace')
            t.check('symbols from' in out, 'monitor symbols loads the System.map', out[-2000:])
            t.check(re.search(r'^\$1 = 0x%x$' % addr, out, re.M) is not None,
                    'the rebooted kernel stops at start_kernel (0x%x)' % addr, out[-3000:])
            t.check('<start_kernel>' in out, 'the monitor names the place', out[-3000:])
            t.check('detached' in out, 'gdb detaches', out[-1000:])
            # The new boot's own banner first: a prompt seen before it is the
            # old shell's.
            t.check(con.expect(rb'ORRERY-GUEST-INIT: shell on the console', 900) and
                    con.expect(prompt, 120), 'the boot finishes to the shell again', con.tail())
            con.type('poweroff\r')
            rc = con.wait(300)
            t.check(rc == 0, 'poweroff ends the run with status 0 (got %s)' % rc, con.tail())
        finally:
            con.close()


if not GDB:
    t.skip('gdb-multiarch is not installed')
if linux:
    linux_boot()
else:
    bare_metal()
    reverse()
    interrupt_and_kill()
t.finish()
