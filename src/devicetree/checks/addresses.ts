// Addressing: #address-cells/#size-cells, reg/ranges/dma-ranges lengths, unit addresses against
// reg, their format and uniqueness.
import { type DtNode, liveChildren } from '../tree';
import {
  type CheckContext,
  type CheckDefinition,
  cString,
  cellAt,
  nodeCheck,
  propLength,
  unitName,
} from './context';

function isMultipleOf(n: number, divisor: number): boolean {
  return divisor === 0 ? n === 0 : n % divisor === 0;
}

function checkRangesFormat(ctx: CheckContext, node: DtNode, propName: string): void {
  const prop = ctx.state.prop(node, propName);
  if (!prop) return;
  if (!node.parent) {
    ctx.failProp(node, prop, `Root node has a "${propName}" property`);
    return;
  }
  const s = ctx.state;
  const pAddr = s.nodeAddrCells(node.parent);
  const pSize = s.nodeSizeCells(node.parent);
  const cAddr = s.nodeAddrCells(node);
  const cSize = s.nodeSizeCells(node);
  const len = propLength(prop);
  if (len === 0) {
    const parentPath = s.path(node.parent);
    if (pAddr !== cAddr)
      ctx.failProp(node, prop, `empty "${propName}" property but its #address-cells (${cAddr}) differs from ${parentPath} (${pAddr})`);
    if (pSize !== cSize)
      ctx.failProp(node, prop, `empty "${propName}" property but its #size-cells (${cSize}) differs from ${parentPath} (${pSize})`);
  } else if (!isMultipleOf(len, (pAddr + cAddr + cSize) * 4)) {
    ctx.failProp(
      node,
      prop,
      `"${propName}" property has invalid length (${len} bytes) (parent #address-cells == ${pAddr}, child #address-cells == ${cAddr}, #size-cells == ${cSize})`,
    );
  }
}

function isDisabled(ctx: CheckContext, node: DtNode): boolean {
  const status = ctx.state.prop(node, 'status');
  return status !== undefined && cString(status) === 'disabled';
}

function checkUniqueUnitAddresses(ctx: CheckContext, node: DtNode, skipDisabled: boolean): void {
  if (ctx.state.rawAddrCells(node) < 0 || ctx.state.rawSizeCells(node) < 0) return;
  const kids = liveChildren(node);
  for (let a = 0; a < kids.length; a++) {
    const addrA = unitName(kids[a]);
    if (addrA === '' || (skipDisabled && isDisabled(ctx, kids[a]))) continue;
    for (let b = 0; b < a; b++) {
      if (skipDisabled && isDisabled(ctx, kids[b])) continue;
      if (unitName(kids[b]) === addrA) ctx.failNode(kids[b], `duplicate unit-address (also used in node ${ctx.state.path(kids[a])})`);
    }
  }
}

