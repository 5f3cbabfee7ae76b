// The system-wide rules of the microkit tool (sdf.rs `parse` and `check_maps`): uniqueness of names
// and ids, IRQs, PPC priorities, map alignment and overlap, physical overlap, unused regions.
// Each finding points at the attribute to fix; the first definition goes in `related`.

import type { SourceRange } from '../common/diagnostics';
import type { Report } from './checks/rule';
import {
  MAX_PDS,
  SMALL_PAGE,
  attribute,
  findMr,
  findPd,
  hex,
  allMaps,
  type CapMap,
  type IoPort,
  type MapEntry,
  type ProtectionDomain,
  type SystemModel,
  type VirtualMachine,
} from './model';
import { MAX_IOVA, pdMapMaxVaddr, vmMapMaxVaddr } from './target';

const MONITOR_PD_NAME = 'monitor';
import type { XmlElement } from './xml';

function attrRange(el: XmlElement, name: string): SourceRange {
  return attribute(el, name)?.valueRange ?? el.nameRange;
}

function checkUniqueNames<T extends { name: string; element: XmlElement }>(items: T[], what: string, report: Report): void {
  const first = new Map<string, T>();
  for (const it of items) {
    const prev = first.get(it.name);
    if (prev) {
      report({
        message: `duplicate ${what} name '${it.name}'`,
        range: attrRange(it.element, 'name'),
        related: [{ message: `'${it.name}' first defined here`, range: attrRange(prev.element, 'name') }],
      });
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
    let lo = 0,
      hi = sorted.length;
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
    let lo = 0,
      hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid].r.start < r.start) lo = mid + 1;
      else hi = mid;
    }
    if (lo === sorted.length) sorted.push({ r, order });
    else sorted.splice(lo, 0, { r, order });
  }
}

/** Each map of a PD and of its VM, with what the map's owner is called in messages. */
function* ownedMaps(model: SystemModel): Generator<{ owner: ProtectionDomain | VirtualMachine; maps: MapEntry[] }> {
  for (const pd of model.protectionDomains) {
    yield { owner: pd, maps: pd.maps };
    if (pd.virtualMachine) yield { owner: pd.virtualMachine, maps: pd.virtualMachine.maps };
  }
}

/** sdf-no-pd */
export function checkHasProtectionDomain(model: SystemModel, report: Report): void {
  if (model.protectionDomains.length === 0 && model.root) report({ message: 'at least one protection domain must be defined', range: model.root.nameRange });
}

/** sdf-duplicate-name: protection domains, memory regions and virtual machines each have unique names. */
export function checkUniqueNamesRule(model: SystemModel, report: Report): void {
  checkUniqueNames(model.protectionDomains, 'protection domain', report);
  checkUniqueNames(model.memoryRegions, 'memory region', report);
  checkUniqueNames(model.virtualMachines, 'virtual machine', report);
}

/**
 * sdf-duplicate-id: child PD ids are unique per parent and apart from the parent's vCPU ids; IRQ ids
 * and channel ids share one id space per PD.
 */
export function checkUniqueIds(model: SystemModel, report: Report): void {
  const pds = model.protectionDomains;
  for (const pd of pds) {
    const seen = new Map<number, ProtectionDomain>();
    for (const child of pd.children) {
      if (child.id === undefined) continue;
      const prev = seen.get(child.id);
      if (prev) {
        report({
          message: `duplicate id: ${child.id} in protection domain: '${pd.name}'`,
          range: attrRange(child.element, 'id'),
          related: [{ message: `id ${child.id} first used by '${prev.name}'`, range: attrRange(prev.element, 'id') }],
        });
      } else seen.set(child.id, child);
      const vcpu = pd.virtualMachine?.vcpus.find((v) => v.id === child.id);
      if (vcpu) {
        report({
          message: `duplicate id: ${child.id} clashes with virtual machine vcpu id in protection domain: '${pd.name}'`,
          range: attrRange(child.element, 'id'),
          related: [{ message: 'the vcpu', range: vcpu.element.nameRange }],
        });
      }
    }
  }
  const ids = new Map<string, Map<number, XmlElement>>();
  const claim = (pd: ProtectionDomain, id: number, el: XmlElement): void => {
    let m = ids.get(pd.name);
    if (!m) ids.set(pd.name, (m = new Map()));
    const prev = m.get(id);
    if (prev) {
      report({
        message: `duplicate channel id: ${id} in protection domain: '${pd.name}'`,
        range: attrRange(el, 'id'),
        related: [{ message: `id ${id} first used here`, range: attrRange(prev, 'id') }],
      });
    } else m.set(id, el);
  };
  for (const pd of pds) for (const irq of pd.irqs) claim(pd, irq.id, irq.element);
  for (const ch of model.channels) {
    for (const end of ch.ends) {
      const pd = findPd(model, end.pd);
      if (pd) claim(pd, end.id, end.element);
    }
  }
}

