// What the Microkit tool's report tells a user about a system, computed from the parsed model without
// building it: each PD's and VM's scheduling (priority, budget, period, CPUs), channels with their
// pp/notify ends, IRQs, each PD's virtual memory map as the tool lays it out (maps, stack, guard
// page, IPC buffer; setvars), each VM's guest-physical map, and where memory regions with a fixed
// physical address sit. Plain data (JSON-safe), so a webview can draw it.
//
// The address-space facts follow Microkit 2.3 (tool/microkit/src/sel4.rs): the IPC buffer is the
// page at the top of user space (seL4_UserTop rounded down to a page), one guard page below it, and
// the stack below that; maps must end below the stack. Newer model fields are read when present,
// so the view keeps working as the parser learns more of the SDF.

import type { Position } from '../common/diagnostics';
import { SMALL_PAGE, findMr, formatPerms, type Irq, type MapEntry, type ProtectionDomain, type SystemModel, type VirtualMachine } from './model';
import type { XmlElement } from './xml';

export type ViewArch = 'aarch64' | 'riscv64' | 'x86_64';

/**
 * seL4_UserTop (the highest user address, inclusive on AArch64) per architecture: AArch64 with
 * hypervisor support and a 40-bit physical address space (every board this project runs; 44-bit
 * boards pass `paSizeBits`), RISC-V Sv39, x86_64. The IPC buffer is this, rounded down to a page.
 */
export function userTop(arch: ViewArch, paSizeBits: 40 | 44 = 40): number {
  switch (arch) {
    case 'aarch64':
      return paSizeBits === 44 ? 0xfffffffffff : 0xffffffffff;
    case 'riscv64':
      return 0x3ffffff000;
    case 'x86_64':
      return 0x7ffffffff000;
  }
}

/** Where the tool puts a PD's IPC buffer, its stack and the highest address a map may reach. */
export interface PdAddressSpace {
  ipcBuffer: number;
  /** Initial stack pointer: one guard page below the IPC buffer. */
  stackTop: number;
  stackBottom: number;
  /** Maps must end at or below this (the stack's bottom). */
  mapLimit: number;
}

export function pdAddressSpace(top: number, stackSize: number): PdAddressSpace {
  const ipcBuffer = Math.floor(top / SMALL_PAGE) * SMALL_PAGE;
  const stackTop = ipcBuffer - SMALL_PAGE;
  const stackBottom = stackTop - stackSize;
  return { ipcBuffer, stackTop, stackBottom, mapLimit: stackBottom };
}

/** A place in the .system file (0-based lines and columns): the element a click reveals. */
export interface ViewRef {
  start: Position;
  end: Position;
}

export interface ViewSegment {
  kind: 'map' | 'stack' | 'guard' | 'ipc';
  start: number;
  /** Exclusive. */
  end: number;
  label: string;
  mr?: string;
  perms?: string;
  cached?: boolean;
  /** Symbols the tool rewrites with this map's address or size. */
  setvars: string[];
  /** Overlaps another segment of the same space, or reaches into the stack. */
  overlaps: boolean;
  /** The map names a region the file does not declare (its size is unknown: one page is drawn). */
  unknownRegion?: boolean;
  ref?: ViewRef;
}

export interface ViewSetvar {
  symbol: string;
  /** What the tool writes into the symbol. */
  kind: 'vaddr' | 'size' | 'prefill size' | 'region paddr' | 'id' | 'addr';
  /** Known before the build (a map's vaddr, a region's size or fixed phys_addr, an id). */
  value?: number;
  /** The region or element it is about. */
  of: string;
  ref: ViewRef;
}

export interface ViewIrq {
  id: number;
  /** "IRQ 58", "vector 33 (IOAPIC 0 pin 4)", "MSI vector 40 (PCI 0:3.0)" */
  label: string;
  /** Further facts: trigger, polarity, ... */
  details: string[];
  ref: ViewRef;
}

