// Interrupts: providers must state #interrupt-cells (and, in dtc 1.6.1, #address-cells), every
// `interrupts` must find its parent and match its cell count; interrupt-map entries must parse.
import type { DtNode } from '../tree';
import { type CheckContext, type CheckDefinition, cellAt, isValidPhandle, nodeCheck, propLength } from './context';

function isInterruptProvider(ctx: CheckContext, node: DtNode): boolean {
  return ctx.state.prop(node, 'interrupt-controller') !== undefined || ctx.state.prop(node, 'interrupt-map') !== undefined;
}

function isMultipleOf(n: number, divisor: number): boolean {
  return divisor === 0 ? n === 0 : n % divisor === 0;
}

export const INTERRUPT_CHECKS: CheckDefinition[] = [
  nodeCheck('interrupts_property', '`interrupts` has no reachable interrupt parent, a bad `interrupt-parent`, or a length that is not a multiple of the parent\'s #interrupt-cells.', 'warning', [], (ctx, node) => {
    const s = ctx.state;
    const irqProp = s.prop(node, 'interrupts');
    if (!irqProp) return;
    const len = propLength(irqProp);
    if (len % 4 !== 0) ctx.failProp(node, irqProp, `size (${len}) is invalid, expected multiple of 4`);

    let irqNode: DtNode | undefined;
    for (let parent: DtNode | undefined = node; parent; parent = parent.parent) {
      if (parent !== node && isInterruptProvider(ctx, parent)) {
        irqNode = parent;
        break;
      }
      const ip = s.prop(parent, 'interrupt-parent');
      if (!ip) continue;
      const phandle = cellAt(ip, 0);
      if (!isValidPhandle(phandle)) {
        if (ctx.tree.isPlugin) return; // an overlay's external reference
        ctx.failProp(parent, ip, 'Invalid phandle');
        break;
      }
      irqNode = s.nodeByPhandle(phandle);
      if (!irqNode) {
        ctx.failProp(parent, ip, 'Bad phandle', ip.value.markers.find((m) => m.kind === 'ref-phandle')?.range);
        return;
      }
      if (!isInterruptProvider(ctx, irqNode)) ctx.failNode(irqNode, 'Missing interrupt-controller or interrupt-map property');
      break;
    }
    if (!irqNode) {
      ctx.failNode(node, 'Missing interrupt-parent');
      return;
    }
    const cellsProp = s.prop(irqNode, '#interrupt-cells');
    if (!cellsProp) return; // interrupt_provider reports that
    const cells = cellAt(cellsProp, 0);
    // dtc names the provider's #interrupt-cells under this node's path here.
    if (!isMultipleOf(len, cells * 4)) ctx.failProp(node, cellsProp, `size is (${len}), expected multiple of ${(cells * 4) | 0}`, irqProp.range);
  }),

  nodeCheck('interrupt_provider', 'An interrupt-controller or interrupt-map node lacks #interrupt-cells or #address-cells (dtc 1.6.1 rules).', 'warning', [], (ctx, node) => {
    if (!isInterruptProvider(ctx, node)) return;
    if (!ctx.state.prop(node, '#interrupt-cells')) ctx.failNode(node, 'Missing #interrupt-cells in interrupt provider');
    if (!ctx.state.prop(node, '#address-cells')) ctx.failNode(node, 'Missing #address-cells in interrupt provider');
  }),

  // Not in dtc 1.6.1 (added in 1.6.2), hence off by default so that the dtc preset matches 1.6.1.
  nodeCheck(
    'interrupt_map',
    '`interrupt-map`/`interrupt-map-mask` entries do not parse against #address-cells, #interrupt-cells and each parent\'s cell counts (newer dtc; off by default).',
    'off',
    ['phandle_references', 'addr_size_cells', 'interrupt_provider'],
    (ctx, node) => {
      const s = ctx.state;
      const map = s.prop(node, 'interrupt-map');
      if (!map) return;
      if (s.rawAddrCells(node) < 0) {
        ctx.failNode(node, "Missing '#address-cells' in interrupt-map provider");
        return;
      }
      const irqCells = s.prop(node, '#interrupt-cells');
      const childSpec = s.nodeAddrCells(node) + (irqCells ? cellAt(irqCells, 0) : 0);
      const mask = s.prop(node, 'interrupt-map-mask');
      if (mask && propLength(mask) !== childSpec * 4)
        ctx.failProp(node, mask, `property size (${propLength(mask)}) is invalid, expected ${childSpec * 4}`);
      const len = propLength(map);
      if (len % 4 !== 0) {
        ctx.failProp(node, map, `property size (${len}) is invalid, expected multiple of 4`);
        return;
      }
      const mapCells = len / 4;
      for (let cell = 0; cell < mapCells; ) {
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
        const provider = s.nodeByPhandle(phandle);
        if (!provider) {
          ctx.failProp(node, map, `Could not get phandle(${phandle | 0}) node for (cell ${cell})`);
          break;
        }
        const pCells = s.prop(provider, '#interrupt-cells');
        if (!pCells) {
          ctx.failNode(node, `Missing property '#interrupt-cells' in node ${s.path(provider)} or bad phandle (referred from interrupt-map[${cell}])`);
          break;
        }
        const pAddr = s.prop(provider, '#address-cells');
        cell += 1 + cellAt(pCells, 0) + (pAddr ? cellAt(pAddr, 0) : 0);
      }
    },
  ),
];
