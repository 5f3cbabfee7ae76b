// Names in a .system file and where they are used: memory regions (declared by memory_region name=,
// used by map mr= and setvar region_paddr=), protection domains (declared by protection_domain
// name=, used by channel end pd=) and virtual machines. Navigation, rename and hover share this.
import type { Position } from '../../common/diagnostics';
import type { SystemModel } from '../../system/model';
import type { XmlAttribute, XmlElement } from '../../system/xml';
import { rangeContains, rangeSize } from '../convert';

export type SystemSymbolKind = 'memory_region' | 'protection_domain' | 'virtual_machine';

export interface SystemSymbolRef {
  kind: SystemSymbolKind;
  name: string;
  attribute: XmlAttribute;
  element: XmlElement;
  declaration: boolean;
}

/** Attributes that declare (`decl`) or use a name, by element tag and attribute name. */
const NAME_SITES: { tag: string; attr: string; kind: SystemSymbolKind; decl: boolean }[] = [
  { tag: 'memory_region', attr: 'name', kind: 'memory_region', decl: true },
  { tag: 'map', attr: 'mr', kind: 'memory_region', decl: false },
  { tag: 'setvar', attr: 'region_paddr', kind: 'memory_region', decl: false },
  { tag: 'protection_domain', attr: 'name', kind: 'protection_domain', decl: true },
  { tag: 'end', attr: 'pd', kind: 'protection_domain', decl: false },
  { tag: 'virtual_machine', attr: 'name', kind: 'virtual_machine', decl: true },
];

export function* walkElements(el: XmlElement | undefined): Generator<XmlElement> {
  if (!el) return;
  yield el;
  for (const c of el.children) yield* walkElements(c);
}

/** Every declaration and use of a name in the file, in document order. */
export function allSymbolRefs(model: SystemModel): SystemSymbolRef[] {
  const out: SystemSymbolRef[] = [];
  for (const el of walkElements(model.root)) {
    for (const site of NAME_SITES) {
      if (site.tag !== el.tag) continue;
      const a = el.attributes.find((x) => x.name === site.attr);
      if (a) out.push({ kind: site.kind, name: a.value, attribute: a, element: el, declaration: site.decl });
    }
  }
  return out;
}

export function symbolRefAt(model: SystemModel, pos: Position): SystemSymbolRef | undefined {
  return allSymbolRefs(model).find((r) => rangeContains(r.attribute.valueRange, pos));
}

export function refsTo(model: SystemModel, kind: SystemSymbolKind, name: string): SystemSymbolRef[] {
  return allSymbolRefs(model).filter((r) => r.kind === kind && r.name === name);
}

/** The innermost element whose range holds `pos`, and the attribute under it if any. */
export function elementAt(model: SystemModel, pos: Position): { element: XmlElement; attribute?: XmlAttribute } | undefined {
  let best: XmlElement | undefined;
  for (const el of walkElements(model.root)) {
    if (rangeContains(el.range, pos) && (!best || rangeSize(el.range) <= rangeSize(best.range))) best = el;
  }
  if (!best) return undefined;
  return { element: best, attribute: best.attributes.find((a) => rangeContains(a.range, pos)) };
}
