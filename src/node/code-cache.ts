// Loads a CommonJS bundle through V8's code cache: the bytecode of every function the previous run
// compiled is read back instead of parsing and compiling the bundle again. Node 20 has no
// `module.enableCompileCache` (22.1), so this is the same idea by hand: `vm.Script` with `cachedData`,
// and `createCachedData()` when the process ends, so the cache holds the functions the run used, not
// only the top level.
//
// The cache lives in the user's own cache directory (XDG_CACHE_HOME, else ~/.cache), never a shared
// temporary directory: cached bytecode is code, and V8 checks only the source's length against it.
// Its file name carries the bundle's name, the content hash the build stamps on it
// (scripts/cli-bundles.mjs), its size and modification time (a bundle edited after the build), and
// Node's version and architecture; V8 itself checks only the source's length, and rejects data from
// another V8 or other flags, after which the file is rewritten. A bundle without the stamp is not
// cached. DUAL_GUEST_CODE_CACHE=0 turns it off; DUAL_GUEST_CODE_CACHE=<dir> puts it elsewhere. Any
// failure (no home, a read-only disk, a damaged file) only means no cache: the bundle loads as plain
// `require` would.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'fs';
import Module, { createRequire } from 'module';
import { homedir } from 'os';
import { basename, dirname, join } from 'path';
import { Script } from 'vm';

/** Where cache files go, or undefined when caching is off or there is no place for it. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const setting = env.DUAL_GUEST_CODE_CACHE;
  if (setting === '0' || setting === 'off') return undefined;
  if (setting) return setting;
  const base = env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : '');
  return base ? join(base, 'dual-guest', 'code-cache') : undefined;
}

/** The content hash stamped as the last line of a built bundle, or undefined when it has none. */
export function stampedContentHash(source: string): string | undefined {
  return /\/\/# dualGuestContentHash=([0-9a-f]{16,64})\s*$/.exec(source.slice(-120))?.[1];
}

/** The cache file of one bundle as it is now on disk. */
function cacheFileFor(dir: string, file: string, hash: string, size: number, mtimeMs: number): string {
  return join(dir, `${basename(file)}-${hash}-${size}-${Math.trunc(mtimeMs)}-${process.version}-${process.arch}.bin`);
}

/** Loaded bundles by path: a second request returns the same exports, as `require` does. */
const loaded = new Map<string, unknown>();

/** `require(file)` of a CommonJS bundle, through the code cache when there is one. */
export function requireWithCodeCache(file: string, dir = codeCacheDir()): unknown {
  const done = loaded.get(file);
  if (done !== undefined) return done;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (dir === undefined) return require(file);
  const source = readFileSync(file, 'utf8');
  const hash = stampedContentHash(source);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (hash === undefined) return require(file);
  const stat = statSync(file);
  const cacheFile = cacheFileFor(dir, file, hash, stat.size, stat.mtimeMs);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  const module = { exports: {} as unknown, filename: file, id: file, loaded: false };
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  module.loaded = true;
  loaded.set(file, module.exports);
  if (cachedData === undefined || script.cachedDataRejected) {
    // At exit the cache also holds the functions this run compiled lazily (most of a command's code).
    process.once('exit', () => writeCache(dir, cacheFile, `${basename(file)}-`, script));
  }
  return module.exports;
}

function writeCache(dir: string, cacheFile: string, prefix: string, script: Script): void {
  // Written beside and renamed: a concurrent run reads the old file or the new one, never half of one.
  const partial = `${cacheFile}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
    renameSync(partial, cacheFile);
    // Caches of this bundle's earlier builds or other Node versions are of no further use.
    for (const name of readdirSync(dir)) {
      if (name.startsWith(prefix) && name !== basename(cacheFile) && !name.endsWith('.tmp')) rmSync(join(dir, name), { force: true });
    }
  } catch {
    // No cache this time; the next run tries again. A partial file (a full disk) goes.
    try {
      rmSync(partial, { force: true });
    } catch {
      // There was no folder to write it in.
    }
  }
}
