// Language-server benchmark, through the real protocol (the server spawned over stdio, as the editor
// runs it): fresh diagnostics after an edit in a 5,000-line DTS and in the real sel4devkit project's
// shared MaaXBoard base, opening the whole corpus, and the server's memory after that. Timings are client round trips (send the change, receive `settled`,
// which follows the published diagnostics), so they include JSON-RPC and the pipe.
import { execFileSync } from 'child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { MemoryFileHost } from '../src/common/host';
import { compileText } from '../src/devicetree/compile';
import { checkConfigFor } from '../src/server/devicetree/dt-unit';
import { CONTEXTS_REQUEST } from '../src/server/protocol';
import { DEFAULT_SETTINGS } from '../src/server/settings';
import { runChecks } from '../src/devicetree/checks';
import { TestClient } from '../test/unit/server/client';
import { writeVendorTree } from './vendor-tree';

const CORPUS = path.resolve(__dirname, '..', '..', 'shared', 'corpus');

const EDITS = 200;
const COLD_EDITS = 20;
const FEATURE_ROUNDS = 40;

/** What the figures mean (BENCHMARKS.md prints these under the table). */
export const notes = [
  '`edit5000Lines...`: one 3-character edit of a cell value in a generated 5,000-line tree, repeated ' +
    EDITS +
    ' times through the real protocol (the server bundle spawned over stdio); each time is the client round trip from sending `didChange` to receiving `settled`, which the server sends after publishing the diagnostics.',
  '`FreshDiagnosticsMedianMs` is the median over edits ' +
    (COLD_EDITS + 1) +
    '-' +
    EDITS +
    ' (steady state); `First20EditsMedianMs` is the median of the first ' +
    COLD_EDITS +
    ', while the JIT warms up; `ServerAnalysisMedianMs` is the server-side share of the steady-state edits; `CompileAndChecksInProcessMedianMs` is the same compile and checks in the benchmark process (run through tsx, so slower per call than the esbuild bundle).',
  '`sel4devkitBaseEdit...`: the same edit (a cell value) in the real MaaXBoard base of ../shared/corpus/sel4devkit-dual, copied to a temporary folder, with program.system and the base open: both guests of the project (inferred, no project file) read base + overlay, so each edit re-runs the tree, its checks and the cross checks of both guests. Its `DtcProcessMedianMs` is dtc compiling base + overlay appended.',
  '`DtcProcessMedianMs` is the baseline measured in the same run, interleaved with the edits: the dtc process compiling the same file to a DTB (no language server work: it stops at the first error and prints text); `FreshDiagnosticsToDtcRatio` is the round trip over it, below 1 when fresh diagnostics arrive sooner than dtc alone compiles the file.',
  "`features5000Lines_<feature>P95Ms`: the 95th percentile of each request's round trip on the same generated 5,000-line tree, over " +
    FEATURE_ROUNDS +
    ' rounds that each start with an edit (so the first request of a round pays for the index the edit invalidated), after ' +
    COLD_EDITS +
    ' unmeasured rounds; `features5000LinesWorstP95Ms` is the slowest of them.',
  '`vendorTree...`: a generated vendor-style board (bench/vendor-tree.ts: a .dts over 10 .dtsi and 4 dt-bindings headers of clock ids, GIC and GPIO flags and pinmux macros; `vendorTreeLines` of .dts/.dtsi), with `assigned-clock-rates` in the board edited ' +
    EDITS +
    ' times (`vendorTreeEditMedianMs`: steady-state median round trip); then hover on `&uart0` and references to `clk` (`vendorTreeClkReferences` of them), each after an edit as above.',
  "`system63Pds500Maps...`: one 3-character edit of a PD's priority in a generated .system with 63 protection domains (the tool's maximum), 500 maps (each with a setvar_vaddr) and 62 channels, repeated " +
    EDITS +
    " times through the protocol; the round trip to `settled`, and the server's own analysis time. Target: median under 10 ms.",
  '`openCorpusMs`: a fresh server (warmed on one two-line file) opens every .dts/.dtsi/.system file of ../shared/corpus except dtc-tests, one after another, each awaited until `settled`.',
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))];
}

