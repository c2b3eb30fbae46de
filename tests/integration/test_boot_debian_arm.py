"""`orrery boot debian-arm` driven through a pseudo-terminal, as a person
would use it (suite 'slow': the first run downloads Debian packages).

Usage: test_boot_debian_arm.py ORRERY

Checks: `orrery boot` with no or an unknown guest name fails with one line
naming the known guests; a builder that fails gives one "orrery:" error
line and status 1; then the real guest boots to the busybox shell on the
terminal, `echo hi` and `ls /` answer, and `poweroff` typed at the prompt
ends orrery with status 0.  Skips (77) when Debian's archive cannot be
reached.  Uses the builder's default cache (and its user-disk.img, which
this test does not write).
"""
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from orrtest import BUSYBOX_PROMPT, Console, check, describe, finish, run, skip  # noqa: E402

BOOT_LIMIT = 900            # host seconds to the shell prompt (measured: ~100)
PROMPT = BUSYBOX_PROMPT


def bad_names(orrery):
    for argv, what in (([orrery, 'boot'], 'no guest name'),
                       ([orrery, 'boot', 'nonesuch'], 'an unknown guest name')):
        p = run(argv)
        lines = p.stderr.decode(errors='replace').strip().splitlines()
        check(p.returncode == 2 and len(lines) == 1 and 'debian-arm' in lines[0]
              and lines[0].startswith('orrery: '),
              '%s fails with one line naming the known guests' % what, describe(p))


def failing_builder(orrery):
    """A builder that fails: one orrery error line carrying its message."""
    with tempfile.TemporaryDirectory(prefix='orrery-boot-test-') as d:
        with open(os.path.join(d, 'debian-guest'), 'w') as f:
            f.write('import sys\nsys.stderr.write("debian-guest: working\\n")\n'
                    'sys.stderr.write("debian-guest: error: mke2fs failed: disk full\\n")\n'
                    'sys.exit(1)\n')
        p = run([orrery, 'boot', 'debian-arm'],
                env=dict(os.environ, ORRERY_GUEST_SCRIPTS=d))
        lines = p.stderr.decode(errors='replace').strip().splitlines()
        errors = [l for l in lines if 'error' in l or 'cannot' in l]
        check(p.returncode == 1 and len(errors) == 1
              and 'mke2fs failed: disk full' in errors[0]
              and errors[0].startswith('orrery: '),
              'a failing builder gives one orrery error line and status 1', describe(p))
        check(any('working' in l for l in lines), 'the builder\'s progress is shown',
              describe(p))


def interactive(orrery):
    t0 = time.monotonic()
    con = Console([orrery, 'boot', 'debian-arm', '--timeout', str(BOOT_LIMIT + 300)])
    try:
        ok = con.expect(rb'ORRERY-GUEST-INIT: shell on the console|orrery: boot: .*', BOOT_LIMIT)
        text = con.seen.decode(errors='replace')
        if "archive is unreachable" in text:
            skip("Debian's archive is unreachable: " + text.strip().splitlines()[-1])
        if not check(ok and 'shell on the console' in text, 'the guest reaches its shell',
                     con.tail()):
            return
        if not check(con.expect(PROMPT, 120), 'the shell prompt appears', con.tail()):
            return
        boot_s = time.monotonic() - t0
        con.type('echo hi\r')
        check(con.expect(rb'echo hi\r*\n\r*hi\r*\n', 60), '`echo hi` prints hi', con.tail())
        check(con.expect(PROMPT, 60), 'the prompt comes back', con.tail())
        con.type('ls /\r')
        check(con.expect(rb'ls /\r*\n[\s\S]*?\bbin\b[\s\S]*?\bproc\b', 60),
              '`ls /` lists the root directory', con.tail())
        check(con.expect(PROMPT, 60), 'the prompt comes back', con.tail())
        con.type('poweroff\r')
        status = con.wait(300)
        text = con.seen.decode(errors='replace')
        check(status == 0, '`poweroff` ends orrery with status 0',
              'status %r\n%s' % (status, con.tail()))
        check('reboot: Power down' in text, 'the kernel powers down', con.tail())
        sys.stdout.write('note: shell prompt after %.1f s, total %.1f s\n'
                         % (boot_s, time.monotonic() - t0))
    finally:
        con.close()


def main():
    if len(sys.argv) < 2:
        sys.stderr.write('usage: test_boot_debian_arm.py ORRERY\n')
        sys.exit(2)
    orrery = sys.argv[1]
    bad_names(orrery)
    failing_builder(orrery)
    interactive(orrery)


main()
finish()
