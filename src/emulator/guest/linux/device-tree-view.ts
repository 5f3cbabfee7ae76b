// What the modelled kernel reads from its device tree, the way Linux's OF code reads it: enabled
// status, `reg` translated through each parent's `ranges` (of_translate_address), the memory
// nodes, /chosen, and the interrupt-parent chain down to the GIC (of_irq_parse_one plus the
// irqchip hierarchy). Everything returns undefined or a reason instead of throwing.

import { cellsProperty, readCells, regRanges, type AddressRange } from '../../../devicetree/addresses';
import {
  findNodeByPath,
  findNodeByPhandle,
  getProperty,
  liveChildren,
  nodePath,
  propertyCells,
  propertyStrings,
  type DtNode,
  type DtTree,
} from '../../../devicetree/tree';

/** A register or memory window in guest-physical addresses. */
export type RegWindow = AddressRange;

/** Linux's of_device_is_available: no status, "okay" or "ok". */
export function isEnabled(node: DtNode): boolean {
  const status = getProperty(node, 'status');
  if (!status) return true;
  const s = propertyStrings(status)[0] ?? '';
  return s === 'okay' || s === 'ok';
}

export function compatibles(node: DtNode): string[] {
  const p = getProperty(node, 'compatible');
  return p ? propertyStrings(p) : [];
}

export function stringProperty(node: DtNode, name: string): string | undefined {
  const p = getProperty(node, name);
  return p ? propertyStrings(p)[0] : undefined;
}

/** RAM as the kernel learns it: every `device_type = "memory"` node under the root. */
export function memoryWindows(tree: DtTree): RegWindow[] {
  const out: RegWindow[] = [];
  for (const n of liveChildren(tree.root)) {
    if (stringProperty(n, 'device_type') === 'memory' && isEnabled(n)) out.push(...regRanges(n));
  }
  return out;
}

export interface ChosenInfo {
  bootargs: string;
  /** The stdout-path target with any ":options" removed and aliases resolved; undefined when absent or dangling. */
  stdoutNode?: DtNode;
  stdoutPath?: string;
  initrd?: { start: number; end: number };
}

function cellsAsNumber(node: DtNode, name: string): number | undefined {
  const p = getProperty(node, name);
  if (!p) return undefined;
  const cells = propertyCells(p);
  return cells.length === 1 || cells.length === 2 ? readCells(cells, 0, cells.length) : undefined;
}

export function chosenInfo(tree: DtTree): ChosenInfo {
  const chosen = findNodeByPath(tree, '/chosen');
  if (!chosen) return { bootargs: '' };
  const info: ChosenInfo = { bootargs: stringProperty(chosen, 'bootargs') ?? '' };
  const stdout = stringProperty(chosen, 'stdout-path') ?? stringProperty(chosen, 'linux,stdout-path');
  if (stdout !== undefined) {
    const colon = stdout.indexOf(':');
    const target = colon < 0 ? stdout : stdout.slice(0, colon);
    info.stdoutPath = target;
    if (target.startsWith('/')) info.stdoutNode = findNodeByPath(tree, target);
    else {
      const aliases = findNodeByPath(tree, '/aliases');
      const aliased = aliases ? stringProperty(aliases, target) : undefined;
      if (aliased) info.stdoutNode = findNodeByPath(tree, aliased);
    }
  }
  const start = cellsAsNumber(chosen, 'linux,initrd-start');
  const end = cellsAsNumber(chosen, 'linux,initrd-end');
  if (start !== undefined && end !== undefined && end >= start) info.initrd = { start, end };
  return info;
}

/** Kernel command line words as `key` / `key=value` pairs, in order (a later console= adds a console). */
export function parseBootargs(bootargs: string): { key: string; value?: string }[] {
  const out: { key: string; value?: string }[] = [];
  let i = 0;
  while (i < bootargs.length) {
    while (i < bootargs.length && bootargs[i] === ' ') i++;
    if (i >= bootargs.length) break;
    let j = i;
    let quoted = false;
    while (j < bootargs.length && (quoted || bootargs[j] !== ' ')) {
      if (bootargs[j] === '"') quoted = !quoted;
      j++;
    }
    const word = bootargs.slice(i, j).split('"').join('');
    const eq = word.indexOf('=');
    out.push(eq < 0 ? { key: word } : { key: word.slice(0, eq), value: word.slice(eq + 1) });
    i = j;
  }
  return out;
}

/** Kinds of interrupt controllers the modelled kernel has irqchip drivers for. */
export type IrqControllerKind = 'gic' | 'gpcv2';

export interface ResolvedIrq {
  /** GIC INTID the interrupt arrives as (SPI n is 32 + n, PPI n is 16 + n). */
  intid: number;
  /** The hwirq at the first controller (the number in the node's `interrupts`). */
  hwirq: number;
  /** Controllers from the device's interrupt parent down to the GIC. */
  chain: DtNode[];
}

export function interruptParent(tree: DtTree, node: DtNode): DtNode | undefined {
  for (let n: DtNode | undefined = node; n; n = n.parent) {
    const p = getProperty(n, 'interrupt-parent');
    if (p) {
      const cells = propertyCells(p);
      return cells.length === 1 ? findNodeByPhandle(tree, cells[0]) : undefined;
    }
  }
  return undefined;
}

/**
 * The first interrupt of `node` resolved through the interrupt-parent chain (of_irq_parse_one and
 * the irqchip hierarchy). `controllerKind` says which controllers the kernel drives (by compatible);
 * a chain through anything else cannot be resolved, as when Linux lacks the irqchip driver.
 */
export function resolveInterrupt(
  tree: DtTree,
  node: DtNode,
  controllerKind: (controller: DtNode) => IrqControllerKind | undefined,
): ResolvedIrq | { reason: string } {
  const interrupts = getProperty(node, 'interrupts');
  if (!interrupts) return { reason: `${nodePath(node)} has no interrupts property` };
  let controller = interruptParent(tree, node);
  if (!controller) return { reason: `${nodePath(node)} has no interrupt-parent` };
  const spec = propertyCells(interrupts);
  const chain: DtNode[] = [];
  // Hierarchical controllers (the GPC) pass the same specifier on to their parent.
  for (let depth = 0; depth < 16; depth++) {
    chain.push(controller);
    if (!getProperty(controller, 'interrupt-controller')) return { reason: `${nodePath(controller)} is not an interrupt controller` };
    if (!isEnabled(controller)) return { reason: `interrupt controller ${nodePath(controller)} is disabled` };
    const nCells = cellsProperty(controller, '#interrupt-cells', 0);
    if (nCells === 0 || spec.length < nCells) return { reason: `interrupts of ${nodePath(node)} do not match #interrupt-cells of ${nodePath(controller)}` };
    const kind = controllerKind(controller);
    if (kind === undefined) return { reason: `no irqchip driver for ${nodePath(controller)} (${compatibles(controller).join(', ') || 'no compatible'})` };
    if (kind === 'gic') {
      if (nCells < 2) return { reason: `GIC ${nodePath(controller)} needs at least 2 interrupt cells` };
      const [type, num] = spec;
      const intid = type === 0 ? 32 + num : type === 1 ? 16 + num : undefined;
      if (intid === undefined) return { reason: `interrupt type ${type} of ${nodePath(node)} is neither SPI (0) nor PPI (1)` };
      return { intid, hwirq: spec[1], chain };
    }
    const next = interruptParent(tree, controller);
    if (!next || next === controller) return { reason: `interrupt controller ${nodePath(controller)} has no parent controller` };
    controller = next;
  }
  return { reason: `interrupt-parent chain of ${nodePath(node)} is too deep or loops` };
}
