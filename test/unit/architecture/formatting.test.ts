// One formatter: `npm test` runs `npm run format:check` (Prettier with .prettierrc.json over the code
// files), so an unformatted file fails it. Shown here on a probe file outside the tree, checked by the
// same command line with the project's config.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCRIPTS = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** Prettier's CLI on `file` as format:check runs it (its arguments, with `file` for the glob). */
function formatCheck(file: string): { status: number | null; output: string } {
  const bin = path.join(path.dirname(require.resolve('prettier/package.json')), 'bin', 'prettier.cjs');
  const r = spawnSync(process.execPath, [bin, '--check', '--config', path.join(ROOT, '.prettierrc.json'), file], { encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe('formatting', function () {
  this.timeout(60_000);

  it('the format check covers every TypeScript and JavaScript file, and format writes what it checks', () => {
    assert.match(SCRIPTS['format:check'], /^prettier --check "\*\*\/\*\.\{ts,mts,cts,js,mjs,cjs\}"$/);
    assert.equal(SCRIPTS.format, SCRIPTS['format:check'].replace('--check', '--write'));
  });

  it('npm test runs the format check before the unit tests', () => {
    assert.match(SCRIPTS.test, /npm run format:check && npm run test:unit/);
  });

  it('the check fails on an unformatted file, naming it, and passes once it is formatted', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'format-probe-'));
    try {
      const file = path.join(dir, 'probe.ts');
      writeFileSync(file, 'export function probe( a:number,b :number ) { return a+b }\n');
      const bad = formatCheck(file);
      assert.equal(bad.status, 1, bad.output);
      assert.match(bad.output, /probe\.ts/);
      writeFileSync(file, 'export function probe(a: number, b: number) {\n  return a + b;\n}\n');
      const good = formatCheck(file);
      assert.equal(good.status, 0, good.output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
