import { strict as assert } from 'assert';
import fc from 'fast-check';
import type { DtsNode, DtsProperty, DtsRootNode } from '../../../src/devicetree/ast';
import { evaluateCExpr } from '../../../src/devicetree/cexpr';
import { scan } from '../../../src/devicetree/lexer';
import { charLiteralValue, literalValue, parseTokens } from '../../../src/devicetree/parser';
import { cpuMillis, withCpuMillis } from '../../cpu-time';

function parse(text: string) {
  const s = scan([{ file: '/t.dts', text }]);
  return parseTokens(s.tokens, s.sources);
}

function rootItems(text: string) {
  const r = parse(text);
  return (r.file.items[0] as DtsRootNode).body.items;
}

function messages(text: string): string[] {
  return parse(text).diagnostics.map((d) => `${d.range!.start.line}:${d.range!.start.col} ${d.message}`);
}

describe('devicetree/parser', () => {
  it('parses headers, memreserves, root, reopenings and deletes', () => {
    const r = parse('/dts-v1/;\n/plugin/;\nm: /memreserve/ 0x10 (2*8);\n/ { };\nl: &a { };\n&{/b} { };\n/delete-node/ &c;\n/omit-if-no-ref/ &d;\n');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.file.headers.length, 1);
    assert.equal(r.file.headers[0].plugin, true);
    assert.deepEqual(
      r.file.memreserves[0].labels.map((l) => l.name),
      ['m'],
    );
    assert.deepEqual(
      r.file.items.map((i) => i.kind),
      ['root', 'ref-node', 'ref-node', 'delete-ref', 'omit-ref'],
    );
  });

  it('gives every AST node its full range', () => {
    const items = rootItems('/dts-v1/;\n/ {\n\tlbl: prop = <1 2>;\n\tnode@1 {\n\t};\n};\n');
    const prop = items[0] as DtsProperty;
    assert.deepEqual(prop.range, { file: '/t.dts', start: { line: 2, col: 6 }, end: { line: 2, col: 19 } });
    assert.deepEqual(prop.labels[0].range.start, { line: 2, col: 1 });
    assert.deepEqual(prop.nameRange.end, { line: 2, col: 10 });
    const node = items[1] as DtsNode;
    assert.equal(node.name, 'node@1');
    assert.deepEqual(node.range.start, { line: 3, col: 1 });
    assert.deepEqual(node.range.end, { line: 4, col: 3 });
    assert.deepEqual(node.body.range.start, { line: 3, col: 8 });
  });

  it('parses every kind of value piece with labels between them', () => {
    const prop = rootItems('/dts-v1/; / { p = a: "s", [0102 b:], /bits/ 16 <1 c: 2>, &r, /incbin/("f", 1, 2) d:; };')[0] as DtsProperty;
    assert.deepEqual(
      prop.value!.map((v) => v.kind),
      ['label', 'string', 'bytes', 'cells', 'path-ref', 'incbin', 'label'],
    );
  });

  it('evaluates expressions with C precedence, unary operators and ?:', () => {
    const prop = rootItems('/dts-v1/; / { p = <(1 + 2 * 3) (-1) (~0 >> 60) (!0 ? 5 : 6) (1 ? 2 : 0 ? 3 : 4) (7 % 4 << 1) (2 > 1 == 1)>; };')[0] as DtsProperty;
    const cells = prop.value![0];
    assert.equal(cells.kind, 'cells');
    const values = cells.kind === 'cells' ? cells.cells.map((c) => (c.kind === 'expr' ? evaluateCExpr(c.expr) : undefined)) : [];
    assert.deepEqual(
      values.map((v) => (v?.ok ? v.value : 'err')),
      [7n, (1n << 64n) - 1n, 15n, 5n, 2n, 6n, 1n],
    );
  });

  it('reads literals and character literals as dtc', () => {
    assert.deepEqual(literalValue('0x1fUL'), { value: 31n });
    assert.deepEqual(literalValue('017'), { value: 15n });
    assert.equal(literalValue('08').error, 'Bad integer literal');
    assert.equal(literalValue('0x10000000000000000').error, 'Literal value too large');
    assert.deepEqual(charLiteralValue('\\xff'), { value: 255n });
    assert.deepEqual(charLiteralValue("\\'"), { value: 39n });
    assert.match(charLiteralValue('ab').error!, /2 characters instead of 1/);
  });

  it('reports a bad literal once: the literal after it is clean, and errors are not remembered between calls', () => {
    assert.deepEqual(messages('/dts-v1/; / { p = <08 1 0x10000000000000000 2>; };'), ['0:19 Bad integer literal', '0:24 Literal value too large']);
    assert.equal(literalValue('09').error, 'Bad integer literal');
    assert.deepEqual(literalValue('9'), { value: 9n });
  });

  it('starts a property at its name, also through line markers', () => {
    const plain = rootItems('/dts-v1/;\n/ {\n\tp = <1>;\n};\n')[0] as DtsProperty;
    assert.deepEqual(plain.range, { file: '/t.dts', start: plain.nameRange.start, end: { line: 2, col: 9 } });
    const marked = rootItems('/dts-v1/;\n/ {\n# 10 "/inc.dtsi"\n\tp =\n <1>;\n};\n')[0] as DtsProperty;
    assert.deepEqual(marked.nameRange, { file: '/inc.dtsi', start: { line: 9, col: 1 }, end: { line: 9, col: 2 } });
    assert.deepEqual(marked.range, { file: '/inc.dtsi', start: { line: 9, col: 1 }, end: { line: 10, col: 5 } });
  });

  it('reports "Properties must precede subnodes" and keeps going', () => {
    assert.deepEqual(messages('/dts-v1/; / { n { }; p = <1>; };'), ['0:21 Properties must precede subnodes']);
  });

  it('recovers from a missing semicolon without hiding later errors', () => {
    const text = '/dts-v1/;\n/ {\n\ta = <1>\n\tb = <2>;\n\tc = <3>;\n\td = <(1/0)>;\n\te = <1 $>;\n};\n';
    const msgs = messages(text);
    assert.equal(msgs.length, 2, msgs.join('\n'));
    assert.match(msgs[0], /^2:8 syntax error: missing ';'/);
    assert.match(msgs[1], /^6:8 syntax error/);
    const names = rootItems(text).map((i) => (i.kind === 'property' ? i.name : i.kind));
    assert.deepEqual(names.slice(0, 4), ['a', 'b', 'c', 'd']);
  });

  it('reports a missing /dts-v1/, bad /bits/ and references in non-32-bit arrays', () => {
    assert.match(messages('/ { };')[0], /expected '\/dts-v1\/;'/);
    assert.deepEqual(
      messages('/dts-v1/; / { p = /bits/ 7 <1>; q = /bits/ 8 <&x>; };').map((m) => m.replace(/^\S+ /, '')),
      ['Array elements must be 8, 16, 32 or 64-bits', 'References are only allowed in arrays with 32-bit elements.'],
    );
  });

  it('reports an unclosed node at its opening brace', () => {
    assert.deepEqual(messages('/dts-v1/; / { n {'), ["0:16 syntax error: missing '}' (unclosed '{')", "0:12 syntax error: missing '}' (unclosed '{')"]);
  });

  it('never throws or takes long, and keeps every diagnostic inside the document (generated inputs)', () => {
    const pieces = [
      '/dts-v1/;',
      '/plugin/;',
      '/ {',
      '};',
      '{',
      '}',
      ';',
      'node@1',
      'prop',
      '=',
      '<',
      '>',
      '1',
      '0x10',
      '(',
      ')',
      '+',
      '/',
      '?',
      ':',
      'lbl:',
      '&lbl',
      '&{/a}',
      '"str"',
      '"\\x',
      "'a'",
      '[',
      ']',
      'ab',
      ',',
      '/delete-node/',
      '/delete-property/',
      '/omit-if-no-ref/',
      '/bits/',
      '16',
      '/incbin/',
      '/memreserve/',
      '#',
      '# 1 "x.h"\n',
      '/*',
      '*/',
      '//',
      '\n',
      ' ',
      '\\',
      '-',
      '~',
      '!',
      '@',
    ];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })), { maxLength: 200 }), (parts) => {
        const text = parts.join(' ');
        const { result: r, cpuMs } = withCpuMillis(() => parse(text));
        if (cpuMs > 1000) return false;
        const lines = text.split('\n');
        for (const d of r.diagnostics) {
          const { start: s, end: e, file } = d.range!;
          if (file !== '/t.dts') continue; // a line marker renamed it
          if (s.line < 0 || e.line >= lines.length || s.col > lines[s.line].length || e.col > lines[e.line].length) return false;
          if (e.line < s.line || (e.line === s.line && e.col < s.col)) return false;
        }
        return true;
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('parses inputs near 100 KB in well under a second', () => {
    const chunk = fc.constantFrom(
      'n@1 { p = <1 2 &l>, "s"; };\n',
      'l: m { q = [00 11]; };\n',
      '/delete-node/ n@1;\n',
      'x = <(1 + 2) ;\n',
      '};\n',
      '{\n',
      '"\n',
      '/*\n',
    );
    fc.assert(
      fc.property(fc.array(chunk, { minLength: 3000, maxLength: 4000 }), (chunks) => {
        const text = '/dts-v1/;\n/ {\n' + chunks.join('');
        return cpuMillis(() => parse(text)) < 1000;
      }),
      { numRuns: 5, seed: 7 },
    );
  });

  it('survives hostile nesting without exhausting the stack', () => {
    const deep = '/dts-v1/; / { ' + 'n { '.repeat(20000) + '}; '.repeat(20000) + '};';
    assert.ok(messages(deep).some((m) => m.includes('nesting deeper than')));
    const parens = '/dts-v1/; / { p = <' + '('.repeat(30000) + '1' + ')'.repeat(30000) + '>; };';
    assert.ok(messages(parens).some((m) => m.includes('nested deeper than')));
    const unary = '/dts-v1/; / { p = <(' + '-'.repeat(50000) + '1)>; };';
    assert.ok(messages(unary).some((m) => m.includes('prefix operators')));
  });
});
