// One seeded mistake per dtc check: the message (as dtc prints it after "(name): "), the code, the
// subject and the range (node name for node messages, the property for property messages).
import { strict as assert } from 'assert';
import type { Diagnostic, SourceRange } from '../../../src/common/diagnostics';
import { CHECKS, checkConfigFromFlags, runChecks } from '../../../src/devicetree/checks';
import { PHANDLE_ARGS_PROVIDERS } from '../../../src/devicetree/checks/phandle-args';
import type { DtTree } from '../../../src/devicetree/tree';
import { type NodeSpec, buildTree, deleted, empty, labelled, n, nodeAt, raw, ref, str, u32 } from './tree-builder';

/** Where a message must point: a node's name, or a property (path, name). */
type Where = { node: string; index?: number } | { prop: [string, string] } | { range: SourceRange } | 'none';

interface Case {
  check: string;
  title?: string;
  root: NodeSpec;
  flags?: string[];
  /** Set directly in the config map (no dtc cascade). */
  severities?: Record<string, 'error' | 'warning' | 'off'>;
  plugin?: boolean;
  fixups?: Diagnostic[];
  expect: { message: string; subject?: string; at: Where }[];
  /** Only assert that these messages are among the check's output. */
  partial?: boolean;
}

const cells11 = { '#address-cells': u32(1), '#size-cells': u32(1) };
const cells10 = { '#address-cells': u32(1), '#size-cells': u32(0) };

function rangeOf(tree: DtTree, where: Where): SourceRange | undefined {
  if (where === 'none') return undefined;
  if ('range' in where) return where.range;
  if ('node' in where) {
    const path = where.node;
    if (where.index === undefined) return nodeAt(tree, path).nameRange;
    const parentPath = path.slice(0, path.lastIndexOf('/')) || '/';
    const name = path.slice(path.lastIndexOf('/') + 1);
    return nodeAt(tree, parentPath).children.filter((c) => c.name === name)[where.index].nameRange;
  }
  const [path, name] = where.prop;
  const prop = nodeAt(tree, path).properties.find((p) => p.name === name);
  if (!prop) throw new Error(`no property ${path}:${name}`);
  return prop.range;
}

function subjectOf(message: string): string {
  const m = message.split(': ')[0];
  return m.includes(':') && !m.startsWith(':') ? m.slice(0, m.lastIndexOf(':')) : m;
}

function runCase(c: Case): void {
  const tree = buildTree(c.root, { plugin: c.plugin });
  const { config, errors } = checkConfigFromFlags(c.flags ?? []);
  assert.deepEqual(errors, []);
  for (const [name, sev] of Object.entries(c.severities ?? {})) config.severities.set(name, sev);
  const all = runChecks({ tree, fixupDiagnostics: c.fixups ?? [] }, config);
  const mine = all.filter((d) => d.code === c.check);
  const expected = c.expect.map((e) => ({
    message: e.message,
    subject: e.at === 'none' ? e.subject : (e.subject ?? subjectOf(e.message)),
    range: rangeOf(tree, e.at),
  }));
  const actual = mine.map((d) => ({ message: d.message, subject: d.subject, range: d.range }));
  if (c.partial)
    for (const e of expected)
      assert.ok(
        actual.some((a) => JSON.stringify(a) === JSON.stringify(e)),
        `missing ${JSON.stringify(e)} in ${JSON.stringify(actual, null, 1)}`,
      );
  else assert.deepEqual(actual, expected);
  const def = CHECKS.find((d) => d.name === c.check)!;
  const sev = config.severities.get(c.check);
  for (const d of mine) assert.equal(d.severity, sev === 'off' ? def.defaultSeverity : sev);
}

const provider = (label: string, props: Record<string, ReturnType<typeof u32>>) => labelled(label, n(label, props));

