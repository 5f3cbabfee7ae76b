// What the VSIX ships, as vsce computes it from .vscodeignore, held to an allow-list; and the
// package itself: built from a copy of the project, with no vsce warning, acceptable to Open VSX.
import * as assert from 'assert';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createVSIX } from '@vscode/vsce';
import { openVsxProblems, readVsix } from '../../../scripts/open-vsx';
import { collectVsceWarnings, copyProject, listPackagedFiles, packageVsix, PROJECT_ROOT } from '../../../scripts/package-vsix';

/** The files the VSIX ships: these, and every file in SHIPPED_FOLDERS. Nothing else. */
const SHIPPED_FILES = [
  'package.json',
  'README.md',
  'CHANGELOG.md',
  'LICENSE',
  'media/icon.png',
  'dist/extension.js',
  'dist/server.js',
  'dist/worker.js',
  'dist/webview/main.js',
  'dist/webview/system-view.js',
];
const SHIPPED_FOLDERS = ['syntaxes', 'language-configuration', 'schemas', 'webview/media', 'examples/dual-guest', 'media/walkthrough'];
/** What `npm run build` writes into dist/ (stubs stand in for it where the project is not built). */
// The CLI's bundles (scripts/cli-bundles.mjs) are the npm package's, not the extension's.
const CLI_OUTPUTS = ['dist/cli.js', 'dist/cli-compile.js', 'dist/cli-lint.js', 'dist/cli-boot.js', 'dist/cli-explain.js'];
const BUILD_OUTPUTS = ['dist/extension.js', 'dist/server.js', 'dist/worker.js', 'dist/webview/main.js', 'dist/webview/system-view.js', ...CLI_OUTPUTS];
/** Runs `fn` with console.log silenced: vsce prints its file tree and "DONE" there, not in the test report. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => undefined;
  try {
    return await fn();
  } finally {
    console.log = log;
  }
}

/** Files and folders that must never reach the VSIX, by project-relative prefix. */
const NEVER_SHIPPED_PREFIXES = [
  'src/',
  'test/',
  'node_modules/',
  '.cache/',
  'out/',
  'scripts/',
  'bench/',
  'test-results/',
  '.git/',
  '.ci/',
  'bin/',
  'webview/src/',
];

function violations(files: readonly string[]): string[] {
  return files.filter(
    (f) =>
      NEVER_SHIPPED_PREFIXES.some((p) => f.startsWith(p)) ||
      f.endsWith('.map') ||
      f.endsWith('.vsix') ||
      (f.endsWith('.ts') && !f.endsWith('.d.ts')) ||
      f === 'package-lock.json' ||
      f === 'tsconfig.json',
  );
}

