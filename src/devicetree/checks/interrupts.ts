// Interrupts: providers must state #interrupt-cells (and, in dtc 1.6.1, #address-cells), every
// `interrupts` must find its parent and match its cell count; interrupt-map entries must parse.
import type { Marker } from '../tree';
import { type CheckDefinition, type CheckNode, cellAt, indexedProperty, isValidPhandle, nodeCheck, propLength, propertyCheck } from './context';

const INTERRUPTS = indexedProperty('interrupts');
const INTERRUPT_PARENT = indexedProperty('interrupt-parent');
const INTERRUPT_CONTROLLER = indexedProperty('interrupt-controller');
const INTERRUPT_MAP = indexedProperty('interrupt-map');
const INTERRUPT_MAP_MASK = indexedProperty('interrupt-map-mask');
const INTERRUPT_CELLS = indexedProperty('#interrupt-cells');
const ADDRESS_CELLS = indexedProperty('#address-cells');

function isInterruptProvider(node: CheckNode): boolean {
  return node.prop(INTERRUPT_CONTROLLER) !== undefined || node.prop(INTERRUPT_MAP) !== undefined;
}

function firstPhandleRef(markers: readonly Marker[]): Marker | undefined {
  for (const m of markers) if (m.kind === 'ref-phandle') return m;
  return undefined;
}

function isMultipleOf(n: number, divisor: number): boolean {
  return divisor === 0 ? n === 0 : n % divisor === 0;
}

export const INTERRUPT_CHECKS: CheckDefinition[] = [
  propertyCheck(
    'interrupts_property',
    "`interrupts` has no reachable interrupt parent, a bad `interrupt-parent`, or a length that is not a multiple of the parent's #interrupt-cells.",
    'warning',
    [],
    INTERRUPTS,
    (ctx, node, irqProp) => {
      const len = propLength(irqProp);
      if (len % 4 !== 0) ctx.failProp(node, irqProp, `size (${len}) is invalid, expected multiple of 4`);

      let irqNode: CheckNode | undefined;
      for (let parent: CheckNode | undefined = node; parent; parent = parent.parent) {
        if (parent !== node && isInterruptProvider(parent)) {
          irqNode = parent;
          break;
        }
        const ip = parent.prop(INTERRUPT_PARENT);
        if (!ip) continue;
        const phandle = cellAt(ip, 0);
        if (!isValidPhandle(phandle)) {
          if (ctx.tree.isPlugin) return; // an overlay's external reference
          ctx.failProp(parent, ip, 'Invalid phandle');
          break;
        }
        irqNode = ctx.state.nodeByPhandle(phandle);
        if (!irqNode) {
          ctx.failProp(parent, ip, 'Bad phandle', firstPhandleRef(ip.value.markers)?.range);
          return;
        }
        if (!isInterruptProvider(irqNode)) ctx.failNode(irqNode, 'Missing interrupt-controller or interrupt-map property');
        break;
      }
      if (!irqNode) {
        ctx.failNode(node, 'Missing interrupt-parent');
        return;
      }
      const cellsProp = irqNode.prop(INTERRUPT_CELLS);
      if (!cellsProp) return; // interrupt_provider reports that
      const cells = cellAt(cellsProp, 0);
      // dtc names the provider's #interrupt-cells under this node's path here.
      if (!isMultipleOf(len, cells * 4)) ctx.failProp(node, cellsProp, `size is (${len}), expected multiple of ${(cells * 4) | 0}`, irqProp.range);
    },
  ),

  nodeCheck(
    'interrupt_provider',
    'An interrupt-controller or interrupt-map node lacks #interrupt-cells or #address-cells (dtc 1.6.1 rules).',
    'warning',
    [],
    (ctx, node) => {
      if (!isInterruptProvider(node)) return;
      if (!node.prop(INTERRUPT_CELLS)) ctx.failNode(node, 'Missing #interrupt-cells in interrupt provider');
      if (!node.prop(ADDRESS_CELLS)) ctx.failNode(node, 'Missing #address-cells in interrupt provider');
    },
  ),

  // Not in dtc 1.6.1 (added in 1.6.2), hence off by default so that the dtc preset matches 1.6.1.
  propertyCheck(
    'interrupt_map',
    "`interrupt-map`/`interrupt-map-mask` entries do not parse against #address-cells, #interrupt-cells and each parent's cell counts (newer dtc; off by default).",
    'off',
    ['phandle_references', 'addr_size_cells', 'interrupt_provider'],
    INTERRUPT_MAP,
    (ctx, node, map) => {
      if (node.rawAddrCells < 0) {
        ctx.failNode(node, "Missing '#address-cells' in interrupt-map provider");
        return;
      }
      const irqCells = node.prop(INTERRUPT_CELLS);
      const childSpec = node.addrCells + (irqCells ? cellAt(irqCells, 0) : 0);
      const mask = node.prop(INTERRUPT_MAP_MASK);
      if (mask && propLength(mask) !== childSpec * 4) ctx.failProp(node, mask, `property size (${propLength(mask)}) is invalid, expected ${childSpec * 4}`);
      const len = propLength(map);
      if (len % 4 !== 0) {
        ctx.failProp(node, map, `property size (${len}) is invalid, expected multiple of 4`);
        return;
      }
      const mapCells = len / 4;
      for (let cell = 0; cell < mapCells;) {
        if (cell + childSpec >= mapCells) {
          ctx.failProp(node, map, `property size (${len}) too small, expected > ${(cell + childSpec) * 4}`);
          break;
        }
        cell += childSpec;
        const phandle = cellAt(map, cell);
        if (!isValidPhandle(phandle)) {
          if (!ctx.tree.isPlugin) ctx.failProp(node, map, `Cell ${cell} is not a phandle(${phandle | 0})`);
          break;
        }
        const provider = ctx.state.nodeByPhandle(phandle);
        if (!provider) {
          ctx.failProp(node, map, `Could not get phandle(${phandle | 0}) node for (cell ${cell})`);
          break;
        }
        const pCells = provider.prop(INTERRUPT_CELLS);
        if (!pCells) {
          ctx.failNode(node, `Missing property '#interrupt-cells' in node ${provider.path} or bad phandle (referred from interrupt-map[${cell}])`);
          break;
        }
        const pAddr = provider.prop(ADDRESS_CELLS);
        cell += 1 + cellAt(pCells, 0) + (pAddr ? cellAt(pAddr, 0) : 0);
      }
    },
  ),
];
