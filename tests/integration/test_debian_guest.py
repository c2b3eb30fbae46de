"""scripts/debian-guest builds a sane guest, and that guest boots on
Orrery and on QEMU (suite 'slow': it downloads Debian packages on its first
run).

Usage: test_debian_guest.py ORRERY SOURCE_ROOT

Checks: the kernel is a zImage; the initrd is a gzip'd newc cpio holding
/init, busybox, /dev/console, the virtio and ext4 modules (uncompressed) and
a modules.dep; the disk is ext2 holding hello.txt; a second run downloads
nothing and gives the same paths; a damaged artifact is rebuilt; a bad
argument fails with one error line.  Then the guest boots on Orrery
(`orrery run`, 256M, console=ttyAMA0, a private copy of the disk): its
scripted init prints a marker, runs uname -a, shows /proc/cpuinfo and
/proc/interrupts, mounts /dev/vda (ext2), reads a file, writes one, syncs,
unmounts and powers off; orrery must exit 0, every step must show, and the
host must read the written file back from the image (debugfs).  When
qemu-system-arm is installed the same boot runs there too (-M virt -cpu
cortex-a15 -m 256 -nic none), and Orrery's kernel log may hold no error or
warning line QEMU's lacks; docs/guest-builder.md ("Orrery and QEMU
compared") records how the two logs differ and why.  Skips (77) only when
Debian's archive cannot be reached.

The cache is the builder's default one unless ORRERY_GUEST_CACHE names
another, so repeated runs reuse the downloads.
"""
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from orrtest import check, compare_logs, describe, finish, run, skip  # noqa: E402

ZIMAGE_MAGIC = 0x016F2818
NETWORK_STATUS = 3          # the builder's "archive unreachable" status

INIT_SCRIPT = b'''#!/bin/sh
echo "ORRERY-TEST: scripted init running"
uname -a
cat /proc/cpuinfo /proc/interrupts
mount -t ext2 /dev/vda /mnt && echo "ORRERY-TEST: mounted /dev/vda"
echo "ORRERY-TEST: read: $(cat /mnt/hello.txt)"
echo "written by the guest" > /mnt/guest.txt && sync && echo "ORRERY-TEST: wrote"
umount /mnt && echo "ORRERY-TEST: unmounted"
echo "ORRERY-TEST: done"
'''


def cpio_entries(data):
    """name -> (mode, rdevmajor, rdevminor, bytes) of a newc archive."""
    out, pos = {}, 0
    while pos + 110 <= len(data):
        if data[pos:pos + 6] != b'070701':
            raise ValueError('bad cpio magic at %d' % pos)
        f = [int(data[pos + 6 + 8 * i:pos + 14 + 8 * i], 16) for i in range(13)]
        mode, size, rmaj, rmin, namesize = f[1], f[6], f[9], f[10], f[11]
        name = data[pos + 110:pos + 110 + namesize - 1].decode()
        pos += 110 + namesize
        pos += -pos % 4
        body = data[pos:pos + size]
        pos += size
        pos += -pos % 4
        if name == 'TRAILER!!!':
            return out
        out[name] = (mode, rmaj, rmin, body)
    raise ValueError('cpio archive has no trailer')


# What every boot of the scripted init must show, in this order.
BOOT_STEPS = (
    ('ORRERY-GUEST-INIT: modules loaded', 'the modules load'),
    ('ORRERY-TEST: scripted init running', 'the scripted init starts'),
    ('Linux (none) 6.', 'uname -a answers'),
    ('CPU architecture: 7', '/proc/cpuinfo shows an ARMv7 CPU'),
    ('arch_timer', '/proc/interrupts lists the timer'),
    ('virtio0', '/proc/interrupts lists the virtio disk'),
    ('ORRERY-TEST: mounted /dev/vda', 'the ext2 disk mounts'),
    ('ORRERY-TEST: read: hello from the orrery ext2 disk', 'a file on it is read'),
    ('ORRERY-TEST: wrote', 'a file is written and synced'),
    ('ORRERY-TEST: unmounted', 'the disk unmounts'),
    ('ORRERY-TEST: done', 'the script finishes'),
    ('reboot: Power down', 'the kernel powers off'),
)
GUEST_TEXT = 'written by the guest\n'
ORRERY_LIMIT = 900          # host seconds; measured 75 s on an idle 2-core host
QEMU_LIMIT = 300


