// Bundles every entry point with esbuild. Entries whose source does not exist yet are skipped, so the
// build stays usable while the project grows.
import { build } from 'esbuild';
import { cpSync, existsSync } from 'node:fs';
import { cliBundles, stampContentHash } from './cli-bundles.mjs';

const production = process.argv.includes('--production');
const cli = cliBundles('dist');
const entries = [
  ...cli,
  { in: 'src/extension/main.ts', out: 'dist/extension.js', platform: 'node' },
  { in: 'src/server/main.ts', out: 'dist/server.js', platform: 'node' },
  { in: 'src/extension/worker.ts', out: 'dist/worker.js', platform: 'node' },
  { in: 'webview/src/main.ts', out: 'dist/webview/main.js', platform: 'browser' },
  { in: 'webview/src/system-view/main.ts', out: 'dist/webview/system-view.js', platform: 'browser' },
];

for (const e of entries) {
  if (!existsSync(e.in)) continue;
  await build({
    entryPoints: [e.in],
    outfile: e.out,
    bundle: true,
    platform: e.platform,
    format: e.platform === 'browser' ? 'iife' : 'cjs',
    target: e.platform === 'browser' ? 'es2022' : 'node20',
    external: ['vscode'],
    define: e.define,
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  });
  if (cli.includes(e)) stampContentHash(e.out);
}

// The real components' OS layer and runtime C are data the bundled CLI and worker compile with
// (src/node/wasm-toolchain.ts looks for them in dist/real).
cpSync('src/emulator/real/include', 'dist/real/include', { recursive: true });
cpSync('src/emulator/real/runtime', 'dist/real/runtime', { recursive: true });
cpSync('src/emulator/real/libvmm-absent', 'dist/real/libvmm-absent', { recursive: true });
