// Properties of the preprocessor over generated input: it never throws or hangs, its map is exact
// for every character copied from a source file, the fast path agrees with the full path, and the
// per-keystroke budget holds.

import * as assert from 'assert';
import fc from 'fast-check';
import { MemoryFileHost } from '../../../src/common/host';
import { needsPreprocessing, preprocess, type PreprocessResult } from '../../../src/devicetree/preprocessor';

const MAIN = '/proj/main.dts';

/** Pieces that exercise every branch: directives, macros, literals, comments, splices. */
const FRAGMENTS = [
  '\n',
  ' ',
  '\t',
  '#',
  '##',
  '# ',
  '#define ',
  '#undef ',
  '#if ',
  '#ifdef ',
  '#ifndef ',
  '#elif ',
  '#else',
  '#endif',
  '#include ',
  '#include_next ',
  '#error ',
  '#warning ',
  '#pragma ',
  '#line ',
  '# 3 "m.dts"',
  '"x.h"',
  '<x.h>',
  '<y.h>',
  'defined',
  'A',
  'B',
  'F',
  'G',
  'F(',
  'G(x) ',
  'A B',
  '(',
  ')',
  ',',
  '...',
  '__VA_ARGS__',
  'x',
  '0',
  '1',
  '0x1f',
  '/',
  '%',
  '+',
  '-',
  '<',
  '>',
  '&&',
  '||',
  '?',
  ':',
  '!',
  '"',
  "'",
  '"str"',
  "'c'",
  '/*',
  '*/',
  '//',
  '\\',
  '\\\n',
  '\r\n',
  '@',
  '&',
  '{',
  '}',
  ';',
  '=',
  'é',
  '#address-cells = <1>;',
  'cpu@0',
  'pinctrl-0',
  '\0',
];

const HOST_FILES: Record<string, string> = {
  '/inc/x.h': '#define A 1\n#define F(a, ...) a __VA_ARGS__ #a\n',
  '/proj/x.h': '#define B A A\n#include <x.h>\n',
  '/inc/y.h': '#include <y.h>\n',
};

function pp(text: string, defines?: Record<string, string>): PreprocessResult {
  const r = preprocess(MAIN, text, { includePaths: ['/inc'], host: new MemoryFileHost(HOST_FILES), defines });
  // preprocess() turns an exception into this diagnostic: for the properties it counts as a throw.
  const internal = r.diagnostics.find((d) => d.message.startsWith('internal error'));
  assert.strictEqual(internal, undefined, internal?.message);
  return r;
}

const fragmentText = (maxLength: number) => fc.array(fc.constantFrom(...FRAGMENTS), { maxLength }).map((a) => a.join(''));

/** Deterministic pseudo-random text of about `size` characters from the fragments. */
function bigText(seed: number, size: number): string {
  let s = seed >>> 0 || 1;
  const parts: string[] = [];
  let n = 0;
  while (n < size) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const f = FRAGMENTS[s % FRAGMENTS.length];
    parts.push(f);
    n += f.length;
  }
  return parts.join('');
}