const CASES: Case[] = [
  { check: 'duplicate_node_names', root: n('', {}, n('a'), n('a')), expect: [{ message: '/a: Duplicate node name', at: { node: '/a', index: 1 } }] },
  {
    check: 'duplicate_property_names',
    root: n('', [
      ['x', u32(1)],
      ['x', u32(2)],
    ]),
    expect: [{ message: '/:x: Duplicate property name', subject: '/', at: { prop: ['/', 'x'] } }],
  },
  {
    check: 'duplicate_node_names',
    title: 'a deleted later sibling still counts, as in dtc',
    root: n('', {}, n('a'), deleted(n('a')), n('b')),
    expect: [{ message: '/a: Duplicate node name', at: { node: '/a', index: 1 } }],
  },
  {
    check: 'reg_format',
    title: 'nodes are visited parents first, in tree order',
    root: n('', cells11, n('a', { reg: empty() }, n('b', { reg: empty() })), n('c', {}, n('d', { reg: empty() })), n('e', { reg: empty() })),
    expect: ['/a', '/a/b', '/c/d', '/e'].map((path) => ({ message: `${path}:reg: property is empty`, at: { prop: [path, 'reg'] as [string, string] } })),
  },
  { check: 'node_name_chars', root: n('', {}, n('a$b')), expect: [{ message: "/a$b: Bad character '$' in node name", at: { node: '/a$b' } }] },
  {
    check: 'node_name_chars_strict',
    flags: ['-Wnode_name_chars_strict'],
    root: n('', {}, n('a_b')),
    expect: [{ message: "/a_b: Character '_' not recommended in node name", at: { node: '/a_b' } }],
  },
  {
    check: 'node_name_format',
    root: n('', cells11, n('a@1@2', { reg: u32(1, 1) })),
    expect: [{ message: "/a@1@2: multiple '@' characters in node name", at: { node: '/a@1@2' } }],
  },
  {
    check: 'node_name_vs_property_name',
    root: n('', { foo: u32(1) }, n('foo')),
    expect: [{ message: '/foo: node name and property name conflict', at: { node: '/foo' } }],
  },
  {
    check: 'property_name_chars',
    root: n('', { a$: u32(1) }),
    expect: [{ message: "/:a$: Bad character '$' in property name", subject: '/', at: { prop: ['/', 'a$'] } }],
  },
  {
    check: 'property_name_chars_strict',
    flags: ['-Wproperty_name_chars_strict'],
    root: n('', { a_b: u32(1), '#foo-cells': u32(1), 'v,#x': u32(1), device_type: str('x') }),
    expect: [{ message: "/:a_b: Character '_' not recommended in property name", subject: '/', at: { prop: ['/', 'a_b'] } }],
  },
  {
    check: 'name_is_string',
    root: n('', {}, n('x', { name: u32(1) })),
    expect: [{ message: '/x:name: property is not a string', at: { prop: ['/x', 'name'] } }],
  },
  {
    check: 'name_properties',
    title: 'is skipped when name is not a string',
    severities: { name_is_string: 'off' }, // an error would stop all later checks, as in dtc
    root: n('', {}, n('x', { name: u32(1) })),
    fixups: [{ severity: 'error', code: 'name_properties', message: 'x', subject: '/x' }],
    expect: [{ message: "Failed prerequisite 'name_is_string'", at: 'none' }],
  },
  {
    check: 'address_cells_is_cell',
    root: n('', { '#address-cells': u32(1, 2) }),
    expect: [{ message: '/:#address-cells: property is not a single cell', subject: '/', at: { prop: ['/', '#address-cells'] } }],
  },
  {
    check: 'size_cells_is_cell',
    root: n('', { '#size-cells': raw(1) }),
    expect: [{ message: '/:#size-cells: property is not a single cell', subject: '/', at: { prop: ['/', '#size-cells'] } }],
  },
  ...(['device_type', 'model', 'status', 'label'] as const).map((p): Case => ({
    check: `${p}_is_string`,
    root: n('', {}, n('x', { [p]: str('a', 'b') })),
    expect: [{ message: `/x:${p}: property is not a string`, at: { prop: ['/x', p] } }],
  })),
  {
    check: 'compatible_is_string_list',
    root: n('', {}, n('x', { compatible: raw(0x61, 0, 0x62) })),
    expect: [{ message: '/x:compatible: property is not a string list', at: { prop: ['/x', 'compatible'] } }],
  },
  {
    check: 'names_is_string_list',
    root: n('', {}, n('x', { 'clock-names': raw(0x61), 'reg-names': str('a', 'b') })),
    expect: [{ message: '/x:clock-names: property is not a string list', at: { prop: ['/x', 'clock-names'] } }],
  },
  {
    check: 'addr_size_cells',
    title: 'is skipped when #address-cells is not a cell',
    root: n('', { '#address-cells': u32(1, 1) }),
    expect: [{ message: "Failed prerequisite 'address_cells_is_cell'", at: 'none' }],
  },
  {
    check: 'reg_format',
    root: n('', { ...cells11, reg: u32(0, 1) }, n('a@0', { reg: u32(0, 1, 2) })),
    expect: [
      { message: '/: Root node has a "reg" property', at: { node: '/' } },
      { message: '/a@0:reg: property has invalid length (12 bytes) (#address-cells == 1, #size-cells == 1)', at: { prop: ['/a@0', 'reg'] } },
    ],
  },
  {
    check: 'ranges_format',
    root: n('', cells11, n('bus@0', { ...cells11, ranges: u32(0, 0) }), n('b@1', { '#address-cells': u32(2), ranges: empty() })),
    expect: [
      {
        message: '/bus@0:ranges: "ranges" property has invalid length (8 bytes) (parent #address-cells == 1, child #address-cells == 1, #size-cells == 1)',
        at: { prop: ['/bus@0', 'ranges'] },
      },
      { message: '/b@1:ranges: empty "ranges" property but its #address-cells (2) differs from / (1)', at: { prop: ['/b@1', 'ranges'] } },
    ],
  },
  {
    check: 'dma_ranges_format',
    root: n('', cells11, n('bus@0', { ...cells11, ranges: empty(), 'dma-ranges': u32(0) })),
    expect: [
      {
        message:
          '/bus@0:dma-ranges: "dma-ranges" property has invalid length (4 bytes) (parent #address-cells == 1, child #address-cells == 1, #size-cells == 1)',
        at: { prop: ['/bus@0', 'dma-ranges'] },
      },
    ],
  },
  {
    check: 'unit_address_vs_reg',
    root: n('', cells11, n('a@1'), n('b', { reg: u32(1, 1) }), n('c@2', { ranges: empty() })),
    expect: [
      { message: '/a@1: node has a unit name, but no reg or ranges property', at: { node: '/a@1' } },
      { message: '/b: node has a reg or ranges property, but no unit name', at: { node: '/b' } },
      { message: '/c@2: node has a unit name, but no reg or ranges property', at: { node: '/c@2' } },
    ],
  },
  {
    check: 'unit_address_format',
    root: n('', cells11, n('a@0x1', { reg: u32(1, 1) }), n('b@01', { reg: u32(1, 1) })),
    expect: [
      { message: '/a@0x1: unit name should not have leading "0x"', at: { node: '/a@0x1' } },
      { message: '/b@01: unit name should not have leading 0s', at: { node: '/b@01' } },
    ],
  },
  {
    check: 'pci_bridge',
    root: n('', { '#address-cells': u32(2), '#size-cells': u32(2) }, n('pcix@0', { device_type: str('pci'), reg: u32(0, 0, 0, 1), 'bus-range': u32(2, 1) })),
    expect: [
      { message: '/pcix@0: node name is not "pci" or "pcie"', at: { node: '/pcix@0' } },
      { message: '/pcix@0: missing ranges for PCI bridge (or not a bridge)', at: { node: '/pcix@0' } },
      { message: '/pcix@0: incorrect #address-cells for PCI bridge', at: { node: '/pcix@0' } },
      { message: '/pcix@0: incorrect #size-cells for PCI bridge', at: { node: '/pcix@0' } },
      { message: '/pcix@0:bus-range: 1st cell must be less than or equal to 2nd cell', at: { prop: ['/pcix@0', 'bus-range'] } },
    ],
  },
  {
    check: 'pci_device_reg',
    root: n(
      '',
      { '#address-cells': u32(2), '#size-cells': u32(2) },
      n(
        'pci@0',
        { device_type: str('pci'), reg: u32(0, 0, 0, 1), ranges: empty(), '#address-cells': u32(3), '#size-cells': u32(2) },
        n('dev@2', { reg: u32(0x800, 0, 0, 0, 0) }),
      ),
    ),
    expect: [{ message: '/pci@0/dev@2: PCI unit address format error, expected "1,0"', at: { node: '/pci@0/dev@2' } }],
  },
  {
    check: 'pci_device_bus_num',
    root: n(
      '',
      { '#address-cells': u32(2), '#size-cells': u32(2) },
      n(
        'pci@0',
        { device_type: str('pci'), reg: u32(0, 0, 0, 1), ranges: empty(), '#address-cells': u32(3), '#size-cells': u32(2), 'bus-range': u32(0, 0) },
        n('dev@1', { reg: u32(0x10800, 0, 0, 0, 0) }),
      ),
    ),
    expect: [
      { message: '/pci@0/dev@1:bus-range: PCI bus number 1 out of range, expected (0 - 0)', subject: '/pci@0/dev@1', at: { prop: ['/pci@0', 'bus-range'] } },
    ],
  },
  {
    check: 'simple_bus_bridge',
    title: 'is skipped when compatible is not a string list',
    root: n('', cells11, n('soc', { compatible: raw(0x61) })),
    expect: [{ message: "Failed prerequisite 'compatible_is_string_list'", at: 'none' }],
  },
  {
    check: 'simple_bus_reg',
    root: n('', cells11, n('soc', { compatible: str('simple-bus'), ...cells11, ranges: empty() }, n('uart@10', { reg: u32(0x20, 4) }), n('clk'))),
    expect: [
      { message: '/soc/uart@10: simple-bus unit address format error, expected "20"', at: { node: '/soc/uart@10' } },
      { message: '/soc/clk: missing or empty reg/ranges property', at: { node: '/soc/clk' } },
    ],
  },
  {
    check: 'simple_bus_reg',
    title: 'a two-cell parent address is one 64-bit value',
    root: n(
      '',
      cells11,
      n(
        'soc',
        { compatible: str('simple-bus'), '#address-cells': u32(2), '#size-cells': u32(1), ranges: empty() },
        n('ok@100000010', { reg: u32(1, 0x10, 4) }),
        n('zero@20', { reg: u32(0, 0x20, 4) }),
        n('bad@1,20', { reg: u32(1, 0x20, 4) }),
        n('pad@10000020', { reg: u32(1, 0x20, 4) }),
      ),
    ),
    expect: [
      { message: '/soc/bad@1,20: simple-bus unit address format error, expected "100000020"', at: { node: '/soc/bad@1,20' } },
      { message: '/soc/pad@10000020: simple-bus unit address format error, expected "100000020"', at: { node: '/soc/pad@10000020' } },
    ],
  },
  {
    check: 'simple_bus_reg',
    title: 'of three address cells only the last two count (dtc folds them into a uint64_t)',
    root: n(
      '',
      cells11,
      n(
        'soc',
        { compatible: str('simple-bus'), '#address-cells': u32(3), '#size-cells': u32(1), ranges: empty() },
        n('ok@100000020', { reg: u32(5, 1, 0x20, 4) }),
        n('bad@500000001', { reg: u32(5, 0, 1, 4) }),
      ),
    ),
    expect: [{ message: '/soc/bad@500000001: simple-bus unit address format error, expected "1"', at: { node: '/soc/bad@500000001' } }],
  },
  {
    check: 'i2c_bus_bridge',
    root: n('', cells11, n('i2c@0', { reg: u32(0, 1) }, n('dev@50', { reg: u32(0x50) }))),
    expect: [
      { message: '/i2c@0: incorrect #address-cells for I2C bus', at: { node: '/i2c@0' } },
      { message: '/i2c@0: incorrect #size-cells for I2C bus', at: { node: '/i2c@0' } },
    ],
  },
  {
    check: 'i2c_bus_reg',
    root: n(
      '',
      cells11,
      n('i2c@0', { reg: u32(0, 1), ...cells10 }, n('dev@50', { reg: u32(0x51) }), n('big@80', { reg: u32(0x80) }), n('own@10', { reg: u32(0x40000010) })),
    ),
    expect: [
      { message: '/i2c@0/dev@50: I2C bus unit address format error, expected "51"', at: { node: '/i2c@0/dev@50' } },
      {
        message: '/i2c@0/big@80:reg: I2C address must be less than 7-bits, got "0x80". Set I2C_TEN_BIT_ADDRESS for 10 bit addresses or fix the property',
        at: { prop: ['/i2c@0/big@80', 'reg'] },
      },
    ],
  },
  {
    check: 'spi_bus_bridge',
    root: n(
      '',
      cells11,
      n('spi@0', { reg: u32(0, 1) }, n('flash@0', { reg: u32(0, 0) })),
      n('ssp@1', { reg: u32(1, 1), ...cells10 }, n('d@0', { reg: u32(0), 'spi-max-frequency': u32(1) })),
    ),
    expect: [
      { message: '/spi@0: incorrect #address-cells for SPI bus', at: { node: '/spi@0' } },
      { message: '/spi@0: incorrect #size-cells for SPI bus', at: { node: '/spi@0' } },
      { message: "/ssp@1: node name for SPI buses should be 'spi'", at: { node: '/ssp@1' } },
    ],
  },
  {
    check: 'spi_bus_reg',
    root: n('', cells11, n('spi@0', { reg: u32(0, 1), ...cells10 }, n('flash@1', { reg: u32(2) }))),
    expect: [{ message: '/spi@0/flash@1: SPI bus unit address format error, expected "2"', at: { node: '/spi@0/flash@1' } }],
  },
  {
    check: 'avoid_default_addr_size',
    root: n('', {}, n('a@0', { reg: u32(0, 0, 1) })),
    expect: [
      { message: '/a@0: Relying on default #address-cells value', at: { node: '/a@0' } },
      { message: '/a@0: Relying on default #size-cells value', at: { node: '/a@0' } },
    ],
  },
  {
    check: 'avoid_unnecessary_addr_size',
    root: n('', cells11, n('bus', cells11, n('leaf'))),
    expect: [{ message: '/bus: unnecessary #address-cells/#size-cells without "ranges" or child "reg" property', at: { node: '/bus' } }],
  },
  {
    check: 'unique_unit_address',
    root: n('', cells11, n('a@1', { reg: u32(1, 1) }), n('b@1', { reg: u32(1, 1), status: str('disabled') })),
    expect: [{ message: '/a@1: duplicate unit-address (also used in node /b@1)', at: { node: '/a@1' } }],
  },
  {
    check: 'unique_unit_address',
    title: "three siblings: each earlier one is reported, in dtc's pairwise order",
    root: n('', cells11, n('a@1', { reg: u32(1, 1) }), n('x@2', { reg: u32(2, 1) }), n('b@1', { reg: u32(1, 1) }), n('c@1', { reg: u32(1, 1) })),
    expect: [
      { message: '/a@1: duplicate unit-address (also used in node /b@1)', at: { node: '/a@1' } },
      { message: '/a@1: duplicate unit-address (also used in node /c@1)', at: { node: '/a@1' } },
      { message: '/b@1: duplicate unit-address (also used in node /c@1)', at: { node: '/b@1' } },
    ],
  },
  {
    check: 'unique_unit_address_if_enabled',
    flags: ['-Wunique_unit_address_if_enabled'],
    root: n('', cells11, n('a@1', { reg: u32(1, 1) }), n('b@1', { reg: u32(1, 1), status: str('disabled') }), n('c@1', { reg: u32(1, 1) })),
    expect: [{ message: '/a@1: duplicate unit-address (also used in node /c@1)', at: { node: '/a@1' } }],
  },
  {
    check: 'obsolete_chosen_interrupt_controller',
    root: n('', {}, n('chosen', { 'interrupt-controller': empty() })),
    expect: [
      {
        message: '/:interrupt-controller: /chosen has obsolete "interrupt-controller" property',
        subject: '/',
        at: { prop: ['/chosen', 'interrupt-controller'] },
      },
    ],
  },
  {
    check: 'chosen_node_is_root',
    root: n('', {}, n('a', {}, n('chosen'))),
    expect: [{ message: '/a/chosen: chosen node must be at root node', at: { node: '/a/chosen' } }],
  },
  {
    check: 'chosen_node_bootargs',
    root: n('', {}, n('chosen', { bootargs: u32(1) })),
    expect: [{ message: '/chosen:bootargs: property is not a string', at: { prop: ['/chosen', 'bootargs'] } }],
  },
  {
    check: 'chosen_node_stdout_path',
    root: n('', {}, n('chosen', { 'linux,stdout-path': str('a', 'b') })),
    expect: [
      { message: "/chosen:linux,stdout-path: Use 'stdout-path' instead", at: { prop: ['/chosen', 'linux,stdout-path'] } },
      { message: '/chosen:linux,stdout-path: property is not a string', at: { prop: ['/chosen', 'linux,stdout-path'] } },
    ],
  },
  ...PHANDLE_ARGS_PROVIDERS.flatMap((spec): Case[] => [
    {
      check: `${spec.check}_property`,
      root: n('', {}, provider('p', { [spec.cellsName]: u32(2) }), n('c', { [spec.property]: u32(ref('p'), 1) })),
      expect: [{ message: `/c:${spec.property}: property size (8) too small for cell size 2`, at: { prop: ['/c', spec.property] } }],
    },
    {
      check: `${spec.check}_is_cell`,
      root: n('', {}, provider('p', { [spec.cellsName]: u32(1, 2) })),
      expect: [{ message: `/p:${spec.cellsName}: property is not a single cell`, at: { prop: ['/p', spec.cellsName] } }],
    },
  ]),
  {
    check: 'clocks_property',
    title: 'literal phandles, missing providers and missing #clock-cells',
    root: n('', {}, n('p', { phandle: u32(7), '#clock-cells': u32(0) }), provider('q', {}), n('c', { clocks: u32(7, 9) }), n('d', { clocks: u32(ref('q')) })),
    expect: [
      { message: '/c:clocks: cell 0 is not a phandle reference', at: { prop: ['/c', 'clocks'] } },
      { message: '/c:clocks: cell 1 is not a phandle reference', at: { prop: ['/c', 'clocks'] } },
      { message: '/c:clocks: Could not get phandle node for (cell 1)', at: { prop: ['/c', 'clocks'] } },
      { message: "/d: Missing property '#clock-cells' in node /q or bad phandle (referred from clocks[0])", subject: '/d', at: { prop: ['/d', 'clocks'] } },
    ],
  },
  {
    check: 'clocks_property',
    title: 'a huge cell count ends the walk instead of looping (dtc 1.6.1 hangs)',
    root: n('', {}, provider('p', { '#clock-cells': u32(0xffffffff) }), n('c', { clocks: u32(ref('p'), 1) })),
    expect: [{ message: '/c:clocks: property size (8) too small for cell size -1', at: { prop: ['/c', 'clocks'] } }],
  },
  {
    check: 'msi_parent_property',
    title: 'an optional count defaults to 0',
    root: n('', {}, provider('p', {}), n('c', { 'msi-parent': u32(ref('p'), 5) })),
    expect: [
      { message: '/c:msi-parent: cell 1 is not a phandle reference', at: { prop: ['/c', 'msi-parent'] } },
      { message: '/c:msi-parent: Could not get phandle node for (cell 1)', at: { prop: ['/c', 'msi-parent'] } },
    ],
  },
  {
    check: 'deprecated_gpio_property',
    flags: ['-Wdeprecated_gpio_property'],
    root: n('', {}, n('c', { 'reset-gpio': u32(0), 'x,nr-gpio': u32(1), 'ok-gpios': u32(0) })),
    expect: [
      { message: "/c:reset-gpio: '[*-]gpio' is deprecated, use '[*-]gpios' instead", at: { prop: ['/c', 'reset-gpio'] } },
      { message: "/c:x,nr-gpio: '[*-]gpio' is deprecated, use '[*-]gpios' instead", at: { prop: ['/c', 'x,nr-gpio'] } },
    ],
  },
  {
    check: 'gpios_property',
    root: n(
      '',
      {},
      provider('gpio', { '#gpio-cells': u32(2) }),
      n('c', { 'reset-gpios': u32(ref('gpio'), 1), 'x,nr-gpios': u32(5) }),
      n('hog', { 'gpio-hog': empty(), gpios: u32(1) }),
    ),
    expect: [{ message: '/c:reset-gpios: property size (8) too small for cell size 2', at: { prop: ['/c', 'reset-gpios'] } }],
  },
  {
    check: 'interrupts_property',
    root: n(
      '',
      {},
      n('dev', { interrupts: u32(1, 2, 3) }),
      labelled('intc', n('intc', { 'interrupt-controller': empty(), '#interrupt-cells': u32(2), '#address-cells': u32(0) })),
      n('dev2', { 'interrupt-parent': u32(ref('intc')), interrupts: u32(1, 2, 3) }),
      n('bad', { 'interrupt-parent': u32(0), interrupts: u32(1) }),
    ),
    expect: [
      { message: '/dev: Missing interrupt-parent', at: { node: '/dev' } },
      { message: '/dev2:#interrupt-cells: size is (12), expected multiple of 8', subject: '/dev2', at: { prop: ['/dev2', 'interrupts'] } },
      { message: '/bad:interrupt-parent: Invalid phandle', at: { prop: ['/bad', 'interrupt-parent'] } },
      { message: '/bad: Missing interrupt-parent', at: { node: '/bad' } },
    ],
  },
  {
    check: 'interrupt_provider',
    root: n('', {}, n('intc', { 'interrupt-controller': empty() })),
    expect: [
      { message: '/intc: Missing #interrupt-cells in interrupt provider', at: { node: '/intc' } },
      { message: '/intc: Missing #address-cells in interrupt provider', at: { node: '/intc' } },
    ],
  },
  {
    check: 'interrupt_map',
    flags: ['-Winterrupt_map'],
    root: n(
      '',
      {},
      labelled('gic', n('gic', { 'interrupt-controller': empty(), '#interrupt-cells': u32(3), '#address-cells': u32(0) })),
      n('pci', {
        'interrupt-map': u32(0, 0, 0, 1, ref('gic'), 0, 5),
        'interrupt-map-mask': u32(0, 0),
        '#interrupt-cells': u32(1),
        '#address-cells': u32(3),
        'interrupt-controller': empty(),
      }),
    ),
    expect: [{ message: '/pci:interrupt-map-mask: property size (8) is invalid, expected 16', at: { prop: ['/pci', 'interrupt-map-mask'] } }],
  },
  {
    check: 'alias_paths',
    root: n('', {}, n('aliases', { serial0: str('/nope'), Serial1: str('/aliases'), ok: str('aliases') })),
    expect: [
      { message: '/aliases:serial0: aliases property is not a valid node (/nope)', at: { prop: ['/aliases', 'serial0'] } },
      { message: "/aliases: aliases property name must include only lowercase and '-'", at: { node: '/aliases' } },
    ],
  },
  {
    check: 'graph_nodes',
    root: n('', {}, n('endpoint')),
    expect: [{ message: "/: root node contains endpoint node 'endpoint', potentially misplaced remote-endpoint property", at: { node: '/' } }],
  },
  {
    check: 'graph_child_address',
    root: n('', {}, n('dev', {}, n('ports', cells10, n('port@0', { reg: u32(0) }, n('endpoint'))))),
    expect: [{ message: "/dev/ports: graph node has single child node 'port@0', #address-cells/#size-cells are not necessary", at: { node: '/dev/ports' } }],
  },
  {
    check: 'graph_port',
    root: n('', {}, n('dev', cells10, n('portx', {}, n('endpoint')), n('port@2', { reg: u32(1) }, n('endpoint')))),
    expect: [
      { message: "/dev/portx: graph port node name should be 'port'", at: { node: '/dev/portx' } },
      { message: '/dev/port@2: graph node unit address error, expected "1"', at: { node: '/dev/port@2' } },
    ],
  },
  {
    check: 'graph_endpoint',
    root: n(
      '',
      {},
      n('a', {}, n('port', {}, labelled('ea', n('endpoint', { 'remote-endpoint': u32(ref('eb')) })))),
      n('b', {}, n('port', {}, labelled('eb', n('ep', { 'remote-endpoint': u32(ref('x')) })), labelled('x', n('endpoint')))),
    ),
    expect: [
      { message: "/a/port/endpoint: graph connection to node '/b/port/ep' is not bidirectional", at: { node: '/a/port/endpoint' } },
      { message: "/b/port/ep: graph endpoint node name should be 'endpoint'", at: { node: '/b/port/ep' } },
      { message: "/b/port/ep: graph connection to node '/b/port/endpoint' is not bidirectional", at: { node: '/b/port/ep' } },
    ],
  },
  {
    check: 'always_fail',
    flags: ['-Walways_fail'],
    root: n('', {}, n('a')),
    expect: [
      { message: '/: always_fail check', at: { node: '/' } },
      { message: '/a: always_fail check', at: { node: '/a' } },
    ],
  },
];

