import { strict as assert } from 'assert';
import fc from 'fast-check';
import { MemoryFileHost } from '../../../src/common/host';
import { compileText, writeDtb } from '../../../src/devicetree/compile';
import { readFdt, readFdtHeader } from '../../../src/devicetree/fdt-reader';
import { findNodeByPath, getProperty, nodePath, propertyCells, propertyStrings, walkNodes, type DtNode, type DtTree } from '../../../src/devicetree/tree';

// A hand-rolled DTB writer for the tests: the layout is spelled out here so the reader is checked
// against the spec's byte layout, not against another part of the project.
type TestNode = { name: string; props?: [string, Uint8Array][]; children?: TestNode[] };

function u32be(...vals: number[]): Uint8Array {
  const out = new Uint8Array(vals.length * 4);
  const v = new DataView(out.buffer);
  vals.forEach((x, i) => v.setUint32(i * 4, x >>> 0, false));
  return out;
}
function str(s: string): Uint8Array {
  return new TextEncoder().encode(s + '\0');
}

function buildDtb(root: TestNode, opts: { reserves?: [bigint, bigint][]; bootCpuid?: number; version?: number } = {}): Uint8Array {
  const strings: number[] = [];
  const strOff = new Map<string, number>();
  const struct: number[] = [];
  const pushU32 = (x: number): void => {
    struct.push((x >>> 24) & 255, (x >>> 16) & 255, (x >>> 8) & 255, x & 255);
  };
  const pad = (): void => {
    while (struct.length % 4) struct.push(0);
  };
  const emit = (n: TestNode): void => {
    pushU32(1);
    struct.push(...new TextEncoder().encode(n.name), 0);
    pad();
    for (const [name, value] of n.props ?? []) {
      if (!strOff.has(name)) {
        strOff.set(name, strings.length);
        strings.push(...new TextEncoder().encode(name), 0);
      }
      pushU32(3);
      pushU32(value.length);
      pushU32(strOff.get(name)!);
      struct.push(...value);
      pad();
    }
    for (const c of n.children ?? []) emit(c);
    pushU32(2);
  };
  emit(root);
  pushU32(9);
  const reserves = opts.reserves ?? [];
  const rsvSize = (reserves.length + 1) * 16;
  const offRsv = 40;
  const offStruct = offRsv + rsvSize;
  const offStrings = offStruct + struct.length;
  const total = offStrings + strings.length;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  const hdr = [0xd00dfeed, total, offStruct, offStrings, offRsv, opts.version ?? 17, 16, opts.bootCpuid ?? 0, strings.length, struct.length];
  hdr.forEach((x, i) => v.setUint32(i * 4, x, false));
  reserves.forEach(([a, s], i) => {
    v.setBigUint64(offRsv + i * 16, a, false);
    v.setBigUint64(offRsv + i * 16 + 8, s, false);
  });
  out.set(struct, offStruct);
  out.set(strings, offStrings);
  return out;
}

const sample: TestNode = {
  name: '',
  props: [
    ['#address-cells', u32be(2)],
    ['#size-cells', u32be(2)],
    ['compatible', str('avnet,maaxboard')],
  ],
  children: [
    {
      name: 'memory@40000000',
      props: [
        ['device_type', str('memory')],
        ['reg', u32be(0, 0x40000000, 0, 0xf000000)],
      ],
    },
    { name: 'chosen', props: [['bootargs', str('console=hvc0 nosmp')]] },
    {
      name: 'gic@38800000',
      props: [
        ['phandle', u32be(7)],
        ['interrupt-controller', new Uint8Array(0)],
      ],
    },
  ],
};

function ok(bytes: Uint8Array) {
  const r = readFdt(bytes);
  if ('error' in r) assert.fail(r.error);
  return r.tree;
}
function err(bytes: Uint8Array): string {
  const r = readFdt(bytes);
  assert.ok('error' in r, 'expected an error');
  return r.error;
}

