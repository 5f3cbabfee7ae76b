// The fuzzer's targets and oracle: the seed pool (the project's own examples and fixtures, built-in
// snippets, and the shared corpus for the long pass), case generation from (seed, index), and one
// case's run through the preprocessor, the DTS front end (compile + checks + DTB/DTS writers + the
// DTB read back), the .system loader and the project file. A case fails when a call throws, a
// diagnostic says "internal error", a diagnostic lies outside its document, or the case takes more
// than its CPU or memory budget.
import * as fs from 'fs';
import * as path from 'path';
import type { Diagnostic, SourceRange } from '../../src/common/diagnostics';
import { decodeUtf8, MemoryFileHost, OverlayFileHost, type FileHost } from '../../src/common/host';
import { defaultCheckConfig, runChecks } from '../../src/devicetree/checks';
import { compileFiles, writeDtb, writeDts } from '../../src/devicetree/compile';
import { readFdt } from '../../src/devicetree/fdt-reader';
import { preprocess } from '../../src/devicetree/preprocessor';
import { loadProject } from '../../src/system/project';
import { lintSystemFile, parseSystem } from '../../src/system/index';
import { parseJson } from '../../src/system/json';
import { mutate, Rng, type Kind, type MutationScale } from './mutator';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const CORPUS_DIR = path.resolve(PROJECT_ROOT, '..', 'shared', 'corpus');

export type Target = 'preprocess' | 'dts' | 'system' | 'project';
export const TARGETS: readonly Target[] = ['preprocess', 'dts', 'system', 'project'];

export interface Unit {
  target: Target;
  /** Files given to the target, in order (a base and its overlays for 'dts'). */
  entries: string[];
  /** Files a case of this unit may mutate. */
  mutable: string[];
}

export interface SeedGroup {
  name: string;
  files: Map<string, Uint8Array>;
  units: Unit[];
  /** A seed file has line markers or #line: positions may then name presumed lines (as dtc's). */
  markers: boolean;
}

export interface SeedPool {
  groups: SeedGroup[];
  /** Every seed text of one kind, for splicing. */
  donors: Record<Kind, string[]>;
}

export interface FuzzCase {
  seed: number;
  index: number;
  group: number;
  unit: number;
  target: Target;
  file: string;
  content: string | Uint8Array;
}

export const MARKER_RE = /^[ \t]*#[ \t]*(line\b|\d)/m;

/** Built-in seeds exercising what the examples do not: includes, macros, overlays, labels. */
const SNIPPETS: Record<string, string> = {
  'snippet.dtsi': '#define SNIP_CELLS 2\n#define REG(a, s) <0x0 a 0x0 s>\n/ { inc: included { p = "from dtsi"; }; };\n',
  'snippet.dts': [
    '/dts-v1/;',
    '#include "snippet.dtsi"',
    '/include/ "snippet-b.dtsi"',
    '#define ADDR 0x30860000',
    '#if SNIP_CELLS > 1 && defined(ADDR)',
    '#define OK 1',
    '#else',
    '#define OK 0',
    '#endif',
    '/memreserve/ 0x1000 0x2000;',
    '/ {',
    '\t#address-cells = <SNIP_CELLS>;',
    '\t#size-cells = <2>;',
    '\tcompatible = "fsl,imx8mq", "simple-bus";',
    '\taliases { serial0 = &uart; };',
    '\tgic: interrupt-controller@38800000 { compatible = "arm,gic-v3"; #interrupt-cells = <3>; interrupt-controller; reg = REG(0x38800000, 0x10000); };',
    '\tuart: serial@ADDR { compatible = "fsl,imx8mq-uart"; reg = REG(ADDR, 0x10000); interrupts = <0 26 4>; interrupt-parent = <&gic>; status = "okay"; clocks = <&clk 1>, <&clk 2>; clock-names = "ipg", "per"; };',
    '\tclk: clock-controller { #clock-cells = <1>; v = /bits/ 16 <0x1234 (OK + 1) (3 * (2 << 4))>; b = [de ad be ef]; s = "a\\n\\"b", \'c\'; };',
    '\tl1: l2: node@1 { reg = <0 1 0 1>; ref = <&l1>, &{/node@1}; };',
    '};',
    '&uart { status = "disabled"; };',
    '&{/node@1} { /delete-property/ ref; extra; };',
    '/ { /delete-node/ node@1; };',
    '/omit-if-no-ref/ &clk;',
    '',
  ].join('\n'),
  'snippet-b.dtsi': '/ { from-b { q = <1 2 3>; }; };\n',
  'overlay.dts': '/dts-v1/;\n/plugin/;\n&uart { status = "okay"; };\n/ { fragment@0 { target = <&gic>; __overlay__ { x = <1>; }; }; };\n&{/soc} { y; };\n',
  'mini.system': [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<system>',
    '  <memory_region name="m" size="0x1000" />',
    '  <memory_region name="ram" size="0x10000000" page_size="0x200000" phys_addr="0x40000000"/>',
    '  <protection_domain name="a" priority="254" budget="1000" period="1000" passive="false" pp="true">',
    '    <program_image path="a.elf" />',
    '    <map mr="m" vaddr="0x2000000" perms="rw" cached="false" setvar_vaddr="m_vaddr" />',
    '    <irq irq="58" id="0" trigger="level" />',
    '    <protection_domain name="child" id="1" priority="100"><program_image path="c.elf"/></protection_domain>',
    '    <virtual_machine name="vm" priority="100"><vcpu id="0" /><map mr="ram" vaddr="0x40000000" perms="rwx" /></virtual_machine>',
    '  </protection_domain>',
    '  <channel><end pd="a" id="1" notify="true" pp="false"/><end pd="child" id="2" /></channel>',
    '  <!-- a comment -->',
    '</system>',
    '',
  ].join('\n'),
};

