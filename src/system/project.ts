// The project file (dual-guest.json): what the .system cannot say. For each VM its device-tree
// files, the VMM's virtio console and image placement; the serial configuration; optional explicit
// roles. Everything defaults to what the files imply, so a bare .system loads as a project too.
// Documented in docs/project-file.md; schemas/dual-guest.schema.json mirrors these keys.

import type { Diagnostic, SourceRange } from '../common/diagnostics';
import { decodeUtf8, type FileHost } from '../common/host';
import { basename, dirname, resolve } from '../common/paths';
import { parseJson, member, type JsonMember, type JsonValue } from './json';
import { findMr, type SystemModel, type VirtualMachine, type MapEntry } from './model';
import { parseSystem } from './parse';
import { checkSerialPriorities, checkSerialRegions } from './checks/serial';
import { checkGuestMaps } from './checks/guest-maps';
import { COMPONENT_KEYS, readProjectComponents, type ProjectComponents } from './project-components';
import { inferSerialRoles, type RoleOverride, type SerialRoles } from './roles';
import { DEFAULT_SWITCH_CHAR, resolveSwitchChar, type SwitchCharOrigin, type SwitchCharOverride } from './switch-char';
import { findGuestFiles } from './guest-files';
import { scanKernelImage } from '../emulator/guest/linux/kernel-image';
import { pushAll } from '../common/arrays';

export interface VirtioConsoleConfig {
  /** Guest-physical base of the virtio-mmio console window. */
  base: number;
  size: number;
  /** The DT's SPI number; the GIC INTID the VMM injects is spi + 32. */
  spi: number;
}

export interface GuestConfig {
  vm: string;
  vmm: string;
  /** 0-based serial client number, or -1 when the VMM is not a serial client. */
  clientIndex: number;
  /** Base DTS first, then overlays, in order (absolute paths). */
  dtFiles: string[];
  includePaths: string[];
  ramGpa: number;
  ramSize: number;
  ramRegion: string;
  /** The project file's console window over libvmm's defaults; resolveVirtioConsole (virtio.ts) completes it from the tree. */
  virtio: VirtioConsoleConfig;
  /** The console keys the project file gives (the rest come from the guest's tree). */
  virtioSet: Partial<VirtioConsoleConfig>;
  /** True when the VMM gives the guest a virtio console: it is a serial client, or the project file says so. */
  virtioConsole: boolean;
  /** False when the project file leaves this VM out (`"boot": false`): not booted, its tree not cross-checked. */
  boot: boolean;
  dtbAddr: number;
  initrdAddr: number;
  initrdImage?: string;
  kernelImage?: string;
  /**
   * `compatible` strings the guest kernel has drivers for. Linux probes only those devices, so when
   * given, the "enabled but not mapped" check is limited to them.
   */
  kernelDrivers?: string[];
  /**
   * Compatible-like strings of the kernel image (`kernel`), when it is an uncompressed Image or ELF
   * and `kernelDrivers` is not given: the driver list is then the tree's compatibles found there.
   */
  kernelCompatibles?: ReadonlySet<string>;
  /** Where the project file describes this guest (for diagnostics about its settings). */
  ranges: Partial<Record<'entry' | 'dts' | 'virtio' | 'dtbAddr' | 'initrdAddr' | 'initrd' | 'boot', SourceRange>>;
  /** The `<virtual_machine>` element's name in the .system (where findings about the VM as a whole go). */
  vmRange: SourceRange;
}

export interface SerialConfig {
  switchChar: number;
  /** Where switchChar came from (project file, setting or flag, serial_config.h, default): switch-char.ts. */
  switchCharOrigin: SwitchCharOrigin;
  /** How clients are numbered when switching: 0 as the real sDDF virt_rx does. */
  clientBase: 0 | 1;
  colour: boolean;
  beginString: string;
  baud: number;
  /** VM names (or client PD names for native clients) in client order. */
  clients: string[];
}

export interface Project {
  /** The project file, when there is one. */
  file?: string;
  system: SystemModel;
  systemFile: string;
  roles: SerialRoles;
  guests: GuestConfig[];
  serial: SerialConfig;
  /** The .system's diagnostics, the project file's and the role inference's. */
  diagnostics: Diagnostic[];
  /** Which PDs run real code and where it comes from (project-components.ts). */
  components: ProjectComponents;
}