describe('fdt-reader', () => {
  it('reads nodes, properties, phandles, reservations and the boot cpu', () => {
    const tree = ok(buildDtb(sample, { reserves: [[0x44000000n, 0x10000n]], bootCpuid: 3 }));
    assert.deepEqual([...walkNodes(tree.root)].map(nodePath), ['/', '/memory@40000000', '/chosen', '/gic@38800000']);
    const mem = findNodeByPath(tree, '/memory@40000000')!;
    assert.deepEqual(propertyCells(getProperty(mem, 'reg')!), [0, 0x40000000, 0, 0xf000000]);
    assert.deepEqual(propertyStrings(getProperty(findNodeByPath(tree, '/chosen')!, 'bootargs')!), ['console=hvc0 nosmp']);
    assert.equal(findNodeByPath(tree, '/gic@38800000')!.phandle, 7);
    assert.equal(getProperty(findNodeByPath(tree, '/gic@38800000')!, 'interrupt-controller')!.value.bytes.length, 0);
    assert.deepEqual(
      tree.memreserves.map((m) => [m.address, m.size]),
      [[0x44000000n, 0x10000n]],
    );
    assert.equal(tree.bootCpuidPhys, 3);
    assert.equal(tree.root.range.file, '<dtb>');
    assert.equal(tree.isPlugin, false);
  });

  it('accepts a version 16 header and NOP tokens', () => {
    const bytes = buildDtb(sample, { version: 16 });
    const tree = ok(bytes);
    assert.equal(tree.root.children.length, 3);
    // Replace the END_NODE-then-END tail with NOPs in front: insert a NOP by rewriting a property as NOPs.
    const withNop = buildDtb({ name: '', props: [['a', u32be(1)]] });
    const v = new DataView(withNop.buffer);
    const offStruct = v.getUint32(8);
    // struct: BEGIN(4) name(4) PROP(4) len(4) nameoff(4) value(4) END_NODE END -> make the PROP four NOPs.
    for (let i = 0; i < 4; i++) v.setUint32(offStruct + 8 + i * 4, 4);
    assert.equal(ok(withNop).root.properties.length, 0);
  });

  it('reports bad headers without throwing', () => {
    const good = buildDtb(sample);
    const withU32 = (off: number, val: number): Uint8Array => {
      const b = good.slice();
      new DataView(b.buffer).setUint32(off, val, false);
      return b;
    };
    assert.match(err(new Uint8Array(10)), /too short/);
    assert.match(err(withU32(0, 0xdeadbeef)), /bad DTB magic 0xdeadbeef/);
    assert.match(err(withU32(4, good.length + 1)), /exceeds/);
    assert.match(err(withU32(20, 15)), /unsupported DTB version 15/);
    assert.match(err(withU32(24, 18)), /last_comp_version 18/);
    assert.match(err(withU32(8, good.length + 8)), /structure block/);
    assert.match(err(withU32(12, good.length)), /strings block/);
    assert.match(err(withU32(8, 42)), /structure block/);
    const h = readFdtHeader(good);
    assert.ok('header' in h && h.header.totalsize === good.length);
  });

  it('reports bad structure blocks without throwing', () => {
    const good = buildDtb(sample);
    const offStruct = new DataView(good.buffer).getUint32(8);
    const b = good.slice();
    new DataView(b.buffer).setUint32(offStruct, 7);
    assert.match(err(b), /unknown token 0x7/);
    const named = buildDtb({ name: 'x' });
    assert.match(err(named), /root node .* has a name/);
    // A property whose name offset points past the strings block.
    const badName = buildDtb({ name: '', props: [['a', u32be(1)]] });
    const bv = new DataView(badName.buffer);
    // BEGIN_NODE (4) + empty name padded (4) + PROP (4) + len (4), then the name offset.
    bv.setUint32(bv.getUint32(8) + 16, 999);
    assert.match(err(badName), /bad name offset/);
  });

  it('refuses nesting deeper than Linux accepts', () => {
    const nest = (depth: number): TestNode => (depth === 0 ? { name: 'leaf' } : { name: `n${depth}`, children: [nest(depth - 1)] });
    assert.equal([...walkNodes(ok(buildDtb({ name: '', children: [nest(62)] })).root)].length, 64);
    assert.match(err(buildDtb({ name: '', children: [nest(63)] })), /deeper than 64 levels/);
  });

  it('never throws on random or mutated bytes', () => {
    const good = buildDtb(sample, { reserves: [[1n, 2n]] });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), (edits) => {
        const b = good.slice();
        for (const [i, x] of edits) b[i] = x;
        const r = readFdt(b);
        assert.ok('tree' in r || typeof r.error === 'string');
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const r = readFdt(b);
        assert.ok('tree' in r || typeof r.error === 'string');
      }),
      { numRuns: 300 },
    );
  });
});

