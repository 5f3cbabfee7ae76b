// The system-wide rules of the microkit tool (sdf.rs `parse` and `check_maps`): uniqueness of names
// and ids, IRQs, PPC priorities, map alignment and overlap, physical overlap, unused regions.
// Each finding points at the attribute to fix; the first definition goes in `related`.

import type { Diagnostic, SourceRange } from '../common/diagnostics';
import {
  attribute, findMr, hex, allMaps,
  type MapEntry, type ProtectionDomain, type SystemModel, type VirtualMachine,
} from './model';
import type { XmlElement } from './xml';

function attrRange(el: XmlElement, name: string): SourceRange {
  return attribute(el, name)?.valueRange ?? el.nameRange;
}

function error(message: string, range: SourceRange, code: string, related?: Diagnostic['related']): Diagnostic {
  return { severity: 'error', message, range, code, related };
}

function checkUniqueNames<T extends { name: string; element: XmlElement }>(items: T[], what: string, out: Diagnostic[]): void {
  const first = new Map<string, T>();
  for (const it of items) {
    const prev = first.get(it.name);
    if (prev) {
      out.push(error(`duplicate ${what} name '${it.name}'`, attrRange(it.element, 'name'), 'sdf-duplicate-name',
        [{ message: `'${it.name}' first defined here`, range: attrRange(prev.element, 'name') }]));
    } else first.set(it.name, it);
  }
}

/**
 * Address ranges in the order they were placed; `firstOverlap` gives the first placed range that
 * overlaps [start, end) (`start < p.end && p.start < end`), as a scan of the list would. While the
 * non-empty ranges are disjoint (every valid system) they are also kept sorted and the query is a
 * binary search, so 16,000 maps cost 16,000 log steps, not 128 million comparisons; after the first
 * overlap it falls back to the scan.
 */
class PlacedRanges<T extends { start: number; end: number }> {
  private readonly all: T[] = [];
  /** Non-empty ranges sorted by start, with their placement order; undefined once two overlap. */
  private sorted: { r: T; order: number }[] | undefined = [];

  firstOverlap(start: number, end: number): T | undefined {
    const sorted = this.sorted;
    if (!sorted) return this.all.find((p) => start < p.end && p.start < end);
    // Disjoint and sorted: ends ascend too, so the overlapping ranges are one run from the first end > start.
    let lo = 0, hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid].r.end > start) hi = mid;
      else lo = mid + 1;
    }
    let best: { r: T; order: number } | undefined;
    for (let i = lo; i < sorted.length && sorted[i].r.start < end; i++) {
      if (start < sorted[i].r.end && (!best || sorted[i].order < best.order)) best = sorted[i];
    }
    return best?.r;
  }

  add(r: T): void {
    const order = this.all.length;
    this.all.push(r);
    const sorted = this.sorted;
    if (!sorted || !(r.start < r.end)) return; // an empty or NaN range overlaps no later query's range
    if (this.firstOverlap(r.start, r.end)) {
      this.sorted = undefined;
      return;
    }
    let lo = 0, hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid].r.start < r.start) lo = mid + 1;
      else hi = mid;
    }
    if (lo === sorted.length) sorted.push({ r, order });
    else sorted.splice(lo, 0, { r, order });
  }
}

function checkMaps(model: SystemModel, owner: ProtectionDomain | VirtualMachine, maps: MapEntry[], out: Diagnostic[]): void {
  const kind = owner.kind === 'protection_domain' ? 'protection domain' : 'virtual machine';
  const placed = new PlacedRanges<{ map: MapEntry; start: number; end: number }>();
  for (const map of maps) {
    const mr = findMr(model, map.mr);
    if (!mr) {
      out.push(error(`invalid memory region name '${map.mr}' on 'map'`, attrRange(map.element, 'mr'), 'sdf-unknown-mr'));
      continue;
    }
    if (map.vaddr % mr.pageSize !== 0) {
      out.push(error(`invalid vaddr alignment on 'map': ${hex(map.vaddr)} is not a multiple of the page size ${hex(mr.pageSize)} of '${mr.name}'`,
        attrRange(map.element, 'vaddr'), 'sdf-map-alignment'));
    }
    const start = map.vaddr, end = map.vaddr + mr.size;
    const clash = placed.firstOverlap(start, end);
    if (clash) {
      out.push(error(`map for '${map.mr}' has virtual address range [${hex(start)}..${hex(end)}) which overlaps with map for '${clash.map.mr}' [${hex(clash.start)}..${hex(clash.end)}) in ${kind} '${owner.name}'`,
        attrRange(map.element, 'vaddr'), 'sdf-map-overlap', [{ message: `map of '${clash.map.mr}'`, range: clash.map.element.nameRange }]));
    }
    placed.add({ map, start, end });
  }
}