/** The keys each object of the project file may have (schemas/dual-guest.schema.json has the same). */
export const PROJECT_KEYS = {
  project: ['$schema', 'system', 'serial', 'roles', 'guests', ...COMPONENT_KEYS],
  serial: ['switchChar', 'clientBase', 'colour', 'beginString', 'baud'],
  roles: ['uartDriver', 'rxVirtualiser', 'txVirtualiser', 'clients'],
  guest: ['boot', 'dts', 'includePaths', 'virtio', 'dtbAddr', 'initrdAddr', 'initrd', 'kernel', 'kernelDrivers'],
  virtio: ['base', 'size', 'spi'],
} as const;

/** sdfgen's defaults, except where noted. */
export const DEFAULT_SERIAL: Omit<SerialConfig, 'clients'> = {
  switchChar: DEFAULT_SWITCH_CHAR,
  switchCharOrigin: { kind: 'default' },
  clientBase: 0,
  colour: false,
  beginString: 'Begin input\r\n',
  baud: 115200,
};
/** libvmm's current virtio console placement (REFERENCE.md section 7). */
export const DEFAULT_VIRTIO: VirtioConsoleConfig = { base: 0x150000, size: 0x200, spi: 42 };
/** Offsets into guest RAM where the VMM places the DTB and the initrd (the MaaXBoard system's choice). */
export const DEFAULT_DTB_OFFSET = 0x4000000;
export const DEFAULT_INITRD_OFFSET = 0x4500000;

/** The project file that goes with a .system when none is named: `<stem>.json`, then `dual-guest.json`. */
export function findProjectFileFor(systemFile: string, host: FileHost): string | undefined {
  const dir = dirname(systemFile);
  const name = basename(systemFile);
  const stem = name.endsWith('.system') ? name.slice(0, -'.system'.length) : name;
  for (const candidate of [resolve(dir, `${stem}.json`), resolve(dir, 'dual-guest.json')]) {
    if (host.fileExists(candidate)) return candidate;
  }
  return undefined;
}

/** The VM's RAM: a region mapped into both the VM and its VMM; the executable, then the largest, wins. */
export function guestRamMap(system: SystemModel, vm: VirtualMachine): MapEntry | undefined {
  const shared = vm.maps.filter((m) => vm.vmm.maps.some((p) => p.mr === m.mr) && findMr(system, m.mr));
  const size = (m: MapEntry): number => findMr(system, m.mr)?.size ?? 0;
  shared.sort((a, b) => Number(b.perms.x) - Number(a.perms.x) || size(b) - size(a));
  return shared[0];
}

class ProjectReader {
  readonly diagnostics: Diagnostic[] = [];
  warn(message: string, range: SourceRange): void {
    this.diagnostics.push({ severity: 'warning', message, range, code: 'project-schema' });
  }
  error(message: string, range: SourceRange): void {
    this.diagnostics.push({ severity: 'error', message, range, code: 'project-schema' });
  }
  knownKeys(v: JsonValue, keys: readonly string[], where: string): void {
    if (v.kind !== 'object') return;
    for (const m of v.members) if (!keys.includes(m.key)) this.warn(`unknown key '${m.key}' in ${where} (known: ${keys.join(', ')})`, m.keyRange);
  }
  string(m: JsonMember | undefined): string | undefined {
    if (!m) return undefined;
    if (m.value.kind === 'string') return m.value.value;
    this.error(`'${m.key}' must be a string`, m.value.range);
    return undefined;
  }
  bool(m: JsonMember | undefined): boolean | undefined {
    if (!m) return undefined;
    if (m.value.kind === 'boolean') return m.value.value;
    this.error(`'${m.key}' must be true or false`, m.value.range);
    return undefined;
  }
  /** An unsigned integer written as a JSON number or as a "0x..." / decimal string. */
  number(m: JsonMember | undefined): number | undefined {
    if (!m) return undefined;
    const v = m.value;
    if (v.kind === 'number' && Number.isSafeInteger(v.value) && v.value >= 0) return v.value;
    if (v.kind === 'string') {
      const s = v.value.trim().toLowerCase();
      const isHex = s.startsWith('0x');
      const body = isHex ? s.slice(2) : s;
      if (body.length > 0 && [...body].every((c) => (c >= '0' && c <= '9') || (isHex && c >= 'a' && c <= 'f'))) {
        const n = isHex ? parseInt(body, 16) : parseInt(body, 10);
        if (Number.isSafeInteger(n)) return n;
      }
    }
    this.error(`'${m.key}' must be a non-negative integer (a number or a string like "0x150000")`, v.range);
    return undefined;
  }
  strings(m: JsonMember | undefined): string[] | undefined {
    if (!m) return undefined;
    if (m.value.kind === 'array' && m.value.items.every((i) => i.kind === 'string')) {
      return m.value.items.map((i) => (i as { value: string }).value);
    }
    this.error(`'${m.key}' must be an array of strings`, m.value.range);
    return undefined;
  }
}

