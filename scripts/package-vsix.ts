// `npm run package`: builds dist/ for production and packs dist/microkit-dual-guest.vsix with vsce,
// never prompting. What goes into the VSIX is decided by .vscodeignore alone; the unit test
// test/unit/packaging/vsix.test.ts checks that list through listPackagedFiles below.
import { createVSIX, listFiles, PackageManager } from '@vscode/vsce';
import { spawnSync } from 'child_process';
import { existsSync, readFileSync, rmSync } from 'fs';
import * as path from 'path';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const VSIX_PATH = path.join(PROJECT_ROOT, 'dist', 'microkit-dual-guest.vsix');

/**
 * The options every vsce call shares. The extension is bundled by esbuild, so node_modules is never
 * shipped (dependencies: false also keeps vsce from running `npm list`).
 */
const SHARED_VSCE_OPTIONS = { dependencies: false } as const;

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

/** Builds for production and writes the VSIX to `out`; returns its path. */
export async function packageVsix(root: string = PROJECT_ROOT, out: string = VSIX_PATH): Promise<string> {
  buildProduction(root);
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main?: string };
  if (manifest.main && !existsSync(path.join(root, manifest.main))) {
    throw new Error(`The manifest's main entry ${manifest.main} was not built: does src/extension/main.ts exist?`);
  }
  await createVSIX({ ...SHARED_VSCE_OPTIONS, cwd: root, packagePath: out });
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
