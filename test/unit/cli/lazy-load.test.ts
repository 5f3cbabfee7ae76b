// What each command loads: `--help` loads no command, and linting a device tree loads neither the
// system layer (XML parser, project) nor the emulator. A fresh process runs the CLI from the sources
// (through tsx, as `npm run dual-guest` does) and reports which of the project's modules it loaded.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { SHORT_RUN_V8_FLAGS } from '../../../src/cli/main';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** The project modules (paths under src/) loaded by `dual-guest <args>` run in a fresh process. */
function loadedModules(args: string[], cwd: string): string[] {
  const script = `
    require(${JSON.stringify(path.join(ROOT, 'src/cli/main.ts'))}).main(${JSON.stringify(args)}).then(() => {
      const src = ${JSON.stringify(path.join(ROOT, 'src') + path.sep)};
      process.stderr.write('\\nLOADED ' + JSON.stringify(Object.keys(require.cache).filter((f) => f.startsWith(src)).map((f) => f.slice(src.length))) + '\\n');
    });`;
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { cwd, encoding: 'utf8' });
  const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  assert.ok(line, `no report (status ${r.status}):\n${r.stderr}`);
  return JSON.parse(line.slice('LOADED '.length)) as string[];
}

describe('cli: each command loads only what it needs', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mkdg-lazy-'));
    writeFileSync(path.join(dir, 'one.dts'), '/dts-v1/;\n/ {\n\tmodel = "x";\n};\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--help loads no command module', () => {
    const loaded = loadedModules(['--help'], dir);
    assert.ok(loaded.includes('cli/main.ts'), loaded.join(', '));
    assert.deepEqual(
      loaded.filter((f) => /^(devicetree|system|emulator)\//.test(f) || /^cli\/(compile|lint|boot)\.ts$/.test(f)),
      [],
    );
  });

  it("lint of one device tree loads neither the system layer's parser nor the emulator", () => {
    const loaded = loadedModules(['lint', 'one.dts'], dir);
    assert.ok(loaded.includes('cli/lint.ts') && loaded.includes('devicetree/compile.ts'), loaded.join(', '));
    assert.deepEqual(
      loaded.filter((f) => f.startsWith('emulator/') || f === 'system/index.ts' || f === 'system/xml.ts'),
      [],
    );
  });

  it('compile loads no linter of .system files and no emulator', () => {
    const loaded = loadedModules(['compile', 'one.dts', '-o', path.join(dir, 'one.dtb')], dir);
    assert.ok(loaded.includes('cli/compile.ts'), loaded.join(', '));
    assert.deepEqual(
      loaded.filter((f) => f.startsWith('emulator/') || f.startsWith('system/') || f === 'cli/lint.ts'),
      [],
    );
  });
});

describe('cli: V8 tiers of the short commands', () => {
  it('this Node knows every flag compile and lint set (an unknown one is refused, not ignored)', () => {
    const r = spawnSync(process.execPath, [...SHORT_RUN_V8_FLAGS, '-e', 'process.stdout.write("ran")'], { encoding: 'utf8' });
    assert.equal(r.stdout, 'ran', r.stderr);
    const bad = spawnSync(process.execPath, ['--no-such-v8-tier', '-e', 'process.stdout.write("ran")'], { encoding: 'utf8' });
    assert.notEqual(bad.stdout, 'ran', 'an unknown flag is refused, so the check above can fail');
  });
});