function readTree(dir: string, prefix: string, into: Map<string, Uint8Array>): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) readTree(p, `${prefix}/${e.name}`, into);
    else if (e.isFile() && fs.statSync(p).size <= 4 * 1024 * 1024) into.set(`${prefix}/${e.name}`, fs.readFileSync(p));
  }
}

function group(name: string, files: Map<string, Uint8Array>, units: Unit[]): SeedGroup {
  const markers = [...files.entries()].some(([f, b]) => /\.(dts|dtsi)$/.test(f) && MARKER_RE.test(decodeUtf8(b)));
  return { name, files, units, markers };
}

/** Units for every DT, .system and project file of a group: each DT file alone (preprocess, dts), each .system, each .json. */
function defaultUnits(files: Map<string, Uint8Array>): Unit[] {
  const units: Unit[] = [];
  for (const f of [...files.keys()].sort()) {
    if (/\.dtsi?$/.test(f)) units.push({ target: 'preprocess', entries: [f], mutable: [f] });
    if (/\.dts$/.test(f)) units.push({ target: 'dts', entries: [f], mutable: [f] });
    if (f.endsWith('.system')) units.push({ target: 'system', entries: [f], mutable: [f] });
    if (f.endsWith('.json')) units.push({ target: 'project', entries: [f], mutable: [f] });
  }
  return units;
}

