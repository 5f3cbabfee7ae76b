// Pure pieces of the server: the DTS layout formatter and the host that reads cpp output at its own
// lines when its line markers name missing files.
import { strict as assert } from 'assert';
import * as fc from 'fast-check';
import { decodeUtf8, MemoryFileHost } from '../../../src/common/host';
import { detectIndentUnit, formatDts } from '../../../src/server/devicetree/dt-format';
import { PhysicalLinesHost } from '../../../src/server/devicetree/physical-lines';
import { OpenDocuments } from '../../../src/server/documents';
import { humanSize } from '../../../src/server/format-values';

function checkFormat(input: string, expected: string, fallback = '\t'): void {
  assert.equal(formatDts(input, fallback), expected);
  assert.equal(formatDts(expected, fallback), expected, 'formatting is idempotent');
}

describe('server: DTS formatter', () => {
  it('indents by brace depth and drops trailing blanks and extra empty lines', () => {
    checkFormat('/ {\nnode {\n\ta = <1>;   \n\n\n\n};\n};', '/ {\n\tnode {\n\t\ta = <1>;\n\n\t};\n};\n');
  });
  it('keeps directives at column 0 and does not count braces in strings, chars or comments', () => {
    checkFormat(
      '#include "a.h"\n   #define X { \n/ {\n\ts = "}{";\n c = <\'{\'>; // }\n /* { */\n};\n',
      '#include "a.h"\n#define X {\n/ {\n\ts = "}{";\n\tc = <\'{\'>; // }\n\t/* { */\n};\n',
    );
  });
  it('moves the inside of a block comment with its first line, and keeps continued macros as written', () => {
    checkFormat(
      '/ {\n\tx;\n/*\n   * text {\n   */\n#define M(a) \\\n     a { \\\n   }\n x;\n};\n',
      '/ {\n\tx;\n\t/*\n\t   * text {\n\t   */\n#define M(a) \\\n     a { \\\n   }\n\tx;\n};\n',
    );
  });
  it('ends a statement at /include/, which has no semicolon', () => {
    checkFormat('/ {\n\ta {\n/include/ "b.dtsi"\n  c;\n\t};\n};\n', '/ {\n\ta {\n\t\t/include/ "b.dtsi"\n\t\tc;\n\t};\n};\n');
  });
  it('treats #address-cells as a property, not a directive', () => {
    checkFormat('/ {\n#address-cells = <1>;\n};\n', '/ {\n\t#address-cells = <1>;\n};\n');
  });

  it('learns the indentation unit from the file: tabs, or N spaces, whatever the editor asks', () => {
    const tabs = '/ {\n\tnode {\n\t\ta;\n\t};\n};\n';
    const one = '/ {\n node {\n  a;\n };\n};\n';
    const two = '/ {\n  node {\n    a;\n  };\n};\n';
    for (const text of [tabs, one, two]) for (const fallback of ['\t', '    ']) assert.equal(formatDts(text, fallback), text);
    assert.deepEqual([tabs, one, two].map(detectIndentUnit), ['\t', ' ', '  ']);
    // The majority of the steps decides; the odd line is re-indented.
    checkFormat('/ {\n  a {\n      b;\n    c;\n  };\n  d;\n};\n', '/ {\n  a {\n    b;\n    c;\n  };\n  d;\n};\n');
  });

  it("uses the editor's unit only when the file has no indentation to learn from", () => {
    assert.equal(detectIndentUnit('/ {\na;\nb { c; };\n};\n'), undefined);
    checkFormat('/ {\na;\nb {\nc;\n};\n};\n', '/ {\n    a;\n    b {\n        c;\n    };\n};\n', '    ');
  });

  it('keeps the alignment of continuation lines, moving them with their statement', () => {
    const aligned =
      '/ {\n\tpcie {\n\t\tinterrupt-map = <0 0 0 1 &gic 0 125 4>,\n\t\t                <0 0 0 2 &gic 0 124 4>;\n\t\tclocks = <&clk 1>, <&clk 2>,\n\t\t\t<&clk 3>;\n\t\tcompatible = "a",\n\t\t\t     "b";\n\t};\n};\n';
    checkFormat(aligned, aligned);
    // The node was one level off: its statements move, and their continuation lines with them.
    const off = aligned.replace(/\n\t\t/g, '\n\t\t\t').replace('\t};', '\t\t};');
    assert.notEqual(off, aligned);
    checkFormat(off, aligned);
  });

  it("keeps every line of cpp output (its markers count lines) and the file's line ending", () => {
    const cpp = '# 1 "x.dts"\n/dts-v1/;\n\n\n\n/ {\n a;\n};\n';
    checkFormat(cpp, cpp);
    const crlf = '/ {\r\n\ta;  \r\n};\r\n';
    checkFormat(crlf, '/ {\r\n\ta;\r\n};\r\n');
  });

  it('property: a consistently indented file formats to itself, whatever its unit and its continuation lines', () => {
    type Prop = { name: string; groups: string[]; hang: number };
    type Node = { name: string; label: boolean; comment: boolean; props: Prop[]; children: Node[] };
    const prop: fc.Arbitrary<Prop> = fc.record({
      name: fc.constantFrom('reg', 'clocks', 'interrupt-map', 'compatible'),
      groups: fc.array(fc.constantFrom('<0 1>', '<&clk 2>', '"a,b"', '<0x30860000 0x10000>'), { minLength: 1, maxLength: 4 }),
      hang: fc.integer({ min: -1, max: 20 }),
    });
    // At most four levels, two children each: small trees, generated fast.
    const nodeAt = (depth: number): fc.Arbitrary<Node> =>
      fc.record({
        name: fc.constantFrom('serial@0', 'soc', 'leds', 'pcie@33800000'),
        label: fc.boolean(),
        comment: fc.boolean(),
        props: fc.array(prop, { maxLength: 3 }),
        children: depth >= 3 ? fc.constant([]) : fc.array(nodeAt(depth + 1), { maxLength: 2 }),
      });
    const node = nodeAt(0);
    const print = (n: Node, unit: string, depth: number, out: string[]): void => {
      const at = unit.repeat(depth);
      if (n.comment) out.push(`${at}/*`, `${at} * ${n.name}`, `${at} */`);
      out.push(`${at}${n.label ? 'lbl: ' : ''}${n.name} {`);
      for (const p of n.props) {
        const head = `${at}${unit}${p.name} = `;
        // A continuation hangs under the first value (-1), or at some blanks past the statement.
        const hang = p.hang < 0 ? ' '.repeat(head.length - at.length - unit.length) : ' '.repeat(p.hang);
        p.groups.forEach((g, i) => out.push(`${i === 0 ? head : at + unit + hang}${g}${i === p.groups.length - 1 ? ';' : ','}`));
      }
      for (const c of n.children) print(c, unit, depth + 1, out);
      out.push(`${at}};`);
    };
    fc.assert(
      fc.property(node, fc.constantFrom('\t', ' ', '  ', '    ', '        '), fc.constantFrom('\t', '   '), (root, unit, fallback) => {
        const out = ['/dts-v1/;', ''];
        print({ ...root, name: '/', label: false }, unit, 0, out);
        const text = out.join('\n') + '\n';
        assert.equal(formatDts(text, fallback), text);
      }),
      { numRuns: 200 },
    );
  });

  it('property: formatting twice equals formatting once, and only layout changes', () => {
    const pieces = [
      '/ {',
      'node@1 {',
      'lbl: n {',
      '};',
      '}; };',
      'a = <1>,',
      '<2 &x>;',
      'b = "s{", "t}",',
      '"u";',
      '/* c {',
      '*/',
      ' * mid',
      '// x {',
      '#include "a.h"',
      '#define M { \\',
      '  } \\',
      '# 3 "f.dts"',
      '',
      'x;',
      '&l {',
      '&{/p} {',
      "c = '{';",
      '#address-cells = <1>;',
      '/delete-node/ n;',
      'q = [00 11];',
    ];
    const line = fc
      .tuple(fc.constantFrom('', ' ', '  ', '\t', '    ', '\t\t', ' \t', '       '), fc.constantFrom(...pieces), fc.constantFrom('', ' ', '\t'))
      .map(([lead, body, trail]) => lead + body + trail);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.constantFrom('\n', '\r\n'), fc.constantFrom('\t', '    ', '  '), (lines, eol, fallback) => {
        const text = lines.join(eol);
        const once = formatDts(text, fallback);
        assert.equal(formatDts(once, fallback), once);
        const content = (t: string): string[] =>
          t
            .split(/\r?\n/)
            .map((l) => l.trim())
            .filter((l) => l !== '');
        assert.deepEqual(content(once), content(text));
      }),
      { numRuns: 500 },
    );
  });
});