def check_boot(who, log, disk):
    pos = 0
    for marker, what in BOOT_STEPS:
        at = log.find(marker, pos)
        check(at >= 0, '%s: %s ("%s")' % (who, what, marker), log[-3000:])
        pos = at if at >= 0 else pos
    p = subprocess.run(['debugfs', '-R', 'cat /guest.txt', disk],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(p.returncode == 0 and p.stdout.decode(errors='replace') == GUEST_TEXT,
          '%s: the host reads the guest\'s file back from the image' % who,
          describe(p))


def boot_orrery(orrery, kernel, initrd, disk, tmp):
    disk_copy = os.path.join(tmp, 'orrery-disk.img')
    shutil.copyfile(disk, disk_copy)
    t0 = time.monotonic()
    p = run([orrery, 'run', '--kernel', kernel, '--initrd', initrd,
             '--append', 'console=ttyAMA0', '-m', '256M', '--drive', disk_copy,
             '--timeout', str(ORRERY_LIMIT), '--stats'], timeout=ORRERY_LIMIT + 60)
    took = time.monotonic() - t0
    log = p.stdout.decode(errors='replace')
    err = p.stderr.decode(errors='replace')
    check(p.returncode == 0, 'orrery: the guest powers off and orrery exits 0',
          'status %d\n%s\n%s' % (p.returncode, log[-3000:], err))
    check_boot('orrery', log, disk_copy)
    marker = log.find('ORRERY-TEST: scripted init running')
    sys.stdout.write('note: orrery boot %.1f s host time; %s\n'
                     % (took, err.strip().splitlines()[-1] if err.strip() else ''))
    if marker < 0:
        return None
    return log


def boot_qemu(kernel, initrd, disk, tmp):
    qemu = shutil.which('qemu-system-arm')
    if not qemu:
        sys.stdout.write('note: qemu-system-arm not installed, QEMU boot not tried\n')
        return None
    disk_copy = os.path.join(tmp, 'qemu-disk.img')
    shutil.copyfile(disk, disk_copy)
    t0 = time.monotonic()
    try:
        q = subprocess.run(
            [qemu, '-M', 'virt', '-cpu', 'cortex-a15', '-m', '256', '-nic', 'none',
             '-nographic', '-no-reboot', '-kernel', kernel, '-initrd', initrd,
             '-append', 'console=ttyAMA0',
             '-drive', 'if=none,file=%s,format=raw,id=d0' % disk_copy,
             '-device', 'virtio-blk-device,drive=d0'],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, timeout=QEMU_LIMIT)
        log = q.stdout.decode(errors='replace')
    except subprocess.TimeoutExpired as e:
        log = (e.stdout or b'').decode(errors='replace')
    sys.stdout.write('note: QEMU boot %.1f s host time\n' % (time.monotonic() - t0))
    check_boot('qemu', log, disk_copy)
    return log


def main():
    if len(sys.argv) < 3:
        sys.stderr.write('usage: test_debian_guest.py ORRERY SOURCE_ROOT\n')
        sys.exit(2)
    script = os.path.join(sys.argv[2], 'scripts', 'debian-guest')
    cache = os.environ.get('ORRERY_GUEST_CACHE')
    base = [sys.executable, script] + (['--cache', cache] if cache else [])
    tmp = tempfile.mkdtemp(prefix='orrery-guest-test-')
    try:
        init = os.path.join(tmp, 'init.sh')
        with open(init, 'wb') as f:
            f.write(INIT_SCRIPT)
        argv = base + ['--init-script', init, '--print-paths']

        p = run(argv, timeout=800)
        if p.returncode == NETWORK_STATUS:
            skip("Debian's archive is unreachable: "
                 + p.stderr.decode(errors='replace').strip().splitlines()[-1])
        if not check(p.returncode == 0, 'the builder succeeds', describe(p)):
            return
        paths = p.stdout.decode().split()
        if not check(len(paths) == 3 and all(os.path.isfile(x) for x in paths),
                     'three artifact paths printed', repr(paths)):
            return
        kernel, initrd, disk = paths

        with open(kernel, 'rb') as f:
            head = f.read(0x30)
        check(int.from_bytes(head[0x24:0x28], 'little') == ZIMAGE_MAGIC,
              'the kernel is a zImage')

        with open(initrd, 'rb') as f:
            raw = f.read()
        check(raw[:2] == b'\x1f\x8b', 'the initrd is gzip data')
        try:
            entries = cpio_entries(gzip.decompress(raw))
        except (ValueError, OSError, EOFError) as e:
            check(False, 'the initrd is a newc cpio archive', str(e))
            entries = {}
        check('init' in entries and entries['init'][0] & 0o111
              and entries['init'][3].startswith(b'#!'), '/init is an executable script')
        check('bin/busybox' in entries
              and entries['bin/busybox'][3][:4] == b'\x7fELF', 'busybox is present')
        con = entries.get('dev/console')
        check(con is not None and (con[0] & 0o170000) == 0o020000
              and con[1:3] == (5, 1), '/dev/console is character device 5,1')
        check(entries.get('etc/orrery-init.sh', (0, 0, 0, b''))[3] == INIT_SCRIPT,
              'the init script is included')
        mods = {os.path.basename(n): n for n in entries if n.startswith('lib/modules/')}
        for m in ('virtio_mmio.ko', 'virtio_blk.ko', 'ext4.ko', 'jbd2.ko', 'mbcache.ko'):
            check(m in mods and entries[mods[m]][3][:4] == b'\x7fELF',
                  'module %s is present, uncompressed' % m)
        check(not any(n.endswith('.ko.xz') for n in entries), 'no compressed modules')
        dep = [n for n in entries if n.endswith('/modules.dep')]
        check(dep and b'ext4.ko:' in entries[dep[0]][3], 'modules.dep lists ext4')

        with open(disk, 'rb') as f:
            sb = f.read(2048)[1024:]
        magic = int.from_bytes(sb[56:58], 'little')
        compat = int.from_bytes(sb[92:96], 'little')
        incompat = int.from_bytes(sb[96:100], 'little')
        check(magic == 0xEF53, 'the disk has an ext2/3/4 superblock')
        check(not compat & 0x4 and not incompat & ~0x2,
              'the disk is plain ext2 (no journal, no ext4 features)',
              'compat %#x incompat %#x' % (compat, incompat))

        # A second run uses the cache: no network, same paths, quick.
        t0 = time.monotonic()
        p2 = run(argv, timeout=120)
        err = p2.stderr.decode(errors='replace')
        check(p2.returncode == 0 and p2.stdout.decode().split() == paths,
              'a second run gives the same paths', describe(p2))
        check('downloading' not in err and 'updating' not in err,
              'a second run downloads nothing', err)
        check(time.monotonic() - t0 < 30, 'a second run is quick')

        # A damaged artifact is not trusted: it is rebuilt.
        with open(disk, 'r+b') as f:
            f.truncate(4096)
        p3 = run(argv, timeout=300)
        check(p3.returncode == 0 and os.path.getsize(disk) > 4096,
              'a damaged artifact is rebuilt', describe(p3))

        p4 = run(base + ['--init-script', os.path.join(tmp, 'missing.sh')])
        lines = p4.stderr.decode(errors='replace').strip().splitlines()
        check(p4.returncode == 1 and len(lines) == 1 and 'error' in lines[0],
              'a missing init script fails with one error line', describe(p4))

        orrery_log = boot_orrery(sys.argv[1], kernel, initrd, disk, tmp)
        qemu_log = boot_qemu(kernel, initrd, disk, tmp)
        if orrery_log is not None and qemu_log is not None:
            compare_logs(orrery_log, qemu_log)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
finish()
