// V8's code cache of the CLI's command bundles, in fresh processes as the CLI uses it: the cache is
// written when the process exits and read by the next one.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { codeCacheDir, stampedContentHash } from '../../../src/node/code-cache';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Loads `bundle` through the code cache in `cacheDir` in a fresh process; its stdout and status. */
function load(bundle: string, cacheDir: string): { out: string; status: number | null; stderr: string } {
  const script = `process.stdout.write(String(require(${JSON.stringify(path.join(ROOT, 'src/node/code-cache.ts'))}).requireWithCodeCache(${JSON.stringify(bundle)}).answer()))`;
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, DUAL_GUEST_CODE_CACHE: cacheDir },
  });
  return { out: r.stdout, status: r.status, stderr: r.stderr };
}

/** A bundle whose `answer()` returns `value`, stamped as the build stamps it (or not). */
function bundle(file: string, value: string, stamp = true): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const body = `exports.answer = function () { return '${value}'; };\n`;
  // Any 32 hex digits: the test compares builds, it does not recompute the hash.
  const hash = [...value]
    .map((c) => c.charCodeAt(0).toString(16))
    .join('')
    .padEnd(32, '0')
    .slice(0, 32);
  writeFileSync(file, stamp ? `${body}\n//# dualGuestContentHash=${hash}\n` : body);
  // Same modification time for every build, as npm gives installed files.
  utimesSync(file, new Date(499162500000), new Date(499162500000));
}

describe('node/code-cache', function () {
  this.timeout(60_000);
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), 'mkdg-code-cache-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('reads the stamp the build appends', () => {
    assert.equal(stampedContentHash('x\n//# dualGuestContentHash=0123456789abcdef0123456789abcdef\n'), '0123456789abcdef0123456789abcdef');
    assert.equal(stampedContentHash('exports.x = 1;\n'), undefined);
  });

  it('keeps the cache of two builds of the same size and time apart (V8 checks only the length)', () => {
    const cache = path.join(work, 'cache');
    const a = path.join(work, 'a', 'cli-x.js');
    const b = path.join(work, 'b', 'cli-x.js');
    bundle(a, 'first');
    bundle(b, 'other');
    for (const [file, want] of [
      [a, 'first'],
      [b, 'other'],
      [a, 'first'],
      [b, 'other'],
    ]) {
      const r = load(file, cache);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.out, want);
    }
    assert.equal(readdirSync(cache).length, 1, 'the older build makes way for the newer');
  });

  it('runs without a cache when the folder cannot be made, leaving nothing behind', () => {
    const file = path.join(work, 'cli-x.js');
    bundle(file, 'fine');
    writeFileSync(path.join(work, 'not-a-folder'), '');
    const r = load(file, path.join(work, 'not-a-folder', 'cache'));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.out, 'fine');
    assert.equal(r.stderr, '');
  });

  it('runs the same with a damaged cache file, and writes it again', () => {
    const cache = path.join(work, 'cache');
    const file = path.join(work, 'cli-x.js');
    bundle(file, 'same');
    assert.equal(load(file, cache).out, 'same');
    const [name] = readdirSync(cache);
    writeFileSync(path.join(cache, name), Buffer.alloc(64, 0xff));
    const r = load(file, cache);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.out, 'same');
    assert.notEqual(readdirSync(cache).length, 0);
  });

  it('caches no bundle without the stamp', () => {
    const cache = path.join(work, 'cache');
    const file = path.join(work, 'cli-x.js');
    bundle(file, 'plain', false);
    assert.equal(load(file, cache).out, 'plain');
    assert.deepEqual(readdirSync(work).sort(), ['cli-x.js']);
  });

  it("lives in the user's cache folder (XDG_CACHE_HOME), and can be turned off", () => {
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/x/cache' }), path.join('/x/cache', 'dual-guest', 'code-cache'));
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/x/cache', DUAL_GUEST_CODE_CACHE: '0' }), undefined);
    assert.equal(codeCacheDir({ DUAL_GUEST_CODE_CACHE: '/y' }), '/y');
  });
});
