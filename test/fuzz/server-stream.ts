// The language server's edit stream under the fuzzer: the real server (bundled, over stdio) gets a
// seeded stream of edits made by the mutator on open documents of the example project; after each
// edit it must settle within a CPU budget, publish diagnostics inside the edited documents, log no
// failure, and at the end still publish fresh diagnostics for a file it was not being fed.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TestClient } from '../unit/server/client';
import { mutateOnce, Rng, type Kind, type MutationScale } from './mutator';
import { MARKER_RE, PROJECT_ROOT, rangeProblem, type Failure } from './targets';
import { processUsage, watch } from './watchdog';

export interface StreamOptions {
  seed: number;
  edits: number;
  scale: MutationScale;
  /** CPU milliseconds the server may spend on one edit before it counts as hung. */
  killCpuMs: number;
  killRssMB: number;
  /** Reset a document to its seed when it grows past this many characters. */
  maxChars: number;
}

export interface StreamResult {
  edits: number;
  failures: (Failure & { edit: number; file: string; text: string })[];
  serverCpuMs: number;
}

/** LSP positions (lines end at CRLF, CR or LF). */
function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0,
    start = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      start = i + 1;
    } else if (c === 13) {
      line++;
      start = i + 2;
      i++;
    }
  }
  return { line, character: offset - start };
}

/** The one range replacement turning `a` into `b` (common prefix and suffix kept), never splitting a CRLF. */
export function diffChange(
  a: string,
  b: string,
): { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string } {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  if (p > 0 && a[p - 1] === '\r') p--;
  if (s > 0 && a[a.length - s] === '\n' && a[a.length - s - 1] === '\r') s--;
  return { range: { start: positionAt(a, p), end: positionAt(a, a.length - s) }, text: b.slice(p, b.length - s) };
}

export async function runServerStream(o: StreamOptions): Promise<StreamResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mkdg-fuzz-'));
  const example = path.join(PROJECT_ROOT, 'examples', 'dual-guest');
  for (const f of fs.readdirSync(example)) fs.copyFileSync(path.join(example, f), path.join(dir, f));
  const docs = ['board.dts', 'guest-1.dts', 'guest-2.dts', 'dual-guest.system'].map((f) => path.join(dir, f));
  const seeds = new Map(docs.map((f) => [f, fs.readFileSync(f, 'utf8')]));
  const texts = new Map(seeds);
  const donors: Record<Kind, string[]> = { dts: docs.filter((f) => f.endsWith('.dts')).map((f) => seeds.get(f)!), system: [seeds.get(docs[3])!], json: [] };
  const client = await TestClient.start();
  const pid = client.pid()!;
  const cpu0 = processUsage(pid)?.cpuMs ?? 0;
  const failures: StreamResult['failures'] = [];
  const rng = new Rng(o.seed, 0x5e7e);
  let edits = 0;
  const settle = async (p: Promise<void>, edit: number, file: string): Promise<boolean> => {
    const w = watch(pid, { cpuMs: o.killCpuMs, rssMB: o.killRssMB });
    const r = await Promise.race([p.then(() => undefined), w.exceeded]);
    w.stop();
    if (r) failures.push({ ...r, edit, file, text: texts.get(file) ?? '' });
    return !r;
  };
  try {
    for (const f of docs) if (!(await settle(client.open(f, texts.get(f)!), 0, f))) return { edits, failures, serverCpuMs: 0 };
    const errorsBefore = client.loggedErrors().length;
    for (let i = 1; i <= o.edits; i++) {
      const file = rng.pick(docs);
      const old = texts.get(file)!;
      const kind: Kind = file.endsWith('.system') ? 'system' : 'dts';
      let next = mutateOnce(rng, old, { kind, self: path.basename(file), donors: donors[kind], scale: o.scale });
      if (next.length > o.maxChars || rng.chance(0.02)) next = seeds.get(file)!;
      texts.set(file, next);
      edits++;
      if (!(await settle(client.change(file, [diffChange(old, next)]), i, file))) break;
      const markers = docs.some((f) => MARKER_RE.test(texts.get(f)!));
      for (const f of docs) {
        for (const d of client.diagnostics(f)) {
          // Line markers (`# 3498 "guest-2.dts"`) move positions to presumed lines, as in dtc: not checked.
          const problem = markers
            ? undefined
            : rangeProblem(
                { file: f, start: { line: d.range.start.line, col: d.range.start.character }, end: { line: d.range.end.line, col: d.range.end.character } },
                (x) => texts.get(x),
              );
          if (problem || /internal error/.test(d.message))
            failures.push({
              kind: problem ? 'position' : 'internal',
              message: `${problem ?? ''} "${d.message}" at ${JSON.stringify(d.range)}`,
              edit: i,
              file: f,
              text: texts.get(f)!,
            });
        }
      }
      const logged = client.loggedErrors();
      if (logged.length > errorsBefore)
        failures.push({ kind: 'throw', message: logged.slice(errorsBefore).join('\n').slice(0, 2000), edit: i, file, text: next });
      if (failures.length) break;
    }
    // The server still publishes fresh diagnostics for a file it was not fed: a new error, then its fix.
    if (failures.length === 0) {
      const witness = path.join(dir, 'witness.dts');
      await settle(client.open(witness, '/dts-v1/;\n/ { p = <&nowhere>; };\n'), o.edits + 1, witness);
      const before = client.diagnostics(witness).length;
      await settle(client.change(witness, '/dts-v1/;\n/ { p = <1>; };\n'), o.edits + 2, witness);
      const after = client.diagnostics(witness).length;
      if (!(before > 0 && after === 0))
        failures.push({
          kind: 'throw',
          message: `the server stopped publishing fresh diagnostics (witness: ${before} then ${after})`,
          edit: o.edits + 2,
          file: witness,
          text: '',
        });
    }
    return { edits, failures, serverCpuMs: (processUsage(pid)?.cpuMs ?? 0) - cpu0 };
  } finally {
    await Promise.race([client.stop(), new Promise((r) => setTimeout(r, 5000).unref())]);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
