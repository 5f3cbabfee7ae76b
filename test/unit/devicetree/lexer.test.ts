import { strict as assert } from 'assert';
import { opCode, scan, unescapeString, type Token } from '../../../src/devicetree/lexer';

function kinds(text: string): string[] {
  return scan([{ file: '/t.dts', text }])
    .tokens.toArray()
    .filter((t) => t.kind !== 'eof')
    .map((t) => `${t.kind}:${t.text}`);
}

function tokens(text: string): Token[] {
  return scan([{ file: '/t.dts', text }]).tokens.toArray();
}

describe('devicetree/lexer', () => {
  it('switches states as dtc does: names after { and ;, values after a name', () => {
    assert.deepEqual(kinds('/dts-v1/; / { #size-cells = <0x10 010 1ULL>; };'), [
      'v1:/dts-v1/',
      'op:;',
      'op:/',
      'op:{',
      'name:#size-cells',
      'op:=',
      'op:<',
      'literal:0x10',
      'literal:010',
      'literal:1ULL',
      'op:>',
      'op:;',
      'op:}',
      'op:;',
    ]);
  });

  it('reads a number-like node name as a name in name state, and a label before it', () => {
    assert.deepEqual(kinds('/ { l1: 1234abc { }; };'), ['op:/', 'op:{', 'label:l1', 'name:1234abc', 'op:{', 'op:}', 'op:;', 'op:}', 'op:;']);
  });

  it('strips the backslash of an escaped property name', () => {
    assert.deepEqual(kinds('/ { \\#foo; };').slice(2, 3), ['name:#foo']);
  });

  it('scans references: &label and &{/path}', () => {
    assert.deepEqual(
      kinds('/ { p = <&lbl>, &{/a/b@1}; };').filter((k) => k.startsWith('ref')),
      ['ref:lbl', 'ref:/a/b@1'],
    );
  });

  it('scans hex bytes and labels inside [ ] and returns to value state after ]', () => {
    assert.deepEqual(kinds('/ { p = [abcd l: 12] , <1>; };').slice(4, 12), ['op:[', 'byte:ab', 'byte:cd', 'label:l', 'byte:12', 'op:]', 'op:,', 'op:<']);
  });

  it('scans two-character operators and keywords', () => {
    assert.deepEqual(
      kinds('/ { p = <(1 << 2 >= 3 && 4 || 5 != 6 == 7 <= 8 >> 1)>; };').filter((k) => k.startsWith('op:') && k.length > 4),
      ['op:<<', 'op:>=', 'op:&&', 'op:||', 'op:!=', 'op:==', 'op:<=', 'op:>>'],
    );
    assert.deepEqual(
      kinds('/delete-node/ &a; /omit-if-no-ref/ &b; /memreserve/ 1 2; /bits/ /plugin/').map((k) => k.split(':')[0]),
      ['delete-node', 'ref', 'op', 'omit-if-no-ref', 'ref', 'op', 'memreserve', 'literal', 'literal', 'op', 'bits', 'plugin'],
    );
  });

  it('unescapes strings as dtc (octal, hex, C escapes, other characters as themselves)', () => {
    assert.deepEqual([...unescapeString('a\\n\\t\\x41\\101\\0\\q\\"')], [0x61, 10, 9, 0x41, 0x41, 0, 0x71, 0x22]);
    const t = tokens('/ { p = "x\\"y"; };').find((x) => x.kind === 'string');
    assert.deepEqual([...t!.bytes!], [0x78, 0x22, 0x79]);
  });

  it('takes the longest character literal as flex does', () => {
    assert.deepEqual(
      kinds("/ { p = <'\\'' 'a'>; };").filter((k) => k.startsWith('char')),
      ["char:\\'", 'char:a'],
    );
  });

  it('keeps comments with their ranges', () => {
    const r = scan([{ file: '/t.dts', text: '/* a */ / { // b\n};' }]);
    assert.deepEqual(
      r.comments.map((c) => [c.text, c.range.start.line, c.range.start.col, c.range.end.col]),
      [
        ['/* a */', 0, 0, 7],
        ['// b', 0, 12, 16],
      ],
    );
  });

  it('applies cpp line markers to positions', () => {
    const r = scan([{ file: '/t.dts', text: '# 10 "other.dtsi" 1\n/ {\n};\n' }]);
    const slash = r.tokens.token(0);
    assert.deepEqual(r.sources[slash.src].range(slash.start, slash.end), { file: 'other.dtsi', start: { line: 9, col: 0 }, end: { line: 9, col: 1 } });
  });

  it('follows /include/ through the resolver, positions naming the included file', () => {
    const r = scan([{ file: '/d/main.dts', text: '/include/ "inc.dtsi"\n/ { };' }], (name, from) =>
      name === 'inc.dtsi' && from === '/d/main.dts' ? { file: '/d/inc.dtsi', text: '/dts-v1/;' } : undefined,
    );
    const v1 = r.tokens.token(0);
    assert.equal(v1.kind, 'v1');
    assert.equal(r.sources[v1.src].file, '/d/inc.dtsi');
    assert.deepEqual(r.includes, ['/d/inc.dtsi']);
  });

  it('reports a missing include and caps include nesting at 200', () => {
    const missing = scan([{ file: '/m.dts', text: '/include/ "nope.dtsi"' }], () => undefined);
    assert.match(missing.diagnostics[0].message, /Couldn't open "nope.dtsi"/);
    const looping = scan([{ file: '/m.dts', text: '/include/ "m.dts"' }], () => ({ file: '/m.dts', text: '/include/ "m.dts"' }));
    assert.ok(looping.diagnostics.some((d) => d.message === 'Includes nested too deeply'));
  });

  it('keeps tokens in arrays that grow past their first capacity, text and bytes read back per kind', () => {
    // One token per two characters: well past the capacity guessed from the length.
    const cells = '1 '.repeat(4000);
    const r = scan([{ file: '/t.dts', text: `/ { \\#p = <${cells}(1 << 2)>, &{/a@1}, [ab], 'c', "s\\n"; l: n { }; };` }]);
    const list = r.tokens;
    assert.equal(list.length, 4030);
    assert.equal(list.kind(list.length - 1), 'eof');
    assert.equal(list.text(list.length - 1), '');
    const byKind = (kind: string) =>
      list
        .toArray()
        .filter((t) => t.kind === kind)
        .map((t) => t.text);
    assert.deepEqual(byKind('name'), ['#p', 'n']);
    assert.deepEqual(byKind('label'), ['l']);
    assert.deepEqual(byKind('ref'), ['/a@1']);
    assert.deepEqual(byKind('char'), ['c']);
    assert.deepEqual(byKind('string'), ['"s\\n"']);
    assert.equal(byKind('literal').length, 4002);
    const shift = list.toArray().findIndex((t) => t.text === '<<');
    assert.equal(list.aux[shift], opCode('<<'));
    assert.notEqual(opCode('<<'), opCode('<'));
    assert.deepEqual([...list.bytes(list.toArray().findIndex((t) => t.kind === 'string'))!], [0x73, 10]);
  });

  it('marks names scanned in value state as stray (recovery only)', () => {
    const t = tokens('/ { a = <1> b = <2>; };').find((x) => x.text === 'b');
    assert.equal(t?.kind, 'name');
    assert.equal(t?.stray, true);
  });
});
