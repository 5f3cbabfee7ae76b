// Differential test of the device-tree front end against the real dtc 1.6.1: every dtc test input
// dtc compiles must give a byte-identical DTB (and, as far as we get, identical canonical DTS);
// every input dtc rejects must give at least one error; the inputs dtc crashes or hangs on must not
// crash or hang us; the real systems' base + overlays must match dtc on their appended texts.
// Differences are allowed only when listed, with a reason, in dtc-exceptions.md.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import fc from 'fast-check';
import type { Diagnostic } from '../../src/common/diagnostics';
import { defaultCheckConfig, runChecks } from '../../src/devicetree/checks';
import { compileFiles, compileText, writeDtb, writeDts } from '../../src/devicetree/compile';
import { findNodeByPath, getProperty } from '../../src/devicetree/tree';
import { NodeFileHost } from '../../src/node/file-host';
import { corpusPath } from './corpus';
import { cpuMillis, withCpuMillis } from '../cpu-time';

const host = new NodeFileHost();
const DTC_TIMEOUT_MS = 10_000;

/** dtc 1.6.1 aborts, segfaults or loops on these (README of the corpus). */
const DTC_CRASHERS = [
  'bad-graph-reg-cells.dts',
  'bad-graph-root1.dts',
  'bad-graph-root2.dts',
  'bad-graph-root3.dts',
  'bad-graph-root4.dts',
  'phandle-args-overflow.dts',
];

/** The -i search paths dtc's run_tests.sh gives (without them dtc rejects these inputs). */
const SEARCH_PATH_RUNS: Record<string, string[]> = {
  'search_paths.dts': ['search_dir'],
  'search_paths_b.dts': ['search_dir_b', 'search_dir'],
};

interface Exceptions {
  dtb: Map<string, string>;
  rejects: Map<string, string>;
  dts: Map<string, string>;
}

