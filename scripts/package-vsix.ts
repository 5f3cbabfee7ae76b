// `npm run package`: builds dist/ for production and packs dist/microkit-dual-guest.vsix with vsce,
// never prompting, and fails on any vsce warning. What goes into the VSIX is decided by .vscodeignore
// alone; test/unit/packaging/vsix.test.ts holds that list to an allow-list through listPackagedFiles
// below, and packages the project to check that vsce warns of nothing.
import { createVSIX, listFiles, PackageManager } from '@vscode/vsce';
import { spawnSync } from 'child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'fs';
import * as os from 'os';
import * as path from 'path';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const VSIX_PATH = path.join(PROJECT_ROOT, 'dist', 'microkit-dual-guest.vsix');

/**
 * The options every vsce call shares. The extension is bundled by esbuild, so node_modules is never
 * shipped (dependencies: false also keeps vsce from running `npm list`).
 */
const SHARED_VSCE_OPTIONS = { dependencies: false } as const;

/** Folders left out of the copies: large (.git, .cache, node_modules) or generated, and none of them shipped. */
const HEAVY = new Set(['.git', 'node_modules', '.cache', 'test-results', 'out', 'dist', 'bench']);

/**
 * A copy of the project in a new temporary folder, without HEAVY folders, for packaging without
 * touching the project's own dist/; node_modules linked back when `withModules` (the build needs it).
 */
export function copyProject(prefix: string, withModules = false): string {
  const copy = mkdtempSync(path.join(os.tmpdir(), prefix));
  cpSync(PROJECT_ROOT, copy, {
    recursive: true,
    filter: (src) => !HEAVY.has(path.relative(PROJECT_ROOT, src).split(path.sep)[0]),
  });
  if (withModules) symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  return copy;
}

/** The project-relative paths, '/'-separated, that the VSIX of the project at `root` would contain. */
export async function listPackagedFiles(root: string = PROJECT_ROOT): Promise<string[]> {
  const files = await listFiles({ cwd: root, packageManager: PackageManager.None });
  return files.sort();
}

/** Rebuilds dist/ from scratch for production (no source maps, minified). Throws when esbuild fails. */
export function buildProduction(root: string = PROJECT_ROOT): void {
  // Everything in dist/ is generated; stale maps or an old VSIX from a dev build must not ship.
  rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--production'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`node scripts/build.mjs --production failed (exit ${build.status ?? build.signal})`);
}

/** vsce's logger and prompt (its util module), which createVSIX calls for warnings and questions. */
interface VsceUtil {
  log: { warn: (message: string, ...rest: unknown[]) => void };
  read: (question: string) => Promise<string>;
}

/**
 * Runs `pack` with vsce's warnings collected instead of printed and its questions ("Do you want to
 * continue?") answered "no" at once and collected too: a warning must fail the packaging, never wait
 * for a keyboard. Returns what `pack` returned and every warning and question, in order.
 */
export async function collectVsceWarnings<T>(pack: () => Promise<T>): Promise<{ result?: T; error?: unknown; warnings: string[] }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const util = require('@vscode/vsce/out/util') as VsceUtil;
  const saved = { warn: util.log.warn, read: util.read };
  const warnings: string[] = [];
  util.log.warn = (message) => void warnings.push(String(message));
  util.read = (question) => {
    warnings.push(`(asked) ${question}`);
    return Promise.resolve('n');
  };
  try {
    return { result: await pack(), warnings };
  } catch (error) {
    return { error, warnings };
  } finally {
    util.log.warn = saved.warn;
    util.read = saved.read;
  }
}

/** Builds for production and writes the VSIX to `out`; returns its path. Throws when vsce warns. */
export async function packageVsix(root: string = PROJECT_ROOT, out: string = VSIX_PATH): Promise<string> {
  buildProduction(root);
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main?: string };
  if (manifest.main && !existsSync(path.join(root, manifest.main))) {
    throw new Error(`The manifest's main entry ${manifest.main} was not built: does src/extension/main.ts exist?`);
  }
  const { error, warnings } = await collectVsceWarnings(() => createVSIX({ ...SHARED_VSCE_OPTIONS, cwd: root, packagePath: out }));
  if (warnings.length > 0) throw new Error(`vsce warned:\n${warnings.join('\n')}`);
  if (error) throw error;
  return out;
}

if (require.main === module) {
  packageVsix().then(
    (out) => console.log(`VSIX written: ${path.relative(process.cwd(), out)}`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