/** The seeds: the project's own files always; the shared corpus too when `corpus` (long pass). */
export function loadSeedPool(options: { corpus: boolean }): SeedPool {
  const groups: SeedGroup[] = [];
  const ex = new Map<string, Uint8Array>();
  readTree(path.join(PROJECT_ROOT, 'examples', 'dual-guest'), '/fuzz/example', ex);
  const exUnits = defaultUnits(ex);
  exUnits.push(
    { target: 'dts', entries: ['/fuzz/example/board.dts', '/fuzz/example/guest-1.dts'], mutable: ['/fuzz/example/board.dts', '/fuzz/example/guest-1.dts'] },
    { target: 'dts', entries: ['/fuzz/example/board.dts', '/fuzz/example/guest-2.dts'], mutable: ['/fuzz/example/guest-2.dts'] },
    // The project file's guests compile the device trees: mutating a tree reaches the cross checks.
    { target: 'project', entries: ['/fuzz/example/dual-guest.json'], mutable: ['/fuzz/example/guest-1.dts', '/fuzz/example/dual-guest.system'] },
  );
  groups.push(group('example', ex, exUnits));
  const syn = new Map<string, Uint8Array>();
  readTree(path.join(PROJECT_ROOT, 'test', 'unit', 'syntaxes', 'cases'), '/fuzz/syntaxes', syn);
  for (const f of [...syn.keys()]) if (!/\.dtsi?$/.test(f)) syn.delete(f);
  groups.push(group('syntaxes', syn, defaultUnits(syn)));
  const snip = new Map<string, Uint8Array>(Object.entries(SNIPPETS).map(([k, v]) => [`/fuzz/snippets/${k}`, new TextEncoder().encode(v)]));
  groups.push(group('snippets', snip, defaultUnits(snip)));
  if (options.corpus && fs.existsSync(CORPUS_DIR)) {
    for (const e of fs.readdirSync(CORPUS_DIR, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const files = new Map<string, Uint8Array>();
      readTree(path.join(CORPUS_DIR, e.name), `/fuzz/corpus/${e.name}`, files);
      const units = defaultUnits(files);
      const base = `/fuzz/corpus/${e.name}/maaxboard.dts`,
        overlay = `/fuzz/corpus/${e.name}/maaxboard-overlay.dts`;
      if (files.has(base) && files.has(overlay)) units.push({ target: 'dts', entries: [base, overlay], mutable: [overlay, base] });
      groups.push(group(`corpus/${e.name}`, files, units));
    }
  }
  const donors: Record<Kind, string[]> = { dts: [], system: [], json: [] };
  for (const g of groups) {
    for (const [f, b] of g.files) {
      const kind = kindOf(f);
      if (kind && b.length < 256 * 1024) donors[kind].push(decodeUtf8(b));
    }
  }
  return { groups, donors };
}

function kindOf(file: string): Kind | undefined {
  if (/\.(dts|dtsi|h)$/.test(file)) return 'dts';
  if (file.endsWith('.system')) return 'system';
  if (file.endsWith('.json')) return 'json';
  return undefined;
}

/** Case `index` of the run seeded with `seed`: always the same case for the same pool. */
export function makeCase(pool: SeedPool, seed: number, index: number, scale: MutationScale, targets: readonly Target[] = TARGETS): FuzzCase {
  const rng = new Rng(seed, index);
  const target = rng.pick(targets);
  const candidates: [number, number][] = [];
  pool.groups.forEach((g, gi) =>
    g.units.forEach((u, ui) => {
      if (u.target === target) candidates.push([gi, ui]);
    }),
  );
  const [gi, ui] = rng.pick(candidates);
  const unit = pool.groups[gi].units[ui];
  const file = rng.pick(unit.mutable);
  const kind = kindOf(file) ?? 'dts';
  const seedText = decodeUtf8(pool.groups[gi].files.get(file)!);
  const content = mutate(rng, seedText, { kind, self: path.posix.basename(file), donors: pool.donors[kind], scale });
  return { seed, index, group: gi, unit: ui, target, file, content };
}

export interface Budgets {
  /** CPU milliseconds one case may take. */
  cpuMs: number;
  /** Growth of the JS heap (MB) over one case. */
  heapMB: number;
  /** Lines as an editor counts them only (CR, LF, CRLF): DTS and JSON positions in CR-only files fail. */
  strictLines?: boolean;
}

export interface Failure {
  kind: 'throw' | 'internal' | 'position' | 'cpu' | 'memory' | 'hang' | 'crash';
  message: string;
}

export type Outcome = { ok: true; cpuMs: number; heapMB: number; diagnostics: number } | ({ ok: false } & Failure);

/**
 * Why `r` is not a range of its document, or undefined. Lines are taken as an editor takes them (CR,
 * LF, CRLF) or as dtc and cpp count them (LF only: a lone CR is inside a line); a range valid under
 * either passes. (Under the editor's rule alone, DTS and JSON diagnostics in CR-only files fail:
 * `strictLines` reports those.)
 */
export function rangeProblem(r: SourceRange, textOf: (file: string) => string | undefined, strictLines = false): string | undefined {
  if (r.file.startsWith('<')) return undefined;
  const text = textOf(r.file);
  if (text === undefined) return `names a file that is not an input: ${r.file}`;
  const editor = problemIn(r, text.split(/\r\n|\r|\n/));
  if (!editor || strictLines) return editor;
  return problemIn(r, text.split('\n')) && editor;
}

function problemIn(r: SourceRange, lines: string[]): string | undefined {
  for (const p of [r.start, r.end]) {
    if (!Number.isInteger(p.line) || !Number.isInteger(p.col) || p.line < 0 || p.col < 0) return `bad position ${JSON.stringify(p)}`;
    if (p.line >= lines.length) return `line ${p.line} past the last line (${lines.length - 1})`;
    if (p.col > lines[p.line].length) return `column ${p.col} past the end of line ${p.line} (${lines[p.line].length})`;
  }
  if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.col > r.end.col)) return 'ends before it starts';
  return undefined;
}

function describeDiagnostic(d: Diagnostic): string {
  const r = d.range;
  return `${d.severity} ${d.code ?? ''} "${d.message.slice(0, 200)}"${r ? ` at ${r.file}:${r.start.line}.${r.start.col}-${r.end.line}.${r.end.col}` : ''}`;
}