/** Bullets "- `file.dts`: reason" under the headings "## DTB", "## Rejections" and "## DTS". */
function readExceptions(): Exceptions {
  const text = readFileSync(path.join(__dirname, 'dtc-exceptions.md'), 'utf8');
  const out: Exceptions = { dtb: new Map(), rejects: new Map(), dts: new Map() };
  let section: Map<string, string> | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) {
      const h = line.slice(3).toLowerCase();
      section = h.startsWith('dtb') ? out.dtb : h.startsWith('rejections') ? out.rejects : h.startsWith('dts') ? out.dts : undefined;
      continue;
    }
    const m = /^- `([^`]+)`: (.+)$/.exec(line);
    if (m && section) section.set(m[1], m[2]);
  }
  return out;
}

interface DtcRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

function runDtc(args: string[], cwd: string, timeout = DTC_TIMEOUT_MS): DtcRun {
  const r = spawnSync('dtc', args, { cwd, timeout, killSignal: 'SIGKILL', maxBuffer: 64 << 20 });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? Buffer.alloc(0), stderr: r.stderr?.toString() ?? '' };
}

function errorsOf(result: ReturnType<typeof compileFiles>): Diagnostic[] {
  const parse = result.diagnostics.filter((d) => d.severity === 'error');
  if (parse.length) return parse;
  return runChecks(result, defaultCheckConfig()).filter((d) => d.severity === 'error');
}

describe('dtc conformance: dtc-tests corpus', function () {
  this.timeout(180_000);
  const dir = corpusPath('dtc-tests');
  const inputs = readdirSync(dir)
    .filter((f) => f.endsWith('.dts'))
    .sort();
  const exceptions = readExceptions();

  it('has the corpus described in its README (152 inputs)', () => {
    assert.equal(inputs.length, 152);
  });

  it('DTB byte-identical to dtc for every input it compiles; at least one error for every input it rejects', () => {
    let compiled = 0,
      identical = 0,
      dtsIdentical = 0,
      rejected = 0,
      rejectsMatched = 0;
    const unexpected: string[] = [];
    for (const file of inputs) {
      if (DTC_CRASHERS.includes(file)) continue;
      const dtc = runDtc(['-I', 'dts', '-O', 'dtb', '-o', '-', file], dir);
      const ours = compileFiles([path.join(dir, file)], { host });
      if (dtc.status === 0) {
        compiled++;
        const same = Buffer.from(writeDtb(ours.tree)).equals(dtc.stdout);
        if (same) identical++;
        else if (!exceptions.dtb.has(file)) unexpected.push(`${file}: DTB differs from dtc's`);
        const dts = runDtc(['-I', 'dts', '-O', 'dts', '-o', '-', file], dir);
        if (writeDts(ours.tree) === dts.stdout.toString()) dtsIdentical++;
        else if (!exceptions.dts.has(file)) unexpected.push(`${file}: DTS text differs from dtc's`);
      } else {
        assert.ok(dtc.signal === null, `dtc was expected to exit normally on ${file}`);
        rejected++;
        if (errorsOf(ours).length > 0) rejectsMatched++;
        else if (!exceptions.rejects.has(file)) unexpected.push(`${file}: dtc rejects it, we report no error`);
      }
    }
    console.log(`      identical: ${identical}/${compiled}; rejects matched: ${rejectsMatched}/${rejected}; dts output identical: ${dtsIdentical}/${compiled}`);
    assert.deepEqual(unexpected, []);
    assert.equal(compiled + rejected, inputs.length - DTC_CRASHERS.length);
  });

  it('with -@ (__symbols__ and the phandles it forces): DTB identical for every input dtc compiles', () => {
    let compiled = 0,
      identical = 0;
    const differing: string[] = [];
    for (const file of inputs) {
      if (DTC_CRASHERS.includes(file)) continue;
      const dtc = runDtc(['-@', '-I', 'dts', '-O', 'dtb', '-o', '-', file], dir);
      if (dtc.status !== 0) continue;
      compiled++;
      const ours = compileFiles([path.join(dir, file)], { host, symbols: true });
      if (Buffer.from(writeDtb(ours.tree)).equals(dtc.stdout)) identical++;
      else if (!exceptions.dtb.has(file)) differing.push(file);
    }
    console.log(`      -@ identical: ${identical}/${compiled}`);
    assert.deepEqual(differing, []);
  });

  it("search-path inputs with the -i options of dtc's run_tests.sh: DTB identical", () => {
    for (const [file, dirs] of Object.entries(SEARCH_PATH_RUNS)) {
      const dtc = runDtc([...dirs.flatMap((d) => ['-i', d]), '-I', 'dts', '-O', 'dtb', '-o', '-', file], dir);
      assert.equal(dtc.status, 0, `dtc compiles ${file} with -i`);
      const ours = compileFiles([path.join(dir, file)], { host, includePaths: dirs.map((d) => path.join(dir, d)) });
      assert.deepEqual(ours.diagnostics, []);
      assert.ok(Buffer.from(writeDtb(ours.tree)).equals(dtc.stdout), `${file}: DTB differs`);
    }
  });

  it('no crash and no hang where dtc crashes or hangs', () => {
    for (const file of DTC_CRASHERS) {
      // dtc hangs on phandle-args-overflow: always bounded by a timeout, and killed.
      const dtc = runDtc(['-I', 'dts', '-O', 'dtb', '-o', '/dev/null', file], dir, 3000);
      assert.ok(dtc.signal !== null || (dtc.status !== 0 && dtc.status !== 2), `dtc was expected to crash or hang on ${file} (status ${dtc.status})`);
      const cpuMs = cpuMillis(() => {
        const ours = compileFiles([path.join(dir, file)], { host });
        runChecks(ours, defaultCheckConfig());
        writeDtb(ours.tree);
        writeDts(ours.tree);
      });
      assert.ok(cpuMs < 1000, `${file} took ${cpuMs} ms of CPU`);
    }
  });

  it('lists no exception for a file that now matches (the exceptions file stays honest)', () => {
    for (const file of exceptions.dtb.keys()) {
      const dtc = runDtc(['-I', 'dts', '-O', 'dtb', '-o', '-', file], dir);
      const ours = compileFiles([path.join(dir, file)], { host });
      assert.ok(!Buffer.from(writeDtb(ours.tree)).equals(dtc.stdout), `${file} is listed under DTB exceptions but now matches`);
    }
  });
});