/**
 * Load a project from its JSON file or from a .system (then a sibling project file is used if
 * present). `options.system` names the .system when it is not the one the project file names;
 * `options.parse` replaces parseSystem (the language server passes its cache of parsed buffers);
 * `options.switchChar` is the setting's or the command line's switch character.
 */
export function loadProject(pathToProjectJsonOrSystem: string, host: FileHost, options?: { system?: string; parse?: typeof parseSystem; switchChar?: SwitchCharOverride }): Project {
  const diagnostics: Diagnostic[] = [];
  const reader = new ProjectReader();
  let projectFile: string | undefined;
  let systemFile = pathToProjectJsonOrSystem;
  let json: JsonValue | undefined;

  if (pathToProjectJsonOrSystem.endsWith('.json')) projectFile = pathToProjectJsonOrSystem;
  else projectFile = findProjectFileFor(pathToProjectJsonOrSystem, host);

  if (projectFile) {
    const bytes = host.readFile(projectFile);
    if (!bytes) {
      diagnostics.push({ severity: 'error', message: `cannot read project file '${projectFile}'`, code: 'project-missing-file' });
    } else {
      const parsed = parseJson(projectFile, decodeUtf8(bytes));
      pushAll(diagnostics, parsed.diagnostics);
      json = parsed.value;
      if (json && json.kind !== 'object') {
        reader.error('the project file must hold a JSON object', json.range);
        json = undefined;
      }
    }
  }
  const pdir = projectFile ? dirname(projectFile) : dirname(systemFile);
  if (json) {
    reader.knownKeys(json, PROJECT_KEYS.project, 'the project file');
    const sys = reader.string(member(json, 'system'));
    if (pathToProjectJsonOrSystem.endsWith('.json')) {
      systemFile = resolve(pdir, sys ?? basename(projectFile!).slice(0, -'.json'.length) + '.system');
    } else if (sys !== undefined && resolve(pdir, sys) !== systemFile) {
      // A project file found beside this .system but made for another one does not apply.
      json = undefined;
      projectFile = undefined;
      reader.diagnostics.length = 0;
    }
  }
  // A project file that cannot be read as an object names no .system: take its own name's.
  const unreadable = projectFile !== undefined && systemFile === projectFile;
  if (unreadable) systemFile = resolve(pdir, basename(projectFile!).slice(0, -'.json'.length) + '.system');
  // The caller's .system wins over the project file's (lint of one .system with a named project).
  if (options?.system) systemFile = options.system;

  const systemBytes = host.readFile(systemFile);
  let parsed: ReturnType<typeof parseSystem>;
  if (!systemBytes) {
    const sysMember = member(json, 'system');
    // Not worth a second error when the project file's own error is why no .system is known.
    if (!unreadable || diagnostics.length === 0 && reader.diagnostics.length === 0) {
      diagnostics.push({ severity: 'error', message: `cannot read system description '${systemFile}'`, range: sysMember?.value.range, code: 'project-missing-file' });
    }
    parsed = parseSystem(systemFile, '<system/>');
    parsed.diagnostics = [];
  } else {
    parsed = (options?.parse ?? parseSystem)(systemFile, decodeUtf8(systemBytes));
  }
  pushAll(diagnostics, parsed.diagnostics);
  const system = parsed.model;

  // Roles.
  const rolesJson = member(json, 'roles');
  let override: RoleOverride | undefined;
  if (rolesJson) {
    reader.knownKeys(rolesJson.value, PROJECT_KEYS.roles, "'roles'");
    const r = rolesJson.value;
    override = {
      uartDriver: reader.string(member(r, 'uartDriver')),
      rxVirtualiser: reader.string(member(r, 'rxVirtualiser')),
      txVirtualiser: reader.string(member(r, 'txVirtualiser')),
      clients: reader.strings(member(r, 'clients')),
      ranges: {
        uartDriver: member(r, 'uartDriver')?.value.range,
        rxVirtualiser: member(r, 'rxVirtualiser')?.value.range,
        txVirtualiser: member(r, 'txVirtualiser')?.value.range,
        clients: member(r, 'clients')?.value.range,
      },
    };
  }
  const inferred = inferSerialRoles(system, override);
  pushAll(diagnostics, inferred.diagnostics);
  const roles = inferred.roles;

  // Serial configuration.
  const serial: SerialConfig = { ...DEFAULT_SERIAL, clients: roles.clients.map((c) => c.vm ?? c.pd) };
  const serialJson = member(json, 'serial');
  let projectSwitchChar: number | undefined;
  if (serialJson) {
    const s = serialJson.value;
    reader.knownKeys(s, PROJECT_KEYS.serial, "'serial'");
    const sw = member(s, 'switchChar');
    if (sw) {
      if (sw.value.kind === 'string' && sw.value.value.length === 1 && sw.value.value.charCodeAt(0) < 256) projectSwitchChar = sw.value.value.charCodeAt(0);
      else if (sw.value.kind === 'number' && Number.isInteger(sw.value.value) && sw.value.value >= 0 && sw.value.value < 256) projectSwitchChar = sw.value.value;
      else reader.error(`'switchChar' must be one character (e.g. "@") or a byte value (e.g. 28)`, sw.value.range);
    }
    const base = member(s, 'clientBase');
    if (base) {
      if (base.value.kind === 'number' && (base.value.value === 0 || base.value.value === 1)) serial.clientBase = base.value.value;
      else reader.error(`'clientBase' must be 0 (as the real sDDF numbers clients) or 1`, base.value.range);
    }
    serial.colour = reader.bool(member(s, 'colour')) ?? serial.colour;
    serial.beginString = reader.string(member(s, 'beginString')) ?? serial.beginString;
    serial.baud = reader.number(member(s, 'baud')) ?? serial.baud;
    if (serial.baud === 0) {
      reader.error(`'baud' must be greater than 0`, member(s, 'baud')!.value.range);
      serial.baud = DEFAULT_SERIAL.baud;
    }
  }
  const sw = resolveSwitchChar({
    project: projectSwitchChar === undefined ? undefined : { value: projectSwitchChar, file: projectFile!, range: member(serialJson?.value, 'switchChar')?.value.range },
    override: options?.switchChar, systemFile, host,
  });
  serial.switchChar = sw.value;
  serial.switchCharOrigin = sw.origin;
  pushAll(diagnostics, sw.diagnostics);

  // Guests: every VM in the system, serial clients first in client order.
  const guestsJson = member(json, 'guests');
  if (guestsJson && guestsJson.value.kind !== 'object') reader.error(`'guests' must be an object keyed by virtual machine name`, guestsJson.value.range);
  const guests: GuestConfig[] = [];
  const ordered = [...system.virtualMachines].sort((a, b) => clientIndexOf(roles, a) - clientIndexOf(roles, b));
  // Guests the project file names no trees for: found where real projects keep them (guest-files.ts).
  const unnamed = ordered.filter((vm) => !member(member(guestsJson?.value, vm.name)?.value, 'dts'));
  const found = findGuestFiles(dirname(systemFile), unnamed.map((vm) => ({ vm, clientNumber: clientIndexOf(roles, vm) === Number.MAX_SAFE_INTEGER ? 0 : clientIndexOf(roles, vm) })), host);
  for (const vm of ordered) {
    const clientIndex = roles.clients.findIndex((c) => c.pd === vm.vmm.name);
    const entry = member(guestsJson?.value, vm.name);
    const g = entry?.value;
    if (g) {
      reader.knownKeys(g, PROJECT_KEYS.guest, `guest '${vm.name}'`);
    }
    const ram = guestRamMap(system, vm);
    const ramMr = ram ? findMr(system, ram.mr) : undefined;
    const ramGpa = ram?.vaddr ?? 0;
    const dts = reader.strings(member(g, 'dts'));
    const virtioJson = member(g, 'virtio');
    const virtioSet: Partial<VirtioConsoleConfig> = {};
    if (virtioJson) {
      reader.knownKeys(virtioJson.value, PROJECT_KEYS.virtio, `guest '${vm.name}' virtio`);
      for (const key of PROJECT_KEYS.virtio) {
        const n = reader.number(member(virtioJson.value, key));
        if (n !== undefined) virtioSet[key] = n;
      }
    }
    const boot = reader.bool(member(g, 'boot')) ?? true;
    const inferred = found.get(vm.name);
    if (inferred) pushAll(diagnostics, inferred.diagnostics);
    const initrd = reader.string(member(g, 'initrd'));
    const kernel = reader.string(member(g, 'kernel'));
    const kernelDrivers = reader.strings(member(g, 'kernelDrivers'));
    // The kernel's own driver list, from the compatibles its image carries (kernelDrivers wins).
    let kernelCompatibles: ReadonlySet<string> | undefined;
    if (kernel !== undefined && !kernelDrivers) {
      const range = member(g, 'kernel')!.value.range;
      const bytes = host.readFile(resolve(pdir, kernel));
      const scan = bytes ? scanKernelImage(bytes) : undefined;
      if (!scan) reader.error(`kernel image '${kernel}' not found`, range);
      else if ('error' in scan) reader.warn(`kernel image '${kernel}' cannot tell its drivers: ${scan.error}; the emulated kernel's driver list applies`, range);
      else kernelCompatibles = scan.compatibles;
    }
    guests.push({
      vm: vm.name,
      vmm: vm.vmm.name,
      clientIndex,
      dtFiles: dts ? dts.map((f) => resolve(pdir, f)) : inferred?.files ?? [],
      includePaths: (reader.strings(member(g, 'includePaths')) ?? []).map((p) => resolve(pdir, p)),
      ramGpa,
      ramSize: ramMr?.size ?? 0,
      ramRegion: ram?.mr ?? '',
      virtio: { ...DEFAULT_VIRTIO, ...virtioSet },
      virtioSet,
      virtioConsole: clientIndex >= 0 || virtioJson !== undefined,
      boot,
      dtbAddr: reader.number(member(g, 'dtbAddr')) ?? ramGpa + DEFAULT_DTB_OFFSET,
      initrdAddr: reader.number(member(g, 'initrdAddr')) ?? ramGpa + DEFAULT_INITRD_OFFSET,
      initrdImage: initrd !== undefined ? resolve(pdir, initrd) : undefined,
      kernelImage: kernel !== undefined ? resolve(pdir, kernel) : undefined,
      kernelDrivers,
      kernelCompatibles,
      ranges: {
        entry: entry?.keyRange,
        dts: member(g, 'dts')?.value.range,
        virtio: virtioJson?.value.range,
        dtbAddr: member(g, 'dtbAddr')?.value.range,
        initrdAddr: member(g, 'initrdAddr')?.value.range,
        initrd: member(g, 'initrd')?.value.range,
        boot: member(g, 'boot')?.value.range,
      },
      vmRange: vm.element.nameRange,
    });
    if (g && dts) {
      for (const [i, f] of dts.entries()) {
        const p = resolve(pdir, f);
        const arr = member(g, 'dts')!.value;
        if (!host.fileExists(p) && arr.kind === 'array') reader.error(`device-tree file '${f}' not found`, arr.items[i].range);
      }
    }
  }
  if (guestsJson?.value.kind === 'object') {
    for (const m of guestsJson.value.members) {
      if (!system.virtualMachines.some((vm) => vm.name === m.key)) {
        reader.error(`the system has no virtual machine '${m.key}'`, m.keyRange);
      }
    }
  }
  pushAll(diagnostics, reader.diagnostics);
  for (const found of [checkSerialRegions(system, roles), checkSerialPriorities(system, roles), checkGuestMaps(system, guests)]) pushAll(diagnostics, found);
  const components = readProjectComponents(json, pdir, system, diagnostics);
  return { file: projectFile, system, systemFile, roles, guests, serial, diagnostics, components };
}

function clientIndexOf(roles: SerialRoles, vm: VirtualMachine): number {
  const i = roles.clients.findIndex((c) => c.pd === vm.vmm.name);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}
