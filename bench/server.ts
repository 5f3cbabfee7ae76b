// Language-server benchmark, through the real protocol (the server spawned over stdio, as the editor
// runs it): fresh diagnostics after an edit in a 5,000-line DTS and in the real sel4devkit project's
// shared MaaXBoard base, opening the whole corpus, and the server's memory after that. Timings are client round trips (send the change, receive `settled`,
// which follows the published diagnostics), so they include JSON-RPC and the pipe.
import { execFileSync } from 'child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MemoryFileHost } from '../src/common/host';
import { compileText } from '../src/devicetree/compile';
import { checkConfigFor } from '../src/server/devicetree/dt-unit';
import { CONTEXTS_REQUEST } from '../src/server/protocol';
import { DEFAULT_SETTINGS } from '../src/server/settings';
import { runChecks } from '../src/devicetree/checks';
import { TestClient } from '../test/unit/server/client';

const CORPUS = path.resolve(__dirname, '..', '..', 'shared', 'corpus');

const EDITS = 200;
const COLD_EDITS = 20;

/** What the figures mean (BENCHMARKS.md prints these under the table). */
export const notes = [
  '`edit5000Lines...`: one 3-character edit of a cell value in a generated 5,000-line tree, repeated ' + EDITS + ' times through the real protocol (the server bundle spawned over stdio); each time is the client round trip from sending `didChange` to receiving `settled`, which the server sends after publishing the diagnostics.',
  '`FreshDiagnosticsMedianMs` is the median over edits ' + (COLD_EDITS + 1) + '-' + EDITS + ' (steady state); `First20EditsMedianMs` is the median of the first ' + COLD_EDITS + ', while the JIT warms up; `ServerAnalysisMedianMs` is the server-side share of the steady-state edits; `CompileAndChecksInProcessMedianMs` is the same compile and checks in the benchmark process (run through tsx, so slower per call than the esbuild bundle).',
  '`sel4devkitBaseEdit...`: the same edit (a cell value) in the real MaaXBoard base of ../shared/corpus/sel4devkit-dual, copied to a temporary folder, with program.system and the base open: both guests of the project (inferred, no project file) read base + overlay, so each edit re-runs the tree, its checks and the cross checks of both guests. Its `DtcProcessMedianMs` is dtc compiling base + overlay appended.',
  '`DtcProcessMedianMs` is the baseline measured in the same run, interleaved with the edits: the dtc process compiling the same file to a DTB (no language server work: it stops at the first error and prints text); `FreshDiagnosticsToDtcRatio` is the round trip over it, below 1 when fresh diagnostics arrive sooner than dtc alone compiles the file.',
  '`openCorpusMs`: a fresh server (warmed on one two-line file) opens every .dts/.dtsi/.system file of ../shared/corpus except dtc-tests, one after another, each awaited until `settled`.',
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * A 5,000-line tree shaped like a real SoC tree: buses of about forty devices each (as the i.MX8M's
 * bus@30000000... under soc@0), with labels, phandle references, cells and strings.
 */
export function generateLargeDts(lines: number): string {
  const out = ['/dts-v1/;', '/ {', '    #address-cells = <1>;', '    #size-cells = <1>;', '    intc: interrupt-controller@8000000 {',
    '        compatible = "arm,gic-400";', '        reg = <0x8000000 0x10000>;', '        interrupt-controller;', '        #interrupt-cells = <3>;', '    };',
    '    soc {', '        compatible = "simple-bus";', '        #address-cells = <1>;', '        #size-cells = <1>;', '        ranges;'];
  let i = 0;
  while (out.length < lines - 6) {
    const bus = 0x10000000 + Math.floor(i / 40) * 0x100000;
    if (i % 40 === 0) {
      if (i > 0) out.push('        };');
      out.push(`        bus@${bus.toString(16)} {`, '            compatible = "simple-bus";', '            #address-cells = <1>;', '            #size-cells = <1>;',
        `            ranges = <0x${bus.toString(16)} 0x${bus.toString(16)} 0x100000>;`);
    }
    const addr = (bus + (i % 40) * 0x1000).toString(16);
    out.push(`            dev${i}: serial@${addr} {`, `                compatible = "vendor,uart${i % 7}";`, `                reg = <0x${addr} 0x1000>;`,
      '                interrupt-parent = <&intc>;', `                interrupts = <0 ${i % 900} 4>;`, '                status = "okay";', '            };');
    i++;
  }
  out.push('        };', '    };', '};', '');
  return out.join('\n');
}

function rssMiB(pid: number | undefined): number {
  if (!pid) return NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = status.split('\n').find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : NaN;
}

function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) {
        if (name !== 'dtc-tests') walk(p);
      } else if (/\.(dts|dtsi|system)$/.test(name)) out.push(p);
    }
  };
  walk(CORPUS);
  return out;
}

interface EditTimes { roundTrips: number[]; serverMs: number[]; dtcMs: number[] }

/**
 * A typing session: the 3-character cell value after `needle` rewritten EDITS times, each awaited
 * until `settled`. The first edits run while the server's JIT warms up (reported apart, as
 * `...First20...`); the headline is the steady state over the edits after them. The baseline,
 * interleaved so that it sees the same machine: dtc compiling `dtcInput`.
 */