/** sdf-duplicate-irq: IRQ numbers are unique in the whole system. */
export function checkUniqueIrqs(model: SystemModel, report: Report): void {
  const irqOwner = new Map<number, { pd: ProtectionDomain; el: XmlElement }>();
  for (const pd of model.protectionDomains) {
    for (const irq of pd.irqs) {
      const prev = irqOwner.get(irq.irq);
      if (prev) {
        report({
          message: `duplicate irq: ${irq.irq} in protection domain: '${pd.name}' (already given to '${prev.pd.name}')`,
          range: attrRange(irq.element, 'irq'),
          related: [{ message: `irq ${irq.irq} first given here`, range: attrRange(prev.el, 'irq') }],
        });
      } else irqOwner.set(irq.irq, { pd, el: irq.element });
    }
  }
}

/** sdf-unknown-pd: each channel end names a protection domain. */
export function checkChannelEnds(model: SystemModel, report: Report): void {
  for (const ch of model.channels) {
    for (const end of ch.ends) {
      if (!findPd(model, end.pd)) report({ message: `invalid PD name '${end.pd}' on element 'end'`, range: attrRange(end.element, 'pd') });
    }
  }
}

/** sdf-channel-self */
export function checkChannelNotToSelf(model: SystemModel, report: Report): void {
  for (const ch of model.channels) {
    if (ch.ends[0].pd === ch.ends[1].pd && findPd(model, ch.ends[0].pd)) {
      report({ message: `channel connects protection domain '${ch.ends[0].pd}' to itself`, range: ch.element.nameRange });
    }
  }
}

/**
 * A PPC goes from the end marked pp to the other end, whose priority must be strictly higher.
 * `wrongEnd` picks the case: the other end strictly lower (sdf-pp-wrong-end: pp was most likely put
 * on the callee's end) or the two equal (sdf-pp-priority).
 */
function checkPpcs(model: SystemModel, wrongEnd: boolean, report: Report): void {
  for (const ch of model.channels) {
    const ends = ch.ends.map((e) => ({ end: e, pd: findPd(model, e.pd) }));
    for (const [a, b] of [
      [ends[0], ends[1]],
      [ends[1], ends[0]],
    ] as const) {
      if (!a.end.pp || !a.pd || !b.pd || a.pd.priority < b.pd.priority) continue;
      if (b.pd.priority < a.pd.priority !== wrongEnd) continue;
      const hint = wrongEnd ? `; pp marks the caller's end: did you mean pp="true" on the end of '${b.pd.name}'?` : '';
      report({
        message: `PPCs must be to protection domains of strictly higher priorities; channel with PPC exists from pd ${a.pd.name} (priority: ${a.pd.priority}) to pd ${b.pd.name} (priority: ${b.pd.priority})${hint}`,
        range: attrRange(a.end.element, 'pp'),
      });
    }
  }
}

/** sdf-pp-priority */
export function checkPpcPriority(model: SystemModel, report: Report): void {
  checkPpcs(model, false, report);
}