describe('server: cpp output read at its own lines', () => {
  const cppOutput = '# 1 "tmp/board.dts"\n/dts-v1/;\n# 1 "tmp/soc.dtsi" 1\n/ { };\n#line 7 "x.dts"\n';
  const physical = (files: Record<string, string>): PhysicalLinesHost => new PhysicalLinesHost(new OpenDocuments().over(new MemoryFileHost(files)));
  it('blanks markers that name missing files, keeping every offset (text and bytes alike)', () => {
    const host = physical({ '/w/out.dts': cppOutput });
    for (const text of [host.readText('/w/out.dts')!, decodeUtf8(host.readFile('/w/out.dts')!)]) {
      assert.equal(text.length, cppOutput.length);
      assert.deepEqual(
        text.split('\n').map((l) => l.trim()),
        ['', '/dts-v1/;', '', '/ { };', '', ''],
      );
    }
  });
  it('blanks an indented marker and one with non-ASCII text, in an open buffer too', () => {
    const text = '  # 3 "gone/é.dtsi" 2\n/ { };\n';
    const docs = new OpenDocuments();
    docs.open('/w/open.dts', 'file:///w/open.dts', 'devicetree', 1, text);
    const host = new PhysicalLinesHost(docs.over(new MemoryFileHost({})));
    const out = host.readText('/w/open.dts')!;
    assert.equal(out, ' '.repeat(text.indexOf('\n')) + '\n/ { };\n');
    assert.equal(decodeUtf8(host.readFile('/w/open.dts')!), out);
  });
  it('leaves files alone when their markers name real files, and leaves #address-cells and #include alone', () => {
    const files = { '/w/out.dts': cppOutput, '/w/tmp/board.dts': '', '/w/tmp/soc.dtsi': '', '/w/x.dts': '' };
    assert.equal(decodeUtf8(physical(files).readFile('/w/out.dts')!), cppOutput);
    assert.equal(physical(files).readText('/w/out.dts'), cppOutput);
    const plain = '#include "gone.h"\n/ {\n  #address-cells = <1>;\n  x = "# 1 \\"gone.h\\"";\n};\n';
    assert.equal(decodeUtf8(physical({ '/w/a.dts': plain }).readFile('/w/a.dts')!), plain);
    assert.equal(physical({ '/w/a.dts': plain }).readText('/w/a.dts'), plain);
  });
});

describe('server: human sizes', () => {
  it('uses exact binary units when it can', () => {
    assert.deepEqual([0x200, 0x1000, 0x10000, 0xf000000, 0x1800, 1].map(humanSize), ['512 bytes', '4 KiB', '64 KiB', '240 MiB', '6 KiB', '1 byte']);
    assert.equal(humanSize(0x1a00), '6.5 KiB');
  });
});
