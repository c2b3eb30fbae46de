#!/usr/bin/env python3
"""A user's own board: a copy of the builtin arm-virt.dts with the PL011
moved to another address, passed as --board my.dts (compiled with dtc at run
time), runs a tiny guest written for the moved UART. The same guest on the
unmodified board must not print (its UART writes hit nothing), which is
what makes this test able to fail."""
import os
import re
import sys

import orrtest as t

MOVED_BASE = 0x0C000000


def move_uart(dts, new_base):
    """Rewrites the pl011 node's unit address and the first reg address.
    Returns (new text, old base)."""
    node = re.search(r'(\b[\w-]*uart[\w-]*|\bpl011)@([0-9a-fA-F]+)\s*\{', dts)
    if not node:
        node = re.search(r'\b([\w-]+)@([0-9a-fA-F]+)\s*\{(?=[^{}]*arm,pl011)', dts)
    if not node:
        raise SystemExit('no pl011 node found in arm-virt.dts')
    old_base = int(node.group(2), 16)
    end = dts.index('}', node.end())
    body = dts[node.end():end]
    if 'pl011' not in body:
        raise SystemExit('the node %s does not look like the pl011' % node.group(0))

    def fix_reg(m):
        cells = m.group(1).split()
        # the address is the last of the first #address-cells cells; find the
        # cell equal to the old base and replace it
        for i, c in enumerate(cells):
            if int(c, 0) == old_base:
                cells[i] = '0x%x' % new_base
                break
        else:
            raise SystemExit('pl011 reg does not contain its unit address')
        return 'reg = <%s>;' % ' '.join(cells)

    new_body, n = re.subn(r'reg\s*=\s*<([^>]*)>\s*;', fix_reg, body, count=1)
    if n != 1:
        raise SystemExit('pl011 node has no reg property')
    head = dts[:node.start()] + '%s@%x {' % (node.group(1), new_base)
    text = head + new_body + dts[end:]
    # A stdout-path or alias naming the node by its old address must follow.
    text = text.replace('@%x' % old_base, '@%x' % new_base)
    return text, old_base


def main():
    orrery, source_root = sys.argv[1], sys.argv[2]
    src = t.board_source(source_root)
    with open(src) as f:
        dts = f.read()
    moved, old_base = move_uart(dts, MOVED_BASE)
    t.check(moved != dts and ('%x' % MOVED_BASE) in moved, 'rewrote the pl011 address')

    d = t.tempdir()
    my = t.write(os.path.join(d, 'my.dts'), moved)
    guest = t.write(os.path.join(d, 'moved-uart.bin'), t.prog_print_and_exit(MOVED_BASE))

    p = t.run([orrery, 'run', '--board', my, '--semihosting', '--kernel', guest,
               '--timeout', '20'], timeout=40)
    t.check(p.returncode == 0 and p.stdout == b'OK\n',
            'guest prints OK through the moved UART on --board my.dts', t.describe(p))

    p = t.run([orrery, 'run', '--board=' + my, '--semihosting', '--kernel=' + guest,
               '--timeout=20'], timeout=40)
    t.check(p.returncode == 0 and p.stdout == b'OK\n', 'same with --option=value forms',
            t.describe(p))

    p = t.run([orrery, 'run', '--board', 'arm-virt', '--semihosting', '--kernel', guest,
               '--timeout', '5'], timeout=30)
    t.check(p.returncode != 0 and b'OK' not in p.stdout,
            'on the unmodified board the same guest prints nothing and fails', t.describe(p))

    guest_old = t.write(os.path.join(d, 'old-uart.bin'), t.prog_print_and_exit(old_base))
    p = t.run([orrery, 'run', '--board', my, '--semihosting', '--kernel', guest_old,
               '--timeout', '5'], timeout=30)
    t.check(p.returncode != 0 and b'OK' not in p.stdout,
            'on my.dts nothing answers at the old UART address', t.describe(p))

    p = t.run([orrery, 'run', '--board', 'arm-virt', '--semihosting', '--kernel', guest_old,
               '--timeout', '20'], timeout=40)
    t.check(p.returncode == 0 and p.stdout == b'OK\n',
            'the old-address guest works on the builtin board', t.describe(p))
    t.finish()


if __name__ == '__main__':
    main()
