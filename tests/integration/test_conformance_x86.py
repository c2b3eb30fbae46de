#!/usr/bin/env python3
"""The SingleStepTests x86 vectors through `orrery conformance SUITE DIR`:
the pass rate must reach the given minimum, and every failure must be
explained (a documented behaviour of the tested CPU that an i386 does not
have, docs/isa-x86.md): "0 failures are unexplained". Skips if the vectors
are not beside the source tree."""
import os
import re
import sys

import orrtest as t


def main():
    orrery, suite, vectors, minimum = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    if not os.path.isdir(vectors):
        t.skip('no test vectors at %s' % vectors)
    p = t.run([orrery, 'conformance', suite, vectors, '--min-pass', minimum, '-v'],
              timeout=900)
    out = p.stdout.decode(errors='replace')
    sys.stdout.write(out)
    lines = out.splitlines()
    t.check(bool(lines) and re.fullmatch(r'\d+ passed, \d+ failed', lines[-1]) is not None,
            'the last line is "N passed, N failed"', t.describe(p))
    files = [l for l in lines if re.fullmatch(r'\S+: \d+ passed, \d+ failed'
                                              r'( \(\d+ of them as the tested CPU differs\))?', l)]
    t.check(len(files) > 0, 'one line per vector file')
    t.check('0 failures are unexplained' in lines, 'every failure is explained', out[-1500:])
    t.check(p.returncode == 0, 'pass rate reaches %s%%' % minimum, t.describe(p))
    t.finish()


if __name__ == '__main__':
    main()
