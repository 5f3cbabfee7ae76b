// The system description format as data: each element's children and attributes, what each means,
// and the Microkit release that added or removed it (CHANGES.md of seL4/microkit). The parser takes
// the versions from here (an attribute newer than the selected release is invalid there); the
// editor takes completion and hover documentation from here. Which attributes an element accepts
// in which context (an irq's form, a child PD, a VM's map) is the parser's, as in sdf.rs.

import { atLeast, type Arch, type MicrokitVersion } from './target';

export interface SdfAttribute {
  name: string;
  doc: string;
  /** The first release that accepts it (absent: every release this project knows). */
  since?: MicrokitVersion;
  /** The last release that accepts it. */
  until?: MicrokitVersion;
  /** Architectures that accept it (absent: all). */
  arches?: readonly Arch[];
  values?: readonly string[];
}

export interface SdfElement {
  doc: string;
  children: readonly string[];
  attributes: readonly SdfAttribute[];
  since?: MicrokitVersion;
  arches?: readonly Arch[];
}

const BOOL = ['true', 'false'] as const;
const X86: readonly Arch[] = ['x86_64'];
const ARM_RISCV: readonly Arch[] = ['aarch64', 'riscv64'];
const SCHED: SdfAttribute[] = [
  { name: 'priority', doc: 'Scheduling priority, 0 to 254 (default 0). A PPC must go to a strictly higher priority.' },
  { name: 'budget', doc: 'Scheduling budget in microseconds (default 1000).' },
  { name: 'period', doc: 'Scheduling period in microseconds (default: the budget); never below the budget.' },
];
const SETVAR_ID = (what: string): SdfAttribute => ({ name: 'setvar_id', since: '2.1', doc: `Symbol in the program image rewritten with ${what}.` });

