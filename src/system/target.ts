// What a .system is checked for: the architecture, the Microkit version, and the kernel facts of the
// default SDK build that the microkit tool reads from its configuration (sdf.rs reads `config.arch`,
// `config.hypervisor`, `config.iommu`, `config.arm_smc`, KernelNumDomains...). The architecture comes
// from the project file's "arch", the setting, the board, or else what the file itself uses.

import type { XmlElement } from './xml';

export const ARCHES = ['aarch64', 'riscv64', 'x86_64'] as const;
export type Arch = (typeof ARCHES)[number];

/** The Microkit releases whose system format differs (1.4.1, 2.0.x, 2.1.0, 2.2.0, 2.3.0). */
export const MICROKIT_VERSIONS = ['1.4', '2.0', '2.1', '2.2', '2.3'] as const;
export type MicrokitVersion = (typeof MICROKIT_VERSIONS)[number];
export const DEFAULT_MICROKIT_VERSION: MicrokitVersion = '2.3';

/** Where the architecture came from, for messages that depend on it. */
export type ArchOrigin = 'project' | 'setting' | 'board' | 'inferred' | 'default';

export function isArch(s: string): s is Arch {
  return (ARCHES as readonly string[]).includes(s);
}

export function isMicrokitVersion(s: string): s is MicrokitVersion {
  return (MICROKIT_VERSIONS as readonly string[]).includes(s);
}

/** `v` is `since` or later. */
export function atLeast(v: MicrokitVersion, since: MicrokitVersion): boolean {
  return MICROKIT_VERSIONS.indexOf(v) >= MICROKIT_VERSIONS.indexOf(since);
}

/** Microkit's boards (platforms.yml) by architecture; the rest are AArch64. */
const RISCV_BOARDS = ['ariane', 'cheshire', 'hifive_p550', 'qemu_virt_riscv64', 'serengeti', 'star64'];
const X86_BOARDS = ['x86_64_generic', 'x86_64_generic_vtx'];
/** Boards whose default kernel is built without hypervisor support. */
const NO_HYPERVISOR_BOARDS = ['x86_64_generic', 'qemu_virt_aarch64_el1', ...RISCV_BOARDS];
export const KNOWN_BOARDS = [
  'ariane',
  'cheshire',
  'hifive_p550',
  'imx8mm_evk',
  'imx8mp_evk',
  'imx8mp_iotgate',
  'imx8mq_evk',
  'kria_k26',
  'maaxboard',
  'odroidc2',
  'odroidc4',
  'qemu_virt_aarch64',
  'qemu_virt_aarch64_el1',
  'qemu_virt_riscv64',
  'rock3b',
  'rockpro64',
  'rpi4b_1gb',
  'rpi4b_2gb',
  'rpi4b_4gb',
  'rpi4b_8gb',
  'rpi5b_2gb',
  'serengeti',
  'star64',
  'stm32mp2',
  'tqma8xqp1gb',
  'ultra96v2',
  'x86_64_generic',
  'x86_64_generic_vtx',
  'zcu102',
] as const;

export function archOfBoard(board: string): Arch {
  if (RISCV_BOARDS.includes(board)) return 'riscv64';
  if (X86_BOARDS.includes(board)) return 'x86_64';
  return 'aarch64';
}

/** The kernel configuration facts the tool's parser reads, for the default SDK build of a target. */
export interface KernelFacts {
  hypervisor: boolean;
  iommu: boolean;
  /** undefined: SMC forwarding does not exist on this architecture; false: not enabled in the kernel. */
  armSmc: boolean | undefined;
  pageSizes: readonly number[];
  /** seL4_UserVSpaceTop: the last user virtual address (inclusive). */
  userVSpaceTop: number;
  numDomains: number;
  numDomainSchedules: number;
  /** CPU cores of the build; undefined when the build is not known (uni-core and SMP configurations differ). */
  numCores: number | undefined;
}

/** The x86 IOMMU's largest IO virtual address (CAPDL_MAX_IOVA): 48-bit IO address spaces. */
export const MAX_IOVA = 2 ** 48 - 1;

export interface SystemTarget {
  arch: Arch;
  archOrigin: ArchOrigin;
  version: MicrokitVersion;
  /** 'inferred': no version was given and the file uses Microkit 1.x forms only, so it is read as 1.4. */
  versionOrigin: 'project' | 'setting' | 'inferred' | 'default';
  board?: string;
  facts: KernelFacts;
}

/** What the caller knows (the project file, the settings); the rest is inferred or defaulted. */
export interface TargetOptions {
  arch?: Arch;
  archOrigin?: ArchOrigin;
  version?: MicrokitVersion;
  versionOrigin?: 'project' | 'setting';
  board?: string;
}