// The five fixup entries only surface what the evaluator found.
const fixupRange: SourceRange = { file: '/test.dts', start: { line: 3, col: 4 }, end: { line: 3, col: 9 } };
for (const check of ['name_properties', 'duplicate_label', 'explicit_phandles', 'phandle_references', 'path_references', 'omit_unused_nodes'] as const) {
  CASES.push({
    check,
    root: n('', {}, n('a')),
    fixups: [
      { severity: 'error', code: check, message: `finding of ${check}`, subject: '/a', range: fixupRange },
      { severity: 'error', code: 'unresolved_reference', message: 'not mine', subject: '/a', range: fixupRange },
    ],
    expect: [{ message: `/a: finding of ${check}`, at: { range: fixupRange } }],
  });
}
CASES.push({
  check: 'explicit_phandles',
  title: 'a property-level finding keeps dtc\'s "/path:prop: " prefix and the node as subject',
  root: n('', {}, n('a')),
  fixups: [{ severity: 'error', code: 'explicit_phandles', message: 'bad length (8) phandle property', subject: '/a:phandle', range: fixupRange }],
  expect: [{ message: '/a:phandle: bad length (8) phandle property', subject: '/a', at: { range: fixupRange } }],
});

describe('devicetree/checks: one seeded mistake per check', () => {
  for (const c of CASES) it(`${c.check}${c.title ? ': ' + c.title : ''}`, () => runCase(c));

  it('every check in the table has a case', () => {
    const covered = new Set(CASES.map((c) => c.check));
    assert.deepEqual(
      CHECKS.map((c) => c.name).filter((name) => !covered.has(name)),
      [],
    );
  });

  it('under __fixups__ only source-written properties are checked, and a generated first one hides its name', () => {
    const tree = buildTree(
      n(
        '',
        {},
        n('__fixups__', [
          ['a$', u32(1)],
          ['b$', u32(1)],
          ['status', str('x', 'y')],
          ['status', str('p', 'q')],
        ]),
      ),
    );
    const fixups = nodeAt(tree, '/__fixups__');
    // What the evaluator generates has no history; these two stand for it.
    fixups.properties[0].history = [];
    fixups.properties[2].history = [];
    const { config } = checkConfigFromFlags([]);
    config.severities.set('property_name_chars', 'warning'); // as an error it would stop the later checks
    const diags = runChecks({ tree, fixupDiagnostics: [] }, config);
    assert.deepEqual(
      diags.map((d) => `${d.code}: ${d.message}`),
      ["property_name_chars: /__fixups__:b$: Bad character '$' in property name"],
    );
  });

  it('fixup findings take the configured severity', () => {
    const tree = buildTree(n('', {}, n('a')));
    const fixups: Diagnostic[] = [{ severity: 'error', code: 'duplicate_label', message: 'x', subject: '/a', range: fixupRange }];
    const off = runChecks({ tree, fixupDiagnostics: fixups }, checkConfigFromFlags(['-Eno-duplicate_label']).config);
    assert.deepEqual(
      off.filter((d) => d.code === 'duplicate_label'),
      [],
    );
  });
});

