// What the system checks need to know about a guest's device tree: whether a node is enabled, where
// its registers are in the guest-physical address space (reg translated through every ancestor's
// `ranges`), its interrupt parent, and the providers its phandle properties point at.

import {
  findNodeByPath, findNodeByPhandle, getChild, getProperty, liveChildren, propertyCells, propertyStrings,
  type DtNode, type DtProperty, type DtTree,
} from '../devicetree/tree';

export interface AddressRange {
  base: number;
  size: number;
}

function cellsProp(node: DtNode | undefined, name: string, fallback: number): number {
  const p = node ? getProperty(node, name) : undefined;
  const cells = p ? propertyCells(p) : [];
  return cells.length === 1 ? cells[0] : fallback;
}

/** #address-cells / #size-cells a node's children use (dtc's defaults 2 and 1 when absent). */
export function addressCells(node: DtNode | undefined): number {
  return cellsProp(node, '#address-cells', 2);
}
export function sizeCells(node: DtNode | undefined): number {
  return cellsProp(node, '#size-cells', 1);
}

function readCells(cells: number[], at: number, count: number): number {
  let v = 0;
  for (let i = 0; i < count; i++) v = v * 0x100000000 + (cells[at + i] ?? 0);
  return v;
}

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
 * Translate an address in `bus`'s child address space up to the root. Returns undefined when some
 * ancestor has no `ranges` (the address is not memory-mapped, e.g. an I2C or SPI child).
 */
export function translateAddress(bus: DtNode, addr: number, size: number): number | undefined {
  let node = bus;
  let a = addr;
  while (node.parent) {
    const ranges = getProperty(node, 'ranges');
    if (!ranges) return undefined;
    const cells = propertyCells(ranges);
    if (cells.length === 0) {
      node = node.parent;
      continue; // identity mapping
    }
    const childAc = addressCells(node), parentAc = addressCells(node.parent), sc = sizeCells(node);
    const entry = childAc + parentAc + sc;
    if (entry === 0) return undefined;
    let mapped: number | undefined;
    for (let i = 0; i + entry <= cells.length; i += entry) {
      const childBase = readCells(cells, i, childAc);
      const parentBase = readCells(cells, i + childAc, parentAc);
      const len = readCells(cells, i + childAc + parentAc, sc);
      if (a >= childBase && a + size <= childBase + len) {
        mapped = parentBase + (a - childBase);
        break;
      }
    }
    if (mapped === undefined) return undefined;
    a = mapped;
    node = node.parent;
  }
  return a;
}

/** The node's `reg` entries in the root (guest-physical) address space; [] when it has none or they do not translate. */
export function regRanges(node: DtNode): AddressRange[] {
  const parent = node.parent;
  const reg = getProperty(node, 'reg');
  if (!parent || !reg) return [];
  const ac = addressCells(parent), sc = sizeCells(parent);
  if (ac === 0) return [];
  const cells = propertyCells(reg);
  const out: AddressRange[] = [];
  for (let i = 0; i + ac + sc <= cells.length; i += ac + sc) {
    const addr = readCells(cells, i, ac);
    const size = readCells(cells, i + ac, sc);
    const base = translateAddress(parent, addr, size);
    if (base !== undefined) out.push({ base, size });
  }
  return out;
}

export function overlaps(a: AddressRange, b: AddressRange): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

export function contains(outer: AddressRange, inner: AddressRange): boolean {
  return inner.base >= outer.base && inner.base + inner.size <= outer.base + outer.size;
}

/** The node's interrupt parent: its own `interrupt-parent`, else the nearest ancestor's (as Linux resolves it). */
export function interruptParent(tree: DtTree, node: DtNode): { controller?: DtNode; declaredBy?: DtNode; property?: DtProperty } {
  for (let n: DtNode | undefined = node; n; n = n.parent) {
    const p = getProperty(n, 'interrupt-parent');
    if (p) {
      const ph = propertyCells(p)[0];
      return { controller: ph === undefined ? undefined : findNodeByPhandle(tree, ph), declaredBy: n, property: p };
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
    stack.push(...liveChildren(n));
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
    i += 1 + (cellsName ? cellsProp(target, cellsName, 0) : 0);
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
