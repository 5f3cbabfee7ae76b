// The typed model of a Microkit system description (.system file). Every item keeps the XML element
// it came from, so checks can point at the element or at one attribute. Values the file leaves out
// carry the microkit tool's defaults (seL4/microkit tool/microkit/src/sdf.rs).

import type { XmlAttribute, XmlElement } from './xml';
import { pushAll } from '../common/arrays';
import type { SystemTarget } from './target';

/** Page sizes of every architecture Microkit supports: 4 KiB and 2 MiB. */
export const PAGE_SIZES = [0x1000, 0x200000] as const;
export const SMALL_PAGE = 0x1000;
/** Channel, IRQ, child-PD and vCPU ids are badge bits: 0..61. */
export const MAX_ID = 61;
export const MAX_PRIORITY = 254;
export const DEFAULT_BUDGET_US = 1000;
/** The default stack from Microkit 2.1 (0x1000 before). */
export const DEFAULT_STACK_SIZE = 0x2000;
export const MIN_STACK_SIZE = 0x1000;
export const MAX_STACK_SIZE = 0x1000000;
/** AArch64 with a 40-bit physical address space and hypervisor support: top of user virtual memory. */
export const USER_TOP = 0x10000000000;
/** At most this many PDs in a system (the tool's MAX_PDS). */
export const MAX_PDS = 63;
/** Cap maps go to slots 1..127 of a PD's CSpace. */
export const CAP_MAP_MAX_SLOT = 128;
/** The largest x86 IRQ vector (the kernel's irq_user_max - irq_user_min). */
export const X86_IRQ_VECTOR_MAX = 107;

export interface MemoryRegion {
  name: string;
  size: number;
  pageSize: number;
  /** True when page_size is written in the file (otherwise the smallest page size). */
  pageSizeGiven: boolean;
  physAddr?: number;
  /** A file whose bytes fill the region at boot (the size may then be left out). */
  prefillPath?: string;
  /** Boot information the capDL initialiser fills the region with (fdt, x86_acpi_rsdp, ...). */
  prefillBootinfo?: string;
  element: XmlElement;
}

export type Perms = { r: boolean; w: boolean; x: boolean };

export interface MapEntry {
  mr: string;
  vaddr: number;
  perms: Perms;
  /** Defaults to true, as in the tool. */
  cached: boolean;
  setvarVaddr?: string;
  setvarSize?: string;
  setvarPrefillSize?: string;
  element: XmlElement;
  /** The PD or VM that holds the map. */
  owner: ProtectionDomain | VirtualMachine;
}

export interface Irq {
  /** The number the kernel knows it by: the hardware IRQ on ARM and RISC-V, the vector on x86. */
  irq: number;
  id: number;
  trigger: 'level' | 'edge';
  element: XmlElement;
  /** 'conventional' (ARM, RISC-V `irq`), x86 I/O APIC (`pin`) or x86 MSI (`pcidev`). */
  kind: 'conventional' | 'ioapic' | 'msi';
  ioapic?: number;
  pin?: number;
  polarity?: 'high' | 'low';
  vector?: number;
  /** MSI: the PCI device as written (bus:dev.func). */
  pcidev?: string;
  handle?: number;
  setvarId?: string;
}

/** An x86 I/O port range. */
export interface IoPort {
  id: number;
  addr: number;
  size: number;
  setvarId?: string;
  setvarAddr?: string;
  element: XmlElement;
}

/** A capability to another PD's TCB, scheduling context or VSpace placed in this PD's CSpace. */
export interface CapMap {
  type: 'tcb' | 'sc' | 'vspace';
  pd: string;
  slot: number;
  element: XmlElement;
}

export interface IoMap {
  mr: string;
  iovaddr: number;
  perms: { r: boolean; w: boolean };
  element: XmlElement;
}

/** An IOMMU address space for one device. */
export interface IoAddressSpace {
  name: string;
  peripheralId: string;
  domainId?: number;
  iomaps: IoMap[];
  element: XmlElement;
}

export interface DomainDecl {
  name: string;
  /** The id given or allocated (the lowest free one). */
  id: number;
  element: XmlElement;
}

export interface ScheduleEntry {
  /** undefined: a schedule_end_marker. */
  domain?: string;
  duration?: number;
  unit?: 'us' | 'ticks';
  element: XmlElement;
}

