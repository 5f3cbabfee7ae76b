// The typed model of a Microkit system description (.system file). Every item keeps the XML element
// it came from, so checks can point at the element or at one attribute. Values the file leaves out
// carry the microkit tool's defaults (seL4/microkit tool/microkit/src/sdf.rs).

import type { XmlAttribute, XmlElement } from './xml';
import { pushAll } from '../common/arrays';

/** Page sizes of AArch64 (the only architecture this project models): 4 KiB and 2 MiB. */
export const PAGE_SIZES = [0x1000, 0x200000] as const;
export const SMALL_PAGE = 0x1000;
/** Channel, IRQ, child-PD and vCPU ids are badge bits: 0..61. */
export const MAX_ID = 61;
export const MAX_PRIORITY = 254;
export const DEFAULT_BUDGET_US = 1000;
export const DEFAULT_STACK_SIZE = 0x1000;
export const MIN_STACK_SIZE = 0x1000;
export const MAX_STACK_SIZE = 0x1000000;
/** AArch64 with a 40-bit physical address space and hypervisor support: top of user virtual memory. */
export const USER_TOP = 0x10000000000;

export interface MemoryRegion {
  name: string;
  size: number;
  pageSize: number;
  /** True when page_size is written in the file (otherwise the smallest page size). */
  pageSizeGiven: boolean;
  physAddr?: number;
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
  element: XmlElement;
  /** The PD or VM that holds the map. */
  owner: ProtectionDomain | VirtualMachine;
}

export interface Irq {
  irq: number;
  id: number;
  trigger: 'level' | 'edge';
  element: XmlElement;
}

export interface SetVar {
  symbol: string;
  regionPaddr: string;
  element: XmlElement;
}

export interface Vcpu {
  id: number;
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
  /** Microkit <= 1.4 wrote `pp` on the protection domain (it has a protected procedure entry). */
  legacyPp: boolean;
  /** Only for child PDs. */
  id?: number;
  programImage?: string;
  maps: MapEntry[];
  irqs: Irq[];
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
  root?: XmlElement;
}

export function attribute(el: XmlElement, name: string): XmlAttribute | undefined {
  return el.attributes.find((a) => a.name === name);
}

export function findPd(model: SystemModel, name: string): ProtectionDomain | undefined {
  return model.protectionDomains.find((p) => p.name === name);
}

export function findMr(model: SystemModel, name: string): MemoryRegion | undefined {
  return model.memoryRegions.find((m) => m.name === name);
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