describe('packaging: VSIX contents', function () {
  this.timeout(20_000);

  describe('a project laid out like ours, with a file in every place', () => {
    let root: string;
    const shipped = [
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'dist/extension.js',
      'dist/real/include/microkit.h',
      'dist/real/runtime/libc.c',
      'dist/server.js',
      'dist/webview/main.css',
      'dist/webview/main.js',
      'dist/worker.js',
      'examples/dual-guest/dual-guest.json',
      'examples/dual-guest/guest.dts',
      'examples/dual-guest/system.system',
      'language-configuration/devicetree.json',
      'media/icon.png',
      'media/walkthrough/boot.md',
      'package.json',
      'schemas/dual-guest.schema.json',
      'syntaxes/devicetree.tmLanguage.json',
      'webview/media/icon.svg',
    ];
    const leftOut = [
      '.cache/code-server/node_modules/code-server/out/node/entry.js',
      '.ci/run',
      '.git/HEAD',
      '.mocharc.json',
      '.vscodeignore',
      'ARCHITECTURE.md',
      'bench/.tmp/result.json',
      'bin/dual-guest.js',
      'dist/cli.js',
      'dist/extension.js.map',
      'dist/microkit-dual-guest.vsix',
      'dist/webview/main.js.map',
      'docs/images/booted.png',
      'eslint.config.mjs',
      'media/icon.svg',
      'node_modules/vscode-languageclient/lib/main.js',
      'out/src/cli/main.js',
      'package-lock.json',
      'scripts/build.mjs',
      'src/extension/main.ts',
      'test-results/e2e/smoke.png',
      'test/unit/packaging/vsix.test.ts',
      'tsconfig.json',
      'webview/src/main.ts',
    ];

    before(() => {
      root = mkdtempSync(path.join(os.tmpdir(), 'mdg-vsix-'));
      copyFileSync(path.join(PROJECT_ROOT, 'package.json'), path.join(root, 'package.json'));
      copyFileSync(path.join(PROJECT_ROOT, '.vscodeignore'), path.join(root, '.vscodeignore'));
      for (const f of [...shipped, ...leftOut]) {
        if (f === 'package.json' || f === '.vscodeignore') continue;
        mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
        writeFileSync(path.join(root, f), f.endsWith('.json') ? '{}\n' : `${f}\n`);
      }
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    it('ships exactly the runtime files', async () => {
      assert.deepStrictEqual(await listPackagedFiles(root), [...shipped].sort());
    });

    it('the never-shipped filter used below recognises every left-out source, build and cache file', () => {
      // Guards the real-tree test below: its filter must recognise what this layout leaves out.
      const notCaught = leftOut.filter((f) => violations([f]).length === 0);
      assert.deepStrictEqual(notCaught, [
        '.mocharc.json',
        '.vscodeignore',
        'ARCHITECTURE.md',
        'dist/cli.js',
        'docs/images/booted.png',
        'eslint.config.mjs',
        'media/icon.svg',
      ]);
    });
  });

  describe('the project as it is now', () => {
    let files: string[];
    let copy: string;
    before(async () => {
      // vsce tests each file against every pattern, recompiling them each time: on the real tree
      // the thousands of files of .git and .cache make that take seconds. The test above already
      // shows those folders are left out, so here vsce sees a copy of the project without them,
      // with stubs for the build's outputs and for what a build leaves beside them.
      copy = copyProject('mdg-vsix-tree-');
      for (const f of [...BUILD_OUTPUTS, ...BUILD_OUTPUTS.map((b) => `${b}.map`), 'dist/microkit-dual-guest.vsix']) {
        mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
        writeFileSync(path.join(copy, f), `${f}\n`);
      }
      files = await listPackagedFiles(copy);
    });
    after(() => rmSync(copy, { recursive: true, force: true }));

    it('ships exactly the allow-list: the named files and every file of the shipped folders', () => {
      // The OS layer for real components (scripts/build.mjs copies it to dist/real) ships when built.
      const folders = existsSync(path.join(copy, 'dist', 'real')) ? [...SHIPPED_FOLDERS, 'dist/real'] : SHIPPED_FOLDERS;
      const expected = [...SHIPPED_FILES, ...folders.flatMap((d) => listTree(path.join(copy, d)).map((f) => `${d}/${f}`))];
      assert.deepStrictEqual(files, expected.sort());
    });

    it('contains the manifest, README and LICENSE', () => {
      for (const f of ['package.json', 'README.md', 'LICENSE']) assert.ok(files.includes(f), `${f} missing from ${files.join(', ')}`);
    });

    it("stands in for every bundle the build writes (scripts/build.mjs), and ships all but the CLI's", () => {
      const outs = (script: string, outDir: string) =>
        [...readFileSync(path.join(PROJECT_ROOT, 'scripts', script), 'utf8').matchAll(/out: [`']([^`']+)[`']/g)].map((m) => m[1].replace('${outDir}', outDir));
      const built = [...outs('build.mjs', 'dist'), ...outs('cli-bundles.mjs', 'dist')];
      assert.deepStrictEqual([...built].sort(), [...BUILD_OUTPUTS].sort());
      assert.deepStrictEqual(built.filter((f) => !files.includes(f)).sort(), [...CLI_OUTPUTS].sort());
    });

    it('contains every grammar, language configuration and schema the manifest can point to', () => {
      for (const folder of ['syntaxes', 'language-configuration', 'schemas']) {
        const dir = path.join(PROJECT_ROOT, folder);
        if (!existsSync(dir)) continue;
        for (const f of listTree(dir)) assert.ok(files.includes(`${folder}/${f}`), `${folder}/${f} would not ship`);
      }
    });

    it('contains every file the manifest names', () => {
      const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
      for (const ref of manifestFileReferences(manifest)) {
        if (!existsSync(path.join(PROJECT_ROOT, ref))) continue; // not built yet: the build's concern
        assert.ok(files.includes(ref), `the manifest names ${ref}, which would not ship`);
      }
    });

    it('contains the emulator worker bundle when built, the bundled example and the walkthrough pages', () => {
      if (existsSync(path.join(PROJECT_ROOT, 'dist', 'worker.js'))) assert.ok(files.includes('dist/worker.js'), 'dist/worker.js would not ship');
      // "Boot dual guests" offers the example when the workspace has no project: it must be in the VSIX.
      for (const f of listTree(path.join(PROJECT_ROOT, 'examples', 'dual-guest'))) {
        assert.ok(files.includes(`examples/dual-guest/${f}`), `examples/dual-guest/${f} would not ship`);
      }
      const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
        contributes?: { walkthroughs?: { steps: { media: { markdown?: string; image?: string } }[] }[] };
      };
      const pages = (manifest.contributes?.walkthroughs ?? []).flatMap((w) => w.steps.map((s) => s.media.markdown ?? s.media.image ?? ''));
      assert.ok(pages.length > 0, 'no walkthrough');
      for (const page of pages) {
        assert.ok(existsSync(path.join(PROJECT_ROOT, page)), `walkthrough page ${page} does not exist`);
        assert.ok(files.includes(page), `walkthrough page ${page} would not ship`);
      }
    });

    it('contains no sources, tests, dependencies, caches, maps or build outputs', () => {
      assert.deepStrictEqual(violations(files), []);
    });
  });

  describe("vsce's warnings", () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(path.join(os.tmpdir(), 'mdg-vsix-warn-'));
      for (const f of ['package.json', 'README.md', 'LICENSE', '.vscodeignore']) copyFileSync(path.join(PROJECT_ROOT, f), path.join(root, f));
      mkdirSync(path.join(root, 'dist'));
      writeFileSync(path.join(root, 'dist', 'extension.js'), '');
      mkdirSync(path.join(root, 'media'));
      copyFileSync(path.join(PROJECT_ROOT, 'media', 'icon.png'), path.join(root, 'media', 'icon.png'));
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    function editManifest(edit: (m: Record<string, unknown>) => void): void {
      const m = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
      edit(m);
      writeFileSync(path.join(root, 'package.json'), JSON.stringify(m));
    }
    const pack = () => quietly(() => collectVsceWarnings(() => createVSIX({ cwd: root, dependencies: false, packagePath: path.join(root, 'out.vsix') })));

    it('are collected rather than printed (a manifest vsce warns about)', async () => {
      editManifest((m) => (m.extensionKind = 'workspace'));
      const { error, warnings } = await pack();
      assert.strictEqual(error, undefined);
      assert.strictEqual(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0], /'extensionKind' property should be of type 'string\[\]'/);
    });

    it('and its questions are answered "no" at once, never waiting for a keyboard', async () => {
      editManifest((m) => delete m.repository);
      // Without a repository vsce cannot link the README's pictures, an error before its question.
      writeFileSync(path.join(root, 'README.md'), '# A README without pictures\n');
      const { error, warnings } = await pack();
      assert.match(String(error), /Aborted/);
      assert.match(warnings.join('\n'), /'repository' field is missing[\s\S]*\(asked\) Do you want to continue/);
    });

    it('are none for this manifest', async () => {
      const { error, warnings } = await pack();
      assert.deepStrictEqual([error, warnings], [undefined, []]);
    });
  });

  describe('npm run package, on a copy of the project', function () {
    // A production build of five bundles and a zip: a few seconds of CPU, more on a loaded machine.
    this.timeout(240_000);
    let copy: string;
    let vsix: string;
    before(async () => {
      copy = copyProject('mdg-vsix-build-', true);
      vsix = await quietly(() => packageVsix(copy, path.join(copy, 'dist', 'microkit-dual-guest.vsix')));
    });
    after(() => rmSync(copy, { recursive: true, force: true }));

    it('builds a VSIX with no vsce warning, holding the allow-listed files and nothing else', async () => {
      const { files } = await readVsix(vsix);
      // vsce adds its two metadata files and renames README, CHANGELOG and LICENSE.
      const renamed: Record<string, string> = { 'README.md': 'readme.md', 'CHANGELOG.md': 'changelog.md', LICENSE: 'LICENSE.txt' };
      const expected = (await listPackagedFiles(copy)).map((f) => `extension/${renamed[f] ?? f}`.toLowerCase());
      assert.deepStrictEqual(files.sort(), ['[content_types].xml', 'extension.vsixmanifest', ...expected].sort());
      assert.ok(statSync(vsix).size < 2 * 1024 * 1024, `the VSIX is ${statSync(vsix).size} bytes`);
    });

    it('is acceptable to Open VSX', async () => {
      const { manifest, files } = await readVsix(vsix);
      assert.deepStrictEqual(openVsxProblems(manifest, files), []);
    });
  });
});

/** Every file under `dir`, relative and '/'-separated. */
function listTree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listTree(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

/**
 * The files the manifest refers to that the extension needs at run time: its entry point and the
 * `path`/`configuration` fields under `contributes` (grammars, languages, snippets, schemas...).
 */
function manifestFileReferences(manifest: Record<string, unknown>): string[] {
  const refs: string[] = [];
  if (typeof manifest.main === 'string') refs.push(manifest.main);
  const walk = (value: unknown, key: string): void => {
    if (typeof value === 'string') {
      if ((key === 'path' || key === 'configuration' || key === 'url') && value.startsWith('./')) refs.push(value);
    } else if (Array.isArray(value)) {
      value.forEach((v) => walk(v, key));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  walk(manifest.contributes, '');
  return refs.map((r) => path.posix.normalize(r));
}
