// `npm run bench [-- --json] [-- --only=<suite>]`: runs every benchmark suite (or one), each in a fresh child process, prints the figures (and
// their ratios to baselines measured in the same run), and rewrites BENCHMARKS.md. With --json it
// prints one JSON object of all figures (named fields, units in the names) for tools to compare runs.
import { spawnSync } from 'child_process';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';

type Figures = Record<string, number>;
interface Suite {
  name: string;
  module: string;
  exportName: string;
  describe: string;
}

const SUITES: Suite[] = [
  {
    name: 'devicetree',
    module: './devicetree',
    exportName: 'runDevicetreeBench',
    describe: 'Devicetree compile (MaaXBoard base + overlay) vs the dtc process',
  },
  { name: 'emulator', module: './emulator', exportName: 'runEmulatorBench', describe: 'Emulator data path and boot' },
  { name: 'server', module: './server', exportName: 'runServerBench', describe: 'Language server' },
  {
    name: 'inspector',
    module: './inspector',
    exportName: 'runInspectorBench',
    describe: 'Queue inspector: emulator throughput with 30 Hz snapshot streaming vs without',
  },
  {
    name: 'time-travel',
    module: './time-travel',
    exportName: 'runTimeTravelBench',
    describe: 'Time travel: jumps to 20 random moments of a 60 s session of the default example',
  },
  {
    name: 'explain',
    module: './explain',
    exportName: 'runExplainBench',
    describe: "Explaining a board's serial log (5 and 10 MB) against the example project",
  },
  {
    name: 'real',
    module: './real-components',
    exportName: 'runRealComponentsBench',
    describe:
      "Real components: sDDF's UART driver, virt_rx and virt_tx, and the VMMs as libvmm 0.2.0 with the example vmm.c, compiled to WebAssembly vs the models (same run)",
  },
  { name: 'scale', module: './scale', exportName: 'runScaleBench', describe: 'Scale: CPU time against input size (linear is 1)' },
  { name: 'cli', module: './cli', exportName: 'runCliBench', describe: "CLI: whole processes against Node's bare start, dtc, and a cpp + dtc loop" },
  { name: 'package', module: './package', exportName: 'runPackageBench', describe: 'Package: the VSIX (npm run package)' },
];

/**
 * Each suite runs in a child process of its own (same Node flags): a suite's leftovers (heap, JIT
 * state, a worker still winding down) must not slow the next one down, and the server suite's
 * round trips include this side's event loop.
 */
function runSuiteInChild(suite: Suite): { figures?: Figures; notes?: string[]; error?: string } {
  const r = spawnSync(process.execPath, [...process.execArgv, __filename, `--suite=${suite.name}`], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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
  writeMarkdown(all, failures, notes, only);
  if (failures.length > 0) process.exitCode = 1;
}

function format(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

/**
 * Rewrite BENCHMARKS.md. A full run replaces the file; `--only=<suite>` replaces that suite's
 * section and keeps every other section as the last full run left it (slow suites need not re-run).
 */
function writeMarkdown(all: Record<string, Figures>, failures: string[], notes: Record<string, string[]>, only?: string): void {
  const file = path.join(__dirname, '..', 'BENCHMARKS.md');
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  const stamp = `${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${load} (1, 5, 15 min)`;
  const section = (suite: Suite): string[] => {
    const figures = all[suite.name];
    if (!figures) return [];
    const lines = [`## ${suite.describe}`, ''];
    if (only) lines.push(`Run on its own (\`npm run bench -- --only=${suite.name}\`): ${stamp}.`, '');
    lines.push('| figure | value |', '| --- | --- |');
    for (const [k, v] of Object.entries(figures)) lines.push(`| ${k} | ${format(v)} |`);
    lines.push('');
    for (const n of notes[suite.name] ?? []) lines.push(`- ${n}`);
    if (notes[suite.name]) lines.push('');
    return lines;
  };
  if (only) {
    const suite = SUITES.find((s) => s.name === only);
    if (!suite || !all[only]) return;
    const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
    // Split before each '## ' heading: [header, section, section, ...].
    const parts = old.split(/^(?=## )/m);
    const heading = `## ${suite.describe}`;
    const fresh = section(suite).join('\n');
    const at = parts.findIndex((p) => p.startsWith(heading + '\n'));
    if (at >= 0) parts[at] = fresh + (at < parts.length - 1 ? '\n' : '');
    else {
      // Keep the order of SUITES: before the first section of a later suite (or "Not run"), else at the end.
      const later = SUITES.slice(SUITES.indexOf(suite) + 1).map((s) => `## ${s.describe}\n`);
      const before = parts.findIndex((p) => later.some((h) => p.startsWith(h)) || p.startsWith('## Not run'));
      if (before >= 0) parts.splice(before, 0, fresh + '\n');
      else parts.push((parts[parts.length - 1].endsWith('\n\n') ? '' : '\n') + fresh);
    }
    writeFileSync(file, parts.join(''));
    return;
  }
  const lines = [
    '# Benchmarks',
    '',
    "Produced by `npm run bench` (this file is rewritten by each run; `npm run bench -- --only=<suite>` rewrites that suite's section only; `npm run bench -- --json` prints the same figures as JSON). Each suite runs in a fresh process with the V8 flags the language server runs with (`SERVER_NODE_FLAGS`: a 64 MiB young generation, eager feedback vectors, no allocation-site pretenuring).",
    `Last run: ${stamp}. The machine is small and shared: compare ratios measured in the same run rather than absolute figures across runs.`,
    '',
  ];
  for (const suite of SUITES) lines.push(...section(suite));
  if (failures.length) lines.push('## Not run', '', ...failures.map((f) => `- ${f}`), '');
  writeFileSync(file, lines.join('\n'));
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exitCode = 1;
});
