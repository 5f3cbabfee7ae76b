// Regression tests for hostile input (issue "Hostile input"): each reproducer once crashed, hung or
// grew without bound. Each must now give positioned diagnostics quickly.
import { strict as assert } from 'assert';
import { MemoryFileHost } from '../../../src/common/host';
import { compileFiles } from '../../../src/devicetree/compile';

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
});