/** sdf-pp-wrong-end */
export function checkPpcEnd(model: SystemModel, report: Report): void {
  checkPpcs(model, true, report);
}

/** sdf-unknown-mr: every map names a memory region. */
export function checkMapRegions(model: SystemModel, report: Report): void {
  for (const { maps } of ownedMaps(model)) {
    for (const map of maps) {
      if (!findMr(model, map.mr)) report({ message: `invalid memory region name '${map.mr}' on 'map'`, range: attrRange(map.element, 'mr') });
    }
  }
}

/** sdf-map-alignment: a map's vaddr is a multiple of its region's page size. */
export function checkMapAlignment(model: SystemModel, report: Report): void {
  for (const { maps } of ownedMaps(model)) {
    for (const map of maps) {
      const mr = findMr(model, map.mr);
      if (mr && map.vaddr % mr.pageSize !== 0) {
        report({
          message: `invalid vaddr alignment on 'map': ${hex(map.vaddr)} is not a multiple of the page size ${hex(mr.pageSize)} of '${mr.name}'`,
          range: attrRange(map.element, 'vaddr'),
        });
      }
    }
  }
}

/** sdf-map-overlap: the maps of one PD or VM do not overlap. */
export function checkMapOverlap(model: SystemModel, report: Report): void {
  for (const { owner, maps } of ownedMaps(model)) {
    const kind = owner.kind === 'protection_domain' ? 'protection domain' : 'virtual machine';
    const placed = new PlacedRanges<{ map: MapEntry; start: number; end: number }>();
    for (const map of maps) {
      const mr = findMr(model, map.mr);
      if (!mr) continue;
      const start = map.vaddr,
        end = map.vaddr + mr.size;
      const clash = placed.firstOverlap(start, end);
      if (clash) {
        report({
          message: `map for '${map.mr}' has virtual address range [${hex(start)}..${hex(end)}) which overlaps with map for '${clash.map.mr}' [${hex(clash.start)}..${hex(clash.end)}) in ${kind} '${owner.name}'`,
          range: attrRange(map.element, 'vaddr'),
          related: [{ message: `map of '${clash.map.mr}'`, range: clash.map.element.nameRange }],
        });
      }
      placed.add({ map, start, end });
    }
  }
}

/** sdf-phys-overlap: memory regions with a phys_addr do not overlap. */
export function checkPhysicalOverlap(model: SystemModel, report: Report): void {
  const placed = new PlacedRanges<{ name: string; el: XmlElement; start: number; end: number }>();
  for (const mr of model.memoryRegions) {
    if (mr.physAddr === undefined) continue;
    const start = mr.physAddr,
      end = mr.physAddr + mr.size;
    const clash = placed.firstOverlap(start, end);
    if (clash) {
      report({
        message: `memory region '${mr.name}' physical address range [${hex(start)}..${hex(end)}) overlaps with another memory region '${clash.name}' [${hex(clash.start)}..${hex(clash.end)})`,
        range: attrRange(mr.element, 'phys_addr'),
        related: [{ message: `'${clash.name}'`, range: attrRange(clash.el, 'phys_addr') }],
      });
    }
    placed.add({ name: mr.name, el: mr.element, start, end });
  }
}

/** sdf-unused-mr: a memory region nothing maps (nor names in a setvar). */
export function checkUnusedRegions(model: SystemModel, report: Report): void {
  const used = new Set(allMaps(model).map((m) => m.mr));
  for (const pd of model.protectionDomains) for (const sv of pd.setvars) used.add(sv.regionPaddr);
  for (const mr of model.memoryRegions) {
    if (!used.has(mr.name)) report({ message: `unused memory region '${mr.name}'`, range: attrRange(mr.element, 'name') });
  }
}

/** sdf-too-many-pds: the tool builds at most MAX_PDS protection domains. */
export function checkPdCount(model: SystemModel, report: Report): void {
  const n = model.protectionDomains.length;
  if (n > MAX_PDS) {
    const extra = model.protectionDomains[MAX_PDS];
    report({ message: `too many protection domains (${n}) defined. Maximum is ${MAX_PDS}.`, range: attrRange(extra.element, 'name') });
  }
}

