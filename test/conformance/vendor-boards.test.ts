// The generated vendor-style board trees (test/fixtures/vendor-boards: dt-bindings headers, macros,
// #if, a SoC .dtsi per board) against the real tools: cpp -x assembler-with-cpp then dtc, as a
// Linux build runs them, gives the same DTB bytes as `dual-guest compile --batch` of all of them.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { runCompile } from '../../src/cli/compile';
import { NodeFileHost } from '../../src/node/file-host';
import { vendorBoards } from '../fixtures/vendor-boards/generate';

const DIR = path.resolve(__dirname, '..', 'fixtures', 'vendor-boards');

describe('vendor board trees: dual-guest compile --batch against cpp + dtc', function () {
  this.timeout(60_000);
  let work: string;
  before(() => {
    work = mkdtempSync(path.join(tmpdir(), 'mkdg-vendor-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("gives dtc's DTB for every board", () => {
    const boards = vendorBoards();
    const list = path.join(work, 'list.txt');
    writeFileSync(list, boards.map((b) => `${b}.dtb: ${path.join(DIR, b)}`).join('\n') + '\n');
    let err = '';
    const code = runCompile(['-i', path.join(DIR, 'include'), '--batch', list], {
      host: new NodeFileHost(),
      cwd: DIR,
      stdout: () => undefined,
      stderr: (t) => (err += t),
    });
    assert.equal(code, 0, err);
    for (const b of boards) {
      const pre = path.join(work, `${b}.pp`);
      const ref = path.join(work, `${b}.ref.dtb`);
      const cpp = spawnSync('cpp', ['-nostdinc', '-I', path.join(DIR, 'include'), '-undef', '-x', 'assembler-with-cpp', path.join(DIR, b), '-o', pre], {
        encoding: 'utf8',
      });
      assert.equal(cpp.status, 0, cpp.stderr);
      const dtc = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', ref, pre], { encoding: 'utf8' });
      assert.equal(dtc.status, 0, dtc.stderr);
      assert.ok(readFileSync(ref).equals(readFileSync(path.join(work, `${b}.dtb`))), `${b}: the DTB differs from cpp + dtc's`);
    }
  });
});