/** A folder for generated trees deep enough that no stray .system in the temp folder's parents is taken for their project. */
function quietDir(root: string, name: string): string {
  const dir = path.join(root, name, 'arch', 'arm64', 'dts');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A request the bench times: its LSP method and parameters. */
interface FeatureRequest {
  name: string;
  method: string;
  params: unknown;
  mayBeEmpty?: boolean;
}

/**
 * Each request once per round, every round after an edit (so each round's first request pays for
 * the index the edit invalidated), FEATURE_ROUNDS rounds after WARM_ROUNDS unmeasured ones: the
 * client round trip of each, by feature.
 */
async function timeFeatures(client: TestClient, file: string, editLine: number, requests: FeatureRequest[]): Promise<Map<string, number[]>> {
  const times = new Map<string, number[]>(requests.map((r) => [r.name, []]));
  for (let round = 0; round < FEATURE_ROUNDS + COLD_EDITS; round++) {
    await client.change(file, [
      { range: { start: { line: editLine, character: 0 }, end: { line: editLine, character: round % 2 ? 0 : 1 } }, text: round % 2 ? ' ' : '' },
    ]);
    for (const r of requests) {
      const t0 = performance.now();
      const answer = await client.request<unknown>(r.method, r.params);
      const ms = performance.now() - t0;
      if (!r.mayBeEmpty && (answer === null || (Array.isArray(answer) && answer.length === 0))) throw new Error(`${r.name} gave no answer`);
      if (round >= COLD_EDITS) times.get(r.name)!.push(ms);
    }
  }
  return times;
}

/** The parameters of a request at the first occurrence of `needle` (plus `offset` characters) in `text`. */
function at(file: string, text: string, needle: string, offset = 1): { textDocument: { uri: string }; position: { line: number; character: number } } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  if (line < 0) throw new Error(`no ${needle} in ${file}`);
  return { textDocument: { uri: pathToFileURL(file).href }, position: { line, character: lines[line].indexOf(needle) + offset } };
}

/**
 * A 5,000-line tree shaped like a real SoC tree: buses of about forty devices each (as the i.MX8M's
 * bus@30000000... under soc@0), with labels, phandle references, cells and strings.
 */