describe('devicetree/checks: clean trees stay clean', () => {
  it('a well-formed tree yields no diagnostics with every check on', () => {
    const flags = CHECKS.filter((c) => c.name !== 'always_fail').map((c) => `-W${c.name}`);
    const tree = buildTree(
      n(
        '',
        { ...cells11, model: str('m'), compatible: str('v,board') },
        n('chosen', { 'stdout-path': str('/soc/serial@1000') }),
        n('aliases', { serial0: str('/soc/serial@1000') }),
        n('memory@40000000', { device_type: str('memory'), reg: u32(0x40000000, 0x1000) }),
        n(
          'soc',
          { compatible: str('simple-bus'), ...cells11, ranges: empty() },
          labelled(
            'intc',
            n('interrupt-controller@2000', { reg: u32(0x2000, 0x100), 'interrupt-controller': empty(), '#interrupt-cells': u32(3), '#address-cells': u32(0) }),
          ),
          labelled('clk', n('clock-controller@3000', { reg: u32(0x3000, 0x100), '#clock-cells': u32(1) })),
          n('serial@1000', {
            compatible: str('v,uart'),
            reg: u32(0x1000, 0x100),
            'interrupt-parent': u32(ref('intc')),
            interrupts: u32(0, 1, 4),
            clocks: u32(ref('clk'), 3),
            'clock-names': str('uart'),
            status: str('okay'),
          }),
        ),
      ),
    );
    assert.deepEqual(runChecks({ tree, fixupDiagnostics: [] }, checkConfigFromFlags(flags).config), []);
  });
});
