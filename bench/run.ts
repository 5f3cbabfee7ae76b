// `npm run bench [-- --json]`: runs every benchmark suite, each in a fresh child process, prints the figures (and
// their ratios to baselines measured in the same run), and rewrites BENCHMARKS.md. With --json it
// prints one JSON object of all figures (named fields, units in the names) for tools to compare runs.
import { spawnSync } from 'child_process';
import { writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';

type Figures = Record<string, number>;
interface Suite { name: string; module: string; exportName: string; describe: string }

const SUITES: Suite[] = [
  { name: 'devicetree', module: './devicetree', exportName: 'runDevicetreeBench', describe: 'Devicetree compile (MaaXBoard base + overlay) vs the dtc process' },
  { name: 'emulator', module: './emulator', exportName: 'runEmulatorBench', describe: 'Emulator data path and boot' },
  { name: 'server', module: './server', exportName: 'runServerBench', describe: 'Language server' },
  { name: 'inspector', module: './inspector', exportName: 'runInspectorBench', describe: 'Queue inspector: emulator throughput with 30 Hz snapshot streaming vs without' },
];

/**
 * Each suite runs in a child process of its own (same Node flags): a suite's leftovers (heap, JIT
 * state, a worker still winding down) must not slow the next one down, and the server suite's
 * round trips include this side's event loop.
 */
function runSuiteInChild(suite: Suite): { figures?: Figures; notes?: string[]; error?: string } {
  const r = spawnSync(process.execPath, [...process.execArgv, __filename, `--suite=${suite.name}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) return { error: `exited with ${r.status ?? r.signal}` };
  try {
    return JSON.parse(r.stdout) as { figures: Figures; notes?: string[] };
  } catch {
    return { error: 'printed no figures' };
  }
}

/** The child's side: run one suite and print its figures and notes as JSON. */
async function runSuiteHere(name: string): Promise<void> {
  const suite = SUITES.find((s) => s.name === name);
  if (!suite) throw new Error(`unknown suite ${name}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(suite.module);
  const fn = mod[suite.exportName] as (() => Figures | Promise<Figures>) | undefined;
  if (!fn) throw new Error(`${suite.exportName} not exported`);
  const figures = await fn();
  process.stdout.write(JSON.stringify({ figures, notes: Array.isArray(mod.notes) ? mod.notes : undefined }));
  // Suites may leave handles open (servers, workers); the figures are out, so end here.
  process.exit(0);
}

async function main(): Promise<void> {
  const child = process.argv.find((a) => a.startsWith('--suite='))?.slice('--suite='.length);
  if (child) return runSuiteHere(child);
  const json = process.argv.includes('--json');
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const all: Record<string, Figures> = {};
  const failures: string[] = [];
  const notes: Record<string, string[]> = {};
  for (const suite of SUITES) {
    if (only && suite.name !== only) continue;
    if (!json) process.stderr.write(`running ${suite.name}...\n`);
    const r = runSuiteInChild(suite);
    if (r.error || !r.figures) {
      failures.push(`${suite.name}: ${r.error ?? 'no figures'}`);
      continue;
    }
    all[suite.name] = r.figures;
    if (r.notes) notes[suite.name] = r.notes;
  }
  const flat: Figures = {};
  for (const [suite, figures] of Object.entries(all)) for (const [k, v] of Object.entries(figures)) flat[`${suite}.${k}`] = v;
  if (json) {
    process.stdout.write(JSON.stringify(flat, null, 2) + '\n');
  } else {
    for (const [k, v] of Object.entries(flat)) process.stdout.write(`${k.padEnd(60)} ${format(v)}\n`);
    for (const f of failures) process.stdout.write(`not run: ${f}\n`);
  }
  if (!only) writeMarkdown(all, failures, notes);
  if (failures.length > 0) process.exitCode = 1;
}

function format(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

function writeMarkdown(all: Record<string, Figures>, failures: string[], notes: Record<string, string[]>): void {
  const lines = [
    '# Benchmarks',
    '',
    'Produced by `npm run bench` (this file is rewritten by each run; `npm run bench -- --json` prints the same figures as JSON). Each suite runs in a fresh process with the V8 flags the language server runs with (`SERVER_NODE_FLAGS`: a 64 MiB young generation).',
    `Last run: ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}. The machine is small and shared: compare ratios measured in the same run rather than absolute figures across runs.`,
    '',
  ];
  for (const suite of SUITES) {
    const figures = all[suite.name];
    if (!figures) continue;
    lines.push(`## ${suite.describe}`, '', '| figure | value |', '| --- | --- |');
    for (const [k, v] of Object.entries(figures)) lines.push(`| ${k} | ${format(v)} |`);
    lines.push('');
    for (const n of notes[suite.name] ?? []) lines.push(`- ${n}`);
    if (notes[suite.name]) lines.push('');
  }
  if (failures.length) lines.push('## Not run', '', ...failures.map((f) => `- ${f}`), '');
  writeFileSync(path.join(__dirname, '..', 'BENCHMARKS.md'), lines.join('\n'));
}

main().catch((e) => { process.stderr.write(String(e?.stack ?? e) + '\n'); process.exitCode = 1; });