export const ADDRESS_CHECKS: CheckDefinition[] = [
  nodeCheck(
    'addr_size_cells',
    'Reads #address-cells/#size-cells for the checks that need them (defaults 2 and 1).',
    'warning',
    ['address_cells_is_cell', 'size_cells_is_cell'],
    (ctx, node) => {
      const a = ctx.state.prop(node, '#address-cells');
      const sz = ctx.state.prop(node, '#size-cells');
      ctx.state.addrCells.set(node, a ? cellAt(a, 0) | 0 : -1);
      ctx.state.sizeCells.set(node, sz ? cellAt(sz, 0) | 0 : -1);
    },
  ),

  nodeCheck('reg_format', "`reg` is empty, on the root, or not a whole number of (#address-cells + #size-cells) entries.", 'warning', ['addr_size_cells'], (ctx, node) => {
    const prop = ctx.state.prop(node, 'reg');
    if (!prop) return;
    if (!node.parent) {
      ctx.failNode(node, 'Root node has a "reg" property');
      return;
    }
    const len = propLength(prop);
    if (len === 0) ctx.failProp(node, prop, 'property is empty');
    const addr = ctx.state.nodeAddrCells(node.parent);
    const size = ctx.state.nodeSizeCells(node.parent);
    if (!isMultipleOf(len, (addr + size) * 4))
      ctx.failProp(node, prop, `property has invalid length (${len} bytes) (#address-cells == ${addr}, #size-cells == ${size})`);
  }),

  nodeCheck('ranges_format', '`ranges` has the wrong length for the parent and child cell counts, or is empty while they differ.', 'warning', ['addr_size_cells'], (ctx, node) =>
    checkRangesFormat(ctx, node, 'ranges'),
  ),

  nodeCheck('dma_ranges_format', '`dma-ranges` has the wrong length for the parent and child cell counts, or is empty while they differ.', 'warning', ['addr_size_cells'], (ctx, node) =>
    checkRangesFormat(ctx, node, 'dma-ranges'),
  ),

  nodeCheck('unit_address_vs_reg', 'A node has `reg`/non-empty `ranges` but no unit address, or a unit address but neither.', 'warning', [], (ctx, node) => {
    if (ctx.state.child(node, '__overlay__')) return; // overlay fragments are exempt, as in dtc
    let prop = ctx.state.prop(node, 'reg');
    if (!prop) {
      prop = ctx.state.prop(node, 'ranges');
      if (prop && propLength(prop) === 0) prop = undefined;
    }
    const unit = unitName(node);
    if (prop && unit === '') ctx.failNode(node, 'node has a reg or ranges property, but no unit name');
    else if (!prop && unit !== '') ctx.failNode(node, 'node has a unit name, but no reg or ranges property');
  }),

  nodeCheck(
    'unit_address_format',
    'A unit address starts with "0x" or has leading zeros (not checked on buses with their own format).',
    'warning',
    ['node_name_format', 'pci_bridge', 'simple_bus_bridge'],
    (ctx, node) => {
      if (node.parent && ctx.state.bus.has(node.parent)) return;
      let unit = unitName(node);
      if (unit === '') return;
      if (unit.startsWith('0x')) {
        ctx.failNode(node, 'unit name should not have leading "0x"');
        unit = unit.slice(2);
      }
      if (unit[0] === '0' && unit.length > 1 && '0123456789abcdefABCDEF'.includes(unit[1])) ctx.failNode(node, 'unit name should not have leading 0s');
    },
  ),

  nodeCheck('avoid_default_addr_size', 'A node with `reg` or `ranges` relies on the parent\'s default #address-cells/#size-cells.', 'warning', ['addr_size_cells'], (ctx, node) => {
    if (!node.parent) return;
    if (!ctx.state.prop(node, 'reg') && !ctx.state.prop(node, 'ranges')) return;
    if (ctx.state.rawAddrCells(node.parent) === -1) ctx.failNode(node, 'Relying on default #address-cells value');
    if (ctx.state.rawSizeCells(node.parent) === -1) ctx.failNode(node, 'Relying on default #size-cells value');
  }),

  nodeCheck(
    'avoid_unnecessary_addr_size',
    'A node sets #address-cells/#size-cells but has no `ranges` and no child with `reg`.',
    'warning',
    ['avoid_default_addr_size'],
    (ctx, node) => {
      if (!node.parent || ctx.state.rawAddrCells(node) < 0 || ctx.state.rawSizeCells(node) < 0) return;
      // dtc 1.6.1 looks at `ranges` only (later versions also accept `dma-ranges`).
      if (ctx.state.prop(node, 'ranges') || node.children.length === 0) return;
      if (!liveChildren(node).some((c) => ctx.state.prop(c, 'reg')))
        ctx.failNode(node, 'unnecessary #address-cells/#size-cells without "ranges" or child "reg" property');
    },
  ),

  nodeCheck('unique_unit_address', 'Two siblings share a unit address.', 'warning', ['avoid_default_addr_size'], (ctx, node) =>
    checkUniqueUnitAddresses(ctx, node, false),
  ),

  nodeCheck(
    'unique_unit_address_if_enabled',
    'Two siblings that are not `status = "disabled"` share a unit address.',
    'off',
    ['avoid_default_addr_size'],
    (ctx, node) => checkUniqueUnitAddresses(ctx, node, true),
  ),
];
