// The installed command, run the way a user runs it: the package (its package.json, its `bin` file and
// the CLI bundles built from the current sources, as `npm run build` makes them) is installed into
// a throwaway project with npm, and `npx dual-guest ...` runs as a separate process. In-process tests
// call runLint/runBoot directly and cannot see how the process is started (the bin once did nothing).
import { strict as assert } from 'assert';
import { spawnSync, type SpawnSyncReturns } from 'child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('cli/bin: the installed dual-guest command', function () {
  this.timeout(60_000);
  let work: string;
  let user: string;

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'mkdg-bin-'));
    const pkg = path.join(work, 'package');
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    mkdirSync(path.join(pkg, 'dist'), { recursive: true });
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ ...manifest, scripts: {} }));
    for (const file of Object.values(manifest.bin)) cpSync(path.join(ROOT, file), path.join(pkg, file));
    // The example the boot command runs when given no project.
    cpSync(path.join(ROOT, 'examples'), path.join(pkg, 'examples'), { recursive: true });
    // The CLI's bundles as `npm run build` makes them: the dispatcher and one bundle per command.
    const { cliBundles, stampContentHash } = (await import(path.join(ROOT, 'scripts/cli-bundles.mjs'))) as {
      cliBundles: (out: string) => { in: string; out: string; define: Record<string, string> }[];
      stampContentHash: (file: string) => void;
    };
    for (const b of cliBundles(path.join(pkg, 'dist'))) {
      buildSync({
        entryPoints: [path.join(ROOT, b.in)],
        outfile: b.out,
        define: b.define,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        logLevel: 'error',
      });
      stampContentHash(b.out);
    }

    user = path.join(work, 'user');
    mkdirSync(user);
    writeFileSync(path.join(user, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', private: true }));
    const install = spawnSync('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', pkg], { cwd: user, encoding: 'utf8' });
    assert.equal(install.status, 0, `npm install failed:\n${install.stderr}`);
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  function npx(args: string[], input?: string): SpawnSyncReturns<string> {
    return spawnSync('npx', ['--offline', 'dual-guest', ...args], {
      cwd: user,
      encoding: 'utf8',
      input,
      env: { ...process.env, DUAL_GUEST_CODE_CACHE: cacheDir() },
    });
  }
  /** The code cache of these runs: in the throwaway folder, not the user's ~/.cache. */
  const cacheDir = (): string => path.join(work, 'code-cache');

  it("keeps V8's code cache of the command it ran, and runs the same with a damaged one", () => {
    writeFileSync(path.join(user, 'ok.dts'), '/dts-v1/;\n/ {\n\tmodel = "m";\n};\n');
    const first = npx(['compile', 'ok.dts']);
    assert.equal(first.status, 0, first.stderr);
    const caches = readdirSync(cacheDir());
    assert.equal(caches.length, 1, caches.join(', '));
    assert.match(caches[0], /^cli-compile\.js-/);
    writeFileSync(path.join(cacheDir(), caches[0]), 'not a code cache');
    const again = npx(['compile', 'ok.dts']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, first.stdout);
    assert.notEqual(readFileSync(path.join(cacheDir(), caches[0]), 'utf8'), 'not a code cache', 'a rejected cache is written again');
  });

  it('prints its usage', () => {
    const r = npx(['--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^usage: dual-guest <command>/);
    assert.match(r.stdout, /\blint\b/);
  });

  it('exits 2 with the usage on an unknown command', () => {
    const r = npx(['frobnicate']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
  });

  it('lints a broken tree: a positioned error and exit status 1', () => {
    writeFileSync(path.join(user, 'bad.dts'), '/dts-v1/;\n/ {\n\tx = <1;\n};\n');
    const r = npx(['lint', 'bad.dts']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /^bad\.dts:3\.\d+-\d+\.\d+: Error \(syntax\)/m);
  });

  describe('when the reader of its output goes away (| head)', () => {
    // More output than a pipe holds, so the writes after `head` exits meet a closed pipe (EPIPE).
    function manyWarnings(extra: string): string {
      const nodes = Array.from({ length: 5000 }, (_, i) => `\tfoo@${i.toString(16)} { };\n`).join('');
      return `/dts-v1/;\n/ {\n${extra}${nodes}};\n`;
    }
    function lintIntoHead(file: string): SpawnSyncReturns<string> {
      return spawnSync('bash', ['-c', `set -o pipefail; npx --offline dual-guest lint ${file} | head -n 1 >/dev/null`], {
        cwd: user,
        encoding: 'utf8',
        env: { ...process.env, DUAL_GUEST_CODE_CACHE: cacheDir() },
      });
    }

    it('stops quietly, with status 0 when there are only warnings', () => {
      writeFileSync(path.join(user, 'many.dts'), manyWarnings(''));
      const r = lintIntoHead('many.dts');
      assert.equal(r.stderr, '');
      assert.equal(r.status, 0);
    });

    it('still exits 1 when the tree has errors', () => {
      writeFileSync(path.join(user, 'many-errors.dts'), manyWarnings('\tx = <1>;\n\tx = <2>;\n'));
      const r = lintIntoHead('many-errors.dts');
      assert.equal(r.stderr, '');
      assert.equal(r.status, 1);
    });
  });

  it('runs every command the walkthrough shows: its lint command in the example, its shell commands in the guest', () => {
    const lintPage = readFileSync(path.join(ROOT, 'media/walkthrough/lint.md'), 'utf8');
    const commands = [...lintPage.matchAll(/`(npx dual-guest [^`]+)`/g)].map((m) => m[1]);
    assert.deepEqual(commands, ['npx dual-guest lint dual-guest.json']);
    const example = path.join(user, 'example');
    cpSync(path.join(ROOT, 'examples', 'dual-guest'), example, { recursive: true });
    const [, , ...args] = commands[0].split(' ');
    const lint = spawnSync('npx', ['--offline', 'dual-guest', ...args], { cwd: example, encoding: 'utf8' });
    assert.equal(lint.status, 0, `${commands[0]} failed:\n${lint.stdout}${lint.stderr}`);
    // The shell commands the typing page suggests, in the example's first guest. (`yes` and Ctrl-C
    // are typed in the e2e journey: a piped script waits for the guests to go quiet, which `yes` never does.)
    const typePage = readFileSync(path.join(ROOT, 'media/walkthrough/type.md'), 'utf8');
    for (const c of ['uname -a', 'cat /proc/interrupts', 'yes']) assert.ok(typePage.includes(`\`${c}\``), `type.md no longer suggests ${c}`);
    const r = npx(['boot'], 'root\nuname -a\ncat /proc/interrupts\n');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Linux client_linux-1 \S+ .* aarch64 GNU\/Linux\r$/m);
    assert.match(r.stdout, /^ *\d+: +\d+ .*virtio.*\r$/m);
  });

  it('boots the default example with a piped script and exits when the script is used up', () => {
    const r = npx(['boot'], 'root\nuname -n\n');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /client_linux-1 login: /);
    assert.match(r.stdout, /client_linux-2 login: /);
    assert.match(r.stdout, /^client_linux-1$/m, 'uname -n ran in the first guest');
  });
});
