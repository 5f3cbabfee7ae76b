// CLI benchmark: whole processes, as a build, a CI step or a pre-commit hook runs the command. Each
// round runs every command once, interleaved with the baselines measured in the same run (Node's
// bare start `node -e 0`, the dtc process, a cpp + dtc loop over the same trees), so the ratios hold
// on a machine whose speed drifts. The CLI is built from the current sources into a temporary folder
// as `npm run build` builds it; its code cache lives there too and is warm after the first run,
// which is reported apart (`..._first_run_ms`).
import { spawnSync } from 'child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { vendorBoards } from '../test/fixtures/vendor-boards/generate';

const ROOT = path.resolve(__dirname, '..');
const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus', 'sel4devkit-dual');
const BOARDS = path.join(ROOT, 'test', 'fixtures', 'vendor-boards');
const ROUNDS = 10;

export const notes = [
  'Whole processes, each timed from spawn to exit by the bench process, median of ' +
    ROUNDS +
    ' rounds; every round runs each command once, interleaved with the baselines.',
  "`node_e0_ms`: `node -e 0`, Node's bare start. `help`: `dual-guest --help`. `compile_maaxboard`: `dual-guest compile maaxboard.dts maaxboard-overlay.dts -o x.dtb` (../shared/corpus/sel4devkit-dual); `dtc_maaxboard_ms`: the dtc process on the two files appended. `lint_one_dts`: `dual-guest lint` of the MaaXBoard base.",
  '`batch_...`: the ' +
    vendorBoards().length +
    ' generated vendor-style board trees of test/fixtures/vendor-boards (a SoC .dtsi, dt-bindings headers, pin-function macros): `dual-guest compile --batch LIST` and `dual-guest lint` of all of them, one process each, against the loop a build runs per tree: `cpp -nostdinc -I include -undef -x assembler-with-cpp` then `dtc -O dtb` (two processes per tree).',
  "The CLI is the built bundles (`npm run build`): the dispatcher, then one bundle per command read through V8's code cache (warm: written by an earlier run, as every run after a user's first). Cold: `compile_maaxboard_no_cache_ms` runs with the cache turned off (`DUAL_GUEST_CODE_CACHE=0`) in every round; `..._first_run_ms` is one run each with the cache still empty (it also writes the cache).",
  "`load_average_1m`, `load_average_5m`: the machine's load averages when the suite ended (2 cores; other work beside the bench inflates every process alike, but not evenly).",
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0 && !(cmd === process.execPath && args.includes('lint') && r.status === 1))
    throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return ms;
}

