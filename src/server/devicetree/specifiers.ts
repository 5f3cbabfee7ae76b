// What each cell of a phandle-list or `interrupts` property is, as written: a phandle, one argument of
// its provider's specifier (sized by the provider's `#...-cells`), or a plain value. Semantic tokens
// colour cells by it, signature help names the argument under the cursor, type definition goes to
// the provider.
import { evaluateCExpr } from '../../devicetree/cexpr';
import { getProperty, propertyCells, propertyStrings, type DtNode } from '../../devicetree/tree';
import { dtFacts } from '../../system';
import type { DtIndex, PropertySite } from './dt-index';
import { cellsOfProvider, isPhandleList } from './dt-values';

export interface CellRole {
  role: 'phandle' | 'arg' | 'value';
  /** The node whose specifier this cell belongs to (the phandle's target, or the interrupt parent). */
  provider?: DtNode;
  /** For arguments: which one (0-based) of `count`. */
  arg?: number;
  count?: number;
  /** Which specifier of the property (0-based), for the matching `...-names` entry. */
  specifier?: number;
}

/** The provider's `#...-cells` for this property (undefined when it has none: a bad phandle). */
function specifierSize(propName: string, provider: DtNode): number {
  const name = propName === 'interrupts' ? '#interrupt-cells' : cellsOfProvider(propName);
  const p = name ? getProperty(provider, name) : undefined;
  return p ? (propertyCells(p)[0] ?? 0) : 0;
}

/** The interrupt parent of the node this definition is in (the final tree's). */
export function interruptController(index: DtIndex, site: PropertySite): DtNode | undefined {
  const node = site.owner.node;
  return node ? dtFacts.interruptParent(index.tree, node, index.nodeByPhandle).controller : undefined;
}

/** Whether cellRoles finds anything but plain values in this property's cells. */
export function hasSpecifiers(name: string): boolean {
  return name === 'interrupts' || isPhandleList(name);
}

/**
 * The role of each 32-bit cell of `site` by its index in the value, and of the cells a user would
 * type next (`length` cells in all, at least). A final definition reads the tree's values (numbers
 * that are phandles, as decompiled trees write them); an overridden one reads what is written.
 */
export function cellRoles(index: DtIndex, site: PropertySite, length = 0): CellRole[] {
  const name = site.ast.name;
  const written = new Map(site.cells.map((c) => [c.index, c]));
  const writtenCount = site.cells.length ? site.cells[site.cells.length - 1].index + 1 : 0;
  const count = Math.max(length, writtenCount);
  const roles: CellRole[] = [];
  if (name === 'interrupts') {
    const provider = interruptController(index, site);
    const n = provider ? Math.max(1, specifierSize(name, provider)) : 1;
    for (let i = 0; i < count; i++) roles.push({ role: 'arg', provider, arg: i % n, count: n, specifier: Math.floor(i / n) });
    return roles;
  }
  if (!isPhandleList(name)) {
    for (let i = 0; i < count; i++) roles.push({ role: 'value' });
    return roles;
  }
  const finals = site.final && site.property ? index.phandleTargets(site.property) : undefined;
  const finalCells = site.final && site.property ? propertyCells(site.property) : undefined;
  /** The phandle at cell i: its target, null for an empty slot (0), undefined when unknown. */
  const phandleAt = (i: number): DtNode | null | undefined => {
    if (finals && finalCells && i < finalCells.length) return finalCells[i] === 0 ? null : finals[i];
    const c = written.get(i)?.cell;
    if (c?.kind === 'ref') return index.resolve(c.ref.target);
    if (c?.kind === 'expr') {
      const v = evaluateCExpr(c.expr);
      if (v.ok) return v.value === 0n ? null : index.nodeByPhandle(Number(v.value & 0xffffffffn));
    }
    return undefined;
  };
  let specifier = 0;
  for (let i = 0; i < count;) {
    const target = phandleAt(i);
    if (target === undefined && i < writtenCount) {
      // An unknown provider: the rest cannot be laid out.
      while (roles.length < count) roles.push({ role: 'value' });
      break;
    }
    if (target === null || target === undefined) {
      roles.push({ role: 'phandle', specifier: specifier++ });
      i++;
      continue;
    }
    const n = specifierSize(name, target);
    roles.push({ role: 'phandle', provider: target, count: n, specifier });
    for (let a = 0; a < n && roles.length < count; a++) roles.push({ role: 'arg', provider: target, arg: a, count: n, specifier });
    i += 1 + n;
    specifier++;
  }
  return roles.slice(0, count);
}

export interface ArgumentName {
  name: string;
  /** Its values, where the binding fixes them. */
  doc?: string;
}

const GIC_ARGS: ArgumentName[] = [
  { name: 'type', doc: '0 SPI, 1 PPI' },
  { name: 'number', doc: 'INTID - 32 for an SPI, INTID - 16 for a PPI' },
  { name: 'flags', doc: '1 edge rising, 2 edge falling, 4 level high, 8 level low' },
  { name: 'ppi-partition' },
];
const GPIO_FLAGS: ArgumentName = { name: 'flags', doc: '0 active high, 1 active low' };

/** Names of a provider's specifier arguments: those of the binding where it is known, else numbered. */
export function argumentNames(propName: string, provider: DtNode | undefined, count: number, index: DtIndex): ArgumentName[] {
  let known: ArgumentName[] = [];
  if (propName === 'interrupts' || propName === 'interrupts-extended') {
    // Controllers in front of the GIC (the i.MX GPC) take the GIC's specifiers and pass them on.
    let at = provider;
    for (let hops = 0; at && !dtFacts.isGic(at) && hops < 8; hops++) at = dtFacts.interruptParent(index.tree, at, index.nodeByPhandle).controller;
    if (at && dtFacts.isGic(at) && count >= 3) known = GIC_ARGS;
  } else if (propName === 'gpios' || propName.endsWith('-gpios')) {
    known = count === 2 ? [{ name: 'line' }, GPIO_FLAGS] : count === 3 ? [{ name: 'bank' }, { name: 'line' }, GPIO_FLAGS] : [];
  } else if (propName === 'clocks' || propName.startsWith('assigned-clock')) known = count === 1 ? [{ name: 'clock-id' }] : [];
  else if (propName === 'resets') known = count === 1 ? [{ name: 'reset-id' }] : [];
  else if (propName === 'power-domains') known = count === 1 ? [{ name: 'domain-id' }] : [];
  else if (propName === 'pwms') known = [{ name: 'channel' }, { name: 'period', doc: 'in ns' }, { name: 'flags', doc: '1 inverted polarity' }];
  const out: ArgumentName[] = [];
  for (let i = 0; i < count; i++) out.push(known[i] ?? { name: `cell${i + 1}` });
  return out;
}

/** The `clock-names`-style entry naming specifier `k` of `propName`, if the node has one. */
export function specifierName(node: DtNode | undefined, propName: string, k: number): string | undefined {
  const stem = propName === 'interrupts' || propName === 'interrupts-extended' ? 'interrupt' : propName.endsWith('s') ? propName.slice(0, -1) : propName;
  const names = node ? getProperty(node, `${stem}-names`) : undefined;
  return names ? propertyStrings(names)[k] : undefined;
}