/** Everything a DTB carries, per node in tree order: path, phandle, and each property's name and bytes. */
function shape(tree: DtTree): unknown {
  return {
    nodes: [...walkNodes(tree.root)].map((n: DtNode) => [nodePath(n), n.phandle, n.properties.map((p) => [p.name, [...p.value.bytes]])]),
    reserves: tree.memreserves.map((m) => [m.address, m.size]),
    boot: tree.bootCpuidPhys,
  };
}

describe('fdt-reader round trips', () => {
  it('reads back what the compiler wrote, and writes the same bytes again', () => {
    const src = `/dts-v1/;
/memreserve/ 0x44000000 0x10000;
/ {
  #address-cells = <2>;
  #size-cells = <2>;
  model = "round trip";
  gic: interrupt-controller@38800000 { compatible = "arm,gic-v3"; reg = <0 0x38800000 0 0x10000>; interrupt-controller; #interrupt-cells = <3>; };
  virtio-console@150000 { compatible = "virtio,mmio"; reg = <0 0x150000 0 0x200>; interrupts = <0 42 4>; interrupt-parent = <&gic>; };
  chosen { bootargs = "console=hvc0"; stdout-path = &{/virtio-console@150000}; bytes = [de ad be ef]; wide = /bits/ 64 <0x123456789>; };
};
`;
    const compiled = compileText('/rt.dts', src, { host: new MemoryFileHost() });
    assert.deepEqual(compiled.diagnostics, []);
    const dtb = writeDtb(compiled.tree);
    const tree = ok(dtb);
    assert.equal(findNodeByPath(tree, '/interrupt-controller@38800000')!.phandle, 1);
    assert.deepEqual(propertyStrings(getProperty(findNodeByPath(tree, '/chosen')!, 'stdout-path')!), ['/virtio-console@150000']);
    assert.deepEqual(shape(tree), shape(compiled.tree));
    assert.deepEqual([...writeDtb(tree)], [...dtb]);
  });

  it('keeps every node and property through the writer (random trees)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9,._+-]{0,8}$/);
    const leaf = fc.record({ name, props: fc.uniqueArray(fc.tuple(name, fc.uint8Array({ maxLength: 12 })), { maxLength: 4, selector: (p) => p[0] }) });
    const tree = fc.record({
      props: fc.uniqueArray(fc.tuple(name, fc.uint8Array({ maxLength: 12 })), { maxLength: 4, selector: (p) => p[0] }),
      children: fc.uniqueArray(leaf, { maxLength: 5, selector: (c) => c.name }),
    });
    fc.assert(
      fc.property(tree, (t) => {
        const dtb = buildDtb({ name: '', props: t.props, children: t.children.map((c) => ({ name: c.name, props: c.props })) });
        const first = ok(dtb);
        const again = ok(writeDtb(first));
        assert.deepEqual(shape(again), shape(first));
      }),
      { numRuns: 200 },
    );
  });
});