export function checkSystem(model: SystemModel): Diagnostic[] {
  const out: Diagnostic[] = [];
  const pds = model.protectionDomains;
  if (pds.length === 0 && model.root) {
    out.push(error('at least one protection domain must be defined', model.root.nameRange, 'sdf-no-pd'));
  }
  checkUniqueNames(pds, 'protection domain', out);
  checkUniqueNames(model.memoryRegions, 'memory region', out);
  checkUniqueNames(model.virtualMachines, 'virtual machine', out);

  // Child PD ids: unique per parent and distinct from the parent's vCPU ids.
  for (const pd of pds) {
    const seen = new Map<number, ProtectionDomain>();
    for (const child of pd.children) {
      if (child.id === undefined) continue;
      const prev = seen.get(child.id);
      if (prev) {
        out.push(error(`duplicate id: ${child.id} in protection domain: '${pd.name}'`, attrRange(child.element, 'id'), 'sdf-duplicate-id',
          [{ message: `id ${child.id} first used by '${prev.name}'`, range: attrRange(prev.element, 'id') }]));
      } else seen.set(child.id, child);
      const vcpu = pd.virtualMachine?.vcpus.find((v) => v.id === child.id);
      if (vcpu) {
        out.push(error(`duplicate id: ${child.id} clashes with virtual machine vcpu id in protection domain: '${pd.name}'`,
          attrRange(child.element, 'id'), 'sdf-duplicate-id', [{ message: 'the vcpu', range: vcpu.element.nameRange }]));
      }
    }
  }

  // IRQ numbers are unique in the whole system.
  const irqOwner = new Map<number, { pd: ProtectionDomain; el: XmlElement }>();
  for (const pd of pds) {
    for (const irq of pd.irqs) {
      const prev = irqOwner.get(irq.irq);
      if (prev) {
        out.push(error(`duplicate irq: ${irq.irq} in protection domain: '${pd.name}' (already given to '${prev.pd.name}')`,
          attrRange(irq.element, 'irq'), 'sdf-duplicate-irq', [{ message: `irq ${irq.irq} first given here`, range: attrRange(prev.el, 'irq') }]));
      } else irqOwner.set(irq.irq, { pd, el: irq.element });
    }
  }

  // IRQ ids and channel ids share one id space per PD.
  const ids = new Map<string, Map<number, XmlElement>>();
  const claim = (pd: ProtectionDomain, id: number, el: XmlElement): void => {
    let m = ids.get(pd.name);
    if (!m) ids.set(pd.name, (m = new Map()));
    const prev = m.get(id);
    if (prev) {
      out.push(error(`duplicate channel id: ${id} in protection domain: '${pd.name}'`, attrRange(el, 'id'), 'sdf-duplicate-id',
        [{ message: `id ${id} first used here`, range: attrRange(prev, 'id') }]));
    } else m.set(id, el);
  };
  for (const pd of pds) for (const irq of pd.irqs) claim(pd, irq.id, irq.element);
  for (const ch of model.channels) {
    const ends = ch.ends.map((e) => ({ end: e, pd: pds.find((p) => p.name === e.pd) }));
    for (const { end, pd } of ends) {
      if (!pd) out.push(error(`invalid PD name '${end.pd}' on element 'end'`, attrRange(end.element, 'pd'), 'sdf-unknown-pd'));
      else claim(pd, end.id, end.element);
    }
    if (ends[0].end.pd === ends[1].end.pd && ends[0].pd) {
      out.push(error(`channel connects protection domain '${ends[0].end.pd}' to itself`, ch.element.nameRange, 'sdf-channel-self'));
    }
    // A PPC goes from the end marked pp to the other end, whose priority must be strictly higher.
    for (const [a, b] of [[ends[0], ends[1]], [ends[1], ends[0]]] as const) {
      if (!a.end.pp || !a.pd || !b.pd) continue;
      if (a.pd.priority >= b.pd.priority) {
        // When the other end is strictly lower, the pp was most likely put on the callee's end.
        const wrongEnd = b.pd.priority < a.pd.priority;
        const hint = wrongEnd ? `; pp marks the caller's end: did you mean pp="true" on the end of '${b.pd.name}'?` : '';
        out.push(error(`PPCs must be to protection domains of strictly higher priorities; channel with PPC exists from pd ${a.pd.name} (priority: ${a.pd.priority}) to pd ${b.pd.name} (priority: ${b.pd.priority})${hint}`,
          attrRange(a.end.element, 'pp'), wrongEnd ? 'sdf-pp-wrong-end' : 'sdf-pp-priority'));
      }
    }
  }

  for (const pd of pds) {
    checkMaps(model, pd, pd.maps, out);
    if (pd.virtualMachine) checkMaps(model, pd.virtualMachine, pd.virtualMachine.maps, out);
  }

  const placed = new PlacedRanges<{ name: string; el: XmlElement; start: number; end: number }>();
  for (const mr of model.memoryRegions) {
    if (mr.physAddr === undefined) continue;
    const start = mr.physAddr, end = mr.physAddr + mr.size;
    const clash = placed.firstOverlap(start, end);
    if (clash) {
      out.push(error(`memory region '${mr.name}' physical address range [${hex(start)}..${hex(end)}) overlaps with another memory region '${clash.name}' [${hex(clash.start)}..${hex(clash.end)})`,
        attrRange(mr.element, 'phys_addr'), 'sdf-phys-overlap', [{ message: `'${clash.name}'`, range: attrRange(clash.el, 'phys_addr') }]));
    }
    placed.add({ name: mr.name, el: mr.element, start, end });
  }

  const used = new Set(allMaps(model).map((m) => m.mr));
  for (const pd of pds) for (const sv of pd.setvars) used.add(sv.regionPaddr);
  for (const mr of model.memoryRegions) {
    if (!used.has(mr.name)) {
      out.push({ severity: 'warning', message: `unused memory region '${mr.name}'`, range: attrRange(mr.element, 'name'), code: 'sdf-unused-mr' });
    }
  }
  return out;
}