/** Base + overlays of the real systems, compiled by dtc as their texts appended in order. */
const SYSTEMS: { name: string; files: string[] }[] = [
  { name: 'sel4devkit dual guest (MaaXBoard)', files: ['sel4devkit-dual/maaxboard.dts', 'sel4devkit-dual/maaxboard-overlay.dts'] },
  { name: 'libvmm simple (QEMU virt)', files: ['libvmm-simple-qemu/linux.dts', 'libvmm-simple-qemu/overlay.dts'] },
  {
    name: 'libvmm virtio client 1',
    files: [
      'libvmm-virtio-two-clients/client_vm_1/dts/linux.dts',
      'libvmm-virtio-two-clients/client_vm_1/dts/init.dts',
      'libvmm-virtio-two-clients/client_vm_1/dts/virtio.dts',
    ],
  },
  {
    // client_vm_2 ships only its overlays; both clients boot the same kernel on the same QEMU virt
    // board and their overlays are identical, so its base is client_vm_1's linux.dts.
    name: "libvmm virtio client 2 (on client 1's linux.dts)",
    files: [
      'libvmm-virtio-two-clients/client_vm_1/dts/linux.dts',
      'libvmm-virtio-two-clients/client_vm_2/dts/init.dts',
      'libvmm-virtio-two-clients/client_vm_2/dts/virtio.dts',
    ],
  },
];

describe('dtc conformance: real systems (base + overlays)', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'dtc-compile-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  for (const system of SYSTEMS) {
    it(`${system.name}: DTB and DTS identical to dtc on the appended texts`, () => {
      const files = system.files.map((f) => corpusPath(f));
      const appended = path.join(tmp, 'appended.dts');
      writeFileSync(appended, files.map((f) => readFileSync(f, 'utf8')).join(''));
      const dtb = runDtc(['-q', '-I', 'dts', '-O', 'dtb', '-o', '-', appended], tmp);
      assert.equal(dtb.status, 0, dtb.stderr);
      const ours = compileFiles(files, { host });
      assert.deepEqual(ours.diagnostics, []);
      assert.deepEqual(ours.fixupDiagnostics, []);
      assert.ok(Buffer.from(writeDtb(ours.tree)).equals(dtb.stdout), 'DTB differs');
      const dts = runDtc(['-q', '-I', 'dts', '-O', 'dts', '-o', '-', appended], tmp);
      assert.equal(writeDts(ours.tree), dts.stdout.toString());
      assert.equal(ours.documents.length, files.length);
      for (const [i, doc] of ours.documents.entries()) {
        assert.equal(doc.file, files[i]);
        assert.ok(doc.ast.items.length > 0, `${doc.file} has its own items`);
      }
    });
  }

  it('MaaXBoard: node and property positions follow the line markers, as dtc reports them', () => {
    const base = corpusPath('sel4devkit-dual/maaxboard.dts');
    const dtc = runDtc(['-I', 'dts', '-O', 'dtb', '-o', '/dev/null', base], tmp);
    const ours = compileFiles([base], { host });
    let compared = 0;
    // "file:L.C-...: Warning (check): /path[:prop]: message": dtc's srcpos of the node or property.
    for (const line of dtc.stderr.split('\n')) {
      const m = /^(.+?):(\d+)\.(\d+)-[\d.]+: Warning \([a-z_]+\): (\/[^:]*)(?::([^:]+))?: /.exec(line);
      if (!m) continue;
      const [, file, l, c, nodePath, propName] = m;
      const node = findNodeByPath(ours.tree, nodePath);
      assert.ok(node, `node ${nodePath}`);
      const range = propName ? getProperty(node, propName)?.range : node.range;
      assert.ok(range, `${nodePath}:${propName}`);
      // The preprocessor resolves marker names against the including file's folder.
      assert.deepEqual([range.file, range.start.line + 1, range.start.col + 1], [path.resolve(path.dirname(base), file), Number(l), Number(c)], line);
      compared++;
    }
    assert.ok(compared >= 10, `compared ${compared} positions`);
  });

  it('MaaXBoard + overlay: overlay definitions are positioned in the overlay file', () => {
    const files = SYSTEMS[0].files.map((f) => corpusPath(f));
    const ours = compileFiles(files, { host });
    const memory = findNodeByPath(ours.tree, '/memory@40000000');
    assert.ok(memory);
    const reg = getProperty(memory, 'reg');
    assert.ok(reg);
    const overlayText = readFileSync(files[1], 'utf8').split('\n');
    assert.equal(reg.range.file, files[1]);
    assert.ok(overlayText[reg.range.start.line].includes('reg = <0x00 0x40000000 0x00 0xf000000>'));
    assert.ok(memory.definitions.some((d) => d.file === files[1]));
  });
});