/** sdf-reserved-name: the monitor's name is taken. */
export function checkReservedNames(model: SystemModel, report: Report): void {
  for (const pd of model.protectionDomains) {
    if (pd.name === MONITOR_PD_NAME)
      report({ message: `the PD name '${MONITOR_PD_NAME}' is reserved for the Microkit Monitor.`, range: attrRange(pd.element, 'name') });
  }
}

/**
 * sdf-x86-vmm: on x86-64 a VMM enters its vCPU with seL4_VMEnter, which only watches the bound
 * notification: it can have no children and receive no PPCs.
 */
export function checkX86Vmms(model: SystemModel, report: Report): void {
  if (model.target.arch !== 'x86_64') return;
  for (const pd of model.protectionDomains) {
    if (pd.virtualMachine && pd.children.length > 0) {
      report({ message: `It is not possible for PD '${pd.name}' with a bound vCPU to have children on x86_64`, range: attrRange(pd.element, 'name') });
    }
  }
  for (const ch of model.channels) {
    for (const [a, b] of [
      [ch.ends[0], ch.ends[1]],
      [ch.ends[1], ch.ends[0]],
    ] as const) {
      if (a.pp && findPd(model, b.pd)?.virtualMachine) {
        report({ message: `It is not possible to PPC to PD '${b.pd}' with a bound vCPU from PD '${a.pd}' on x86_64`, range: attrRange(a.element, 'pp') });
      }
    }
  }
}

/** sdf-ioport: I/O port ids are unique per PD, and no two ranges overlap in the system. */
export function checkIoports(model: SystemModel, report: Report): void {
  const placed: { pd: ProtectionDomain; port: IoPort }[] = [];
  for (const pd of model.protectionDomains) {
    const ids = new Map<number, IoPort>();
    for (const port of pd.ioports) {
      const prev = ids.get(port.id);
      if (prev) {
        report({
          message: `duplicate I/O port id: ${port.id} in protection domain: '${pd.name}'`,
          range: attrRange(port.element, 'id'),
          related: [{ message: `id ${port.id} first used here`, range: attrRange(prev.element, 'id') }],
        });
      } else ids.set(port.id, port);
      const end = port.addr + port.size;
      const clash = placed.find((p) => port.addr < p.port.addr + p.port.size && p.port.addr < end);
      if (clash) {
        report({
          message: `I/O port id: ${port.id}, half-open range: [${hex(port.addr)}, ${hex(end)}) in protection domain: '${pd.name}' overlaps with I/O port id: ${clash.port.id}, half-open range: [${hex(clash.port.addr)}, ${hex(clash.port.addr + clash.port.size)}) in protection domain: '${clash.pd.name}'`,
          range: attrRange(port.element, 'addr'),
          related: [{ message: 'the other I/O port', range: clash.port.element.nameRange }],
        });
      }
      placed.push({ pd, port });
    }
  }
}

/** sdf-map-range: a map must end inside its address space (below a PD's stack; a VM's whole space). */
export function checkMapRange(model: SystemModel, report: Report): void {
  for (const { owner, maps } of ownedMaps(model)) {
    const max = owner.kind === 'protection_domain' ? pdMapMaxVaddr(model.target, owner.stackSize) : vmMapMaxVaddr(model.target);
    for (const map of maps) {
      const mr = findMr(model, map.mr);
      if (!mr || map.vaddr % mr.pageSize !== 0) continue;
      const end = map.vaddr + mr.size;
      if (end >= 2 ** 64) report({ message: `map for '${map.mr}' has address range that overflows`, range: attrRange(map.element, 'vaddr') });
      else if (end > max) {
        report({
          message: `map for '${map.mr}' has virtual address range [${hex(map.vaddr)}..${hex(end)}) which exceeds valid address space [0x0..${hex(max)})${owner.kind === 'protection_domain' ? ' (the stack and IPC buffer are above)' : ''}`,
          range: attrRange(map.element, 'vaddr'),
        });
      }
    }
  }
}

