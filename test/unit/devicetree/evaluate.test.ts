import { strict as assert } from 'assert';
import { MemoryFileHost } from '../../../src/common/host';
import { compileFiles, compileText, type CompileResult } from '../../../src/devicetree/compile';
import {
  findNodeByPath,
  getProperty,
  liveChildren,
  liveProperties,
  nodePath,
  propertyCells,
  propertyStrings,
  walkNodes,
  type DtNode,
} from '../../../src/devicetree/tree';

const host = new MemoryFileHost();

function compile(text: string, options: { symbols?: boolean; host?: MemoryFileHost } = {}): CompileResult {
  return compileText('/t.dts', text, { host: options.host ?? host, symbols: options.symbols });
}

function node(r: CompileResult, path: string): DtNode {
  const n = findNodeByPath(r.tree, path);
  assert.ok(n, `no node ${path}`);
  return n;
}

function cells(r: CompileResult, path: string, prop: string): number[] {
  const p = getProperty(node(r, path), prop);
  assert.ok(p, `no ${path}:${prop}`);
  return propertyCells(p);
}

function props(r: CompileResult, path: string): string[] {
  return liveProperties(node(r, path)).map((p) => p.name);
}

function kids(r: CompileResult, path: string): string[] {
  return liveChildren(node(r, path)).map((c) => c.name);
}

function clean(r: CompileResult): void {
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.fixupDiagnostics, []);
}

