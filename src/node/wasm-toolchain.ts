// Builds a protection domain's C sources into a WebAssembly module with clang (--target=wasm32) and
// wasm-ld, for the emulator's real components (src/emulator/real). Builds are cached in a directory
// by a hash of their inputs: the compiler's version, the flags, and every source and header the
// compiler read (from its -MD dependency files); an entry whose recorded files changed is rebuilt.
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, renameSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { PdBuildSpec, WasmToolchain } from '../emulator/real/toolchain';
import { ToolchainMissingError, ToolchainBuildError } from '../emulator/real/toolchain';

/** Where the project's OS layer (microkit.h, os/sddf.h, sel4/sel4.h, string.h) and runtime C live. */
export function realComponentsDataDir(): string {
  // src/node -> src/emulator/real; in the bundle (dist/), the files are copied beside it.
  const candidates = [path.resolve(__dirname, '../emulator/real'), path.resolve(__dirname, 'real'), path.resolve(__dirname, '../src/emulator/real')];
  return candidates.find((d) => existsSync(path.join(d, 'include', 'microkit.h'))) ?? candidates[0];
}

interface Tools {
  clang: string;
  /** The linker and any leading arguments (ld.lld needs `-flavor wasm`). */
  ld: string[];
  version: string;
}

function probe(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return undefined;
  }
}

let toolsFound: Tools | ToolchainMissingError | undefined;

/** The compiler and linker on PATH; an error naming what to install when they are missing. */
export function findTools(): Tools | ToolchainMissingError {
  if (toolsFound) return toolsFound;
  const clang = ['clang', 'clang-14', 'clang-15', 'clang-16'].find((c) => probe(c, ['--version']) !== undefined);
  let ld: string[] | undefined;
  for (const c of [['wasm-ld'], ['wasm-ld-14'], ['ld.lld', '-flavor', 'wasm']]) {
    if (probe(c[0], [...c.slice(1), '--version']) !== undefined) {
      ld = c;
      break;
    }
  }
  if (!clang || !ld) {
    const missing = [!clang ? 'clang' : undefined, !ld ? 'wasm-ld' : undefined].filter(Boolean).join(' and ');
    toolsFound = new ToolchainMissingError(
      `real components need ${missing} to compile PD code for WebAssembly: install them (Debian/Ubuntu: apt-get install clang lld)`,
    );
    return toolsFound;
  }
  const version = `${probe(clang, ['--version'])?.split('\n')[0] ?? clang} / ${probe(ld[0], [...ld.slice(1), '--version'])?.split('\n')[0] ?? ld[0]}`;
  toolsFound = { clang, ld, version };
  return toolsFound;
}

const sha = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

interface CacheRecord {
  /** Every file the build read, with the hash of its bytes then. */
  files: { path: string; hash: string }[];
}

/** Parses a make-style dependency file (-MD) into the paths it lists. */
export function parseDepFile(text: string): string[] {
  const body = text.replace(/\\\r?\n/g, ' ');
  const colon = body.indexOf(': ');
  const rest = colon >= 0 ? body.slice(colon + 2) : body;
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '\\' && i + 1 < rest.length && rest[i + 1] === ' ') {
      cur += ' ';
      i++;
    } else if (/\s/.test(c)) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

export class NodeWasmToolchain implements WasmToolchain {
  /** Builds done and cache hits, for tests and the boot message. */
  readonly stats = { built: 0, cached: 0 };

  constructor(readonly cacheDir: string = defaultCacheDir()) {}

  available(): string | undefined {
    const t = findTools();
    return t instanceof ToolchainMissingError ? t.message : undefined;
  }