export const SDF_ELEMENTS: Record<string, SdfElement> = {
  system: {
    doc: 'The root element of a system description.',
    children: ['memory_region', 'protection_domain', 'channel', 'domains', 'io_address_space'],
    attributes: [],
  },
  protection_domain: {
    doc: 'A protection domain: one program image, its memory mappings, IRQs, child PDs and at most one virtual machine.',
    children: ['program_image', 'map', 'irq', 'ioport', 'setvar', 'protection_domain', 'virtual_machine', 'cspace'],
    attributes: [
      { name: 'name', doc: 'Unique name of the PD (at most 64 characters; `monitor` is reserved).' },
      ...SCHED,
      {
        name: 'passive',
        values: BOOL,
        doc: "true: after init() its scheduling context is taken away; it runs on its notifications and on its callers' budgets (default false).",
      },
      { name: 'stack_size', doc: 'Stack size in bytes: 0x1000 to 0x1000000, a multiple of 4 KiB (default 0x2000; 0x1000 before 2.1).' },
      { name: 'smc', since: '2.0', arches: ['aarch64'], values: BOOL, doc: 'true: the PD may ask the kernel to forward SMC calls (ARM only; default false).' },
      { name: 'cpu', since: '2.1', doc: "The CPU core the PD runs on (default 0); below the build's core count." },
      { name: 'fpu', since: '2.3', values: BOOL, doc: 'false: the PD may not use the FPU (default true).' },
      {
        name: 'domain',
        since: '2.3',
        doc: 'The domain (declared in `<domains>`) the PD runs in: required when the system has a domain schedule, invalid otherwise.',
      },
      { name: 'id', doc: 'Child PD id, 0 to 61, as the parent refers to it (child PDs only).' },
      SETVAR_ID("the child's id (child PDs only; the symbol is in the parent's image)"),
      {
        name: 'pp',
        until: '1.4',
        values: BOOL,
        doc: 'Microkit 1.x: the PD accepts protected procedure calls. From 2.0, pp="true" goes on the caller\'s channel end.',
      },
    ],
  },
  program_image: {
    doc: 'The ELF file the PD runs.',
    children: [],
    attributes: [
      { name: 'path', doc: "Path of the ELF file (searched in the tool's search paths)." },
      { name: 'path_for_symbols', since: '2.2', doc: 'Another ELF whose symbols are looked up and patched instead of those of `path`.' },
    ],
  },
  map: {
    doc: "Maps a memory region into the PD's or VM's address space.",
    children: [],
    attributes: [
      { name: 'mr', doc: 'The memory_region to map.' },
      { name: 'vaddr', doc: "Virtual address (guest-physical in a VM), a multiple of the region's page size; below the stack in a PD." },
      { name: 'perms', values: ['r', 'rw', 'rx', 'rwx', 'x', 'wx'], doc: 'A combination of r, w, x (default rw); w alone is rejected.' },
      { name: 'cached', values: BOOL, doc: 'false: mapped uncached, as device registers are (default true).' },
      { name: 'setvar_vaddr', doc: "Symbol rewritten with the map's virtual address (PD maps only)." },
      { name: 'setvar_size', since: '2.0', doc: "Symbol rewritten with the region's size (PD maps only)." },
      { name: 'setvar_prefill_size', since: '2.2', doc: "Symbol rewritten with the size of the region's prefill file (PD maps only)." },
    ],
  },
  irq: {
    doc: 'An interrupt delivered to the PD on a channel id. ARM and RISC-V: `irq`. x86-64: an I/O APIC pin (`pin`, `vector`) or an MSI (`pcidev`, `handle`, `vector`).',
    children: [],
    attributes: [
      { name: 'id', doc: "Channel id 0 to 61 the IRQ is delivered on (shared with the PD's channel ids)." },
      { name: 'irq', arches: ARM_RISCV, doc: 'The hardware interrupt number (ARM and RISC-V).' },
      { name: 'trigger', values: ['level', 'edge'], doc: 'level (default) or edge (ARM, RISC-V and x86 I/O APIC).' },
      SETVAR_ID("the IRQ's channel id"),
      { name: 'pin', since: '2.1', arches: X86, doc: 'x86-64 I/O APIC pin of the interrupt.' },
      { name: 'ioapic', since: '2.1', arches: X86, doc: 'x86-64: index of the I/O APIC (default 0).' },
      {
        name: 'polarity',
        since: '2.1',
        arches: X86,
        values: ['high', 'low'],
        doc: 'x86-64 I/O APIC line polarity, high (default) or low. Microkit 2.3 fixed an inversion: before it, "low" meant high.',
      },
      { name: 'vector', since: '2.1', arches: X86, doc: 'x86-64 CPU vector 0 to 107 the interrupt is delivered to (a higher vector has higher priority).' },
      { name: 'pcidev', since: '2.1', arches: X86, doc: 'x86-64 MSI: PCI address of the device, hexadecimal bus:dev.func (e.g. 01:1f.2).' },
      { name: 'handle', since: '2.1', arches: X86, doc: 'x86-64 MSI: the handle programmed into the MSI data.' },
    ],
  },
  ioport: {
    doc: 'An x86-64 I/O port range the PD may access.',
    since: '2.1',
    arches: X86,
    children: [],
    attributes: [
      { name: 'id', doc: 'I/O port id 0 to 61, unique in the PD.' },
      { name: 'addr', doc: 'First port address.' },
      { name: 'size', doc: 'Number of ports (above 0).' },
      SETVAR_ID('the I/O port id'),
      { name: 'setvar_addr', doc: 'Symbol rewritten with the first port address.' },
    ],
  },
  setvar: {
    doc: "Rewrites a symbol of the program image with a memory region's physical address.",
    children: [],
    attributes: [
      { name: 'symbol', doc: "Symbol in the PD's program image." },
      { name: 'region_paddr', doc: 'The memory_region whose physical address is written (on x86-64 it needs a phys_addr).' },
    ],
  },
  virtual_machine: {
    doc: 'A virtual machine run by its parent PD (the VMM): its vCPUs and guest-physical mappings.',
    children: ['vcpu', 'map'],
    attributes: [
      { name: 'name', doc: 'Unique name of the VM.' },
      { ...SCHED[0], doc: "Priority of its vCPUs, 0 to 254 (default 0). ARM only from 2.3: on x86-64 the VM runs on the VMM's." },
      { ...SCHED[1], doc: 'Budget of its vCPUs in microseconds (ARM only from 2.3).' },
      { ...SCHED[2], doc: 'Period of its vCPUs in microseconds (ARM only from 2.3).' },
      { name: 'id', until: '1.4', doc: 'Early Microkit 1.x: the id of the VM\'s one vCPU. From 2.0 only `<vcpu id="..."/>` inside.' },
    ],
  },
  vcpu: {
    doc: 'A virtual CPU of the VM.',
    children: [],
    attributes: [
      { name: 'id', doc: 'vCPU id 0 to 61, unique in the VMM (apart from its child PD ids).' },
      { name: 'cpu', since: '2.1', doc: "The physical core it runs on (default: the VMM's core from 2.3, core 0 before)." },
      SETVAR_ID('the vCPU id'),
    ],
  },
  cspace: {
    doc: "Extra capabilities placed in the PD's CSpace: other PDs' TCBs, scheduling contexts and VSpaces.",
    since: '2.3',
    children: ['cap_tcb', 'cap_sc', 'cap_vspace'],
    attributes: [],
  },
  cap_tcb: { doc: "A capability to a PD's thread control block.", since: '2.3', children: [], attributes: capAttributes() },
  cap_sc: { doc: "A capability to a PD's scheduling context.", since: '2.3', children: [], attributes: capAttributes() },
  cap_vspace: { doc: "A capability to a PD's VSpace.", since: '2.3', children: [], attributes: capAttributes() },
  memory_region: {
    doc: 'A region of memory (RAM, or device registers at a fixed phys_addr) that maps place into PDs and VMs.',
    children: [],
    attributes: [
      { name: 'name', doc: 'Unique name of the region.' },
      { name: 'size', doc: 'Size in bytes, a multiple of the page size; may be left out with a prefill.' },
      {
        name: 'page_size',
        values: ['0x1000', '0x200000'],
        doc: '0x1000 (4 KiB) or 0x200000 (2 MiB) on every architecture. Default: the largest page size the size and every mapping allow.',
      },
      { name: 'phys_addr', doc: 'Fixed physical address (a multiple of the page size), e.g. device registers.' },
      { name: 'prefill_path', since: '2.2', doc: "A file whose bytes fill the region at boot (the size defaults to the file's, rounded up to a page)." },
      {
        name: 'prefill_bootinfo',
        since: '2.3',
        values: ['fdt', 'x86_vbe', 'x86_mbmmap', 'x86_acpi_rsdp', 'x86_framebuffer', 'x86_tsc_freq'],
        doc: 'Boot information the capDL initialiser fills the region with.',
      },
    ],
  },
  channel: { doc: 'A channel between two protection domains: notifications and protected procedure calls.', children: ['end'], attributes: [] },
  end: {
    doc: 'One end of a channel.',
    children: [],
    attributes: [
      { name: 'pd', doc: 'The protection_domain at this end.' },
      { name: 'id', doc: 'Channel id 0 to 61 as seen from this PD.' },
      {
        name: 'pp',
        since: '2.0',
        values: BOOL,
        doc: 'true: this end may make protected procedure calls to the other, whose priority must be strictly higher (default false).',
      },
      { name: 'notify', since: '2.0', values: BOOL, doc: 'false: this end may not notify the other (default true).' },
      SETVAR_ID("this end's channel id"),
    ],
  },
  io_address_space: {
    doc: 'An IOMMU address space isolating one device (x86-64 with the IOMMU on).',
    since: '2.3',
    children: ['iomap'],
    attributes: [
      { name: 'name', doc: 'Unique name of the address space.' },
      { name: 'peripheral_id', doc: 'The device as the IOMMU knows it: on x86-64 its PCI address, bus:dev.func in hexadecimal.' },
      { name: 'domain_id', doc: 'Unique IOMMU domain id (x86-64; required).' },
    ],
  },
  iomap: {
    doc: 'Maps a memory region into an IO address space.',
    since: '2.3',
    children: [],
    attributes: [
      { name: 'mr', doc: 'The memory_region to map (4 KiB pages only).' },
      { name: 'iovaddr', doc: 'IO virtual address, below 2^48.' },
      { name: 'perms', values: ['r', 'w', 'rw'], doc: 'A combination of r and w (default rw).' },
    ],
  },
  domains: {
    doc: 'The seL4 domains and their schedule (uni-core builds only).',
    since: '2.3',
    children: ['domain', 'domain_schedule'],
    attributes: [],
  },
  domain: {
    doc: 'Names a domain.',
    since: '2.3',
    children: [],
    attributes: [
      { name: 'name', doc: "Unique name of the domain, as PDs' `domain` attributes name it." },
      { name: 'id', doc: 'The domain id, below KernelNumDomains (16); default: the lowest free id.' },
    ],
  },
  domain_schedule: {
    doc: 'The domain schedule: entries run in turn.',
    since: '2.3',
    children: ['schedule_entry', 'schedule_end_marker'],
    attributes: [
      { name: 'start_index', doc: 'The entry the schedule starts at (default 0).' },
      { name: 'index_shift', doc: "Where the schedule starts in the kernel's schedule array (default 0)." },
    ],
  },
  schedule_entry: {
    doc: 'One slot of the domain schedule.',
    since: '2.3',
    children: [],
    attributes: [
      { name: 'domain', doc: 'The domain that runs.' },
      { name: 'duration', doc: 'How long, with a unit: e.g. "1000 us" or "10 ticks".' },
    ],
  },
  schedule_end_marker: { doc: 'Ends the domain schedule.', since: '2.3', children: [], attributes: [] },
};

