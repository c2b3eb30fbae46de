"""The monitor's step output (the explain view) for one instruction of each
kind the debugging docs promise: data processing, a load with writeback, an
LDM (after a read watchpoint stopped before it), a Thumb IT block, a load
that misses the TLB and walks two levels, and an SVC from User mode. The
text is compared with a golden transcript (the run is in virtual time, so
it is exact); the same session with --explain-format json is checked field
by field.

Regenerate the golden file after an intended change with
  orrery run --cpu cortex-a15 --kernel roms/tests/v7_explain.elf --semihosting \\
      --monitor < tests/integration/golden/explain_monitor.cmds \\
      > tests/integration/golden/explain_monitor.txt
and review the diff."""
import difflib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import orrtest as t  # noqa: E402

orrery = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
rom = os.path.join(root, 'roms', 'tests', 'v7_explain.elf')
golden_dir = os.path.join(here, 'golden')
cmds = open(os.path.join(golden_dir, 'explain_monitor.cmds'), 'rb').read()
base = [orrery, 'run', '--cpu', 'cortex-a15', '--kernel', rom, '--semihosting', '--monitor']

# --- the text view against the golden transcript ---------------------------
p = t.run(base, stdin=cmds, timeout=60)
t.check(p.returncode == 0, 'the session ends with the guest exiting 0', t.describe(p))
want = open(os.path.join(golden_dir, 'explain_monitor.txt'), 'rb').read().decode()
got = p.stdout.decode(errors='replace')
diff = ''.join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                    'golden', 'now', n=2))
t.check(got == want, 'step output matches the golden transcript', diff[:6000])
for needle in ['opcode        ADD (sets flags)', '(Z 0->1, C 0->1)',
               'addressing    pre-indexed with writeback', 'r4            0x4000013c -> 0x40000140',
               'watchpoint 2: read of 4 bytes at 0x40000144',
               'registers     {r5, r6, r7}',
               'IT state      0x18: NE (Z clear), 1 instruction left in the block, fails',
               'level 2  [0x40008000] = 0x40009032  4 KiB small page',
               'memory: read  4 bytes at 0x80000010 (pa 0x40009010): 0xcafe0042',
               'exception: supervisor call, vector 0x400000e8, mode usr -> svc']:
    t.check(needle in got, 'the transcript shows %r' % needle)

# --- the same session as JSON lines ------------------------------------------
p = t.run(base + ['--explain-format', 'json'], stdin=cmds, timeout=60)
t.check(p.returncode == 0, 'the JSON session ends with the guest exiting 0', t.describe(p))
steps = []
for line in p.stdout.decode(errors='replace').splitlines():
    if line.startswith('{'):
        try:
            steps.append(json.loads(line))
        except ValueError as e:
            t.fail('not JSON: %s (%s)' % (line[:200], e))
by_pc = {}
for s in steps:
    by_pc.setdefault(s['pc'], s)
t.check(len(steps) == 10, 'ten steps as JSON objects (got %d)' % len(steps))
dp = by_pc.get('0x40000014', {})
cpsr = [c for c in dp.get('changed', []) if c['reg'] == 'cpsr']
t.check(cpsr and cpsr[0]['flags'] == {'Z': ['0', '1'], 'C': ['0', '1']},
        'adds: the flags that changed', json.dumps(dp)[:800])
ldm = by_pc.get('0x40000020', {})
t.check([m['va'] for m in ldm.get('mem', [])] == ['0x40000140', '0x40000144', '0x40000148'],
        'ldm: three reads in order', json.dumps(ldm)[:800])
t.check(ldm.get('fields', {}).get('registers') == '{r5, r6, r7}', 'ldm: its register list')
load = by_pc.get('0x400000bc', {})
walks = [w for w in load.get('walks', []) if w['va'] == '0x80000010']
t.check(walks and len(walks[0]['levels']) == 2 and walks[0]['pa'] == '0x40009010',
        'the TLB-miss load: a two-level walk to 0x40009010', json.dumps(load)[:1200])
svc = by_pc.get('0x400000c4', {})
exc = svc.get('exceptions', [])
t.check(exc and exc[0]['kind'] == 'supervisor call' and exc[0]['from_mode'] == 'usr' and
        exc[0]['to_mode'] == 'svc' and exc[0]['return_addr'] == '0x400000c8',
        'svc: the exception entry', json.dumps(svc)[:800])
it = by_pc.get('0x40000032', {})
t.check('fails' in it.get('fields', {}).get('IT state', ''), 'IT block: the else half fails')
t.finish()