export interface Domains {
  domains: DomainDecl[];
  schedule: ScheduleEntry[];
  startIndex: number;
  indexShift?: number;
  element: XmlElement;
}

export interface SetVar {
  symbol: string;
  regionPaddr: string;
  element: XmlElement;
}

export interface Vcpu {
  id: number;
  /** The physical core; undefined: the VMM's (from 2.3). */
  cpu?: number;
  setvarId?: string;
  element: XmlElement;
}

export interface ProtectionDomain {
  kind: 'protection_domain';
  name: string;
  priority: number;
  budget: number;
  period: number;
  passive: boolean;
  stackSize: number;
  smc: boolean;
  cpu?: number;
  /** May use the FPU (default true). */
  fpu: boolean;
  /** The domain it runs in, when the system has a domain schedule. */
  domain?: string;
  /** Microkit <= 1.4 wrote `pp` on the protection domain (it has a protected procedure entry). */
  legacyPp: boolean;
  /** Only for child PDs. */
  id?: number;
  /** Child PDs: the parent's symbol set to this child's id. */
  setvarId?: string;
  programImage?: string;
  pathForSymbols?: string;
  maps: MapEntry[];
  irqs: Irq[];
  ioports: IoPort[];
  capMaps: CapMap[];
  setvars: SetVar[];
  children: ProtectionDomain[];
  parent?: ProtectionDomain;
  virtualMachine?: VirtualMachine;
  element: XmlElement;
}

export interface VirtualMachine {
  kind: 'virtual_machine';
  name: string;
  priority: number;
  budget: number;
  period: number;
  vcpus: Vcpu[];
  maps: MapEntry[];
  /** The PD that owns the VM: its VMM. */
  vmm: ProtectionDomain;
  element: XmlElement;
}

export interface ChannelEnd {
  pd: string;
  id: number;
  pp: boolean;
  notify: boolean;
  setvarId?: string;
  element: XmlElement;
}

export interface Channel {
  ends: [ChannelEnd, ChannelEnd];
  element: XmlElement;
}

export interface SystemModel {
  file: string;
  memoryRegions: MemoryRegion[];
  /** Top-level PDs in file order (children hang off `children`). */
  rootDomains: ProtectionDomain[];
  /** Every PD, parents before their children, as the tool flattens them. */
  protectionDomains: ProtectionDomain[];
  virtualMachines: VirtualMachine[];
  channels: Channel[];
  ioAddressSpaces: IoAddressSpace[];
  domains?: Domains;
  /** The architecture, version and kernel facts the file was checked for. */
  target: SystemTarget;
  root?: XmlElement;
}

export function attribute(el: XmlElement, name: string): XmlAttribute | undefined {
  return el.attributes.find((a) => a.name === name);
}

/**
 * Look-ups by name, indexed once per list (the first of each name wins, as a scan would), so rules
 * over 500 maps do not scan 500 regions each. An index is rebuilt when its list has grown.
 */
const indexes = new WeakMap<readonly { name: string }[], { length: number; byName: Map<string, { name: string }> }>();

function byName<T extends { name: string }>(list: readonly T[], name: string): T | undefined {
  let ix = indexes.get(list);
  if (!ix || ix.length !== list.length) {
    const m = new Map<string, { name: string }>();
    for (const x of list) if (!m.has(x.name)) m.set(x.name, x);
    ix = { length: list.length, byName: m };
    indexes.set(list, ix);
  }
  return ix.byName.get(name) as T | undefined;
}

export function findPd(model: SystemModel, name: string): ProtectionDomain | undefined {
  return byName(model.protectionDomains, name);
}

export function findMr(model: SystemModel, name: string): MemoryRegion | undefined {
  return byName(model.memoryRegions, name);
}

export function findVm(model: SystemModel, name: string): VirtualMachine | undefined {
  return model.virtualMachines.find((v) => v.name === name);
}

/** Every map in the system (PDs' and VMs'). */
export function allMaps(model: SystemModel): MapEntry[] {
  const out: MapEntry[] = [];
  for (const pd of model.protectionDomains) {
    pushAll(out, pd.maps);
    if (pd.virtualMachine) pushAll(out, pd.virtualMachine.maps);
  }
  return out;
}

export function formatPerms(p: Perms): string {
  return `${p.r ? 'r' : ''}${p.w ? 'w' : ''}${p.x ? 'x' : ''}`;
}

export function hex(n: number): string {
  return '0x' + n.toString(16);
}
