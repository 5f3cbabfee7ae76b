// No function of src/ is longer than MAX_FUNCTION_LINES (`npx tsx scripts/function-length.ts` lists
// the longest); the few that were when the check came in are pinned at their length.
import { strict as assert } from 'assert';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { KNOWN_LONG_FUNCTIONS, MAX_FUNCTION_LINES, knownKey, longestFunctions, repinned, tooLong } from '../../../scripts/function-length';

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('function length', () => {
  it(`no function of src/ is over ${MAX_FUNCTION_LINES} lines, except the pinned ones, and none of those grew`, () => {
    const all = longestFunctions(path.join(ROOT, 'src'), ROOT);
    const bad = tooLong(all).map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`);
    assert.deepEqual(
      bad,
      [],
      `longest: ${all
        .slice(0, 5)
        .map((f) => `${f.file} ${f.name} ${f.lines}`)
        .join('; ')}`,
    );
    // An entry whose function is short now (or gone) is removed from the list.
    const long = new Set(all.filter((f) => f.lines > MAX_FUNCTION_LINES).map(knownKey));
    assert.deepEqual(
      [...KNOWN_LONG_FUNCTIONS.keys()].filter((k) => !long.has(k)),
      [],
    );
  });

  it('measures a function from its first line to its closing brace, nested functions included', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'function-length-'));
    try {
      const body = Array.from({ length: MAX_FUNCTION_LINES - 3 }, (_, i) => `    x += ${i};`).join('\n');
      writeFileSync(
        path.join(dir, 'a.ts'),
        `export function long(): number {\n  let x = 0;\n  const inner = (): void => {\n${body}\n  };\n  inner();\n  return x;\n}\n`,
      );
      const [outer, inner] = longestFunctions(dir, dir);
      assert.deepEqual([outer.name, outer.lines, inner.name, inner.lines], ['long', MAX_FUNCTION_LINES + 4, 'inner', MAX_FUNCTION_LINES - 1]);
      assert.deepEqual(
        tooLong([outer, inner], new Map()).map((f) => f.name),
        ['long'],
      );
      assert.deepEqual(tooLong([outer], new Map([['a.ts#long', MAX_FUNCTION_LINES + 4]])), []);
      assert.deepEqual(
        tooLong([outer], new Map([['a.ts#long', MAX_FUNCTION_LINES + 3]])).map((f) => f.name),
        ['long'],
        'a pinned function that grew',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--repin sets each pinned length to the current one and drops the entries now short, adding none', () => {
    const source = [
      'export const KNOWN_LONG_FUNCTIONS = new Map([',
      '  // The long ones.',
      "  ['src/a.ts#grew', 90],",
      "  ['src/a.ts#split', 95],",
      "  ['src/b.ts#same', 85],",
      ']);',
      '',
    ].join('\n');
    const at = (file: string, name: string, lines: number) => ({ file, name, line: 1, lines });
    const now = [at('src/a.ts', 'grew', 101), at('src/a.ts', 'split', 40), at('src/b.ts', 'same', 85), at('src/c.ts', 'new', 99)];
    assert.equal(repinned(source, now), source.replace("grew', 90]", "grew', 101]").replace("  ['src/a.ts#split', 95],\n", ''));
  });
});
