"""Debian's i386 686 kernel boots on the pc board (suite 'slow': it
downloads Debian packages on its first run).

Usage: test_boot_debian_x86.py ORRERY SOURCE_ROOT

1. scripts/debian-guest --guest debian-x86 builds the guest with a scripted
   init (a marker, uname -a, /proc/cpuinfo and /proc/interrupts, the RTC's
   date, the kernel's TSC and clocksource lines); the kernel is a bzImage
   and the builder also gives its decompressed vmlinux.
2. Orrery boots the bzImage with the default command line (console=ttyS0) in
   virtual time: every step shows, the kernel powers the machine off through
   ACPI and orrery exits 0; the TSC calibrates against the PIT to the
   model's 1000 MHz (within 0.1 %) and is not marked unstable; the RTC's
   date is the virtual epoch (2000-01-01).
3. Two more boots in virtual time, of the vmlinux with cryptomgr.notests
   (quicker: no decompressor, no crypto self-tests), print byte-identical
   logs, timestamps included, and also reach the end of the script.
4. When qemu-system-i386 is installed, the same kernel and initrd boot on
   `-M isapc -cpu pentium,+cmov,-apic -m 256` (read until the script is
   done: QEMU's isapc cannot power off), and Orrery's kernel log may hold no
   error or warning line QEMU's lacks.
5. Interactively (`orrery boot debian-x86`, whose defaults are the vmlinux
   and cryptomgr.notests): a command typed at the shell works;
   `poweroff` ends the run with status 0, and so does `reboot` under
   --no-reboot.
Skips (77) only when Debian's archive cannot be reached.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from orrtest import (BUSYBOX_PROMPT, Console, check, compare_logs, describe,  # noqa: E402
                     finish, run, skip)

NETWORK_STATUS = 3
INIT_SCRIPT = b'''#!/bin/sh
echo "ORRERY-TEST: scripted init running"
uname -a
cat /proc/cpuinfo /proc/interrupts
echo "ORRERY-TEST: date $(date -u '+%Y-%m-%d %H:%M:%S')"
dmesg | grep -i -E "tsc|clocksource"
echo "ORRERY-TEST: done"
'''

BOOT_STEPS = (
    ('ORRERY-GUEST-INIT: modules loaded', 'the initramfs /init runs'),
    ('ORRERY-TEST: scripted init running', 'the scripted init starts'),
    ('Linux (none) 6.', 'uname -a answers'),
    ('cpu family\t: 6', '/proc/cpuinfo shows a family 6 CPU'),   # QEMU's pentium: 5
    ('cmov', '/proc/cpuinfo lists CMOV'),
    ('XT-PIC', '/proc/interrupts lists the 8259 PIC'),
    ('timer', '/proc/interrupts lists the PIT timer'),
    ('ttyS0', '/proc/interrupts lists the serial port'),
    ('ORRERY-TEST: date ', 'date answers'),
    ('ORRERY-TEST: done', 'the script finishes'),
    ('reboot: Power down', 'the kernel powers off'),
)
# KERN_INFO lines of Orrery's boot that hold a word compare_logs looks for.
# Printed by arch/x86/pci/acpi.c whenever ACPI is on (the pc board has ACPI
# for its power-off; QEMU's isapc has none), whatever the machine.
INFORMATIONAL = (
    'PCI: Using host bridge windows from ACPI; if necessary, use "pci=nocrs" '
    'and report a bug',
)
ORRERY_LIMIT = 1200         # host seconds for one full boot
QEMU_LIMIT = 300
INTERACTIVE_LIMIT = 600
PROMPT = BUSYBOX_PROMPT


def check_boot(who, log, power_down=True):
    pos = 0
    for marker, what in BOOT_STEPS:
        if marker == 'reboot: Power down' and not power_down:
            continue
        if marker.startswith('cpu family') and not who.startswith('orrery'):
            continue
        at = log.find(marker, pos)
        check(at >= 0, '%s: %s ("%s")' % (who, what, marker), log[-3000:])
        pos = at if at >= 0 else pos


def boot_orrery(orrery, kernel, initrd, append='console=ttyS0'):
    t0 = time.monotonic()
    p = run([orrery, 'run', '--board', 'pc', '--kernel', kernel, '--initrd', initrd,
             '--append', append, '-m', '255M', '--clock', 'virtual',
             '--timeout', str(ORRERY_LIMIT), '--stats'], timeout=ORRERY_LIMIT + 60)
    took = time.monotonic() - t0
    log = p.stdout.decode(errors='replace')
    err = p.stderr.decode(errors='replace')
    check(p.returncode == 0, 'orrery: the guest powers off and orrery exits 0',
          'status %d\n%s\n%s' % (p.returncode, log[-3000:], err))
    sys.stdout.write('note: orrery boot %.1f s host time; %s\n'
                     % (took, err.strip().splitlines()[-1] if err.strip() else ''))
    return p.stdout, log


def check_time(log):
    m = re.search(r'tsc: Detected ([0-9.]+) MHz processor', log)
    mhz = float(m.group(1)) if m else 0.0
    check(m and abs(mhz - 1000.0) <= 1.0,
          'the TSC calibrates to the model\'s 1000 MHz within 0.1 %% (%s)'
          % (m.group(0) if m else 'no "tsc: Detected" line'))
    check('Fast TSC calibration failed' not in log, 'the fast PIT calibration succeeds')
    check('Marking TSC unstable' not in log and 'TSC unstable' not in log,
          'the TSC is not marked unstable')
    check('ORRERY-TEST: date 2000-01-01 00:0' in log,
          'the RTC reads the virtual epoch (2000-01-01)',
          ''.join(l for l in log.splitlines(True) if 'ORRERY-TEST: date' in l))


def boot_qemu(kernel, initrd):
    qemu = shutil.which('qemu-system-i386')
    if not qemu:
        sys.stdout.write('note: qemu-system-i386 not installed, QEMU boot not tried\n')
        return None
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [qemu, '-M', 'isapc', '-cpu', 'pentium,+cmov,-apic', '-m', '256', '-nographic',
         '-no-reboot', '-kernel', kernel, '-initrd', initrd, '-append', 'console=ttyS0'],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b''
    end = time.monotonic() + QEMU_LIMIT
    try:
        import select
        while time.monotonic() < end and b'ORRERY-TEST: done' not in out:
            r, _, _ = select.select([proc.stdout], [], [], 1.0)
            if r:
                data = os.read(proc.stdout.fileno(), 65536)
                if not data:
                    break
                out += data
        time.sleep(2)       # the last lines of the script
        r, _, _ = select.select([proc.stdout], [], [], 0.5)
        if r:
            out += os.read(proc.stdout.fileno(), 65536)
    finally:
        proc.kill()
        proc.wait()
    log = out.decode(errors='replace')
    sys.stdout.write('note: QEMU boot to the end of the script %.1f s host time\n'
                     % (time.monotonic() - t0))
    check_boot('qemu', log, power_down=False)
    return log


def interactive(orrery, command, expect_status):
    """orrery boot debian-x86 at its shell: a command works, then `command`
    (poweroff or reboot) ends the run."""
    con = Console([orrery, 'boot', 'debian-x86', '--no-reboot'])
    try:
        if not check(con.expect(rb'ORRERY-GUEST-INIT: shell on the console', INTERACTIVE_LIMIT),
                     '%s: orrery boot debian-x86 reaches the shell' % command, con.tail()):
            return
        con.type('\n')
        check(con.expect(PROMPT, 120), '%s: the prompt appears' % command, con.tail())
        con.type('echo ORRERY-$((6*7))\n')
        check(con.expect(rb'ORRERY-42', 60), '%s: a typed command runs' % command, con.tail())
        check(con.expect(PROMPT, 60), '%s: the prompt comes back' % command, con.tail())
        con.type(command + '\n')
        status = con.wait(120)
        check(status == expect_status, '`%s` ends orrery with status %d' % (command, expect_status),
              'status %r\n%s' % (status, con.tail()))
    finally:
        con.close()


def main():
    if len(sys.argv) < 3:
        sys.stderr.write('usage: test_boot_debian_x86.py ORRERY SOURCE_ROOT\n')
        sys.exit(2)
    orrery = sys.argv[1]
    script = os.path.join(sys.argv[2], 'scripts', 'debian-guest')
    cache = os.environ.get('ORRERY_GUEST_CACHE')
    base = [sys.executable, script, '--guest', 'debian-x86'] + \
        (['--cache', cache] if cache else [])
    tmp = tempfile.mkdtemp(prefix='orrery-x86-test-')
    try:
        init = os.path.join(tmp, 'init.sh')
        with open(init, 'wb') as f:
            f.write(INIT_SCRIPT)
        p = run(base + ['--init-script', init, '--print-paths'], timeout=800)
        if p.returncode == NETWORK_STATUS:
            skip("Debian's archive is unreachable: "
                 + p.stderr.decode(errors='replace').strip().splitlines()[-1])
        if not check(p.returncode == 0, 'the builder succeeds', describe(p)):
            return
        paths = p.stdout.decode().split()
        if not check(len(paths) == 2 and all(os.path.isfile(x) for x in paths),
                     'two artifact paths printed (kernel, initrd)', repr(paths)):
            return
        kernel, initrd = paths
        with open(kernel, 'rb') as f:
            head = f.read(0x210)
        check(head[0x202:0x206] == b'HdrS', 'the kernel is a bzImage')
        pv = run(base + ['--init-script', init, '--print-paths', '--vmlinux'], timeout=300)
        vmlinux = pv.stdout.decode().split()[0] if pv.returncode == 0 else ''
        with open(vmlinux, 'rb') if vmlinux else open(os.devnull, 'rb') as f:
            check(f.read(4) == b'\x7fELF', 'the builder gives the decompressed vmlinux (ELF)')

        _, log = boot_orrery(orrery, kernel, initrd)
        check_boot('orrery', log)
        check_time(log)
        quick = 'console=ttyS0 cryptomgr.notests'
        first, qlog = boot_orrery(orrery, vmlinux, initrd, quick)
        check_boot('orrery (vmlinux)', qlog)
        second, _ = boot_orrery(orrery, vmlinux, initrd, quick)
        check(first == second and len(first) > 10000,
              'two boots in virtual time print byte-identical logs (%d bytes)' % len(first))

        qemu_log = boot_qemu(kernel, initrd)
        if qemu_log is not None:
            compare_logs(log, qemu_log, INFORMATIONAL)

        interactive(orrery, 'poweroff', 0)
        interactive(orrery, 'reboot', 0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
finish()
