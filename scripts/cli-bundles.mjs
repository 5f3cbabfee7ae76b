// The CLI's bundles: the dispatcher (dist/cli.js, which the bin loads) and one bundle per command,
// which the dispatcher loads only when that command runs (src/cli/main.ts). The build, the bench and
// the test that installs the package (test/unit/cli/bin.test.ts) all build them from this list and
// stamp each with its content hash.
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';

export function cliBundles(outDir) {
  const define = { DUAL_GUEST_CLI_BUNDLE: 'true' };
  return [
    { in: 'src/cli/main.ts', out: `${outDir}/cli.js`, platform: 'node', define },
    { in: 'src/cli/compile.ts', out: `${outDir}/cli-compile.js`, platform: 'node', define },
    { in: 'src/cli/lint.ts', out: `${outDir}/cli-lint.js`, platform: 'node', define },
    { in: 'src/cli/boot.ts', out: `${outDir}/cli-boot.js`, platform: 'node', define },
    { in: 'src/cli/explain.ts', out: `${outDir}/cli-explain.js`, platform: 'node', define },
  ];
}

/**
 * Appends the hash of a built bundle's content as its last line. The code cache is keyed by it
 * (src/node/code-cache.ts): V8 checks only a source's length against cached bytecode, and npm gives
 * every installed file the same modification time, so neither tells two builds apart.
 */
export function stampContentHash(file) {
  const hash = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 32);
  appendFileSync(file, `\n//# dualGuestContentHash=${hash}\n`);
}
