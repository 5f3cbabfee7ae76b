import { strict as assert } from 'assert';
import { MemoryFileHost } from '../../../src/common/host';
import { runCompile } from '../../../src/cli/compile';
import { compileFiles, compileText, writeDtb, writeDts } from '../../../src/devicetree/compile';
import { findNodeByPath, getProperty, propertyCells } from '../../../src/devicetree/tree';

const BASE = '/dts-v1/;\n/ {\n\tl: n {\n\t\tp = <1>;\n\t};\n};\n';
const OVERLAY = '&l {\n\tp = <2>;\n};\n/ {\n\tq = <&l>;\n};\n';

describe('devicetree/compile', () => {
  it('compiles several files as their texts appended, positions naming each file', () => {
    const host = new MemoryFileHost({ '/w/base.dts': BASE, '/w/overlay.dts': OVERLAY });
    const r = compileFiles(['/w/base.dts', '/w/overlay.dts'], { host });
    assert.deepEqual(r.diagnostics, []);
    const n = findNodeByPath(r.tree, '/n')!;
    const p = getProperty(n, 'p')!;
    assert.deepEqual(propertyCells(p), [2]);
    assert.deepEqual([p.range.file, p.range.start.line, p.range.start.col], ['/w/overlay.dts', 1, 1]);
    assert.deepEqual([n.range.file, n.range.start.line], ['/w/base.dts', 2]);
    assert.deepEqual(
      n.definitions.map((d) => d.file),
      ['/w/base.dts', '/w/overlay.dts'],
    );
    // The same bytes as one file holding both texts.
    const joined = compileText('/w/joined.dts', BASE + OVERLAY, { host });
    assert.deepEqual([...writeDtb(r.tree)], [...writeDtb(joined.tree)]);
    assert.deepEqual(
      r.documents.map((d) => [d.file, d.ast.items.map((i) => i.kind)]),
      [
        ['/w/base.dts', ['root']],
        ['/w/overlay.dts', ['ref-node', 'root']],
      ],
    );
    assert.deepEqual(r.files, ['/w/base.dts', '/w/overlay.dts']);
  });

  it('reports a missing input file without a position and compiles the rest', () => {
    const r = compileFiles(['/w/none.dts', '/w/base.dts'], { host: new MemoryFileHost({ '/w/base.dts': BASE }) });
    assert.deepEqual(
      r.diagnostics.map((d) => [d.message, d.range]),
      [['Couldn\'t open "/w/none.dts": No such file or directory', undefined]],
    );
    assert.ok(findNodeByPath(r.tree, '/n'));
  });

  it('keeps comments per document, and maps positions through the preprocessor', () => {
    const host = new MemoryFileHost({ '/w/defs.h': '#define VAL 7\n' });
    const text = '/dts-v1/;\n#include "defs.h"\n/* c */\n/ {\n\tp = <VAL>;\n\tq = <(1/0)>;\n};\n';
    const r = compileText('/w/x.dts', text, { host });
    assert.deepEqual(propertyCells(getProperty(r.tree.root, 'p')!), [7]);
    assert.deepEqual(
      r.documents[0].comments.map((c) => [c.text, c.range.start.line]),
      [['/* c */', 2]],
    );
    assert.deepEqual(
      r.diagnostics.map((d) => [d.message, d.range!.file, d.range!.start.line]),
      [['Division by zero', '/w/x.dts', 5]],
    );
    assert.ok(r.files.includes('/w/defs.h'));
    assert.ok(r.documents[0].preprocess);
  });

  it("resolves /include/ from the file's folder, then the include paths", () => {
    const host = new MemoryFileHost({
      '/w/main.dts': '/dts-v1/;\n/include/ "a.dtsi"\n/include/ "b.dtsi"\n',
      '/w/a.dtsi': '/ { a; };\n',
      '/inc/b.dtsi': '/ { b; };\n',
    });
    const r = compileFiles(['/w/main.dts'], { host, includePaths: ['/inc'] });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.tree.root.properties.map((p) => [p.name, p.range.file]),
      [
        ['a', '/w/a.dtsi'],
        ['b', '/inc/b.dtsi'],
      ],
    );
    assert.deepEqual(r.files, ['/w/main.dts', '/w/a.dtsi', '/inc/b.dtsi']);
  });

  it('writes canonical DTS as dtc does', () => {
    const r = compileText('/t.dts', '/dts-v1/; /memreserve/ 16 32; / { a: p = "s", [01 0a], <1 l: 2>, /bits/ 16 <3>; e; n { r = <&a0>; }; a0: m { }; };', {
      host: new MemoryFileHost(),
    });
    assert.equal(
      writeDts(r.tree),
      '/dts-v1/;\n\n/memreserve/\t0x0000000000000010 0x0000000000000020;\n/ {\n\ta: p = "s", [01 0a], <0x01 l:0x02>, /bits/ 16 <0x03>;\n\te;\n\n\tn {\n\t\tr = <0x01>;\n\t};\n\n\ta0: m {\n\t\tphandle = <0x01>;\n\t};\n};\n',
    );
  });

  describe('dual-guest compile', () => {
    function run(args: string[], files: Record<string, string>) {
      const out: (string | Uint8Array)[] = [];
      let err = '';
      const written = new Map<string, string | Uint8Array>();
      const code = runCompile(args, {
        host: new MemoryFileHost(files),
        cwd: '/w',
        stdout: (d) => out.push(d),
        stderr: (t) => (err += t),
        writeFile: (p, d) => written.set(p, d),
      });
      return { code, out, err, written };
    }

    it('writes a DTB chosen by the output extension, base then overlays', () => {
      const r = run(['base.dts', 'overlay.dts', '-o', 'out.dtb'], { '/w/base.dts': BASE, '/w/overlay.dts': OVERLAY });
      assert.equal(r.code, 0, r.err);
      const dtb = r.written.get('/w/out.dtb');
      assert.ok(dtb instanceof Uint8Array);
      assert.equal(new DataView(dtb.buffer, dtb.byteOffset).getUint32(0), 0xd00dfeed);
    });

    it('prints dtc-style messages and stops at errors unless -f', () => {
      const files = { '/w/x.dts': '/dts-v1/;\n/ {\n\tp = <&nothing>;\n\tnode@1 { };\n};\n' };
      const r = run(['-O', 'dts', 'x.dts'], files);
      assert.equal(r.code, 2);
      assert.deepEqual(r.out, []);
      assert.match(r.err, /^x\.dts:3\.7-3\.15: ERROR \(phandle_references\): \/: Reference to non-existent node or label "nothing"$/m);
      const warned = run(['-O', 'dtb', 'y.dts'], { '/w/y.dts': '/dts-v1/;\n/ {\n\tnode@1 { };\n};\n' });
      assert.equal(warned.code, 0);
      assert.match(warned.err, /^y\.dts:3\.\d+-3\.\d+: Warning \(unit_address_vs_reg\): \/node@1: /m);
      const forced = run(['-f', '-O', 'dts', 'x.dts'], files);
      assert.equal(forced.code, 0);
      assert.match(String(forced.out[0]), /^\/dts-v1\/;/);
      const quiet = run(['-Wno-unit_address_vs_reg', '-Eno-phandle_references', '-O', 'dts', 'x.dts'], files);
      assert.equal(quiet.code, 0, quiet.err);
      // What is left are dtc's notes about checks whose (now disabled) prerequisite did not run.
      assert.doesNotMatch(quiet.err, /ERROR|unit_address_vs_reg/);
    });

    it('exits 2 on a syntax error even with -f, and on bad usage', () => {
      assert.equal(run(['-f', 'x.dts'], { '/w/x.dts': '/dts-v1/; / { p = ; };' }).code, 2);
      assert.equal(run([], {}).code, 2);
      assert.equal(run(['-Wno-such_check', 'x.dts'], { '/w/x.dts': '/dts-v1/; / { };' }).code, 2);
    });

    describe('a batch', () => {
      const other = '/dts-v1/;\n/ {\n\tl: n {\n\t\tp = <3>;\n\t};\n};\n';
      const files = { '/w/base.dts': BASE, '/w/overlay.dts': OVERLAY, '/w/other.dts': other };
      const single = (inputs: string[]): Uint8Array => {
        const r = run([...inputs, '-o', 'one.dtb'], files);
        assert.equal(r.code, 0, r.err);
        return r.written.get('/w/one.dtb') as Uint8Array;
      };

      it('compiles each FILE... -o OUT group as its own tree, as separate runs would', () => {
        const r = run(['base.dts', 'overlay.dts', '-o', 'a.dtb', 'base.dts', '-o', 'b.dtb', 'other.dts', '-o', 'c.dts'], files);
        assert.equal(r.code, 0, r.err);
        assert.deepEqual([...r.written.keys()], ['/w/a.dtb', '/w/b.dtb', '/w/c.dts']);
        assert.deepEqual(r.written.get('/w/a.dtb'), single(['base.dts', 'overlay.dts']));
        assert.deepEqual(r.written.get('/w/b.dtb'), single(['base.dts']));
        assert.match(r.written.get('/w/c.dts') as string, /p = <0x03>;/);
      });

      it('reads the trees from a list file, paths relative to it', () => {
        const list = '# the board trees\nout/a.dtb: base.dts overlay.dts\n\nout/b.dtb:  other.dts\n';
        const r = run(['--batch', 'trees/list.txt'], {
          ...Object.fromEntries(Object.entries(files).map(([k, v]) => [k.replace('/w/', '/w/trees/'), v])),
          '/w/trees/list.txt': list,
        });
        assert.equal(r.code, 0, r.err);
        assert.deepEqual([...r.written.keys()], ['/w/trees/out/a.dtb', '/w/trees/out/b.dtb']);
        assert.deepEqual(r.written.get('/w/trees/out/a.dtb'), single(['base.dts', 'overlay.dts']));
      });

      it('goes on after a tree with errors, writes the others, and exits 2 naming the one not written', () => {
        const r = run(['bad.dts', '-o', 'bad.dtb', 'other.dts', '-o', 'c.dtb'], { ...files, '/w/bad.dts': '/dts-v1/;\n/ {\n\tx = <1;\n};\n' });
        assert.equal(r.code, 2);
        assert.deepEqual([...r.written.keys()], ['/w/c.dtb']);
        assert.match(r.err, /^bad\.dts:3\.\d+-\d+\.\d+: Error/m);
        assert.match(r.err, /FATAL ERROR: Unable to parse input tree \(bad\.dtb not written\)/);
      });

      it('refuses inputs after the last -o, an -o with no inputs, and a bad list line, with exit 2', () => {
        const trailing = run(['base.dts', '-o', 'a.dtb', 'other.dts', '-o', 'b.dtb', 'overlay.dts'], files);
        assert.equal(trailing.code, 2);
        assert.match(trailing.err, /overlay\.dts: no -o after these inputs/);
        assert.equal(trailing.written.size, 0);
        const empty = run(['base.dts', '-o', 'a.dtb', '-o', 'b.dtb'], files);
        assert.equal(empty.code, 2);
        assert.match(empty.err, /an -o has none/);
        const badList = run(['--batch', 'l.txt'], { ...files, '/w/l.txt': 'a.dtb: base.dts\njust-a-file.dts\n' });
        assert.equal(badList.code, 2);
        assert.match(badList.err, /\/w\/l\.txt:2: expected 'OUT: FILE\.\.\.', found 'just-a-file\.dts'/);
        assert.equal(badList.written.size, 0);
        const missing = run(['--batch', 'none.txt'], files);
        assert.equal(missing.code, 2);
        assert.match(missing.err, /cannot read the list file none\.txt/);
        const mixed = run(['--batch', 'l.txt', 'base.dts'], { ...files, '/w/l.txt': 'a.dtb: base.dts\n' });
        assert.equal(mixed.code, 2);
      });
    });
  });
});