async function typeInto(client: TestClient, file: string, text: string, needle: string, dtcInput: string, dtcOutput: string): Promise<EditTimes> {
  const lines = text.split('\n');
  const target = lines.findIndex((l) => l.includes(needle));
  const col = lines[target].indexOf(needle) + needle.indexOf('100');
  const times: EditTimes = { roundTrips: [], serverMs: [], dtcMs: [] };
  for (let k = 0; k < EDITS; k++) {
    const value = String(100 + (k % 10));
    const t0 = performance.now();
    await client.change(file, [{ range: { start: { line: target, character: col }, end: { line: target, character: col + 3 } }, text: value }]);
    times.roundTrips.push(performance.now() - t0);
    times.serverMs.push(client.lastAnalysisMs);
    if (k >= COLD_EDITS && k % 4 === 0) {
      const d0 = performance.now();
      execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', dtcOutput, dtcInput], { stdio: 'ignore' });
      times.dtcMs.push(performance.now() - d0);
    }
  }
  return times;
}

function editFigures(prefix: string, t: EditTimes): Record<string, number> {
  const steady = median(t.roundTrips.slice(COLD_EDITS));
  const dtc = median(t.dtcMs);
  return {
    [`${prefix}FreshDiagnosticsMedianMs`]: steady,
    [`${prefix}ServerAnalysisMedianMs`]: median(t.serverMs.slice(COLD_EDITS)),
    [`${prefix}First20EditsMedianMs`]: median(t.roundTrips.slice(0, COLD_EDITS)),
    [`${prefix}Edits`]: EDITS,
    [`${prefix}DtcProcessMedianMs`]: dtc,
    [`${prefix}FreshDiagnosticsToDtcRatio`]: steady / dtc,
  };
}

export async function runServerBench(): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mkdg-bench-'));
  const big = path.join(dir, 'large.dts');
  const text = generateLargeDts(5000);
  writeFileSync(big, text);

  const client = await TestClient.start();
  try {
    await client.open(big, text);
    const edits = await typeInto(client, big, text, 'interrupts = <0 100 4>', big, path.join(dir, 'large.dtb'));
    Object.assign(figures, editFigures('edit5000Lines', edits));
    await client.close(big);
  } finally {
    await client.stop();
  }

  // The real project: the MaaXBoard base that both guests of program.system share (no project file:
  // the guests are inferred), the .system and the base open, the base edited.
  const project = path.join(dir, 'sel4devkit-dual');
  cpSync(path.join(CORPUS, 'sel4devkit-dual'), project, { recursive: true });
  const base = path.join(project, 'maaxboard.dts');
  const system = path.join(project, 'program.system');
  const baseText = readFileSync(base, 'utf8');
  // dtc's input: the two files appended, as the real build gives them to it.
  const joined = path.join(dir, 'maaxboard-joined.dts');
  writeFileSync(joined, baseText + readFileSync(path.join(project, 'maaxboard-overlay.dts'), 'utf8'));
  const projectClient = await TestClient.start();
  try {
    await projectClient.open(system, readFileSync(system, 'utf8'));
    await projectClient.open(base, baseText);
    // The figure is about the project's trees: fail rather than time a lone guessed tree.
    const contexts = await projectClient.request<{ origin: string; vm?: string }[]>(CONTEXTS_REQUEST, {});
    if (!contexts.some((c) => c.origin === 'project' && c.vm)) throw new Error(`sel4devkit-dual: the base is not in a project tree (${JSON.stringify(contexts)})`);
    const edits = await typeInto(projectClient, base, baseText, 'interrupts = <0 100 4>', joined, path.join(dir, 'maaxboard.dtb'));
    Object.assign(figures, editFigures('sel4devkitBaseEdit', edits));
  } finally {
    await projectClient.stop();
  }

  // The cores' share of an edit: compile and check the same text in this process (warm), no server.
  const host = new MemoryFileHost({ [big]: text });
  const config = checkConfigFor(DEFAULT_SETTINGS);
  const inProcess: number[] = [];
  for (let k = 0; k < EDITS; k++) {
    const t0 = performance.now();
    runChecks(compileText(big, text, { host }), config);
    inProcess.push(performance.now() - t0);
  }
  figures.edit5000LinesCompileAndChecksInProcessMedianMs = median(inProcess.slice(COLD_EDITS));

  // A fresh server, warmed on one unrelated small file so the figure is analysis, not Node start-up.
  const corpusClient = await TestClient.start();
  try {
    await corpusClient.open(path.join(dir, 'warm.dts'), '/dts-v1/;\n/ { a = <1>; };\n');
    const files = corpusFiles();
    const t0 = performance.now();
    for (const f of files) await corpusClient.open(f, readFileSync(f, 'utf8'));
    figures.openCorpusMs = performance.now() - t0;
    figures.openCorpusFiles = files.length;
    figures.serverMemoryAfterCorpusMiB = rssMiB(corpusClient.pid());
  } finally {
    await corpusClient.stop();
  }
  return figures;
}

if (require.main === module) {
  runServerBench().then((f) => console.log(JSON.stringify(f, null, 2)), (e) => { console.error(e); process.exitCode = 1; });
}
