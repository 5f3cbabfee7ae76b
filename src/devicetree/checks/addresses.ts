// Addressing: #address-cells/#size-cells, reg/ranges/dma-ranges lengths, unit addresses against
// reg, their format and uniqueness.
import type { DtProperty } from '../tree';
import { type CheckContext, type CheckDefinition, type CheckNode, cString, cellAt, indexedProperty, nodeCheck, propLength, propertyCheck } from './context';

const ADDRESS_CELLS = indexedProperty('#address-cells');
const SIZE_CELLS = indexedProperty('#size-cells');
const REG = indexedProperty('reg');
const RANGES = indexedProperty('ranges');
const DMA_RANGES = indexedProperty('dma-ranges');
const STATUS = indexedProperty('status');

function isMultipleOf(n: number, divisor: number): boolean {
  return divisor === 0 ? n === 0 : n % divisor === 0;
}

function checkRangesFormat(ctx: CheckContext, node: CheckNode, prop: DtProperty, propName: string): void {
  const parent = node.parent;
  if (!parent) {
    ctx.failProp(node, prop, `Root node has a "${propName}" property`);
    return;
  }
  const pAddr = parent.addrCells;
  const pSize = parent.sizeCells;
  const cAddr = node.addrCells;
  const cSize = node.sizeCells;
  const len = propLength(prop);
  if (len === 0) {
    if (pAddr !== cAddr) ctx.failProp(node, prop, `empty "${propName}" property but its #address-cells (${cAddr}) differs from ${parent.path} (${pAddr})`);
    if (pSize !== cSize) ctx.failProp(node, prop, `empty "${propName}" property but its #size-cells (${cSize}) differs from ${parent.path} (${pSize})`);
  } else if (!isMultipleOf(len, (pAddr + cAddr + cSize) * 4)) {
    ctx.failProp(
      node,
      prop,
      `"${propName}" property has invalid length (${len} bytes) (parent #address-cells == ${pAddr}, child #address-cells == ${cAddr}, #size-cells == ${cSize})`,
    );
  }
}

function isDisabled(node: CheckNode): boolean {
  const status = node.prop(STATUS);
  return status !== undefined && cString(status) === 'disabled';
}

/**
 * dtc compares every child with each earlier sibling and reports the earlier one. Grouping the
 * eligible siblings by unit address gives the same failures in the same order in linear time.
 */
function checkUniqueUnitAddresses(ctx: CheckContext, node: CheckNode, skipDisabled: boolean): void {
  if (node.rawAddrCells < 0 || node.rawSizeCells < 0) return;
  const kids = node.children;
  if (kids.length < 2) return;
  const earlierByUnit = new Map<string, CheckNode[]>();
  for (let a = 0; a < kids.length; a++) {
    const unit = kids[a].unitName;
    if (unit === '' || (skipDisabled && isDisabled(kids[a]))) continue;
    const earlier = earlierByUnit.get(unit);
    if (!earlier) {
      earlierByUnit.set(unit, [kids[a]]);
      continue;
    }
    for (const b of earlier) ctx.failNode(b, `duplicate unit-address (also used in node ${kids[a].path})`);
    earlier.push(kids[a]);
  }
}

