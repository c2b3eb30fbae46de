"""The monitor from outside: over a Unix socket and a TCP port while the
guest runs (stop, regs, set, x, disas, step, break, continue, quit), and on
a terminal through Ctrl-A c with line editing; bad socket arguments give one
error line. The guest is a raw image spinning on one branch, which never
ends by itself."""
import os
import re
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import orrtest as t  # noqa: E402

orrery = sys.argv[1]
from orrtest import MONITOR_PROMPT as PROMPT, MonitorClient as Client  # noqa: E402


with tempfile.TemporaryDirectory(prefix='orrery-monitor-') as d:
    spin = os.path.join(d, 'spin.bin')
    with open(spin, 'wb') as f:
        f.write(bytes.fromhex('feffffea'))           # b .
    path = os.path.join(d, 'mon.sock')
    proc = t.subprocess.Popen([orrery, 'run', '--kernel', spin, '--monitor-socket', path,
                               '--timeout', '120'],
                              stdin=t.subprocess.DEVNULL, stdout=t.subprocess.PIPE,
                              stderr=t.subprocess.PIPE)
    try:
        c = Client(socket.AF_UNIX, path)
        banner = c.until(PROMPT)
        t.check('help' in banner, 'the socket greets with a prompt', banner)
        out = c.cmd('stop')
        t.check('stopped: stopped at 0x' in out, 'stop: the running guest stops', out)
        regs = c.cmd('regs')
        m = re.search(r'pc\s+0x([0-9a-f]{8})', regs)
        t.check(m is not None and 'mode=svc' in regs, 'regs: the PC and decoded flags', regs)
        pc = int(m.group(1), 16) if m else 0
        out = c.cmd('x/1xw $pc')
        t.check('0xeafffffe' in out, 'x: the spinning branch in memory', out)
        out = c.cmd('disas $pc 1')
        t.check(('=> 0x%08x' % pc) in out and ' b ' in out, 'disas: the branch at the PC', out)
        out = c.cmd('set r5 0x1234')
        out = c.cmd('regs')
        t.check('r5       0x00001234' in out, 'set: r5 changed', out)
        out = c.cmd('step')
        t.check(('pc            0x%08x -> 0x%08x' % (pc, pc)) not in out and
                'opcode        B' in out, 'step: a branch to itself changes nothing', out)
        out = c.cmd('break 0x%x' % pc)
        t.check('breakpoint 1 at 0x%08x' % pc in out, 'break: at the PC', out)
        out = c.cmd('continue')
        out += c.until(PROMPT)
        t.check(('stopped: breakpoint 1 at 0x%08x' % pc) in out,
                'continue steps off the breakpoint at the PC and comes back to it', out)
        out2 = c.cmd('info breakpoints')
        t.check(('1   breakpoint  0x%08x' % pc) in out2, 'info breakpoints lists it', out2)
        out = c.cmd('info devices')
        t.check('/pl011@9000000' in out and 'pl011' in out, 'info devices', out)
        out = c.cmd('info events')
        t.check('time now:' in out, 'info events', out)
        out = c.cmd('frobnicate')
        t.check('error: unknown command' in out, 'an unknown command is an error line', out)
        c.cmd('delete')
        c.s.sendall(b'quit\n')
        rc = proc.wait(timeout=30)
        t.check(rc == 0, 'quit ends orrery with status 0 (got %s)' % rc,
                proc.stderr.read().decode(errors='replace'))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    # The same over TCP on the loopback interface.
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    proc = t.subprocess.Popen([orrery, 'run', '--kernel', spin, '--monitor-socket', str(port),
                               '--timeout', '120'],
                              stdin=t.subprocess.DEVNULL, stdout=t.subprocess.PIPE,
                              stderr=t.subprocess.PIPE)
    try:
        c = Client(socket.AF_INET, ('127.0.0.1', port))
        c.until(PROMPT)
        out = c.cmd('help step')
        t.check('step [N]' in out, 'TCP: help step', out)
        c.s.close()                          # a client that goes away...
        c = Client(socket.AF_INET, ('127.0.0.1', port))
        c.until(PROMPT)
        out = c.cmd('info cpus')
        t.check('cpu0' in out, 'TCP: a second client is served', out)
        c.s.sendall(b'quit\n')
        t.check(proc.wait(timeout=30) == 0, 'TCP: quit')
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    # Ctrl-A c on a terminal: the monitor with line editing, then back.
    con = t.Console([orrery, 'run', '--kernel', spin, '--timeout', '120'])
    try:
        time.sleep(0.3)
        os.write(con.master, b'\x01c')
        t.check(con.expect(rb'\(orrery\) ', 30), 'Ctrl-A c opens the monitor', con.tail())
        con.type('regs\r')
        t.check(con.expect(rb'cpsr\s+0x[0-9a-f]{8}\s+N=', 30), 'regs answers on the terminal',
                con.tail())
        con.type('continue\r')
        time.sleep(0.3)
        os.write(con.master, b'\x01x')
        rc = con.wait(30)
        t.check(rc == 0 and b'terminated by Ctrl-A x' in con.seen,
                'continue gives the terminal back to the guest; Ctrl-A x ends it', con.tail())
    finally:
        con.close()

    p = t.run([orrery, 'run', '--kernel', spin, '--monitor-socket',
               os.path.join(d, 'no', 'such', 'dir', 's')], timeout=30)
    err = p.stderr.decode(errors='replace').strip().splitlines()
    t.check(p.returncode == 1 and len(err) == 1 and err[0].startswith('orrery: --monitor-socket'),
            'a socket that cannot be made: one error line, status 1', t.describe(p))
    notsock = os.path.join(d, 'plain-file')
    open(notsock, 'w').close()
    p = t.run([orrery, 'run', '--kernel', spin, '--monitor-socket', notsock], timeout=30)
    t.check(p.returncode == 1 and os.path.exists(notsock),
            'an existing file that is not a socket is refused and kept', t.describe(p))
t.finish()
