// The checks over trees from the real front end (compile.ts), for what hand-built trees cannot
// show: ranges of references, type markers from source, generated overlay nodes.
import { strict as assert } from 'assert';
import { MemoryFileHost } from '../../../src/common/host';
import { defaultCheckConfig, runChecks } from '../../../src/devicetree/checks';
import { compileText } from '../../../src/devicetree/compile';

function check(text: string) {
  const result = compileText('/t.dts', text, { host: new MemoryFileHost() });
  assert.deepEqual(
    result.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return { text, diags: runChecks(result, defaultCheckConfig()) };
}

/** The source text a range covers (single line). */
function covered(text: string, d: { range?: { start: { line: number; col: number }; end: { line: number; col: number } } }): string {
  const line = text.split('\n')[d.range!.start.line];
  return line.slice(d.range!.start.col, d.range!.end.col);
}

describe('devicetree/checks over compiled source', () => {
  it('points a missing provider count at the reference', () => {
    const { text, diags } = check('/dts-v1/;\n/ {\n\tq: q { };\n\tc { clocks = <&q>; };\n};\n');
    const d = diags.find((x) => x.code === 'clocks_property')!;
    assert.equal(d.message, "/c: Missing property '#clock-cells' in node /q or bad phandle (referred from clocks[0])");
    assert.equal(covered(text, d), '&q');
  });

  it('flags a literal phandle written as a number (source values carry type markers)', () => {
    const { diags } = check('/dts-v1/;\n/ {\n\tq { phandle = <5>; #clock-cells = <0>; };\n\tc { clocks = <5>; };\n};\n');
    assert.deepEqual(
      diags.filter((x) => x.code === 'clocks_property').map((x) => x.message),
      ['/c:clocks: cell 0 is not a phandle reference'],
    );
  });

  it('does not check the __fixups__ and __local_fixups__ an overlay generates', () => {
    const { diags } = check('/dts-v1/;\n/plugin/;\n/ {\n\tp = <&l &{/path/to/x}>;\n\tl: n@1 { reg = <1>; };\n};\n');
    assert.deepEqual(
      diags.filter((x) => x.subject?.startsWith('/__')),
      [],
    );
  });
});