export interface ViewDomain {
  kind: 'pd' | 'vm';
  name: string;
  priority: number;
  budget: number;
  period: number;
  passive: boolean;
  /** The cores its threads run on (a PD has one; a VM one per vCPU). */
  cpus: number[];
  /** A child PD's parent, or a VM's VMM. */
  parent?: string;
  /** A child PD's id in its parent. */
  id?: number;
  /** A VMM's virtual machine. */
  vm?: string;
  vcpus?: { id: number; cpu: number }[];
  programImage?: string;
  stackSize?: number;
  /** Other attributes worth a glance (smc, fpu, domain, a Microkit 1.x pp). */
  flags: string[];
  irqs: ViewIrq[];
  /** A PD's virtual address space, or a VM's guest-physical one, lowest address first. */
  space: ViewSegment[];
  setvars: ViewSetvar[];
  ref: ViewRef;
}

export interface ViewChannelEnd {
  pd: string;
  id: number;
  /** This end may call the other end's protected procedure. */
  pp: boolean;
  notify: boolean;
  ref: ViewRef;
}

export interface ViewChannel {
  ends: [ViewChannelEnd, ViewChannelEnd];
  ref: ViewRef;
}

export interface ViewRegion {
  name: string;
  size: number;
  pageSize: number;
  physAddr?: number;
  /** Placed by the tool at a fixed address a setvar region_paddr reads. */
  toolPlaced: boolean;
  /** Who maps it: "PD @ vaddr". */
  mappedBy: string[];
  overlaps: boolean;
  ref: ViewRef;
}

export interface SystemView {
  file: string;
  arch: ViewArch;
  userTop: number;
  domains: ViewDomain[];
  channels: ViewChannel[];
  /** Every memory region, in file order. */
  regions: ViewRegion[];
}

export interface SystemViewOptions {
  arch?: ViewArch;
  paSizeBits?: 40 | 44;
}

function refOf(el: XmlElement): ViewRef {
  return { start: el.range.start, end: el.range.end };
}

/** A field the model may carry now or in a later version: read it only when it has the right type. */
function optional<T extends 'number' | 'string' | 'boolean'>(
  o: object,
  key: string,
  type: T,
): (T extends 'number' ? number : T extends 'string' ? string : boolean) | undefined {
  const v = (o as Record<string, unknown>)[key];
  return typeof v === type ? (v as never) : undefined;
}

function archOf(model: SystemModel, options: SystemViewOptions): ViewArch {
  if (options.arch) return options.arch;
  const a = optional(model, 'arch', 'string');
  return a === 'riscv64' || a === 'x86_64' ? a : 'aarch64';
}

function irqView(irq: Irq): ViewIrq {
  const details: string[] = [];
  const vector = optional(irq, 'vector', 'number');
  const pin = optional(irq, 'pin', 'number');
  const pcidev = optional(irq, 'pcidev', 'string');
  let label: string;
  if (typeof irq.irq === 'number') label = `IRQ ${irq.irq}`;
  else if (pcidev !== undefined) label = `MSI vector ${vector ?? '?'} (PCI ${pcidev})`;
  else if (pin !== undefined) label = `vector ${vector ?? '?'} (IOAPIC ${optional(irq, 'ioapic', 'number') ?? 0} pin ${pin})`;
  else label = 'IRQ';
  for (const key of ['trigger', 'polarity', 'handle']) {
    const v = (irq as unknown as Record<string, unknown>)[key];
    if (typeof v === 'string' || typeof v === 'number') details.push(key === 'trigger' || key === 'polarity' ? String(v) : `${key} ${v}`);
  }
  return { id: irq.id, label, details, ref: refOf(irq.element) };
}