  build(spec: PdBuildSpec): Uint8Array {
    const tools = findTools();
    if (tools instanceof ToolchainMissingError) throw tools;
    const { cflags, runtime, ldflags } = buildFlags(spec, realComponentsDataDir());
    const generated = (spec.generated ?? []).map((g) => {
      // Kept at a path named by its text, so that its entry in a cache record stays true.
      const file = path.join(this.cacheDir, 'generated', `${sha(g.text).slice(0, 16)}-${g.name}`);
      if (!existsSync(file)) {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, g.text);
      }
      return file;
    });
    const sources = [...spec.sources, ...generated, ...runtime];
    const key = sha(JSON.stringify({ v: tools.version, cflags, ldflags, sources, contents: sources.map((s) => sha(readOrEmpty(s))) }));
    const wasmPath = path.join(this.cacheDir, `${key}.wasm`),
      recPath = path.join(this.cacheDir, `${key}.json`);
    const cached = this.fromCache(wasmPath, recPath);
    if (cached) return cached;
    const work = mkdtempSync(path.join(os.tmpdir(), 'dual-guest-wasm-'));
    try {
      const objects: string[] = [];
      const read = new Set<string>();
      sources.forEach((src, i) => {
        const obj = path.join(work, `${i}-${path.basename(src).replace(/\.[cs]$/, '')}.o`),
          dep = `${obj}.d`;
        // PD code gets preemption points (runtime/microkit.c); the runtime itself does not.
        const extra = !runtime.includes(src) ? ['-fsanitize-coverage=trace-pc-guard,no-prune'] : src.endsWith('libc.c') ? ['-fno-builtin'] : [];
        if (src.endsWith('.s')) {
          // Assembly (the guest images): no preprocessor, so no dependency list but the file itself.
          run(tools.clang, ['--target=wasm32', '-c', src, '-o', obj], `assembling ${src} for ${spec.name}`);
          read.add(path.resolve(src));
        } else {
          run(tools.clang, [...cflags, ...extra, '-MD', '-MF', dep, '-c', src, '-o', obj], `compiling ${src} for ${spec.name}`);
          for (const f of parseDepFile(readFileSync(dep, 'utf8'))) read.add(path.resolve(f));
        }
        objects.push(obj);
      });
      const out = path.join(work, 'pd.wasm');
      run(tools.ld[0], [...tools.ld.slice(1), ...ldflags, ...objects, '-o', out], `linking ${spec.name}`);
      const bytes = new Uint8Array(readFileSync(out));
      mkdirSync(this.cacheDir, { recursive: true });
      const rec: CacheRecord = { files: [...read].sort().map((p) => ({ path: p, hash: sha(readOrEmpty(p)) })) };
      // Written under temporary names and renamed, so that a concurrent reader never sees half a file.
      writeFileSync(`${wasmPath}.tmp${process.pid}`, bytes);
      renameSync(`${wasmPath}.tmp${process.pid}`, wasmPath);
      writeFileSync(`${recPath}.tmp${process.pid}`, JSON.stringify(rec));
      renameSync(`${recPath}.tmp${process.pid}`, recPath);
      this.stats.built++;
      return bytes;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** A build from the cache, if every file its record lists still has the content it was built from. */
  private fromCache(wasmPath: string, recPath: string): Uint8Array | undefined {
    if (!existsSync(wasmPath) || !existsSync(recPath)) return undefined;
    try {
      const rec = JSON.parse(readFileSync(recPath, 'utf8')) as CacheRecord;
      if (!rec.files.every((f) => sha(readOrEmpty(f.path)) === f.hash)) return undefined;
      this.stats.cached++;
      return new Uint8Array(readFileSync(wasmPath));
    } catch {
      return undefined; // a damaged record: rebuild
    }
  }
}

/** The compiler's and linker's flags for a PD, and the project's runtime files it links. */
function buildFlags(spec: PdBuildSpec, dataDir: string): { cflags: string[]; runtime: string[]; ldflags: string[] } {
  const cflags = [
    '--target=wasm32',
    '-nostdlib',
    '-ffreestanding',
    '-O2',
    '-g0',
    '-mbulk-memory',
    '-Wno-incompatible-library-redeclaration',
    ...spec.defines.map((d) => `-D${d}`),
    `-I${path.join(dataDir, 'include')}`,
    ...spec.includeDirs.map((d) => `-I${d}`),
    ...(spec.libvmm ? [`-I${path.join(dataDir, 'libvmm-absent')}`, '-Wno-format', '-include', 'os/lp64-printf.h'] : []),
  ];
  const runtime = ['microkit.c', 'libc.c', ...(spec.runtime ?? []), ...(spec.libvmm ? ['libvmm-absent.c', 'lp64-printf.c'] : [])].map((f) =>
    path.join(dataDir, 'runtime', f),
  );
  const ldflags = [
    '--no-entry',
    '--import-memory',
    `--global-base=${spec.globalBase}`,
    '-z',
    `stack-size=${spec.stackSize}`,
    '--export=__heap_base',
    '--export=__data_end',
    ...spec.exports.map((e) => `--export-if-defined=${e}`),
  ];
  return { cflags, runtime, ldflags };
}

function readOrEmpty(p: string): Uint8Array {
  try {
    return readFileSync(p);
  } catch {
    return new Uint8Array(0);
  }
}

function run(cmd: string, args: string[], what: string): void {
  try {
    execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new ToolchainBuildError(`${what} failed:\n${(err.stderr ?? err.message).trim()}`);
  }
}

/** The pinned sDDF copy a clone of this project finds beside it (../shared/upstream/sddf), if there. */
export function sharedUpstreamSddf(from = __dirname): string | undefined {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = path.resolve(dir, '../shared/upstream/sddf');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(candidate, 'include', 'sddf'))) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'microkit-dual-guest', 'wasm');
}
