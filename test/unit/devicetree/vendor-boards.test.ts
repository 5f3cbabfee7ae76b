// The generated vendor-style board trees (test/fixtures/vendor-boards): the files on disk are what
// the generator makes, and a batch compiles all of them as compiling each alone does, without errors.
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { runCompile } from '../../../src/cli/compile';
import { NodeFileHost } from '../../../src/node/file-host';
import { vendorBoardFiles, vendorBoards } from '../../fixtures/vendor-boards/generate';

const DIR = path.resolve(__dirname, '..', '..', 'fixtures', 'vendor-boards');

function compile(args: string[]): { code: number; err: string; written: Map<string, Uint8Array> } {
  let err = '';
  const written = new Map<string, Uint8Array>();
  const code = runCompile(args, {
    host: new NodeFileHost(),
    cwd: DIR,
    stdout: () => undefined,
    stderr: (t) => (err += t),
    writeFile: (p, d) => written.set(p, d as Uint8Array),
  });
  return { code, err, written };
}

describe('devicetree: the generated vendor board trees', function () {
  this.timeout(20_000);

  it('are on disk as the generator makes them (npx tsx test/fixtures/vendor-boards/generate.ts)', () => {
    for (const [rel, text] of Object.entries(vendorBoardFiles())) assert.equal(readFileSync(path.join(DIR, rel), 'utf8'), text, `${rel} is stale`);
  });

  it('compile as a batch to the same DTBs as one by one, with no error', () => {
    const boards = vendorBoards();
    const batch = compile(['-i', 'include', ...boards.flatMap((b) => [b, '-o', `/out/${b}.dtb`])]);
    assert.equal(batch.code, 0, batch.err);
    assert.doesNotMatch(batch.err, /Error|ERROR/);
    assert.equal(batch.written.size, boards.length);
    for (const b of boards.slice(0, 3)) {
      const alone = compile(['-i', 'include', b, '-o', `/out/${b}.dtb`]);
      assert.deepEqual(batch.written.get(`/out/${b}.dtb`), alone.written.get(`/out/${b}.dtb`), b);
    }
  });
});