function capAttributes(): SdfAttribute[] {
  return [
    { name: 'pd', doc: 'The protection domain whose object the capability is to.' },
    { name: 'slot', doc: "Destination slot 1 to 127 in this PD's CSpace (0 is Microkit's)." },
  ];
}

export function sdfAttribute(tag: string, name: string): SdfAttribute | undefined {
  return SDF_ELEMENTS[tag]?.attributes.find((a) => a.name === name);
}

/** Whether the release `version` knows the attribute (or element) at all. */
export function knownIn(item: { since?: MicrokitVersion; until?: MicrokitVersion } | undefined, version: MicrokitVersion): boolean {
  if (!item) return true;
  if (item.since && !atLeast(version, item.since)) return false;
  if (item.until && atLeast(version, item.until) && version !== item.until) return false;
  return true;
}

/** " (added in Microkit 2.1)" / " (removed in Microkit 2.0)": why a version rejects what another accepts. */
export function versionNote(item: { since?: MicrokitVersion; until?: MicrokitVersion } | undefined, version: MicrokitVersion): string {
  if (!item) return '';
  if (item.since && !atLeast(version, item.since)) return ` (added in Microkit ${item.since}; the selected version is ${version})`;
  if (item.until && !knownIn(item, version)) return ` (a Microkit ${item.until} form, removed in the next release; the selected version is ${version})`;
  return '';
}
