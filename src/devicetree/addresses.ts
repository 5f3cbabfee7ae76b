// Where a node's registers are: `reg` read with the parent's #address-cells/#size-cells and
// translated through every ancestor's `ranges` up to the root (Linux's of_translate_address). One
// implementation for the system cross checks, the emulated guest's drivers and the editor's hover.

import { getProperty, propertyCells, type DtNode } from './tree';

export interface AddressRange {
  base: number;
  size: number;
}

/** A one-cell property such as #address-cells or #clock-cells, or `fallback` when absent or malformed. */
export function cellsProperty(node: DtNode | undefined, name: string, fallback: number): number {
  const p = node ? getProperty(node, name) : undefined;
  const cells = p ? propertyCells(p) : [];
  return cells.length === 1 ? cells[0] : fallback;
}

/** #address-cells / #size-cells a node's children use (dtc's and Linux's defaults 2 and 1 when absent). */
export function addressCells(node: DtNode | undefined): number {
  return cellsProperty(node, '#address-cells', 2);
}
export function sizeCells(node: DtNode | undefined): number {
  return cellsProperty(node, '#size-cells', 1);
}

/** `count` big-endian cells from `at` as one number; undefined beyond 2^53 (not representable exactly). */
export function readCells(cells: readonly number[], at: number, count: number): number | undefined {
  let v = 0;
  for (let i = 0; i < count; i++) {
    v = v * 0x100000000 + (cells[at + i] ?? 0);
    if (v > Number.MAX_SAFE_INTEGER) return undefined;
  }
  return v;
}

/**
 * Translate [addr, addr + size) in `bus`'s child address space up to the root. Undefined when some
 * ancestor has no `ranges` (the bus is not memory-mapped, e.g. I2C or SPI) or no entry covers the
 * window; an empty `ranges` is the identity.
 */
export function translateAddress(bus: DtNode, addr: number, size: number): number | undefined {
  let node = bus;
  let a = addr;
  while (node.parent) {
    const ranges = getProperty(node, 'ranges');
    if (!ranges) return undefined;
    const cells = propertyCells(ranges);
    if (cells.length > 0) {
      const childAc = addressCells(node),
        parentAc = addressCells(node.parent),
        sc = sizeCells(node);
      const entry = childAc + parentAc + sc;
      if (entry === 0) return undefined;
      let mapped: number | undefined;
      for (let i = 0; i + entry <= cells.length; i += entry) {
        const childBase = readCells(cells, i, childAc);
        const parentBase = readCells(cells, i + childAc, parentAc);
        const len = readCells(cells, i + childAc + parentAc, sc);
        if (childBase === undefined || parentBase === undefined || len === undefined) continue;
        if (a >= childBase && a + size <= childBase + len) {
          mapped = parentBase + (a - childBase);
          break;
        }
      }
      if (mapped === undefined) return undefined;
      a = mapped;
    }
    node = node.parent;
  }
  return a;
}

/** The node's `reg` entries in the root (CPU or guest-physical) address space; entries that do not translate are left out. */
export function regRanges(node: DtNode): AddressRange[] {
  const parent = node.parent;
  const reg = getProperty(node, 'reg');
  if (!parent || !reg) return [];
  const ac = addressCells(parent),
    sc = sizeCells(parent);
  if (ac === 0) return [];
  const cells = propertyCells(reg);
  const out: AddressRange[] = [];
  for (let i = 0; i + ac + sc <= cells.length; i += ac + sc) {
    const addr = readCells(cells, i, ac);
    const size = readCells(cells, i + ac, sc);
    if (addr === undefined || size === undefined) continue;
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
