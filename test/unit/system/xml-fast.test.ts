// The fast path of the XML layer (xml-fast.ts) builds exactly the tree the full parser builds, and
// leaves to the full parser everything it does not read (errors, duplicates, DOCTYPE, references).
import * as assert from 'assert';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { parseXml, type XmlElement } from '../../../src/system/xml';
import { LineMap } from '../../../src/common/line-starts';
import { parseWellFormedXml } from '../../../src/system/xml-fast';
import { generateLargeSystem } from '../../../bench/server';

const F = '/t/x.system';

/** The tree without parent links (cyclic), for comparison. */
function plain(el: XmlElement | undefined): unknown {
  if (!el) return undefined;
  return { tag: el.tag, attributes: el.attributes, range: el.range, nameRange: el.nameRange, text: el.text, children: el.children.map(plain) };
}

function fast(text: string): XmlElement | undefined {
  return parseWellFormedXml(text, new LineMap(F, text));
}

const ROOT = path.join(__dirname, '../../..');
const SAMPLES = [
  ...readdirSync(path.join(ROOT, 'test/fixtures/sdf-conformance')).map((f) => readFileSync(path.join(ROOT, 'test/fixtures/sdf-conformance', f), 'utf8')),
  readFileSync(path.join(ROOT, 'examples/dual-guest/dual-guest.system'), 'utf8'),
  readFileSync(path.join(ROOT, 'examples/serial/serial.system'), 'utf8'),
  generateLargeSystem(50),
  '<system a="x&amp;y&#65;" b = \'q"\'>\n  text <!-- c --> more\n  <e/>\n</system>',
];

describe('XML fast path', () => {
  it('reads every sample as the full parser does', () => {
    for (const text of SAMPLES) {
      const f = fast(text);
      assert.ok(f, text.slice(0, 200));
      assert.deepStrictEqual(plain(f), plain(parseXml(F, text, { full: true }).root));
    }
  });

  it('leaves malformed and unusual XML to the full parser', () => {
    for (const text of [
      '<system>',
      '<system></sys>',
      '<system a="1" a="2"/>',
      '<!DOCTYPE x><system/>',
      '<system>&amp;</system>',
      '<system><![CDATA[x]]></system>',
      '<system a="1"b="2"/>',
      '<system/>x',
      '<system><!-- a -- b --></system>',
      '<sys\u00e9m/>',
      '<system a=1/>',
    ]) {
      assert.strictEqual(fast(text), undefined, text);
    }
  });

  it("on mutated samples: either the full parser's tree, or no answer", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SAMPLES.length - 1 }), fc.nat(), fc.string({ maxLength: 3 }), (k, at, ins) => {
        const base = SAMPLES[k];
        const i = at % (base.length + 1);
        const text = base.slice(0, i) + ins + base.slice(i + (ins.length % 2));
        const f = fast(text);
        if (!f) return;
        const full = parseXml(F, text, { full: true });
        assert.deepStrictEqual(full.diagnostics, [], text);
        assert.deepStrictEqual(plain(f), plain(full.root));
      }),
      { numRuns: 1000, seed: 21 },
    );
  });
});
