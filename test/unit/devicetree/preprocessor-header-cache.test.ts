// Headers preprocessed once (preprocessor/header-cache.ts): a run that replays recorded inclusions
// gives exactly what preprocessing every header again gives: text, source map, diagnostics, macro
// table, files, include records and macro uses, over random headers, macro states and include orders.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { MemoryFileHost } from '../../../src/common/host';
import { HeaderCache, preprocess, type PreprocessResult } from '../../../src/devicetree/preprocessor';

const PIECES = [
  '\n',
  ' ',
  '#define A 1\n',
  '#define A 2\n',
  '#undef A\n',
  '#define F(x) x+A\n',
  '#define B A\n',
  '#ifdef A\nif_a\n#else\nno_a\n#endif\n',
  '#if A == 2\ntwo\n#endif\n',
  '#ifndef G\n#define G\ng_once\n#endif\n',
  'F(3) ',
  'A ',
  'B ',
  'x = <A>;\n',
  '#include "h1.h"\n',
  '#include <h2.h>\n',
  '#include "missing.h"\n',
  '__COUNTER__ ',
  '__INCLUDE_LEVEL__ ',
  '/* c */',
  '#error e\n',
  '#warning w\n',
  '#define A 1\n#define A 3\n',
  '"s" ',
  '#include "self.h"\n',
];

const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((a) => a.join(''));
/** A main file: random text around an inclusion of each header (so that most runs replay some). */
const mainText = fc.tuple(text, text, text).map(([a, b, c]) => `${a}#include "h1.h"\n${b}#include <h2.h>\n${c}`);

function summary(r: PreprocessResult): unknown {
  const positions: unknown[] = [];
  for (let o = 0; o <= r.text.length; o += 3) positions.push(r.map.range(o, o + 2));
  return {
    text: r.text,
    positions,
    diagnostics: r.diagnostics,
    files: r.files,
    includes: r.includes,
    expansions: r.macroExpansions,
    macros: [...r.macros].map(([k, v]) => [k, v.params, v.body, v.range]),
  };
}

describe('preprocessor: headers preprocessed once', () => {
  it('gives what preprocessing them again gives, for any headers, states and orders', () => {
    let hits = 0;
    fc.assert(
      fc.property(text, text, text, fc.array(mainText, { minLength: 2, maxLength: 4 }), (h1, h2, self, mains) => {
        const host = new MemoryFileHost({ '/p/h1.h': h1, '/inc/h2.h': h2, '/p/self.h': self });
        const cache = new HeaderCache();
        for (const [i, main] of mains.entries()) {
          const file = `/p/main${i}.dts`;
          const options = { includePaths: ['/inc'], host, maxIncludeDepth: 6 };
          const fresh = preprocess(file, main, options);
          const replayed = preprocess(file, main, { ...options, headers: cache });
          assert.deepStrictEqual(summary(replayed), summary(fresh));
        }
        hits += cache.hits;
      }),
      { numRuns: 300 },
    );
    // The property is about replays: most runs must have had some.
    assert.ok(hits > 100, `only ${hits} replays`);
  });

  it('replays the headers a batch of trees includes alike', () => {
    const headers = {
      '/inc/irq.h': '#ifndef IRQ_H\n#define IRQ_H\n#define IRQ_HIGH 4\n#endif\n',
      '/inc/pins.h': '#include <irq.h>\n#define PIN(n) <(n) IRQ_HIGH>\n',
    };
    const host = new MemoryFileHost(headers);
    const cache = new HeaderCache();
    for (let i = 0; i < 5; i++) {
      const main = `#define BOARD ${i}\n#include <pins.h>\n/ { p = PIN(BOARD); };\n`;
      const r = preprocess(`/b${i}.dts`, main, { includePaths: ['/inc'], host, headers: cache });
      assert.match(r.text, new RegExp(`p = <\\(${i}\\) 4>;`));
      assert.deepEqual(r.files, [`/b${i}.dts`, '/inc/pins.h', '/inc/irq.h']);
    }
    // pins.h once, and irq.h inside it (each recorded once, replayed four times at the outer level).
    assert.equal(cache.recorded, 2);
    assert.equal(cache.hits, 4);
  });

  it('processes a header again when a file it read changed', () => {
    const files: Record<string, string> = { '/inc/a.h': '#include <b.h>\n', '/inc/b.h': '#define V 1\n' };
    const host = new MemoryFileHost(files);
    const cache = new HeaderCache();
    const first = preprocess('/m.dts', '#include <a.h>\nV\n', { includePaths: ['/inc'], host, headers: cache });
    assert.match(first.text, /^1$/m);
    const changed = new MemoryFileHost({ ...files, '/inc/b.h': '#define V 2\n' });
    const second = preprocess('/m.dts', '#include <a.h>\nV\n', { includePaths: ['/inc'], host: changed, headers: cache });
    assert.match(second.text, /^2$/m);
  });
});
