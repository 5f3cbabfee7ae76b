// What the VSIX ships, as vsce computes it from .vscodeignore (no build, no network, no zip).
import * as assert from 'assert';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listPackagedFiles, PROJECT_ROOT } from '../../../scripts/package-vsix';

/** Files and folders that must never reach the VSIX, by project-relative prefix. */
const NEVER_SHIPPED_PREFIXES = [
  'src/', 'test/', 'node_modules/', '.cache/', 'out/', 'scripts/', 'bench/', 'test-results/', '.git/', '.ci/',
  'bin/', 'webview/src/',
];

function violations(files: readonly string[]): string[] {
  return files.filter((f) =>
    NEVER_SHIPPED_PREFIXES.some((p) => f.startsWith(p)) || f.endsWith('.map') || f.endsWith('.vsix') ||
    (f.endsWith('.ts') && !f.endsWith('.d.ts')) || f === 'package-lock.json' || f === 'tsconfig.json');
}

describe('packaging: VSIX contents', function () {
  this.timeout(20_000);

  describe('a project laid out like ours, with a file in every place', () => {
    let root: string;
    const shipped = [
      'LICENSE',
      'README.md',
      'dist/extension.js',
      'dist/server.js',
      'dist/webview/main.css',
      'dist/webview/main.js',
      'dist/worker.js',
      'examples/dual-guest/dual-guest.json',
      'examples/dual-guest/guest.dts',
      'examples/dual-guest/system.system',
      'language-configuration/devicetree.json',
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
      'dist/extension.js.map',
      'dist/microkit-dual-guest.vsix',
      'dist/webview/main.js.map',
      'eslint.config.mjs',
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
      assert.deepStrictEqual(notCaught, ['.mocharc.json', '.vscodeignore', 'ARCHITECTURE.md', 'eslint.config.mjs']);
    });
  });

  describe('the project as it is now', () => {
    let files: string[];
    let copy: string;
    before(async () => {
      // vsce tests each file against every pattern, recompiling them each time: on the real tree
      // the thousands of files of .git and .cache make that take seconds. The test above already
      // shows those folders are left out, so here vsce sees a copy of the project without them.
      copy = mkdtempSync(path.join(os.tmpdir(), 'mdg-vsix-tree-'));
      const heavy = new Set(['.git', 'node_modules', '.cache', 'test-results', 'out']);
      cpSync(PROJECT_ROOT, copy, {
        recursive: true,
        filter: (src) => !heavy.has(path.relative(PROJECT_ROOT, src).split(path.sep)[0]),
      });
      files = await listPackagedFiles(copy);
    });
    after(() => rmSync(copy, { recursive: true, force: true }));

    it('contains the manifest, README and LICENSE', () => {
      for (const f of ['package.json', 'README.md', 'LICENSE']) assert.ok(files.includes(f), `${f} missing from ${files.join(', ')}`);
    });

    it('contains every built bundle in dist/ except maps', () => {
      const dist = path.join(PROJECT_ROOT, 'dist');
      const built = existsSync(dist) ? listTree(dist).filter((f) => !f.endsWith('.map') && !f.endsWith('.vsix')) : [];
      for (const f of built) assert.ok(files.includes(`dist/${f}`), `dist/${f} is built but would not ship`);
      if (existsSync(path.join(dist, 'extension.js'))) assert.ok(files.includes('dist/extension.js'));
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
});

/** Every file under `dir`, relative and '/'-separated. */
function listTree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listTree(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]);
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
