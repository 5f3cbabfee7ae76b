// What the system checks need to know about a guest's device tree: whether a node is enabled, where
// its registers are in the guest-physical address space (reg translated through every ancestor's
// `ranges`), its interrupt parent, and the providers its phandle properties point at.

import {
  findNodeByPath,
  findNodeByPhandle,
  getChild,
  getProperty,
  liveChildren,
  propertyCells,
  propertyStrings,
  type DtNode,
  type DtProperty,
  type DtTree,
} from '../devicetree/tree';

import { cellsProperty } from '../devicetree/addresses';
import { pushAll } from '../common/arrays';

export { addressCells, contains, overlaps, regRanges, sizeCells, translateAddress, type AddressRange } from '../devicetree/addresses';
import { regRanges } from '../devicetree/addresses';

export function stringProp(node: DtNode, name: string): string | undefined {
  const p = getProperty(node, name);
  return p ? propertyStrings(p)[0] : undefined;
}

export function compatibles(node: DtNode): string[] {
  const p = getProperty(node, 'compatible');
  return p ? propertyStrings(p) : [];
}

/** A node is enabled when it and all its ancestors have no status or "okay"/"ok". */
export function isEnabled(node: DtNode): boolean {
  for (let n: DtNode | undefined = node; n; n = n.parent) {
    const s = stringProp(n, 'status');
    if (s !== undefined && s !== 'okay' && s !== 'ok') return false;
  }
  return true;
}

/**
 * The node's interrupt parent: its own `interrupt-parent`, else the nearest ancestor's (as Linux
 * resolves it). `byPhandle`: a caller's phandle table (the default walks the tree).
 */
export function interruptParent(
  tree: DtTree,
  node: DtNode,
  byPhandle: (phandle: number) => DtNode | undefined = (ph) => findNodeByPhandle(tree, ph),
): { controller?: DtNode; declaredBy?: DtNode; property?: DtProperty } {
  for (let n: DtNode | undefined = node; n; n = n.parent) {
    const p = getProperty(n, 'interrupt-parent');
    if (p) {
      const ph = propertyCells(p)[0];
      return { controller: ph === undefined ? undefined : byPhandle(ph), declaredBy: n, property: p };
    }
  }
  return {};
}

export function isGic(node: DtNode): boolean {
  return getProperty(node, 'interrupt-controller') !== undefined && compatibles(node).some((c) => c.startsWith('arm,') && c.includes('gic'));
}

export function findGic(tree: DtTree): DtNode | undefined {
  const stack: DtNode[] = [tree.root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (isGic(n)) return n;
    pushAll(stack, liveChildren(n));
  }
  return undefined;
}

/**
 * Providers a phandle-list property points at. `cellsName` is the provider's argument-count property
 * (e.g. "#clock-cells"); undefined means plain phandle lists (pinctrl-N).
 */
export function phandleTargets(tree: DtTree, node: DtNode, prop: string, cellsName?: string): DtNode[] {
  const p = getProperty(node, prop);
  if (!p) return [];
  const cells = propertyCells(p);
  const out: DtNode[] = [];
  let i = 0;
  while (i < cells.length) {
    const target = findNodeByPhandle(tree, cells[i]);
    if (!target) break; // unresolvable: dtc's own checks report it
    out.push(target);
    i += 1 + (cellsName ? cellsProperty(target, cellsName, 0) : 0);
  }
  return out;
}

/** Resolve `chosen/stdout-path` (a path or an alias, with optional ":options"). */
export function resolveStdoutPath(tree: DtTree, value: string): DtNode | undefined {
  const colon = value.indexOf(':');
  const target = colon < 0 ? value : value.slice(0, colon);
  if (target.startsWith('/')) return findNodeByPath(tree, target);
  const aliases = getChild(tree.root, 'aliases');
  const alias = aliases ? stringProp(aliases, target) : undefined;
  return alias?.startsWith('/') ? findNodeByPath(tree, alias) : undefined;
}

export function memoryNodes(tree: DtTree): DtNode[] {
  return liveChildren(tree.root).filter((n) => stringProp(n, 'device_type') === 'memory');
}

/** The deepest live node (enabled or not) whose `reg`, translated through `ranges`, covers `addr`. */
export function nodeAtAddress(tree: DtTree, addr: number): DtNode | undefined {
  // Pre-order: a later match is deeper (a device inside a bus that also has `reg`).
  let found: DtNode | undefined;
  const visit = (node: DtNode): void => {
    for (const r of regRanges(node)) if (addr >= r.base && addr < r.base + r.size) found = node;
    for (const c of node.children) if (!c.deleted) visit(c);
  };
  visit(tree.root);
  return found;
}
