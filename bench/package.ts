// The VSIX a user downloads: its size, its file count and the size of each bundle in it, from
// `npm run package`'s own code (a production build and vsce) run on a copy of the project.
import { rmSync, statSync } from 'fs';
import * as path from 'path';
import { copyProject, listPackagedFiles, packageVsix } from '../scripts/package-vsix';

export const notes = [
  'Built as `npm run package` builds it (esbuild, production: minified, no source maps), on a copy of the project; `vsix_KiB` is the file a user downloads (zip), `unpacked_KiB` what it holds.',
  '`*_js_KiB`: each bundle as shipped (the extension host side, the language server, the emulator worker, the queue inspector page).',
];

const KiB = 1024;

export async function runPackageBench(): Promise<Record<string, number>> {
  const copy = copyProject('mdg-bench-vsix-', true);
  const log = console.log;
  try {
    console.log = () => undefined; // vsce's file tree
    const vsix = await packageVsix(copy, path.join(copy, 'dist', 'microkit-dual-guest.vsix'));
    console.log = log;
    const files = await listPackagedFiles(copy);
    const size = (f: string): number => statSync(path.join(copy, f)).size;
    return {
      vsix_KiB: statSync(vsix).size / KiB,
      vsix_files: files.length,
      unpacked_KiB: files.reduce((sum, f) => sum + size(f), 0) / KiB,
      extension_js_KiB: size('dist/extension.js') / KiB,
      server_js_KiB: size('dist/server.js') / KiB,
      worker_js_KiB: size('dist/worker.js') / KiB,
      webview_js_KiB: size('dist/webview/main.js') / KiB,
    };
  } finally {
    console.log = log;
    rmSync(copy, { recursive: true, force: true });
  }
}
