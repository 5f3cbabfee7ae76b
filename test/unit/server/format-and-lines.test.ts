// Pure pieces of the server: the DTS layout formatter and the host that reads cpp output at its own
// lines when its line markers name missing files.
import { strict as assert } from 'assert';
import { decodeUtf8, MemoryFileHost } from '../../../src/common/host';
import { formatDts } from '../../../src/server/devicetree/dt-format';
import { PhysicalLinesHost } from '../../../src/server/devicetree/physical-lines';
import { OpenDocuments } from '../../../src/server/documents';
import { humanSize } from '../../../src/server/format-values';

function checkFormat(input: string, expected: string): void {
  assert.equal(formatDts(input, '\t'), expected);
  assert.equal(formatDts(expected, '\t'), expected, 'formatting is idempotent');
}

describe('server: DTS formatter', () => {
  it('indents by brace depth and drops trailing blanks and extra empty lines', () => {
    checkFormat('/ {\nnode {\n  a = <1>;   \n\n\n\n};\n};', '/ {\n\tnode {\n\t\ta = <1>;\n\n\t};\n};\n');
  });
  it('keeps directives at column 0 and does not count braces in strings, chars or comments', () => {
    checkFormat('#include "a.h"\n   #define X { \n/ {\n s = "}{";\n c = <\'{\'>; // }\n /* { */\n};\n', '#include "a.h"\n#define X {\n/ {\n\ts = "}{";\n\tc = <\'{\'>; // }\n\t/* { */\n};\n');
  });
  it('keeps the inside of block comments and continued macros as written', () => {
    checkFormat('/ {\n/*\n   * text {\n   */\n#define M(a) \\\n     a { \\\n   }\n x;\n};\n', '/ {\n\t/*\n   * text {\n   */\n#define M(a) \\\n     a { \\\n   }\n\tx;\n};\n');
  });
  it('treats #address-cells as a property, not a directive', () => {
    checkFormat('/ {\n#address-cells = <1>;\n};\n', '/ {\n\t#address-cells = <1>;\n};\n');
  });
});

describe('server: cpp output read at its own lines', () => {
  const cppOutput = '# 1 "tmp/board.dts"\n/dts-v1/;\n# 1 "tmp/soc.dtsi" 1\n/ { };\n#line 7 "x.dts"\n';
  const physical = (files: Record<string, string>): PhysicalLinesHost => new PhysicalLinesHost(new OpenDocuments().over(new MemoryFileHost(files)));
  it('blanks markers that name missing files, keeping every offset (text and bytes alike)', () => {
    const host = physical({ '/w/out.dts': cppOutput });
    for (const text of [host.readText('/w/out.dts')!, decodeUtf8(host.readFile('/w/out.dts')!)]) {
      assert.equal(text.length, cppOutput.length);
      assert.deepEqual(text.split('\n').map((l) => l.trim()), ['', '/dts-v1/;', '', '/ { };', '', '']);
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
