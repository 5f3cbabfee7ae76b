// cpp output (a tree dumped with `cpp -E`) skips the preprocessor: the DTS scanner applies its line
// markers. Everything the front end gives must equal what the full preprocessor's map gives.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { MemoryFileHost } from '../../../src/common/host';
import { includeResolver, preprocessInput, scanSourceOf } from '../../../src/devicetree/front-end';
import { scan, type ScanSource } from '../../../src/devicetree/lexer';
import { parseTokens } from '../../../src/devicetree/parser';
import { preprocess } from '../../../src/devicetree/preprocessor';

const FILE = '/w/boards/board.dts';

function frontEnd(source: ScanSource): string {
  const host = new MemoryFileHost({});
  const scanned = scan([source], includeResolver({ host }));
  const parsed = parseTokens(scanned.tokens, scanned.sources);
  const replacer = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? [...v] : v);
  return JSON.stringify({ scan: scanned.diagnostics, comments: scanned.comments, parse: parsed }, replacer);
}

/** Through the preprocessor's map, as every text with a directive went before. */
function viaPreprocessor(text: string): string {
  const pp = preprocess(FILE, text, { includePaths: [], host: new MemoryFileHost({}) });
  return frontEnd({ file: FILE, text: pp.text, mapper: pp.map });
}

function viaScanner(text: string): { result: string; skipped: boolean } {
  const pre = preprocessInput(FILE, text, { includePaths: [], host: new MemoryFileHost({}) });
  const source = scanSourceOf(FILE, text, pre);
  return { result: frontEnd(source), skipped: source.mapper === undefined };
}

const LINES = [
  '# 1 "board.dts"',
  '# 0 "<built-in>"',
  '# 12 "../include/soc.dtsi" 1',
  '# 7 "/abs/x.dtsi" 2 3',
  '# 3 "sub/a b.dtsi"',
  '# 0 "zero.dtsi"',
  '#  5 "two-spaces.dtsi"  1 ',
  '#12 "no-space.dtsi"',
  '# 4 "esc\\\\aped.dtsi"',
  '# 9 "x"1',
  '/dts-v1/;',
  '/ {',
  '};',
  '\tnode@1 { reg = <1 2>; };',
  '\tlabel: n { p = "s"; q = <&label>; };',
  '\tbad = <1 ;',
  '/* a\n# 2 "in-comment.dtsi"\n*/',
  '\tx = [00 11];',
  '',
];

describe('line markers read by the scanner', () => {
  it('the MaaXBoard-style cpp dump skips the preprocessor', () => {
    const text = '# 0 "board.dts"\n# 0 "<built-in>"\n# 1 "board.dts"\n/dts-v1/;\n# 1 "soc.dtsi" 1\n/ { a = <1>; };\n# 3 "board.dts" 2\n/ { b; };\n';
    const { result, skipped } = viaScanner(text);
    assert.ok(skipped);
    assert.equal(result, viaPreprocessor(text));
    assert.match(result, /"file":"\/w\/boards\/soc.dtsi","start":\{"line":0,"col":0\}/);
  });

  it('gives what the preprocessor gives, for any text of markers and DTS', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...LINES), { maxLength: 40 }), fc.boolean(), (lines, finalNewline) => {
        const text = lines.join('\n') + (finalNewline ? '\n' : '');
        assert.equal(viaScanner(text).result, viaPreprocessor(text));
      }),
      { numRuns: 1000 },
    );
  });
});