/** Run one case in this process. */
export function runCase(pool: SeedPool, c: FuzzCase, budgets: Budgets): Outcome {
  const g = pool.groups[c.group];
  const unit = g.units[c.unit];
  const bytes = typeof c.content === 'string' ? new TextEncoder().encode(c.content) : c.content;
  const host: FileHost = new OverlayFileHost(new MemoryFileHost({ [c.file]: bytes }), new MemoryFileHost(Object.fromEntries(g.files)));
  const texts = new Map<string, string>();
  const textOf = (f: string): string | undefined => {
    if (!texts.has(f)) {
      const b = host.readFile(f);
      if (!b) return undefined;
      texts.set(f, decodeUtf8(b));
    }
    return texts.get(f);
  };
  const diagnostics: Diagnostic[] = [];
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  try {
    runTarget(unit, host, textOf, diagnostics);
  } catch (e) {
    return {
      ok: false,
      kind: 'throw',
      message: e instanceof Error ? `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}` : String(e),
    };
  }
  const used = process.cpuUsage(cpuBefore);
  const cpuMs = (used.user + used.system) / 1000;
  const heapMB = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  for (const d of diagnostics) {
    if (/internal error/.test(d.message)) return { ok: false, kind: 'internal', message: describeDiagnostic(d) };
  }
  const markers = g.markers || MARKER_RE.test(textOf(c.file) ?? '');
  if (!markers) {
    for (const d of diagnostics) {
      for (const r of [d.range, ...(d.related ?? []).map((x) => x.range)]) {
        const problem = r && rangeProblem(r, textOf, budgets.strictLines);
        if (problem) return { ok: false, kind: 'position', message: `${problem}: ${describeDiagnostic(d)}` };
      }
    }
  }
  if (cpuMs > budgets.cpuMs) return { ok: false, kind: 'cpu', message: `${cpuMs.toFixed(0)} ms of CPU (budget ${budgets.cpuMs})` };
  if (heapMB > budgets.heapMB) return { ok: false, kind: 'memory', message: `the heap grew by ${heapMB.toFixed(0)} MB (budget ${budgets.heapMB})` };
  return { ok: true, cpuMs, heapMB, diagnostics: diagnostics.length };
}

function runTarget(unit: Unit, host: FileHost, textOf: (f: string) => string | undefined, out: Diagnostic[]): void {
  const dir = path.posix.dirname(unit.entries[0]);
  const push = (ds: readonly Diagnostic[]): void => {
    for (const d of ds) out.push(d);
  };
  switch (unit.target) {
    case 'preprocess': {
      const file = unit.entries[0];
      const r = preprocess(file, textOf(file) ?? '', { includePaths: [dir], host });
      push(r.diagnostics);
      // The source map answers for every output offset, inside a file it read.
      for (const o of [0, r.text.length >> 1, r.text.length]) {
        const p = r.map.positionAt(o);
        if (!(p.line >= 0 && p.col >= 0)) throw new Error(`source map: offset ${o} maps to ${JSON.stringify(p)}`);
      }
      return;
    }
    case 'dts': {
      const r = compileFiles(unit.entries, { includePaths: [dir], host });
      push(r.diagnostics);
      push(r.fixupDiagnostics);
      push(runChecks(r, defaultCheckConfig('dtc')));
      if (!r.diagnostics.some((d) => d.severity === 'error')) {
        const dtb = writeDtb(r.tree);
        writeDts(r.tree);
        const back = readFdt(dtb);
        if ('error' in back) throw new Error(`our own DTB does not read back: ${back.error}`);
      }
      return;
    }
    case 'system': {
      const file = unit.entries[0];
      push(parseSystem(file, textOf(file) ?? '').diagnostics);
      push(lintSystemFile(file, host));
      return;
    }
    case 'project': {
      const file = unit.entries[0];
      push(parseJson(file, textOf(file) ?? '').diagnostics);
      const project = loadProject(file, host);
      push(project.diagnostics);
      push(lintSystemFile(project.systemFile, host, { project: file }));
      return;
    }
  }
}

/** A case with other content (for shrinking). */
export function withContent(c: FuzzCase, content: string | Uint8Array): FuzzCase {
  return { ...c, content };
}

/** JSON-safe form of a case (bytes as base64), and back. */
export function serializeCase(c: FuzzCase): unknown {
  return { ...c, content: typeof c.content === 'string' ? c.content : { b64: Buffer.from(c.content).toString('base64') } };
}
export function deserializeCase(x: unknown): FuzzCase {
  const c = x as FuzzCase & { content: string | { b64: string } };
  return { ...c, content: typeof c.content === 'string' ? c.content : new Uint8Array(Buffer.from(c.content.b64, 'base64')) };
}

/** The (first line of the) failure, digits folded: shrinking keeps a candidate that fails the same way. */
export function failureSignature(f: Failure): string {
  if (f.kind === 'cpu' || f.kind === 'memory' || f.kind === 'hang' || f.kind === 'crash') return f.kind;
  const first = f.message
    .split('\n')[0]
    .replace(/\d+/g, 'N')
    .replace(/"[^"]*"/g, '"…"');
  return `${f.kind}:${f.kind === 'position' ? first.split(':')[0] : first}`;
}
