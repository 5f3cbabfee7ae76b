// The CLI's bundles: the dispatcher (dist/cli.js, which the bin loads) and one bundle per command,
// which the dispatcher loads only when that command runs (src/cli/main.ts). The build and the test
// that installs the package (test/unit/cli/bin.test.ts) both build them from this list.
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