function mapSegment(model: SystemModel, m: MapEntry): ViewSegment {
  const mr = findMr(model, m.mr);
  const size = mr && mr.size > 0 ? mr.size : SMALL_PAGE;
  const setvars = [m.setvarVaddr, m.setvarSize, optional(m, 'setvarPrefillSize', 'string')].filter((s): s is string => s !== undefined);
  return {
    kind: 'map',
    start: m.vaddr,
    end: m.vaddr + size,
    label: m.mr,
    mr: m.mr,
    perms: formatPerms(m.perms),
    cached: m.cached,
    setvars,
    overlaps: false,
    ...(mr ? {} : { unknownRegion: true }),
    ref: refOf(m.element),
  };
}

/** Sort a space by address and flag every segment that shares an address with another. */
function settle(space: ViewSegment[]): ViewSegment[] {
  space.sort((a, b) => a.start - b.start || a.end - b.end);
  let reach = -Infinity,
    reacher: ViewSegment | undefined;
  for (const s of space) {
    if (s.start < reach && reacher) {
      s.overlaps = true;
      reacher.overlaps = true;
    }
    if (s.end > reach) {
      reach = s.end;
      reacher = s;
    }
  }
  return space;
}

function mapSetvars(model: SystemModel, maps: readonly MapEntry[]): ViewSetvar[] {
  const out: ViewSetvar[] = [];
  for (const m of maps) {
    const ref = refOf(m.element);
    const size = findMr(model, m.mr)?.size;
    if (m.setvarVaddr !== undefined) out.push({ symbol: m.setvarVaddr, kind: 'vaddr', value: m.vaddr, of: m.mr, ref });
    if (m.setvarSize !== undefined) out.push({ symbol: m.setvarSize, kind: 'size', value: size, of: m.mr, ref });
    const prefill = optional(m, 'setvarPrefillSize', 'string');
    if (prefill !== undefined) out.push({ symbol: prefill, kind: 'prefill size', of: m.mr, ref });
  }
  return out;
}

function pdSetvars(model: SystemModel, pd: ProtectionDomain): ViewSetvar[] {
  const out = mapSetvars(model, pd.maps);
  for (const s of pd.setvars) {
    out.push({ symbol: s.symbol, kind: 'region paddr', value: findMr(model, s.regionPaddr)?.physAddr, of: s.regionPaddr, ref: refOf(s.element) });
  }
  for (const irq of pd.irqs) {
    const sym = optional(irq, 'setvarId', 'string');
    if (sym !== undefined) out.push({ symbol: sym, kind: 'id', value: irq.id, of: irqView(irq).label, ref: refOf(irq.element) });
  }
  for (const child of pd.children) {
    const sym = optional(child, 'setvarId', 'string');
    if (sym !== undefined) out.push({ symbol: sym, kind: 'id', value: child.id, of: child.name, ref: refOf(child.element) });
  }
  return out;
}

function pdFlags(pd: ProtectionDomain): string[] {
  const flags: string[] = [];
  if (pd.smc) flags.push('smc');
  if (optional(pd, 'fpu', 'boolean') === false) flags.push('no fpu');
  const domain = optional(pd, 'domain', 'string') ?? optional(pd, 'domain', 'number');
  if (domain !== undefined) flags.push(`domain ${domain}`);
  if (pd.legacyPp) flags.push('pp (Microkit 1.x)');
  return flags;
}

function pdView(model: SystemModel, pd: ProtectionDomain, top: number): ViewDomain {
  const as = pdAddressSpace(top, pd.stackSize);
  const space = pd.maps.map((m) => mapSegment(model, m));
  const fixed = (kind: ViewSegment['kind'], start: number, end: number, label: string): ViewSegment => ({
    kind,
    start,
    end,
    label,
    setvars: [],
    overlaps: false,
  });
  space.push(
    fixed('stack', as.stackBottom, as.stackTop, 'stack'),
    fixed('guard', as.stackTop, as.ipcBuffer, 'guard page'),
    fixed('ipc', as.ipcBuffer, as.ipcBuffer + SMALL_PAGE, 'IPC buffer'),
  );
  const cpu = pd.cpu ?? 0;
  return {
    kind: 'pd',
    name: pd.name,
    priority: pd.priority,
    budget: pd.budget,
    period: pd.period,
    passive: pd.passive,
    cpus: [cpu],
    parent: pd.parent?.name,
    id: pd.id,
    vm: pd.virtualMachine?.name,
    programImage: pd.programImage,
    stackSize: pd.stackSize,
    flags: pdFlags(pd),
    irqs: pd.irqs.map(irqView),
    space: settle(space),
    setvars: pdSetvars(model, pd),
    ref: refOf(pd.element),
  };
}

