// The short, seeded pass of the fuzzer (test/fuzz; `npm run fuzz -- --minutes N` is the long one):
// mutated examples and fixtures through the preprocessor, the DTS front end, the .system loader and
// the project file, each case in a child process under a CPU-time and memory watchdog; then a
// seeded edit stream through the language server. Fixed seeds: the same cases every run.
import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import { QUICK_SCALE, Rng, mutate } from '../../fuzz/mutator';
import { CaseRunner } from '../../fuzz/pool';
import { runServerStream } from '../../fuzz/server-stream';
import { shrink } from '../../fuzz/shrink';
import { loadSeedPool, makeCase, rangeProblem, type FuzzCase } from '../../fuzz/targets';
import { watch } from '../../fuzz/watchdog';
import { showContent } from '../../fuzz/report';

const SEED = 0x13f022;
const CASES = 1000;
const EDITS = 150;

describe('fuzz: the machinery', () => {
  it('a case is a function of its seed and index', () => {
    const pool = loadSeedPool({ corpus: false });
    const a = makeCase(pool, 7, 42, QUICK_SCALE),
      b = makeCase(pool, 7, 42, QUICK_SCALE),
      c = makeCase(pool, 7, 43, QUICK_SCALE);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.content, c.content);
  });

  it('the mutator reaches the hostile shapes it promises', () => {
    const rng = new Rng(1);
    const seen = { cr: false, nul: false, include: false, bytes: false };
    for (let i = 0; i < 3000; i++) {
      const m = mutate(rng, '/dts-v1/;\n/ {\n\tn { p = <1>; };\n};\n', { kind: 'dts', self: 'self.dts', donors: [], scale: QUICK_SCALE });
      if (typeof m !== 'string') {
        seen.bytes = true;
        continue;
      }
      if (/\r(?!\n)/.test(m)) seen.cr = true;
      if (m.includes('\0')) seen.nul = true;
      if (m.includes('include/ "self.dts"')) seen.include = true;
    }
    assert.deepEqual(seen, { cr: true, nul: true, include: true, bytes: true });
  });

  it('shrinking keeps the failure and drops the rest', async () => {
    const text = Array.from({ length: 200 }, (_, i) => `line ${i} ${i === 137 ? 'BOOM' : 'fine'}`).join('\n');
    const r = await shrink(text, async (c) => typeof c === 'string' && c.includes('BOOM'));
    assert.equal(r.content, 'BOOM');
  });

  it('a range outside its document is caught (line, column, order, unknown file)', () => {
    const textOf = (f: string): string | undefined => (f === '/a' ? 'ab\ncd\r\nef' : undefined);
    const r = (sl: number, sc: number, el: number, ec: number, file = '/a') =>
      rangeProblem({ file, start: { line: sl, col: sc }, end: { line: el, col: ec } }, textOf);
    assert.equal(r(2, 0, 2, 2), undefined);
    assert.match(r(3, 0, 3, 0)!, /past the last line/);
    assert.match(r(0, 0, 0, 3)!, /past the end of line/);
    assert.match(r(1, 1, 1, 0)!, /ends before/);
    assert.match(r(0, 0, 0, 0, '/b')!, /not an input/);
  });

  it('the watchdog kills a process that spins, by its CPU time', async () => {
    const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    const w = watch(child.pid!, { cpuMs: 300, rssMB: 4000 });
    const r = await w.exceeded;
    w.stop();
    child.kill('SIGKILL');
    assert.equal(r.kind, 'hang');
  });
});

describe('fuzz: seeded quick pass', function () {
  // Every case runs under a CPU-time watchdog; this wall-clock timeout is only a backstop.
  this.timeout(600_000);

  it(`${CASES} mutated cases: no throw, no internal error, diagnostics inside their documents, within budget`, async () => {
    const runner = new CaseRunner({
      corpus: false,
      scale: 'quick',
      budgets: { cpuMs: 3000, heapMB: 512 },
      killCpuMs: 20_000,
      killRssMB: 2500,
      heapLimitMB: 1536,
    });
    const failures: string[] = [];
    try {
      for (let i = 0; i < CASES && failures.length < 3; i++) {
        const r = await runner.run({ op: 'gen', seed: SEED, index: i });
        if (r.outcome.ok) continue;
        const c: FuzzCase = r.case ?? makeCase(loadSeedPool({ corpus: false }), SEED, i, QUICK_SCALE);
        const min = await runner.minimise(c, r.outcome, 150);
        failures.push(
          `case ${SEED}:${i} (${c.target}, mutated ${c.file}): ${r.outcome.kind}: ${r.outcome.message}\n  minimised: ${showContent(min.case.content)}\n  re-run: npm run fuzz -- --quick --case ${SEED}:${i}`,
        );
      }
    } finally {
      runner.stop();
    }
    assert.deepEqual(failures, []);
  });

  it(`${EDITS} random edits through the language server: it settles, stays inside the documents, logs no failure, and keeps publishing`, async () => {
    const r = await runServerStream({ seed: SEED, edits: EDITS, scale: QUICK_SCALE, killCpuMs: 20_000, killRssMB: 2500, maxChars: 60_000 });
    assert.equal(r.edits, EDITS);
    assert.deepEqual(
      r.failures.map((f) => `edit ${f.edit} on ${f.file}: ${f.kind}: ${f.message}\n  text: ${showContent(f.text)}`),
      [],
    );
  });
});