export function generateLargeDts(lines: number): string {
  const out = [
    '/dts-v1/;',
    '/ {',
    '    #address-cells = <1>;',
    '    #size-cells = <1>;',
    '    intc: interrupt-controller@8000000 {',
    '        compatible = "arm,gic-400";',
    '        reg = <0x8000000 0x10000>;',
    '        interrupt-controller;',
    '        #interrupt-cells = <3>;',
    '    };',
    '    soc {',
    '        compatible = "simple-bus";',
    '        #address-cells = <1>;',
    '        #size-cells = <1>;',
    '        ranges;',
  ];
  let i = 0;
  while (out.length < lines - 6) {
    const bus = 0x10000000 + Math.floor(i / 40) * 0x100000;
    if (i % 40 === 0) {
      if (i > 0) out.push('        };');
      out.push(
        `        bus@${bus.toString(16)} {`,
        '            compatible = "simple-bus";',
        '            #address-cells = <1>;',
        '            #size-cells = <1>;',
        `            ranges = <0x${bus.toString(16)} 0x${bus.toString(16)} 0x100000>;`,
      );
    }
    const addr = (bus + (i % 40) * 0x1000).toString(16);
    out.push(
      `            dev${i}: serial@${addr} {`,
      `                compatible = "vendor,uart${i % 7}";`,
      `                reg = <0x${addr} 0x1000>;`,
      '                interrupt-parent = <&intc>;',
      `                interrupts = <0 ${i % 900} 4>;`,
      '                status = "okay";',
      '            };',
    );
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

interface EditTimes {
  roundTrips: number[];
  serverMs: number[];
  dtcMs: number[];
}

/**
 * A typing session: the 3-character cell value after `needle` rewritten EDITS times, each awaited
 * until `settled`. The first edits run while the server's JIT warms up (reported apart, as
 * `...First20...`); the headline is the steady state over the edits after them. The baseline,
 * interleaved so that it sees the same machine: dtc compiling `dtcInput`.
 */
async function typeInto(client: TestClient, file: string, text: string, needle: string, dtcInput?: string, dtcOutput?: string): Promise<EditTimes> {
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
    if (dtcInput && dtcOutput && k >= COLD_EDITS && k % 4 === 0) {
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

/** A .system at the tool's limits: 63 PDs (the most it takes) and `maps` maps spread over them, each its own region. */
export function generateLargeSystem(maps: number): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<system>'];
  for (let i = 0; i < maps; i++) out.push(`    <memory_region name="mr${i}" size="0x1000" />`);
  for (let p = 0; p < 63; p++) {
    out.push(`    <protection_domain name="pd${p}" priority="${p === 0 ? 100 : 1 + (p % 200)}">`, `        <program_image path="pd${p}.elf" />`);
    for (let i = p; i < maps; i += 63)
      out.push(`        <map mr="mr${i}" vaddr="0x${(0x10000000 + i * 0x1000).toString(16)}" perms="rw" setvar_vaddr="mr${i}_vaddr" />`);
    out.push('    </protection_domain>');
  }
  for (let p = 1; p < 63; p++) out.push(`    <channel><end pd="pd0" id="${p - 1}" /><end pd="pd${p}" id="0" /></channel>`);
  out.push('</system>', '');
  return out.join('\n');
}

/** system63Pds500Maps...: one 3-character edit of a PD's priority in the generated .system, through the protocol. */
export async function runSystemEditBench(dir: string): Promise<Record<string, number>> {
  const file = path.join(quietDir(dir, 'system'), 'large.system');
  const text = generateLargeSystem(500);
  writeFileSync(file, text);
  const client = await TestClient.start();
  try {
    await client.open(file, text);
    const t = await typeInto(client, file, text, 'priority="100"');
    return {
      system63Pds500MapsFreshDiagnosticsMedianMs: median(t.roundTrips.slice(COLD_EDITS)),
      system63Pds500MapsServerAnalysisMedianMs: median(t.serverMs.slice(COLD_EDITS)),
    };
  } finally {
    await client.stop();
  }
}

export async function runServerBench(): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mkdg-bench-'));
  Object.assign(figures, await runSystemEditBench(dir));
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

  // Every feature on the same tree, each after an edit, in a server of its own.
  const featureDir = quietDir(dir, 'features');
  const featureFile = path.join(featureDir, 'large.dts');
  writeFileSync(featureFile, text);
  const featureClient = await TestClient.start();
  try {
    await featureClient.open(featureFile, text);
    const doc = { textDocument: { uri: pathToFileURL(featureFile).href } };
    const label = at(featureFile, text, 'dev100: serial');
    const ref = at(featureFile, text, '&intc');
    const cell = at(featureFile, text, 'interrupts = <0 ', 'interrupts = <0 '.length);
    const last = text.split('\n').length - 1;
    const times = await timeFeatures(featureClient, featureFile, Math.floor(last / 2), [
      { name: 'hover', method: 'textDocument/hover', params: label },
      { name: 'definition', method: 'textDocument/definition', params: ref },
      { name: 'declaration', method: 'textDocument/declaration', params: ref },
      { name: 'typeDefinition', method: 'textDocument/typeDefinition', params: ref },
      { name: 'references', method: 'textDocument/references', params: { ...ref, context: { includeDeclaration: true } } },
      { name: 'prepareRename', method: 'textDocument/prepareRename', params: ref },
      { name: 'rename', method: 'textDocument/rename', params: { ...ref, newName: 'gic' } },
      { name: 'completion', method: 'textDocument/completion', params: ref },
      { name: 'signatureHelp', method: 'textDocument/signatureHelp', params: cell },
      { name: 'documentSymbol', method: 'textDocument/documentSymbol', params: doc },
      { name: 'workspaceSymbol', method: 'workspace/symbol', params: { query: 'dev12' } },
      { name: 'foldingRange', method: 'textDocument/foldingRange', params: doc },
      { name: 'semanticTokens', method: 'textDocument/semanticTokens/full', params: doc },
      {
        name: 'semanticTokensRange',
        method: 'textDocument/semanticTokens/range',
        params: { ...doc, range: { start: { line: 100, character: 0 }, end: { line: 160, character: 0 } } },
      },
      { name: 'documentLink', method: 'textDocument/documentLink', params: doc, mayBeEmpty: true },
      {
        name: 'codeAction',
        method: 'textDocument/codeAction',
        params: { ...doc, range: { start: label.position, end: label.position }, context: { diagnostics: [] } },
        mayBeEmpty: true,
      },
      { name: 'formatting', method: 'textDocument/formatting', params: { ...doc, options: { tabSize: 4, insertSpaces: true } }, mayBeEmpty: true },
    ]);
    let worst = 0;
    for (const [name, list] of times) {
      if (name === 'hover' || name === 'references') figures[`features5000Lines_${name}MedianMs`] = median(list);
      figures[`features5000Lines_${name}P95Ms`] = p95(list);
      worst = Math.max(worst, p95(list));
    }
    figures.features5000LinesWorstP95Ms = worst;
  } finally {
    await featureClient.stop();
  }

  // A vendor-style board: a .dts over 10 .dtsi and 4 dt-bindings headers with macros (bench/vendor-tree.ts).
  const vendor = writeVendorTree(quietDir(dir, 'vendor'));
  const vendorText = readFileSync(vendor.board, 'utf8');
  const vendorClient = await TestClient.start();
  try {
    await vendorClient.open(vendor.board, vendorText);
    const errors = [...vendorClient.allDiagnostics().values()].flat();
    if (errors.length > 0) throw new Error(`the vendor tree has findings: ${JSON.stringify(errors.slice(0, 3))}`);
    const edits = await typeInto(vendorClient, vendor.board, vendorText, 'assigned-clock-rates = <100000000>');
    figures.vendorTreeLines = vendor.lines;
    figures.vendorTreeFiles = vendor.files.length;
    figures.vendorTreeEditMedianMs = median(edits.roundTrips.slice(COLD_EDITS));
    figures.vendorTreeEditServerAnalysisMedianMs = median(edits.serverMs.slice(COLD_EDITS));
    figures.vendorTreeEditFirst20MedianMs = median(edits.roundTrips.slice(0, COLD_EDITS));
    const clkUse = at(vendor.board, vendorText, '&clk SOC_CLK');
    const refs = await vendorClient.request<unknown[]>('textDocument/references', { ...clkUse, context: { includeDeclaration: false } });
    figures.vendorTreeClkReferences = refs.length;
    const times = await timeFeatures(vendorClient, vendor.board, vendorText.split('\n').findIndex((l) => l.startsWith('&iomuxc')) - 1, [
      { name: 'hover', method: 'textDocument/hover', params: at(vendor.board, vendorText, '&uart0 {') },
      { name: 'references', method: 'textDocument/references', params: { ...clkUse, context: { includeDeclaration: false } } },
      { name: 'definition', method: 'textDocument/definition', params: clkUse },
      { name: 'semanticTokens', method: 'textDocument/semanticTokens/full', params: { textDocument: { uri: pathToFileURL(vendor.board).href } } },
      { name: 'documentLink', method: 'textDocument/documentLink', params: { textDocument: { uri: pathToFileURL(vendor.board).href } } },
      { name: 'signatureHelp', method: 'textDocument/signatureHelp', params: at(vendor.board, vendorText, '&clk SOC_CLK', '&clk SOC'.length) },
    ]);
    for (const [name, list] of times) {
      figures[`vendorTree_${name}MedianMs`] = median(list);
      figures[`vendorTree_${name}P95Ms`] = p95(list);
    }
  } finally {
    await vendorClient.stop();
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
    if (!contexts.some((c) => c.origin === 'project' && c.vm))
      throw new Error(`sel4devkit-dual: the base is not in a project tree (${JSON.stringify(contexts)})`);
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
  runServerBench().then(
    (f) => console.log(JSON.stringify(f, null, 2)),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
