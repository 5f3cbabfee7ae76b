// Regression tests for hostile input (issue "Hostile input"): each reproducer once crashed, hung or
// grew without bound. Each must now give positioned diagnostics quickly.
import { strict as assert } from 'assert';
import { MemoryFileHost } from '../../../src/common/host';
import { compileFiles } from '../../../src/devicetree/compile';
import { runCompile } from '../../../src/cli/compile';
import { findNodeByPath } from '../../../src/devicetree/tree';
import { withCpuMillis } from '../../cpu-time';

describe('devicetree: hostile input', () => {
  it('a file that /include/s itself twice stops at the depth limit once, as dtc does (not 2^depth)', () => {
    const host = new MemoryFileHost({ '/w/selfd.dts': '/dts-v1/;\n/include/ "selfd.dts"\n/include/ "selfd.dts"\n/ { };\n' });
    const r = compileFiles(['/w/selfd.dts'], { host });
    const deep = r.diagnostics.filter((d) => d.message === 'Includes nested too deeply');
    assert.equal(deep.length, 1);
    assert.equal(deep[0].range?.file, '/w/selfd.dts');
    assert.ok(r.diagnostics.length < 10, `${r.diagnostics.length} diagnostics`);
  });

  it('a file that #includes itself twice stops at the depth limit once (cpp would go on)', () => {
    const host = new MemoryFileHost({ '/w/selfc.dts': '#include "selfc.dts"\n#include "selfc.dts"\n/ { };\n' });
    const r = compileFiles(['/w/selfc.dts'], { host });
    const deep = r.diagnostics.filter((d) => /#include nested depth \d+ exceeds maximum/.test(d.message));
    assert.equal(deep.length, 1);
    // One copy of the text per level at most: linear in the depth limit.
    assert.ok(r.diagnostics.length <= 210, `${r.diagnostics.length} diagnostics`);
  });

  it('a 130 KB character literal is one positioned error, not a stack overflow', () => {
    const host = new MemoryFileHost({ '/w/char.dts': `/dts-v1/;\n/ { p = <'${'a'.repeat(130_000)}'>; };\n` });
    const r = compileFiles(['/w/char.dts'], { host });
    assert.deepEqual(
      r.diagnostics.map((d) => [d.message, d.range?.start.line]),
      [['Character literal has 130000 characters instead of 1', 1]],
    );
  });

  it('dual-guest compile of 520 copies of one property reports each duplicate once, without overflowing', () => {
    const host = new MemoryFileHost({ '/w/dup.dts': `/dts-v1/;\n/ { n { ${'p; '.repeat(520)}}; };\n` });
    let err = '';
    const code = runCompile(['dup.dts', '-o', 'out.dtb'], { host, cwd: '/w', stdout: () => undefined, stderr: (t) => (err += t), writeFile: () => undefined });
    assert.equal(code, 2);
    // dtc repeats a copy's line once per later copy (134,940 lines here); each copy but the last once.
    assert.equal(err.split('\n').filter((l) => l.includes('Duplicate property name')).length, 519);
  });

  it('20,000 labels on one node: all kept, in dtc order, without quadratic work (it took 10 s)', () => {
    const labels = Array.from({ length: 20_000 }, (_, i) => `l${i}:`).join(' ');
    const host = new MemoryFileHost({ '/w/labels.dts': `/dts-v1/;\n/ { ${labels} n { }; };\n&l5 { p; };\n` });
    const { result: r, cpuMs } = withCpuMillis(() => compileFiles(['/w/labels.dts'], { host }));
    assert.deepEqual(r.diagnostics, []);
    const n = findNodeByPath(r.tree, '/n')!;
    assert.equal(n.labels.length, 20_000);
    // dtc's add_label puts each new label first; labels before a node are added last to first.
    assert.deepEqual(n.labels.slice(0, 3), ['l0', 'l1', 'l2']);
    assert.ok(cpuMs < 3000, `${cpuMs} ms of CPU`);
  });

  it('a 182-byte file whose macros expand to 100,000 tokens compiles to diagnostics, not a stack overflow', () => {
    const lines = ['#define A ; ; ; ; ; ; ; ; ; ;'];
    for (const [name, prev] of [
      ['B', 'A'],
      ['C', 'B'],
      ['D', 'C'],
      ['E', 'D'],
      ['F', 'E'],
    ])
      lines.push(`#define ${name} ${Array(10).fill(prev).join(' ')}`);
    const host = new MemoryFileHost({ '/w/diag.dts': lines.join('\n') + '\nF\n' });
    let err = '';
    const code = runCompile(['diag.dts', '-o', 'out.dtb'], { host, cwd: '/w', stdout: () => undefined, stderr: (t) => (err += t), writeFile: () => undefined });
    assert.equal(code, 2);
    assert.match(err, /FATAL ERROR: Unable to parse input tree/);
    assert.doesNotMatch(err, /internal error|RangeError/);
  });

  it('a missing input is one error saying so, with no syntax error about an empty input', () => {
    const r = compileFiles(['/w/missing.dts'], { host: new MemoryFileHost({}) });
    assert.deepEqual(
      r.diagnostics.map((d) => d.message),
      ['Couldn\'t open "/w/missing.dts": No such file or directory'],
    );
  });
});
