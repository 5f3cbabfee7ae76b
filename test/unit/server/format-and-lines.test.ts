// Pure pieces of the server: the DTS layout formatter and the host that reads cpp output at its own
// lines when its line markers name missing files.
import { strict as assert } from 'assert';
import { decodeUtf8, MemoryFileHost } from '../../../src/common/host';
import { formatDts } from '../../../src/server/devicetree/dt-format';
import { PhysicalLinesHost } from '../../../src/server/devicetree/physical-lines';
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
  it('blanks markers that name missing files, keeping every offset', () => {
    const host = new PhysicalLinesHost(new MemoryFileHost({ '/w/out.dts': cppOutput }));
    const text = decodeUtf8(host.readFile('/w/out.dts')!);
    assert.equal(text.length, cppOutput.length);
    assert.deepEqual(text.split('\n').map((l) => l.trim()), ['', '/dts-v1/;', '', '/ { };', '', '']);
  });
  it('leaves files alone when their markers name real files, and leaves #address-cells alone', () => {
    const files = { '/w/out.dts': cppOutput, '/w/tmp/board.dts': '', '/w/tmp/soc.dtsi': '', '/w/x.dts': '' };
    assert.equal(decodeUtf8(new PhysicalLinesHost(new MemoryFileHost(files)).readFile('/w/out.dts')!), cppOutput);
    const plain = '/ {\n  #address-cells = <1>;\n};\n';
    assert.equal(decodeUtf8(new PhysicalLinesHost(new MemoryFileHost({ '/w/a.dts': plain })).readFile('/w/a.dts')!), plain);
  });
});

describe('server: human sizes', () => {
  it('uses exact binary units when it can', () => {
    assert.deepEqual([0x200, 0x1000, 0x10000, 0xf000000, 0x1800, 1].map(humanSize), ['512 bytes', '4 KiB', '64 KiB', '240 MiB', '6 KiB', '1 byte']);
    assert.equal(humanSize(0x1a00), '6.5 KiB');
  });
});