describe('devicetree/evaluate', () => {
  it('merges a repeated node: the value and its position move to the new definition, labels accumulate', () => {
    const r = compile('/dts-v1/;\n/ { a: n { p = <1>; q = <2>; }; };\n/ { b: n { p = <3>; r; }; };\n');
    clean(r);
    const n = node(r, '/n');
    assert.deepEqual(props(r, '/n'), ['p', 'q', 'r']);
    assert.deepEqual(cells(r, '/n', 'p'), [3]);
    assert.equal(getProperty(n, 'p')!.range.start.line, 2);
    assert.deepEqual(
      getProperty(n, 'p')!.history.map((h) => [h.kind, h.range.start.line]),
      [
        ['set', 1],
        ['set', 2],
      ],
    );
    // dtc puts each newly added label first.
    assert.deepEqual(n.labels, ['b', 'a']);
    assert.equal(n.definitions.length, 2);
    assert.equal(n.range.start.line, 1);
  });

  it('keeps duplicates inside one body (for the duplicate-name checks)', () => {
    const r = compile('/dts-v1/; / { p = <1>; p = <2>; n { }; n { }; };');
    assert.deepEqual(
      r.tree.root.properties.map((p) => p.name),
      ['p', 'p'],
    );
    assert.deepEqual(
      r.tree.root.children.map((c) => c.name),
      ['n', 'n'],
    );
  });

  it('reopens by &label and &{/path}; an unknown one is an error at the reference', () => {
    const r = compile('/dts-v1/; / { l: n { }; }; &l { a; }; &{/n} { b; }; &nope { };');
    assert.deepEqual(props(r, '/n'), ['a', 'b']);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.message, d.range!.start.col]),
      [['Label or path nope not found', 52]],
    );
  });

  it('soft-deletes nodes, properties and their labels; a later definition revives them', () => {
    const r = compile('/dts-v1/; / { q = <1>; l: n { p = <1>; c { }; }; }; / { /delete-property/ q; /delete-node/ n; }; / { n { x; }; };');
    clean(r);
    const n = node(r, '/n');
    assert.equal(n.deleted, false);
    // Reviving the node does not revive its old contents or labels.
    assert.deepEqual(props(r, '/n'), ['x']);
    assert.deepEqual(kids(r, '/n'), []);
    assert.deepEqual(n.labels, []);
    assert.equal(r.tree.root.properties.find((p) => p.name === 'q')?.deleted, true);
    assert.deepEqual(
      r.tree.root.properties.find((p) => p.name === 'q')?.history.map((h) => h.kind),
      ['set', 'delete'],
    );
  });

  it('deletes by label at top level, and reports an unknown label', () => {
    const r = compile('/dts-v1/; / { l: n { }; m { }; }; /delete-node/ &l; /delete-node/ &zz;');
    assert.deepEqual(kids(r, '/'), ['m']);
    assert.deepEqual(
      r.diagnostics.map((d) => d.message),
      ['Label or path zz not found'],
    );
  });

  it('assigns phandles lazily in tree order of the references, skipping explicit ones', () => {
    const r = compile('/dts-v1/; / { a { r = <&c &b &c>; }; b: b { }; c: c { }; d: d { phandle = <1>; }; e { r = <&d>; }; };');
    clean(r);
    assert.deepEqual(cells(r, '/a', 'r'), [2, 3, 2]);
    assert.deepEqual(cells(r, '/c', 'phandle'), [2]);
    assert.deepEqual(cells(r, '/b', 'phandle'), [3]);
    assert.equal(node(r, '/d').phandle, 1);
    assert.deepEqual(cells(r, '/e', 'r'), [1]);
    assert.deepEqual(props(r, '/c'), ['phandle']);
    assert.equal(node(r, '/c').referenced, true);
  });

  it('gives a phandle to a node whose phandle property references itself', () => {
    const r = compile('/dts-v1/; / { n: n { phandle = <&n>; }; };');
    clean(r);
    assert.deepEqual(cells(r, '/n', 'phandle'), [1]);
    assert.deepEqual(props(r, '/n'), ['phandle']);
  });

  it('reports the fixup findings under dtc check names', () => {
    const r = compile('/dts-v1/; / { a: x { }; a: y { }; p { r = <&none>; s = &gone; }; q { phandle = <0>; }; z { phandle = <5>; }; w { phandle = <5>; }; };');
    assert.deepEqual(
      r.fixupDiagnostics.map((d) => [d.code, d.message]),
      [
        ['duplicate_label', "Duplicate label 'a' on /y and /x"],
        ['explicit_phandles', 'bad value (0x0) in phandle property'],
        ['explicit_phandles', 'duplicated phandle 0x5 (seen before at /z)'],
        ['phandle_references', 'Reference to non-existent node or label "none"'],
        ['path_references', 'Reference to non-existent node or label "gone"'],
      ],
    );
    assert.equal(r.fixupDiagnostics[3].subject, '/p');
  });

  it('reports the fixup findings check by check, whatever the tree order', () => {
    // The checks share walks; the node with the references comes first in the tree.
    const r = compile('/dts-v1/; / { p { s = &gone; r = <&none>; }; a: x { q = <&a>; }; a: z { phandle = <0>; }; };');
    assert.deepEqual(
      r.fixupDiagnostics.map((d) => [d.code, d.subject]),
      [
        ['duplicate_label', '/z'],
        ['explicit_phandles', '/z:phandle'],
        ['phandle_references', '/p'],
        ['path_references', '/p'],
      ],
    );
    assert.equal(node(r, '/x').phandle, 1);
    assert.deepEqual(cells(r, '/x', 'q'), [1]);
  });

  it('finds the fixup findings of properties that arrive by reopening a node', () => {
    const r = compile('/dts-v1/; / { a: x { }; y { }; }; &a { name = "bad"; phandle = <0>; r = <&nope>; l: q; }; / { y { l: s; }; }; &{/y} { t = &gone; };');
    assert.deepEqual(
      r.fixupDiagnostics.map((d) => [d.code, d.subject]),
      [
        ['name_properties', '/x'],
        ['duplicate_label', '/y'],
        ['explicit_phandles', '/x:phandle'],
        ['phandle_references', '/x'],
        ['path_references', '/y'],
      ],
    );
  });

  it('reports duplicate labels on properties and in values against their first site, as dtc does', () => {
    const r = compile('/dts-v1/; / { n { p = <1 v: 2>; l: q = <3 l: 4>; }; m { v: r; l: s; }; };');
    // dtc 1.6.1 prints exactly these three.
    assert.deepEqual(
      r.fixupDiagnostics.map((d) => [d.subject, d.message]),
      [
        ['/n', "Duplicate label 'v' on value of 'p' in /n and 'r' in /m"],
        ['/n', "Duplicate label 'l' on value of 'q' in /n and 'q' in /n"],
        ['/m', "Duplicate label 'l' on 's' in /m and 'q' in /n"],
      ],
    );
  });

  it('keeps every value intact when values share buffers (byte by byte, long values, fixed-up cells)', () => {
    // Values written byte by byte fill a shared buffer in the middle of a value: what was built moves along.
    const lengths = Array.from({ length: 400 }, (_, i) => ((i * 37) % 300) + (i === 200 ? 70000 : 0));
    const props = lengths.map((n, i) => `p${i} = <&t ${i}>, [${'ab'.repeat(n % 97)}], "${'x'.repeat(n)}";`).join(' ');
    const r = compile(`/dts-v1/; / { ${props} t: t { }; };`);
    clean(r);
    lengths.forEach((n, i) => {
      const b = getProperty(r.tree.root, `p${i}`)!.value.bytes;
      assert.equal(b.length, 8 + (n % 97) + n + 1, `p${i}`);
      assert.deepEqual([...b.subarray(0, 8)], [0, 0, 0, 1, 0, 0, i >> 8, i & 0xff], `p${i}`);
      assert.ok(
        b.subarray(8, 8 + (n % 97)).every((x) => x === 0xab),
        `p${i}`,
      );
      assert.ok(
        b.subarray(8 + (n % 97), -1).every((x) => x === 0x78),
        `p${i}`,
      );
    });
  });

  it("extends a written __fixups__ property without touching other values' marker lists", () => {
    const r = compile('/dts-v1/; /plugin/; / { n { a = "y"; p = <&foo>; }; __fixups__ { foo = "/x:y:0"; }; };');
    const fixups = getProperty(node(r, '/__fixups__'), 'foo')!;
    assert.deepEqual(propertyStrings(fixups), ['/x:y:0', '/n:p:0']);
    assert.deepEqual(
      fixups.value.markers.map((m) => [m.kind, m.offset]),
      [
        ['type-string', 0],
        ['type-string', 7],
      ],
    );
    assert.deepEqual(
      getProperty(node(r, '/n'), 'a')!.value.markers.map((m) => [m.kind, m.offset]),
      [['type-string', 0]],
    );
  });

  it('inserts paths for references outside < > and moves the later markers', () => {
    const r = compile('/dts-v1/; / { p = &l, "x", <&l>; l: node@1 { }; };');
    clean(r);
    const p = getProperty(r.tree.root, 'p')!;
    assert.deepEqual(propertyStrings(p).slice(0, 2), ['/node@1', 'x']);
    const ph = p.value.markers.find((m) => m.kind === 'ref-phandle')!;
    assert.equal(ph.offset, 10);
    assert.deepEqual([...p.value.bytes.subarray(10)], [0, 0, 0, 1]);
  });

  it('drops an unreferenced /omit-if-no-ref/ node and keeps a referenced one', () => {
    const r = compile('/dts-v1/; / { /omit-if-no-ref/ a: a { }; /omit-if-no-ref/ b: b { }; c { }; u { r = <&b>; }; }; /omit-if-no-ref/ &{/c};');
    clean(r);
    assert.deepEqual(kids(r, '/'), ['b', 'u']);
  });

  it('keeps labelled /omit-if-no-ref/ nodes when -@ asks for symbols, and writes __symbols__ with phandles', () => {
    const r = compile('/dts-v1/; / { /omit-if-no-ref/ a: a { }; b: c: b { }; };', { symbols: true });
    clean(r);
    assert.deepEqual(kids(r, '/'), ['a', 'b', '__symbols__']);
    assert.deepEqual(props(r, '/__symbols__'), ['a', 'b', 'c']);
    assert.deepEqual(propertyStrings(getProperty(node(r, '/__symbols__'), 'c')!), ['/b']);
    assert.deepEqual(cells(r, '/a', 'phandle'), [1]);
    assert.deepEqual(cells(r, '/b', 'phandle'), [2]);
  });

  it('turns unresolved &ref { } of a plugin into fragments with __fixups__ and __local_fixups__', () => {
    const r = compile('/dts-v1/;\n/plugin/;\n&base { p = <&local &ext>; local: n { }; };\n&{/path} { q = <&ext>; };\n');
    clean(r);
    assert.equal(r.tree.isPlugin, true);
    assert.deepEqual(kids(r, '/'), ['fragment@0', 'fragment@1', '__fixups__', '__local_fixups__']);
    assert.deepEqual(cells(r, '/fragment@0', 'target'), [0xffffffff]);
    assert.deepEqual(propertyStrings(getProperty(node(r, '/fragment@1'), 'target-path')!), ['/path']);
    assert.deepEqual(cells(r, '/fragment@0/__overlay__', 'p'), [1, 0xffffffff]);
    assert.deepEqual(propertyStrings(getProperty(node(r, '/__fixups__'), 'base')!), ['/fragment@0:target:0']);
    assert.deepEqual(propertyStrings(getProperty(node(r, '/__fixups__'), 'ext')!), ['/fragment@0/__overlay__:p:4', '/fragment@1/__overlay__:q:0']);
    assert.deepEqual(cells(r, '/__local_fixups__/fragment@0/__overlay__', 'p'), [0]);
  });

  it("merges a plugin's &label { } into its own labelled node", () => {
    const r = compile('/dts-v1/; /plugin/; / { l: n { }; }; &l { x; };');
    clean(r);
    assert.deepEqual(kids(r, '/'), ['n']);
    assert.deepEqual(props(r, '/n'), ['x']);
  });

  it("reads /memreserve/ entries and guesses the boot cpu from /cpus' first child", () => {
    const r = compile('/dts-v1/; /memreserve/ 0x1000 0x2000; / { cpus { cpu@3 { reg = <3>; }; cpu@0 { reg = <0>; }; }; };');
    clean(r);
    assert.deepEqual(
      r.tree.memreserves.map((m) => [m.address, m.size]),
      [[0x1000n, 0x2000n]],
    );
    assert.equal(r.tree.bootCpuidPhys, 3);
  });

  it('reads /incbin/ through the host, relative to the including file, with offset and length', () => {
    const h = new MemoryFileHost({ '/d/blob.bin': Uint8Array.of(1, 2, 3, 4, 5, 6) });
    const r = compileFiles(['/d/x.dts'], {
      host: new MemoryFileHost({
        '/d/x.dts': '/dts-v1/; / { a = /incbin/("blob.bin"); b = /incbin/("blob.bin", 2, 3); };',
        '/d/blob.bin': Uint8Array.of(1, 2, 3, 4, 5, 6),
      }),
    });
    clean(r);
    assert.deepEqual([...getProperty(r.tree.root, 'a')!.value.bytes], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...getProperty(r.tree.root, 'b')!.value.bytes], [3, 4, 5]);
    assert.ok(r.files.includes('/d/blob.bin'));
    assert.ok(h.fileExists('/d/blob.bin'));
    const missing = compile('/dts-v1/; / { a = /incbin/("none.bin"); };');
    assert.match(missing.diagnostics[0].message, /Couldn't open "none.bin"/);
  });

  it('encodes /bits/ sizes, sign-extended negatives, and rejects out-of-range elements', () => {
    const r = compile('/dts-v1/; / { a = /bits/ 8 <0xff (-1)>; b = /bits/ 16 <0x1234>; c = /bits/ 64 <1>; d = /bits/ 8 <0x100>; };');
    assert.deepEqual([...getProperty(r.tree.root, 'a')!.value.bytes], [0xff, 0xff]);
    assert.deepEqual([...getProperty(r.tree.root, 'b')!.value.bytes], [0x12, 0x34]);
    assert.deepEqual([...getProperty(r.tree.root, 'c')!.value.bytes], [0, 0, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(
      r.diagnostics.map((d) => d.message),
      ['Value out of range for 8-bit array element'],
    );
  });

  it('reports division by zero at the expression', () => {
    const r = compile('/dts-v1/; / { a = <(4 / (2 - 2))>; };');
    assert.deepEqual(
      r.diagnostics.map((d) => [d.message, d.range!.start.col]),
      [['Division by zero', 19]],
    );
  });

  it('drops a `name` property equal to the base name and reports a wrong one', () => {
    const r = compile('/dts-v1/; / { n@1 { name = "n"; }; m { name = "x"; }; };');
    assert.deepEqual(props(r, '/n@1'), []);
    assert.deepEqual(
      r.fixupDiagnostics.map((d) => [d.code, d.message]),
      [['name_properties', '"name" property is incorrect ("x" instead of base node name)']],
    );
  });

  it('reports headers that disagree, and a header after the tree (as in an overlay file that has its own)', () => {
    const r = compile('/dts-v1/; /dts-v1/; /plugin/; / { };');
    assert.deepEqual(
      r.diagnostics.map((d) => d.message),
      ["Header flags don't match earlier ones"],
    );
    const two = compileFiles(['/a.dts', '/b.dts'], { host: new MemoryFileHost({ '/a.dts': '/dts-v1/; / { };', '/b.dts': '/dts-v1/; / { };' }) });
    assert.deepEqual(
      two.diagnostics.map((d) => [d.message, d.range!.file]),
      [['syntax error: /dts-v1/ must come before the device tree', '/b.dts']],
    );
  });

  it('resolves each top-level `&label` against the tree as the items before it left it (as dtc 1.6.1 does)', () => {
    // Property-only merges keep the label table; a delete, a label added by a merge and a revival change it.
    const r = compile(`/dts-v1/;
/ {
	a: n1 { };
	b: n2 { c: sub { }; };
};
&a { p = <1>; };
&b { q = <2>; };
/delete-node/ &a;
&b { a: n3 { }; };
&a { r = <3>; };
/ { n1 { t = <5>; }; };
&c { s = <4>; };
&{/n2/n3} { u = <6>; };
`);
    clean(r);
    assert.deepEqual(kids(r, '/'), ['n1', 'n2']);
    assert.deepEqual(props(r, '/n1'), ['t'], 'the revived n1 lost its properties and its label');
    assert.deepEqual(node(r, '/n1').labels, []);
    assert.deepEqual(props(r, '/n2'), ['q']);
    assert.deepEqual(props(r, '/n2/sub'), ['s']);
    assert.deepEqual(props(r, '/n2/n3'), ['r', 'u'], '&a after the delete names the node the later merge labelled');
    const deleted = compile('/dts-v1/;\n/ { a: n1 { }; n2 { }; };\n/delete-node/ &a;\n&a { r = <3>; };\n');
    assert.deepEqual(
      deleted.diagnostics.map((d) => [d.message, d.range?.start.line]),
      [['Label or path a not found', 3]],
    );
  });

  it('builds paths that every consumer agrees on', () => {
    const r = compile('/dts-v1/; / { a { b@1 { }; }; };');
    assert.deepEqual([...walkNodes(r.tree.root)].map(nodePath), ['/', '/a', '/a/b@1']);
  });
});
