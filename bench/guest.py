"""Shared by bench/boot.py and bench/idle.py: building a Debian guest (ARM
on arm-virt, or x86 on the pc board) and running an emulator whose console
output is read as it arrives.

Python 3 standard library only."""
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(HERE)
BUILDER = os.path.join(SOURCE_ROOT, 'scripts', 'debian-guest')
DEFAULT_ORRERY = os.path.join(SOURCE_ROOT, 'build', 'frontends', 'orrery')
MEMORY_MB = 256
GUESTS = ('debian-arm', 'debian-x86')


def build_guest(init_script=None, cache=None, guest='debian-arm'):
    """Runs the guest builder; returns (kernel, initrd). init_script is the
    text of --init-script, or None for the interactive guest (a shell on
    the console)."""
    argv = [sys.executable, BUILDER, '--guest', guest, '--quiet', '--print-paths']
    if cache:
        argv += ['--cache', cache]
    tmp = None
    if init_script is not None:
        fd, tmp = tempfile.mkstemp(prefix='orrery-bench-', suffix='.sh')
        with os.fdopen(fd, 'w') as f:
            f.write(init_script)
        argv += ['--init-script', tmp]
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=1800)
    finally:
        if tmp:
            os.unlink(tmp)
    if p.returncode != 0:
        sys.exit('bench: the guest builder failed (status %d): %s' %
                 (p.returncode, p.stderr.strip()))
    paths = p.stdout.split()
    if len(paths) < 2:
        sys.exit('bench: the guest builder printed %r, not the kernel and initrd' % paths)
    return paths[0], paths[1]


def orrery_argv(orrery, kernel, initrd, append, timeout_s, clock, guest='debian-arm'):
    if guest == 'debian-x86':
        # -m sizes the pc board's RAM above 1 MiB: 255M is 256 MiB in all.
        board = ['--board', 'pc', '-m', '%dM' % (MEMORY_MB - 1)]
    else:
        board = ['-m', str(MEMORY_MB)]
    return [orrery, 'run'] + board + ['--kernel', kernel, '--initrd', initrd,
                                      '--append', append, '--clock', clock,
                                      '--timeout', str(timeout_s)]


def qemu_program(guest='debian-arm'):
    return 'qemu-system-i386' if guest == 'debian-x86' else 'qemu-system-arm'


def qemu_argv(kernel, initrd, append, guest='debian-arm'):
    # The console is the UART on the process's stdio; no monitor, no
    # display, no network card, no reset loop (-no-reboot).
    if guest == 'debian-x86':
        # The ISA PC without an APIC, the machine the pc board mirrors.
        machine = ['-M', 'isapc', '-cpu', 'pentium,+cmov,-apic']
    else:
        machine = ['-M', 'virt', '-cpu', 'cortex-a15', '-nic', 'none']
    return [qemu_program(guest)] + machine + [
        '-m', str(MEMORY_MB), '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
        '-no-reboot', '-kernel', kernel, '-initrd', initrd, '-append', append]


class Console:
    """An emulator started in its own process group, stdin a pipe kept open
    (so the guest never sees end of input), stdout read as it arrives."""

    def __init__(self, argv, echo=None):
        self.argv = argv
        self.echo = echo
        self.out = bytearray()
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True)
        self.t0 = time.monotonic()
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.err = b''

    @property
    def pid(self):
        return self.proc.pid

    def pump(self, timeout):
        """Reads what is available within timeout seconds; False at EOF."""
        fd = self.proc.stdout.fileno()
        r, _, _ = select.select([fd], [], [], max(0.0, timeout))
        if not r:
            return True
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return True
        if not chunk:
            return False
        self.out += chunk
        if self.echo:
            self.echo.write(chunk.decode(errors='replace'))
            self.echo.flush()
        return True

    def wait_for(self, marker, deadline_s, start=0):
        """Seconds from start-up until marker (bytes) appears in the output
        after offset start, or None on EOF or when deadline_s passes."""
        while True:
            pos = self.out.find(marker, start)
            if pos >= 0:
                return time.monotonic() - self.t0, pos + len(marker)
            left = self.t0 + deadline_s - time.monotonic()
            if left <= 0:
                return None, None
            if not self.pump(min(left, 0.5)):
                if self.out.find(marker, start) < 0:
                    return None, None

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def stop(self):
        """Ends the emulator (SIGTERM, then SIGKILL) and returns its status."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        self.err = self.proc.stderr.read() or b''
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode

    def tail(self, n=1500):
        return (self.out[-n:].decode(errors='replace') + '\n--- stderr:\n' +
                self.err[-500:].decode(errors='replace'))


def cpu_ticks(pid):
    """utime + stime of the whole process (all threads), in clock ticks."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    # After the command name: state is field 3; utime, stime are 14, 15.
    return int(fields[11]) + int(fields[12])


def context_switches(pid):
    """Voluntary + involuntary context switches of the process's threads."""
    total = 0
    try:
        tasks = os.listdir('/proc/%d/task' % pid)
    except FileNotFoundError:
        return 0
    for tid in tasks:
        try:
            with open('/proc/%d/task/%s/status' % (pid, tid)) as f:
                for line in f:
                    if line.startswith(('voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches')):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total
