#!/usr/bin/env python3
"""The ARM7TDMI single-step vectors through `orrery conformance`: at least
99% must pass (docs/testing.md lists what does not). Skips if the vectors
are not beside the source tree."""
import os
import re
import sys

import orrtest as t


def main():
    orrery, vectors = sys.argv[1], sys.argv[2]
    if not os.path.isdir(vectors):
        t.skip('no test vectors at %s' % vectors)
    p = t.run([orrery, 'conformance', 'arm7tdmi', vectors, '--min-pass', '99', '-v'],
              timeout=600)
    out = p.stdout.decode(errors='replace')
    sys.stdout.write(out)
    lines = out.splitlines()
    t.check(bool(lines) and re.fullmatch(r'\d+ passed, \d+ failed', lines[-1]) is not None,
            'the last line is "N passed, N failed"', t.describe(p))
    files = [l for l in lines if re.fullmatch(r'\S+: \d+ passed, \d+ failed', l)]
    t.check(len(files) > 0, 'one line per vector file')
    t.check(p.returncode == 0, 'pass rate reaches 99%', t.describe(p))
    t.finish()


if __name__ == '__main__':
    main()
