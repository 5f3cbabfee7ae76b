// No two files of src/ import each other, even through others or for types only: the layers read
// top-down, and a file can be moved or tested with what it imports alone.
import { strict as assert } from 'assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { findImportCycles, tsFilesUnder } from '../../../scripts/import-cycles';

describe('import cycles', () => {
  it('src/ has none (`npx tsx scripts/import-cycles.ts` names them)', () => {
    const src = path.resolve(__dirname, '..', '..', '..', 'src');
    const cycles = findImportCycles(tsFilesUnder(src)).map((c) => c.map((f) => path.relative(src, f)));
    assert.deepEqual(cycles, []);
  });

  it('finds a cycle closed by a type-only import through a folder index', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'import-cycles-'));
    try {
      writeFileSync(path.join(dir, 'a.ts'), "import { b } from './lib';\nexport const a = b + 1;\n");
      writeFileSync(path.join(dir, 'c.ts'), 'export const c = 3;\n');
      mkdirSync(path.join(dir, 'lib'));
      writeFileSync(path.join(dir, 'lib', 'index.ts'), "import type { a } from '../a';\nexport const b = 2;\nexport type A = typeof a;\n");
      const cycles = findImportCycles(tsFilesUnder(dir)).map((c) => c.map((f) => path.relative(dir, f)));
      assert.deepEqual(cycles, [['a.ts', path.join('lib', 'index.ts')]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