export function runCliBench(): Record<string, number> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'mkdg-cli-bench-'));
  // The CLI as the package ships it: bin + dist, built from the current sources.
  const pkg = path.join(work, 'pkg');
  mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  cpSync(path.join(ROOT, 'bin'), path.join(pkg, 'bin'), { recursive: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { cliBundles, stampContentHash } = require(path.join(ROOT, 'scripts', 'cli-bundles.mjs')) as {
    cliBundles: (out: string) => { in: string; out: string; define: Record<string, string> }[];
    stampContentHash: (file: string) => void;
  };
  for (const b of cliBundles(path.join(pkg, 'dist'))) {
    buildSync({
      entryPoints: [path.join(ROOT, b.in)],
      outfile: b.out,
      define: b.define,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      logLevel: 'error',
    });
    stampContentHash(b.out);
  }
  const bin = path.join(pkg, 'bin', 'dual-guest.js');
  const cacheDir = path.join(work, 'code-cache');
  const env = { ...process.env, DUAL_GUEST_CODE_CACHE: cacheDir };
  const noCache = { ...process.env, DUAL_GUEST_CODE_CACHE: '0' };
  const node = process.execPath;

  const base = path.join(CORPUS, 'maaxboard.dts');
  const overlay = path.join(CORPUS, 'maaxboard-overlay.dts');
  const joined = path.join(work, 'maaxboard-joined.dts');
  writeFileSync(joined, Buffer.concat([readFileSync(base), readFileSync(overlay)]));

  const boards = vendorBoards();
  const list = path.join(work, 'boards.txt');
  writeFileSync(list, boards.map((b) => `${path.join(work, 'ours', b)}.dtb: ${path.join(BOARDS, b)}`).join('\n') + '\n');
  mkdirSync(path.join(work, 'ours'));
  mkdirSync(path.join(work, 'ref'));
  const include = path.join(BOARDS, 'include');

  const commands: Record<string, () => number> = {
    node_e0_ms: () => run(node, ['-e', '0'], env, work),
    help_ms: () => run(node, [bin, '--help'], env, work),
    compile_maaxboard_ms: () => run(node, [bin, 'compile', base, overlay, '-o', path.join(work, 'maaxboard.dtb')], env, work),
    compile_maaxboard_no_cache_ms: () => run(node, [bin, 'compile', base, overlay, '-o', path.join(work, 'maaxboard.dtb')], noCache, work),
    dtc_maaxboard_ms: () => run('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', path.join(work, 'maaxboard-dtc.dtb'), joined], env, work),
    lint_one_dts_ms: () => run(node, [bin, 'lint', base], env, work),
    batch_compile_ms: () => run(node, [bin, 'compile', '-i', include, '--batch', list], env, BOARDS),
    batch_lint_ms: () => run(node, [bin, 'lint', '-i', include, ...boards], env, BOARDS),
    batch_cpp_dtc_loop_ms: () => {
      let ms = 0;
      for (const b of boards) {
        const pre = path.join(work, 'ref', `${b}.pp`);
        ms += run('cpp', ['-nostdinc', '-I', include, '-undef', '-x', 'assembler-with-cpp', path.join(BOARDS, b), '-o', pre], env, BOARDS);
        ms += run('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', path.join(work, 'ref', `${b}.dtb`), pre], env, BOARDS);
      }
      return ms;
    },
  };

  // First runs, with the code cache still empty.
  const first = {
    compile_maaxboard_first_run_ms: commands.compile_maaxboard_ms(),
    lint_one_dts_first_run_ms: commands.lint_one_dts_ms(),
    batch_compile_first_run_ms: commands.batch_compile_ms(),
  };
  for (const c of Object.values(commands)) c(); // every command once more: caches warm
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) for (const [k, c] of Object.entries(commands)) times[k].push(c());
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));

  // The outputs are the reference tools' bytes (else the timings compare different work).
  const sameDtb =
    boards.every((b) => readFileSync(path.join(work, 'ours', `${b}.dtb`)).equals(readFileSync(path.join(work, 'ref', `${b}.dtb`)))) &&
    readFileSync(path.join(work, 'maaxboard.dtb')).equals(readFileSync(path.join(work, 'maaxboard-dtc.dtb')));

  return {
    ...m,
    ...first,
    help_to_node_e0: m.help_ms / m.node_e0_ms,
    compile_maaxboard_to_node_e0: m.compile_maaxboard_ms / m.node_e0_ms,
    compile_maaxboard_no_cache_to_node_e0: m.compile_maaxboard_no_cache_ms / m.node_e0_ms,
    compile_maaxboard_to_dtc: m.compile_maaxboard_ms / m.dtc_maaxboard_ms,
    lint_one_dts_to_node_e0: m.lint_one_dts_ms / m.node_e0_ms,
    batch_trees: boards.length,
    batch_compile_to_cpp_dtc_loop: m.batch_compile_ms / m.batch_cpp_dtc_loop_ms,
    batch_lint_to_cpp_dtc_loop: m.batch_lint_ms / m.batch_cpp_dtc_loop_ms,
    dtbs_identical_to_reference: sameDtb ? 1 : 0,
    load_average_1m: os.loadavg()[0],
    load_average_5m: os.loadavg()[1],
  };
}

if (require.main === module) console.log(JSON.stringify(runCliBench(), null, 2));
