import { strict as assert } from 'assert';
import { MemoryFileHost } from '../../../src/common/host';
import { compileText, writeDtb } from '../../../src/devicetree/compile';
import { readFdt } from '../../../src/devicetree/fdt-reader';
import { findNodeByPath, getProperty, propertyCells } from '../../../src/devicetree/tree';

function dtbOf(text: string): Uint8Array {
  const r = compileText('/t.dts', text, { host: new MemoryFileHost() });
  assert.deepEqual(r.diagnostics, []);
  return writeDtb(r.tree);
}

/** Big-endian words, then raw bytes: the layout written out by hand. */
function bytes(...parts: (number | string | number[])[]): number[] {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push((p >>> 24) & 0xff, (p >>> 16) & 0xff, (p >>> 8) & 0xff, p & 0xff);
    else if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0));
    else out.push(...p);
  }
  return out;
}

const BEGIN_NODE = 1,
  END_NODE = 2,
  PROP = 3,
  END = 9;

describe('devicetree/dtb-writer', () => {
  it('writes the smallest tree: header, empty reserve map, root, END', () => {
    const expected = bytes(
      // magic, totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap, version, last_comp, boot cpu, size strings, size struct
      0xd00dfeed,
      72,
      56,
      72,
      40,
      17,
      16,
      0,
      0,
      16,
      0,
      0,
      0,
      0, // reserve map terminator (address 0, size 0)
      BEGIN_NODE,
      0,
      END_NODE,
      END, // root named "" padded to 4
    );
    assert.deepEqual([...dtbOf('/dts-v1/; / { };')], expected);
  });

  it('lays out reserve entries, properties, padding and a string table that reuses suffixes', () => {
    const dtb = dtbOf('/dts-v1/; /memreserve/ 0x1000 0x20; / { model = "x"; n { linux,phandle = <1>; phandle = <1>; }; };');
    const expected = bytes(
      0xd00dfeed,
      168,
      72,
      148,
      40,
      17,
      16,
      0,
      20,
      76,
      0,
      0x1000,
      0,
      0x20,
      0,
      0,
      0,
      0,
      BEGIN_NODE,
      0,
      PROP,
      2,
      0,
      'x',
      [0, 0, 0], // "model" at 0; "x\0" padded to 4
      BEGIN_NODE,
      'n',
      [0, 0, 0],
      PROP,
      4,
      6,
      1, // "linux,phandle" at 6
      PROP,
      4,
      12,
      1, // "phandle" is the tail of "linux,phandle": offset 6 + 6
      END_NODE,
      END_NODE,
      END,
      'model',
      [0],
      'linux,phandle',
      [0],
    );
    assert.deepEqual([...dtb], expected);
  });

  it('writes boot_cpuid_phys from /cpus and skips deleted nodes and properties', () => {
    const dtb = dtbOf('/dts-v1/; / { p; cpus { cpu@2 { reg = <2>; }; }; gone { }; }; / { /delete-property/ p; /delete-node/ gone; };');
    const view = new DataView(dtb.buffer, dtb.byteOffset, dtb.byteLength);
    assert.equal(view.getUint32(28), 2);
    const back = readFdt(dtb);
    assert.ok('tree' in back);
    if ('tree' in back) {
      assert.equal(findNodeByPath(back.tree, '/gone'), undefined);
      assert.equal(getProperty(back.tree.root, 'p'), undefined);
      assert.deepEqual(propertyCells(getProperty(findNodeByPath(back.tree, '/cpus/cpu@2')!, 'reg')!), [2]);
    }
  });
});
