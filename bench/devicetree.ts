// Devicetree benchmark: compile the real MaaXBoard tree (base + overlay, as the real build appends
// them) to DTB, warm and in-process, against the dtc process on the same input. dtc's figure is a
// whole process (start, read, compile, write), which is what a user's build pays for each tree.
// (Compile and checks after an edit in a 5,000-line tree are measured by the server suite.)
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compileFiles, writeDtb } from '../src/devicetree/compile';
import { checkConfigFromFlags, runChecks } from '../src/devicetree/checks';
import { NodeFileHost } from '../src/node/file-host';

const CORPUS = path.resolve(__dirname, '..', '..', 'shared', 'corpus', 'sel4devkit-dual');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeMs(fn: () => void, iterations: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

export function runDevicetreeBench(): Record<string, number> {
  const base = path.join(CORPUS, 'maaxboard.dts');
  const overlay = path.join(CORPUS, 'maaxboard-overlay.dts');
  if (!existsSync(base) || !existsSync(overlay)) throw new Error(`corpus missing at ${CORPUS}`);
  const host = new NodeFileHost();
  const config = checkConfigFromFlags([]).config;
  const compile = (): Uint8Array => {
    const r = compileFiles([base, overlay], { host });
    runChecks(r, config);
    return writeDtb(r.tree);
  };
  for (let i = 0; i < 20; i++) compile(); // warm the JIT
  const ours = timeMs(compile, 50);

  // dtc reads the two files appended, as the real build gives them to it.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dg-bench-'));
  const joined = path.join(dir, 'joined.dts');
  writeFileSync(joined, Buffer.concat([readFileSync(base), readFileSync(overlay)]));
  const out = path.join(dir, 'out.dtb');
  const runDtc = (): void => {
    execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', out, joined], { stdio: 'ignore' });
  };
  runDtc();
  const dtc = timeMs(runDtc, 30);
  const same = Buffer.compare(Buffer.from(compile()), readFileSync(out)) === 0;

  const lines = readFileSync(base, 'utf8').split('\n').length + readFileSync(overlay, 'utf8').split('\n').length;
  const oursMs = median(ours);
  const dtcMs = median(dtc);
  return {
    maaxboard_source_lines: lines,
    compile_warm_median_ms: oursMs,
    compile_warm_min_ms: Math.min(...ours),
    dtc_process_median_ms: dtcMs,
    speedup_vs_dtc_process: dtcMs / oursMs,
    dtb_identical_to_dtc: same ? 1 : 0,
  };
}
