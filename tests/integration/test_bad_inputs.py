#!/usr/bin/env python3
"""Wrong host inputs: each must give exactly one line on stderr starting
with "orrery:", a non-zero exit status, and no crash (no signal, no
sanitizer report)."""
import os
import re
import shutil
import struct
import subprocess
import sys

import orrtest as t

EM_386, EM_ARM, EM_X86_64 = 3, 40, 62


def elf32(machine, entry, code):
    """A minimal ELF32 little-endian executable with one PT_LOAD segment."""
    ehdr = struct.pack('<16sHHIIIIIHHHHHH',
                       b'\x7fELF\x01\x01\x01' + b'\0' * 9,
                       2, machine, 1, entry, 52, 0, 0, 52, 32, 1, 40, 0, 0)
    phdr = struct.pack('<IIIIIIII', 1, 84, entry, entry, len(code), len(code), 5, 4)
    return ehdr + phdr + code


def elf64_x86(entry):
    ehdr = struct.pack('<16sHHIQQQIHHHHHH',
                       b'\x7fELF\x02\x01\x01' + b'\0' * 9,
                       2, EM_X86_64, 1, entry, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    phdr = struct.pack('<IIQQQQQQ', 1, 5, 120, entry, entry, 4, 4, 4)
    return ehdr + phdr + b'\xf4\xf4\xf4\xf4'


def ram_base(dts):
    m = re.search(r'memory@([0-9a-fA-F]+)', dts)
    return int(m.group(1), 16) if m else 0x40000000


def remove_memory(dts):
    text, n = re.subn(r'\n[ \t]*memory(@[0-9a-fA-F]+)?\s*\{[^{}]*\};', '\n', dts)
    if n == 0:
        raise SystemExit('no memory node found in arm-virt.dts')
    return text


def main():
    orrery, source_root = sys.argv[1], sys.argv[2]
    with open(t.board_source(source_root)) as f:
        dts = f.read()
    d = t.tempdir()
    base = ram_base(dts)
    exit0 = t.prog_print_and_exit(0x09000000, b'')   # only the semihosting exit matters

    good = t.write(os.path.join(d, 'good.elf'), elf32(EM_ARM, base, exit0))
    p = t.run([orrery, 'run', '--semihosting', '--kernel', good, '--timeout', '20'])
    t.check(p.returncode == 0 and p.stderr == b'',
            'control: the hand-made ARM ELF runs and exits 0', t.describe(p))

    cases = []
    cases.append((['run', '--kernel', os.path.join(d, 'missing.elf')], 'missing ELF'))
    cases.append((['run', '--kernel', d], 'a directory as --kernel'))
    cases.append((['run', '--kernel', t.write(os.path.join(d, 'empty.bin'), b'')],
                  'empty kernel file'))
    whole = elf32(EM_ARM, base, exit0)
    cases.append((['run', '--kernel', t.write(os.path.join(d, 'trunc1.elf'), whole[:20])],
                  'ELF truncated inside the ELF header'))
    cases.append((['run', '--kernel', t.write(os.path.join(d, 'trunc2.elf'), whole[:60])],
                  'ELF truncated inside the program header'))
    cases.append((['run', '--kernel', t.write(os.path.join(d, 'trunc3.elf'), whole[:90])],
                  'ELF truncated inside the segment'))
    cases.append((['run', '--kernel',
                   t.write(os.path.join(d, 'x86.elf'), elf32(EM_386, base, b'\xf4' * 4))],
                  'ELF32 for x86'))
    cases.append((['run', '--kernel', t.write(os.path.join(d, 'x86_64.elf'), elf64_x86(base))],
                  'ELF64 for x86-64'))

    bad_dts = t.write(os.path.join(d, 'syntax.dts'),
                      '/dts-v1/;\n/ {\n\tmodel = "broken"\n\tcompatible = <1 2;\n};\n')
    cases.append((['run', '--board', bad_dts], 'DTS with a syntax error'))
    cases.append((['run', '--board', os.path.join(d, 'nope.dts')], 'missing board file'))
    cases.append((['run', '--board', 'no-such-board'], 'unknown builtin board'))
    cases.append((['run', '--board', t.write(os.path.join(d, 'junk.dtb'), b'\0' * 64)],
                  'DTB with a bad magic'))
    cases.append((['run', '--board', t.write(os.path.join(d, 'cut.dtb'),
                                              b'\xd0\x0d\xfe\xed' + b'\0' * 8)],
                  'truncated DTB'))

    if shutil.which('dtc'):
        nomem_dts = t.write(os.path.join(d, 'nomem.dts'), remove_memory(dts))
        nomem_dtb = os.path.join(d, 'nomem.dtb')
        r = subprocess.run(['dtc', '-I', 'dts', '-O', 'dtb', '-o', nomem_dtb, nomem_dts],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if t.check(r.returncode == 0, 'dtc builds a board without /memory', r.stderr.decode()):
            cases.append((['run', '--board', nomem_dtb], 'DTB with no memory node'))
            cases.append((['run', '--board', nomem_dts], 'DTS with no memory node'))
    else:
        t.fail('dtc is not installed (package device-tree-compiler)')

    cases.append((['run', '--cpu', 'pentium-pro'], 'unknown CPU model'))
    cases.append((['run', '--cpu', 'arm926ej-s', '--kernel', good, '--board', bad_dts],
                  'bad board with a good kernel'))

    cases.append((['run', '--drive', os.path.join(d, 'no-such.img')], 'missing drive image'))
    cases.append((['run', '--drive', good + ',rw'], 'unknown drive option'))

    for args, what in cases:
        p = t.run([orrery] + args, timeout=30)
        t.check_one_error_line(p, what, expect_status=1)

    # Usage errors have their own status, and the same one-line shape.
    for args, what in ((['run', '--kernal', good], 'misspelt option'),
                       (['run', '-m', '64X'], 'bad -m value'),
                       (['run', '--kernel'], 'missing value'),
                       (['run', '--device', 'virtio-gpu'], 'unknown device'),
                       (['run'] + ['--device', 'virtio-rng'] * 33, 'more devices than slots')):
        p = t.run([orrery] + args, timeout=30)
        t.check_one_error_line(p, what, expect_status=2)

    shutil.rmtree(d, ignore_errors=True)
    t.finish()


if __name__ == '__main__':
    main()