export function kernelFacts(arch: Arch, version: MicrokitVersion, board?: string): KernelFacts {
  return {
    hypervisor: board !== undefined ? !NO_HYPERVISOR_BOARDS.includes(board) : arch !== 'riscv64',
    // x86 systems are built with the IOMMU on from 2.3.
    iommu: arch === 'x86_64' && atLeast(version, '2.3'),
    // KernelAllowSMCCalls is on for every ARM platform from 2.1.
    armSmc: arch === 'aarch64' ? atLeast(version, '2.1') : undefined,
    pageSizes: [0x1000, 0x200000],
    // AArch64 with hypervisor support and a 40-bit physical address space (the boards this project
    // emulates); RISC-V Sv39; x86-64 4-level paging.
    userVSpaceTop: arch === 'aarch64' ? 2 ** 40 - 1 : arch === 'riscv64' ? 0x3ffffff000 - 1 : 0x7ffffffff000 - 1,
    // The default SDK's KernelNumDomains and KernelNumDomainSchedules (manual, `domains`).
    numDomains: 16,
    numDomainSchedules: 100,
    numCores: undefined,
  };
}

/**
 * The architecture a file's own elements imply: x86-only forms (ioport, io_address_space, IOAPIC or
 * MSI irqs, x86 bootinfo prefills) with no ARM/RISC-V irq mean x86_64; otherwise AArch64, the
 * architecture of every board this project emulates (RISC-V cannot be told from the file).
 */
export function inferArch(root: XmlElement | undefined): Arch {
  let x86 = false,
    conventional = false;
  const stack = root ? [root] : [];
  while (stack.length > 0) {
    const el = stack.pop()!;
    if (el.tag === 'ioport' || el.tag === 'io_address_space') x86 = true;
    else if (el.tag === 'irq') {
      for (const a of el.attributes) {
        if (a.name === 'irq') conventional = true;
        else if (a.name === 'pin' || a.name === 'pcidev') x86 = true;
      }
    } else if (el.tag === 'memory_region') {
      if (el.attributes.some((a) => a.name === 'prefill_bootinfo' && a.value.startsWith('x86_'))) x86 = true;
    }
    for (const c of el.children) stack.push(c);
  }
  return x86 && !conventional ? 'x86_64' : 'aarch64';
}

/** A file that uses Microkit 1.x forms (pp on a PD, id on a VM) and none that 1.x rejects is a 1.4 file. */
export function inferVersion(root: XmlElement | undefined): MicrokitVersion | undefined {
  let legacy = false,
    modern = false;
  const stack = root ? [root] : [];
  while (stack.length > 0) {
    const el = stack.pop()!;
    for (const a of el.attributes) {
      if ((el.tag === 'protection_domain' && a.name === 'pp') || (el.tag === 'virtual_machine' && a.name === 'id')) legacy = true;
      else if (el.tag === 'end' && (a.name === 'pp' || a.name === 'notify')) modern = true;
    }
    for (const c of el.children) stack.push(c);
  }
  return legacy && !modern ? '1.4' : undefined;
}

export function resolveTarget(root: XmlElement | undefined, options: TargetOptions | undefined): SystemTarget {
  const inferredVersion = options?.version ? undefined : inferVersion(root);
  const version = options?.version ?? inferredVersion ?? DEFAULT_MICROKIT_VERSION;
  const versionOrigin = options?.version ? (options.versionOrigin ?? 'project') : inferredVersion ? 'inferred' : 'default';
  const board = options?.board;
  let arch: Arch, archOrigin: ArchOrigin;
  if (options?.arch) {
    arch = options.arch;
    archOrigin = options.archOrigin ?? 'project';
  } else if (board) {
    arch = archOfBoard(board);
    archOrigin = 'board';
  } else {
    arch = inferArch(root);
    archOrigin = 'inferred';
  }
  return { arch, archOrigin, version, versionOrigin, board, facts: kernelFacts(arch, version, board) };
}

/** "x86_64 (inferred from the file)": how messages that depend on the architecture name it. */
export function describeArch(t: SystemTarget): string {
  const from: Record<ArchOrigin, string> = {
    project: 'from the project file',
    setting: 'from the setting',
    board: `of board ${t.board ?? ''}`,
    inferred: 'inferred from the file; set "arch" in the project file',
    default: 'the default',
  };
  return `${t.arch} (${from[t.archOrigin]})`;
}

/** Where a PD's maps must end: below its stack, under a guard page (and from 2.3 the IPC buffer's page above it). */
export function pdMapMaxVaddr(target: SystemTarget, stackSize: number): number {
  const top = target.facts.userVSpaceTop + 1;
  return top - (atLeast(target.version, '2.3') ? 0x2000 : 0x1000) - stackSize;
}

/** A VM has no stack or IPC buffer: its maps may reach the top of the address space. */
export function vmMapMaxVaddr(target: SystemTarget): number {
  return target.facts.userVSpaceTop + 1;
}