export const ADDRESS_CHECKS: CheckDefinition[] = [
  nodeCheck(
    'addr_size_cells',
    'Reads #address-cells/#size-cells for the checks that need them (defaults 2 and 1).',
    'warning',
    ['address_cells_is_cell', 'size_cells_is_cell'],
    (_ctx, node) => {
      const a = node.prop(ADDRESS_CELLS);
      const sz = node.prop(SIZE_CELLS);
      node.rawAddrCells = a ? cellAt(a, 0) | 0 : -1;
      node.rawSizeCells = sz ? cellAt(sz, 0) | 0 : -1;
    },
  ),

  propertyCheck(
    'reg_format',
    '`reg` is empty, on the root, or not a whole number of (#address-cells + #size-cells) entries.',
    'warning',
    ['addr_size_cells'],
    REG,
    (ctx, node, prop) => {
      const parent = node.parent;
      if (!parent) {
        ctx.failNode(node, 'Root node has a "reg" property');
        return;
      }
      const len = propLength(prop);
      if (len === 0) ctx.failProp(node, prop, 'property is empty');
      const addr = parent.addrCells;
      const size = parent.sizeCells;
      if (!isMultipleOf(len, (addr + size) * 4))
        ctx.failProp(node, prop, `property has invalid length (${len} bytes) (#address-cells == ${addr}, #size-cells == ${size})`);
    },
  ),

  propertyCheck(
    'ranges_format',
    '`ranges` has the wrong length for the parent and child cell counts, or is empty while they differ.',
    'warning',
    ['addr_size_cells'],
    RANGES,
    (ctx, node, prop) => checkRangesFormat(ctx, node, prop, 'ranges'),
  ),

  propertyCheck(
    'dma_ranges_format',
    '`dma-ranges` has the wrong length for the parent and child cell counts, or is empty while they differ.',
    'warning',
    ['addr_size_cells'],
    DMA_RANGES,
    (ctx, node, prop) => checkRangesFormat(ctx, node, prop, 'dma-ranges'),
  ),

  nodeCheck('unit_address_vs_reg', 'A node has `reg`/non-empty `ranges` but no unit address, or a unit address but neither.', 'warning', [], (ctx, node) => {
    if (node.child('__overlay__')) return; // overlay fragments are exempt, as in dtc
    let prop = node.prop(REG);
    if (!prop) {
      prop = node.prop(RANGES);
      if (prop && propLength(prop) === 0) prop = undefined;
    }
    const unit = node.unitName;
    if (prop && unit === '') ctx.failNode(node, 'node has a reg or ranges property, but no unit name');
    else if (!prop && unit !== '') ctx.failNode(node, 'node has a unit name, but no reg or ranges property');
  }),

  nodeCheck(
    'unit_address_format',
    'A unit address starts with "0x" or has leading zeros (not checked on buses with their own format).',
    'warning',
    ['node_name_format', 'pci_bridge', 'simple_bus_bridge'],
    (ctx, node) => {
      if (node.parent && node.parent.bus !== undefined) return;
      let unit = node.unitName;
      if (unit === '') return;
      if (unit.startsWith('0x')) {
        ctx.failNode(node, 'unit name should not have leading "0x"');
        unit = unit.slice(2);
      }
      if (unit[0] === '0' && unit.length > 1 && '0123456789abcdefABCDEF'.includes(unit[1])) ctx.failNode(node, 'unit name should not have leading 0s');
    },
  ),

  nodeCheck(
    'avoid_default_addr_size',
    "A node with `reg` or `ranges` relies on the parent's default #address-cells/#size-cells.",
    'warning',
    ['addr_size_cells'],
    (ctx, node) => {
      const parent = node.parent;
      if (!parent) return;
      if (!node.prop(REG) && !node.prop(RANGES)) return;
      if (parent.rawAddrCells === -1) ctx.failNode(node, 'Relying on default #address-cells value');
      if (parent.rawSizeCells === -1) ctx.failNode(node, 'Relying on default #size-cells value');
    },
  ),

  nodeCheck(
    'avoid_unnecessary_addr_size',
    'A node sets #address-cells/#size-cells but has no `ranges` and no child with `reg`.',
    'warning',
    ['avoid_default_addr_size'],
    (ctx, node) => {
      if (!node.parent || node.rawAddrCells < 0 || node.rawSizeCells < 0) return;
      // dtc 1.6.1 looks at `ranges` only (later versions also accept `dma-ranges`).
      if (node.prop(RANGES) || node.node.children.length === 0) return;
      if (!node.children.some((c) => c.prop(REG))) ctx.failNode(node, 'unnecessary #address-cells/#size-cells without "ranges" or child "reg" property');
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