/** Mutate text: drop, duplicate or swap characters or whitespace-separated tokens. */
function mutate(text: string, ops: { kind: number; at: number; len: number }[]): string {
  let t = text;
  for (const op of ops) {
    if (t.length === 0) break;
    const at = op.at % t.length;
    const len = 1 + (op.len % 12);
    switch (op.kind) {
      case 0:
        t = t.slice(0, at) + t.slice(at + len);
        break; // drop chars
      case 1:
        t = t.slice(0, at) + t.slice(at, at + len) + t.slice(at);
        break; // duplicate chars
      case 2:
        t = t.slice(0, at) + t.slice(at + len, at + 2 * len) + t.slice(at, at + len) + t.slice(at + 2 * len);
        break; // swap
      case 3: {
        const tokens = t.split(/(\s+)/);
        const i = at % tokens.length;
        tokens.splice(i, 1);
        t = tokens.join('');
        break;
      }
      default: {
        const tokens = t.split(/(\s+)/);
        const i = at % tokens.length;
        tokens.splice(i, 0, tokens[(i + len) % tokens.length]);
        t = tokens.join('');
      }
    }
  }
  return t;
}

function lineLengths(text: string): number[] {
  return text.split('\n').map((l) => l.length);
}

describe('dtc conformance: mutated corpus files', function () {
  this.timeout(120_000);
  const samples = [
    'sel4devkit-dual/maaxboard.dts',
    'sel4devkit-dual/maaxboard-overlay.dts',
    'libvmm-simple-qemu/linux.dts',
    'libvmm-virtio-two-clients/client_vm_1/dts/linux.dts',
    'dtc-tests/test_tree1.dts',
    'dtc-tests/overlay_overlay.dts',
    'dtc-tests/sized_cells.dts',
    'dtc-tests/escapes.dts',
    'dtc-tests/references.dts',
    'dtc-tests/value-labels.dts',
    'dtc-tests/multilabel.dts',
    'dtc-tests/test_tree1_delete.dts',
  ];
  for (const sample of samples) {
    it(`${sample}: never throws, stays under a second, diagnostics lie inside the document`, () => {
      const file = corpusPath(sample);
      const original = readFileSync(file, 'utf8');
      fc.assert(
        fc.property(fc.array(fc.record({ kind: fc.nat(4), at: fc.nat(), len: fc.nat() }), { minLength: 1, maxLength: 6 }), (ops) => {
          const text = mutate(original, ops);
          const { result, cpuMs } = withCpuMillis(() => {
            const compiled = compileText(file, text, { host });
            runChecks(compiled, defaultCheckConfig());
            writeDtb(compiled.tree);
            return compiled;
          });
          if (cpuMs > 1000) return false;
          const lines = lineLengths(text);
          for (const d of [...result.diagnostics, ...result.fixupDiagnostics]) {
            if (!d.range) continue;
            const { start: s, end: e } = d.range;
            if (s.line < 0 || s.col < 0 || e.line < s.line || (e.line === s.line && e.col < s.col)) return false;
            if (d.range.file === file) {
              if (e.line >= lines.length || s.col > lines[s.line] || e.col > lines[e.line]) return false;
            }
          }
          return true;
        }),
        // The 62 KB MaaXBoard tree costs most per run: fewer runs keep the suite quick.
        { numRuns: original.length > 20_000 ? 12 : 40, seed: 20261127 },
      );
    });
  }
});