/** sdf-iomap: iomaps name regions of 4 KiB pages, aligned, inside the IO address space, without overlap per device. */
export function checkIoMaps(model: SystemModel, report: Report): void {
  for (const space of model.ioAddressSpaces) {
    const placed = new PlacedRanges<{ mr: string; start: number; end: number }>();
    for (const m of space.iomaps) {
      const mr = findMr(model, m.mr);
      const at = attrRange(m.element, 'iovaddr');
      if (!mr) {
        report({ message: `invalid memory region name '${m.mr}' on 'iomap'`, range: attrRange(m.element, 'mr') });
        continue;
      }
      if (mr.pageSize !== SMALL_PAGE) report({ message: 'currently seL4 does not have large page support for the IOMMU', range: attrRange(m.element, 'mr') });
      if (m.iovaddr % mr.pageSize !== 0) {
        report({ message: `invalid iovaddr alignment on 'iomap'`, range: at });
        continue;
      }
      const end = m.iovaddr + mr.size;
      if (end > MAX_IOVA + 1) {
        report({
          message: `iomap for '${m.mr}' has io address range [${hex(m.iovaddr)}..${hex(end)}) which exceeds valid address space [0x0..${hex(MAX_IOVA + 1)})`,
          range: at,
        });
      }
      const clash = placed.firstOverlap(m.iovaddr, end);
      if (clash) {
        report({
          message: `map for '${m.mr}' has io address range [${hex(m.iovaddr)}..${hex(end)}) which overlaps with map for '${clash.mr}' [${hex(clash.start)}..${hex(clash.end)}) in ${space.peripheralId}`,
          range: at,
        });
      }
      placed.add({ mr: m.mr, start: m.iovaddr, end });
    }
  }
}

/** sdf-cap-map: a cap map names a PD, and no two share a slot of one PD's CSpace. */
export function checkCapMaps(model: SystemModel, report: Report): void {
  const names: Record<string, string> = { tcb: 'Tcb', sc: 'Sc', vspace: 'VSpace' };
  for (const pd of model.protectionDomains) {
    const bySlot = new Map<number, CapMap>();
    for (const cap of pd.capMaps) {
      if (!findPd(model, cap.pd)) report({ message: `unknown PD name '${cap.pd}'`, range: attrRange(cap.element, 'pd') });
      const prev = bySlot.get(cap.slot);
      if (prev) {
        report({
          message: `overlapping user caps in slot ${cap.slot} of protection domain '${pd.name}': type ${names[prev.type]} from '${prev.pd}' and type ${names[cap.type]} from '${cap.pd}'`,
          range: attrRange(cap.element, 'slot'),
          related: [{ message: 'the first cap in this slot', range: attrRange(prev.element, 'slot') }],
        });
      } else bySlot.set(cap.slot, cap);
    }
  }
}

/** sdf-setvar-region: what a setvar_prefill_size or region_paddr names can give that value. */
export function checkSetvarRegions(model: SystemModel, report: Report): void {
  for (const pd of model.protectionDomains) {
    for (const m of pd.maps) {
      const mr = m.setvarPrefillSize !== undefined ? findMr(model, m.mr) : undefined;
      if (mr && mr.prefillPath === undefined) {
        report({ message: `'setvar_prefill_size' used for MR without a \`prefill_path\` @ '${mr.name}'`, range: attrRange(m.element, 'setvar_prefill_size') });
      }
    }
    if (model.target.arch !== 'x86_64') continue;
    for (const sv of pd.setvars) {
      const mr = findMr(model, sv.regionPaddr);
      if (mr && mr.physAddr === undefined) {
        report({
          message: `setvar with 'region_paddr' for MR without a specified paddr is unsupported on x86-64 @ '${mr.name}'`,
          range: attrRange(sv.element, 'region_paddr'),
        });
      }
    }
  }
}