describe('preprocessor properties', () => {
  it('never throws on arbitrary fragments, and maps every offset', () => {
    fc.assert(
      fc.property(fragmentText(300), (text) => {
        const r = pp(text);
        for (let o = 0; o <= r.text.length; o += 7) {
          const p = r.map.positionAt(o);
          assert.ok(p.line >= 0 && p.col >= 0);
        }
        for (const d of r.diagnostics) assert.ok(d.range === undefined || d.range.start.line >= 0);
      }),
      { numRuns: 400 },
    );
  });

  it('maps a range as its two ends map, in any order of asking', () => {
    // The scanner asks range() in increasing order; the map's cursors must not change any answer.
    fc.assert(
      fc.property(fragmentText(300), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 40 }), (text, pairs) => {
        const r = pp(text);
        const n = r.text.length + 2;
        for (const [a, b] of [...pairs, ...pairs.map(([x, y]) => [y, x] as [number, number])]) {
          const start = (a % n) - 1,
            end = (b % n) - 1;
          const s = r.map.positionAt(start),
            e = r.map.positionAt(end);
          const endOk = e.file === s.file && (e.line > s.line || (e.line === s.line && e.col >= s.col));
          const expected = { file: s.file, start: { line: s.line, col: s.col }, end: endOk ? { line: e.line, col: e.col } : { line: s.line, col: s.col } };
          assert.deepStrictEqual(r.map.range(start, end), expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: 'binary' }), (text) => {
        pp(text);
        pp(text, { A: 'A F(B)', 'F(x)': 'x ## x #x' });
      }),
      { numRuns: 300 },
    );
  });

  it('finishes within 1 s on random input of 100 KB', function () {
    this.timeout(20000);
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const text = bigText(seed * 7919, 100_000);
      const t0 = performance.now();
      pp(text);
      const ms = performance.now() - t0;
      assert.ok(ms < 1000, `seed ${seed}: ${ms.toFixed(0)} ms`);
    }
  });

  it('copies source characters exactly where the map says they come from', () => {
    // No line markers here: they rename positions on purpose.
    const frags = FRAGMENTS.filter((f) => !f.startsWith('#line') && !f.startsWith('# 3'));
    const gen = fc.array(fc.constantFrom(...frags), { maxLength: 300 }).map((a) => a.join(''));
    const texts: Record<string, string> = { ...HOST_FILES, [MAIN]: '' };
    fc.assert(
      fc.property(gen, (text) => {
        texts[MAIN] = text;
        const r = pp(text);
        const fileLines = new Map<string, string[]>();
        for (let o = 0; o < r.text.length; o++) {
          const p = r.map.positionAt(o);
          if (p.expanded) continue;
          let ls = fileLines.get(p.file);
          if (ls === undefined) {
            ls = texts[p.file].split('\n');
            fileLines.set(p.file, ls);
          }
          const original = (ls[p.line] ?? '') + '\n';
          assert.strictEqual(original[p.col], r.text[o], `output ${o} -> ${p.file}:${p.line}:${p.col}`);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('copying whole lines agrees with token-by-token processing', () => {
    // A splice at the start of every line changes nothing for cpp but makes every line take the
    // token path (the whole-line copy declines lines with splices).
    const frags = [...FRAGMENTS, 'M', 'M ', ' F(1)', '0M', '9 M', 'M_', '$M', 'é M', '"a//b"', '"/*"', "'\"'", '/* M */', '// M', 'x M y', '#define M 7\n'];
    const gen = fc.array(fc.constantFrom(...frags), { maxLength: 200 }).map((a) => a.join(''));
    fc.assert(
      fc.property(gen, (text) => {
        const defines = { M: '<m>', 'F(a)': '[a]' };
        const direct = pp(text, defines);
        const tokenwise = pp('\\\n' + text.replace(/\n/g, '\n\\\n'), defines);
        assert.strictEqual(direct.text, tokenwise.text);
      }),
      { numRuns: 400 },
    );
  });

  it('the fast path agrees with the full path', () => {
    fc.assert(
      fc.property(fragmentText(200), (text) => {
        const fast = pp(text);
        const full = pp(text, { UNUSED_MACRO_Q: '1' });
        assert.strictEqual(fast.text, full.text);
        for (let o = 0; o < fast.text.length; o += 3) assert.deepStrictEqual(fast.map.positionAt(o), full.map.positionAt(o));
      }),
      { numRuns: 300 },
    );
  });
});

describe('preprocessor cost shape', () => {
  const node = (i: number) =>
    `\tserial@${(0x30860000 + i * 0x10000).toString(16)} {\n\t\tcompatible = "fsl,imx8mq-uart", "fsl,imx6q-uart";\n\t\treg = <0x${(0x30860000 + i * 0x10000).toString(16)} 0x10000>; /* regs */\n\t\tinterrupts = <GIC_SPI ${i} IRQ_TYPE_LEVEL_HIGH>;\n\t\t#address-cells = <1>;\n\t};\n`;
  const file = (lines: number) => {
    let s = '/dts-v1/;\n/ {\n';
    for (let i = 0; i < (lines - 3) / 6; i++) s += node(i);
    return s + '};\n';
  };
  // CPU time of this process (the machine is shared: wall time measures the neighbours too).
  const median = (f: () => void, runs: number) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = process.cpuUsage();
      f();
      const d = process.cpuUsage(t0);
      times.push((d.user + d.system) / 1000);
    }
    return times.sort((a, b) => a - b)[runs >> 1];
  };

  // Absolute speed is the benchmark's business (npm run bench); these only pin the shape of the cost.
  it('a 5,000-line file without directives takes the fast path: output is the input', () => {
    const text = file(5000);
    assert.strictEqual(needsPreprocessing(text), false);
    const r = pp(text);
    assert.strictEqual(r.text, text);
    assert.deepStrictEqual(r.map.positionAt(text.indexOf('serial@30870000')), { file: MAIN, line: 8, col: 1 });
  });

  it('the full path is linear: 10,000 lines with macros cost about twice 5,000', () => {
    const defines = { GIC_SPI: '0', IRQ_TYPE_LEVEL_HIGH: '4' };
    const small = file(5000),
      large = file(10000);
    pp(small, defines);
    const a = median(() => pp(small, defines), 7);
    const b = median(() => pp(large, defines), 7);
    assert.ok(b / a < 3, `10,000 lines ${b.toFixed(1)} ms vs 5,000 lines ${a.toFixed(1)} ms`);
  });
});