function vmView(model: SystemModel, vm: VirtualMachine): ViewDomain {
  const vcpus = vm.vcpus.map((v) => ({ id: v.id, cpu: optional(v, 'cpu', 'number') ?? 0 }));
  const setvars = mapSetvars(model, vm.maps);
  for (const v of vm.vcpus) {
    const sym = optional(v, 'setvarId', 'string');
    if (sym !== undefined) setvars.push({ symbol: sym, kind: 'id', value: v.id, of: `vCPU ${v.id}`, ref: refOf(v.element) });
  }
  return {
    kind: 'vm',
    name: vm.name,
    priority: vm.priority,
    budget: vm.budget,
    period: vm.period,
    passive: false,
    cpus: [...new Set(vcpus.map((v) => v.cpu))].sort((a, b) => a - b),
    parent: vm.vmm.name,
    vcpus,
    flags: [],
    irqs: [],
    space: settle(vm.maps.map((m) => mapSegment(model, m))),
    setvars,
    ref: refOf(vm.element),
  };
}

function regionViews(model: SystemModel, domains: readonly ViewDomain[]): ViewRegion[] {
  const placedByTool = new Set(model.protectionDomains.flatMap((pd) => pd.setvars.map((s) => s.regionPaddr)));
  const mappedBy = new Map<string, string[]>();
  for (const d of domains) {
    for (const s of d.space) {
      if (s.mr === undefined) continue;
      const list = mappedBy.get(s.mr) ?? [];
      list.push(`${d.name} @ 0x${s.start.toString(16)}`);
      mappedBy.set(s.mr, list);
    }
  }
  const regions = model.memoryRegions.map((mr): ViewRegion => ({
    name: mr.name,
    size: mr.size,
    pageSize: mr.pageSize,
    physAddr: mr.physAddr,
    toolPlaced: mr.physAddr === undefined && placedByTool.has(mr.name),
    mappedBy: mappedBy.get(mr.name) ?? [],
    overlaps: false,
    ref: refOf(mr.element),
  }));
  // Fixed regions that share physical memory (the tool allows it, e.g. one device window twice).
  const fixed = regions.filter((r) => r.physAddr !== undefined).sort((a, b) => a.physAddr! - b.physAddr!);
  let reach = -Infinity,
    reacher: ViewRegion | undefined;
  for (const r of fixed) {
    if (r.physAddr! < reach && reacher) r.overlaps = reacher.overlaps = true;
    if (r.physAddr! + r.size > reach) {
      reach = r.physAddr! + r.size;
      reacher = r;
    }
  }
  return regions;
}

/** The system as the tool's report describes it: PDs (parents before children) each followed by its VM. */
export function systemView(model: SystemModel, options: SystemViewOptions = {}): SystemView {
  const arch = archOf(model, options);
  const top = userTop(arch, options.paSizeBits);
  const domains: ViewDomain[] = [];
  for (const pd of model.protectionDomains) {
    domains.push(pdView(model, pd, top));
    if (pd.virtualMachine) domains.push(vmView(model, pd.virtualMachine));
  }
  const channels = model.channels.map((c): ViewChannel => ({
    ends: [endView(c.ends[0]), endView(c.ends[1])],
    ref: refOf(c.element),
  }));
  return { file: model.file, arch, userTop: top, domains, channels, regions: regionViews(model, domains) };
}

function endView(e: SystemModel['channels'][number]['ends'][number]): ViewChannelEnd {
  return { pd: e.pd, id: e.id, pp: e.pp, notify: e.notify, ref: refOf(e.element) };
}
