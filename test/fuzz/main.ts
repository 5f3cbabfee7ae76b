// `npm run fuzz -- [--minutes N] [--seed S] [--cases N] [--case S:I] [--quick] [--targets a,b] [--no-corpus] [--no-server] [--strict-lines]`
//
// The long fuzz pass: cases from a random (printed) seed, each run in a child process under a CPU and
// memory watchdog; the seed files are the project's examples and fixtures plus ../shared/corpus when
// present. Every failure is shrunk to a minimal reproducer and printed with the seed and index that
// re-run it (`--case S:I`). Then the language server gets a seeded edit stream (server-stream.ts).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LONG_SCALE, QUICK_SCALE } from './mutator';
import { CaseRunner } from './pool';
import { showContent } from './report';
import { runServerStream } from './server-stream';
import { failureSignature, serializeCase, TARGETS, type Failure, type FuzzCase, type Target } from './targets';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const minutes = Number(arg('minutes') ?? 5);
  const seed = arg('seed') !== undefined ? Number(arg('seed')) >>> 0 : (Math.random() * 0x1_0000_0000) >>> 0;
  const maxCases = arg('cases') !== undefined ? Number(arg('cases')) : Infinity;
  const only = arg('case');
  const targets = (arg('targets')?.split(',') as Target[] | undefined) ?? [...TARGETS];
  // --quick: the unit tests' pass (their scale, no corpus), to re-run a case they report.
  const quick = process.argv.includes('--quick');
  const corpus = !quick && !process.argv.includes('--no-corpus');
  const server = !process.argv.includes('--no-server') && !only;
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkdg-fuzz-failures-'));
  const runner = new CaseRunner({
    corpus,
    scale: quick ? 'quick' : 'long',
    budgets: { cpuMs: 5000, heapMB: 768, strictLines: process.argv.includes('--strict-lines') },
    targets,
    killCpuMs: 30_000,
    killRssMB: 3000,
    heapLimitMB: 2048,
  });
  const deadline = Date.now() + minutes * 60_000 * (server ? 0.85 : 1);
  if (!only) process.stdout.write(`fuzz: seed ${seed}, ${minutes} min, targets ${targets.join(',')}, corpus ${corpus ? 'on' : 'off'}\n`);
  const seen = new Map<string, number>();
  let cases = 0,
    failed = 0,
    cpuMs = 0;
  const report = async (index: number, c: FuzzCase | undefined, f: Failure, s = seed): Promise<void> => {
    failed++;
    const key = `${c?.target ?? '?'}/${failureSignature(f)}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    process.stdout.write(
      `\nFAIL case ${s}:${index}${c ? ` (${c.target}, mutated ${c.file})` : ''}: ${f.kind}: ${f.message.split('\n')[0]}\n  re-run: npm run fuzz -- ${quick ? '--quick ' : ''}--case ${s}:${index}\n`,
    );
    if (seen.get(key)! > 1) {
      process.stdout.write(`  (same failure as an earlier case: not shrunk again)\n`);
      return;
    }
    if (!c) return;
    const min = await runner.minimise(c, f, 400, Date.now() + 3 * 60_000);
    const file = path.join(outDir, `${s}-${index}-${path.basename(c.file)}`);
    fs.writeFileSync(file, min.case.content);
    const again = await runner.run({ op: 'run', case: serializeCase(min.case) });
    const said = again.outcome.ok ? 'passes on its own (flaky budget?)' : `${again.outcome.kind}: ${again.outcome.message}`;
    process.stdout.write(
      `  ${f.message
        .split('\n')
        .slice(1)
        .map((l) => `  ${l.trim()}`)
        .join('\n')}\n  minimised (${min.tries} runs) in ${file}:\n  ${showContent(min.case.content)}\n  which gives: ${said.split('\n')[0]}\n`,
    );
  };
  if (only) {
    const [s, i] = only.split(':').map(Number);
    const r = await runner.run({ op: 'gen', seed: s >>> 0, index: i });
    if (r.outcome.ok) process.stdout.write(`case ${only}: ok (${r.outcome.cpuMs.toFixed(0)} ms CPU, ${r.outcome.diagnostics} diagnostics)\n`);
    else await report(i, r.case ?? undefined, r.outcome, s >>> 0);
  } else {
    for (let i = 0; i < maxCases && Date.now() < deadline; i++) {
      const r = await runner.run({ op: 'gen', seed, index: i });
      cases++;
      if (r.outcome.ok) cpuMs += r.outcome.cpuMs;
      else {
        // A hung or crashed child cannot say which case it was: the parent regenerates it (worker.ts does the same).
        const c = r.case ?? (await regenerate(seed, i, targets, corpus, quick));
        await report(i, c, r.outcome);
      }
      if (cases % 500 === 0) process.stdout.write(`  ${cases} cases, ${failed} failures, ${(cpuMs / 1000).toFixed(0)} s CPU in cases\n`);
    }
    process.stdout.write(`\n${cases} cases in ${(cpuMs / 1000).toFixed(1)} s of case CPU, ${failed} failures (${seen.size} distinct)\n`);
    for (const [k, n] of seen) process.stdout.write(`  ${n} × ${k}\n`);
  }
  runner.stop();
  if (server) {
    const edits = Math.max(200, Math.round(minutes * 60 * 0.15 * 20));
    process.stdout.write(`\nserver edit stream: seed ${seed}, ${edits} edits\n`);
    const r = await runServerStream({ seed, edits, scale: LONG_SCALE, killCpuMs: 30_000, killRssMB: 3000, maxChars: 400_000 });
    failed += r.failures.length;
    for (const f of r.failures) process.stdout.write(`FAIL server edit ${f.edit} on ${f.file}: ${f.kind}: ${f.message}\n  text: ${showContent(f.text)}\n`);
    process.stdout.write(`${r.edits} edits, ${(r.serverCpuMs / 1000).toFixed(1)} s of server CPU, ${r.failures.length} failures\n`);
  }
  if (!only || failed) process.stdout.write(`seed ${seed}${failed ? `; reproducers in ${outDir}` : ''}\n`);
  if (!failed) fs.rmSync(outDir, { recursive: true, force: true });
  process.exitCode = failed ? 1 : 0;
}

async function regenerate(seed: number, index: number, targets: Target[], corpus: boolean, quick: boolean): Promise<FuzzCase> {
  const { loadSeedPool, makeCase } = await import('./targets');
  return makeCase(loadSeedPool({ corpus }), seed, index, quick ? QUICK_SCALE : LONG_SCALE, targets);
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exitCode = 2;
});
