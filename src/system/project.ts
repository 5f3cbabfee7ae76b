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
import { checkProjectRules } from './checks/run-rules';
import { findProjectFileFor } from './project-file-for';

export { findProjectFileFor };
import { COMPONENT_KEYS, readProjectComponents } from './project-components';
import { inferSerialRoles, type RoleOverride, type SerialRoles } from './roles';
import { DEFAULT_SWITCH_CHAR, resolveSwitchChar, type SwitchCharOverride } from './switch-char';
import { findGuestFiles } from './guest-files';
import { scanKernelImage } from '../emulator/guest/linux/kernel-image';
import { pushAll } from '../common/arrays';
import { boardByName, type BoardName } from '../emulator/boards';
import { isArch, isMicrokitVersion, KNOWN_BOARDS, type TargetOptions } from './target';
import { DEFAULT_VIRTIO, type GuestConfig, type Project, type SerialConfig, type VirtioConsoleConfig } from './project-model';

export { DEFAULT_VIRTIO, type GuestConfig, type Project, type SerialConfig, type VirtioConsoleConfig } from './project-model';

/** The keys each object of the project file may have (schemas/dual-guest.schema.json has the same). */
export const PROJECT_KEYS = {
  project: ['$schema', 'system', 'arch', 'board', 'microkitVersion', 'serial', 'roles', 'guests', ...COMPONENT_KEYS],
  serial: ['switchChar', 'terminateNumChar', 'clientBase', 'colour', 'beginString', 'baud'],
  roles: ['uartDriver', 'rxVirtualiser', 'txVirtualiser', 'clients'],
  guest: ['boot', 'dts', 'includePaths', 'virtio', 'dtbAddr', 'initrdAddr', 'initrd', 'kernel', 'kernelDrivers'],
  virtio: ['base', 'size', 'spi'],
} as const;

/** sdfgen's defaults, except where noted. */
export const DEFAULT_SERIAL: Omit<SerialConfig, 'clients'> = {
  switchChar: DEFAULT_SWITCH_CHAR,
  switchCharOrigin: { kind: 'default' },
  clientBase: 0,
  terminateNumChar: 0x0d,
  colour: false,
  beginString: 'Begin input\r\n',
  baud: 115200,
};
/** Offsets into guest RAM where the VMM places the DTB and the initrd (the MaaXBoard system's choice). */
export const DEFAULT_DTB_OFFSET = 0x4000000;
export const DEFAULT_INITRD_OFFSET = 0x4500000;

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

export interface LoadProjectOptions {
  /** The .system to use when it is not the one the project file names (lint of one .system with a named project). */
  system?: string;
  /** Replaces parseSystem (the language server passes its cache of parsed buffers). */
  parse?: typeof parseSystem;
  /** The setting's or the command line's switch character. */
  switchChar?: SwitchCharOverride;
  /** The setting's or the command line's architecture and Microkit release (the project file's win). */
  target?: TargetOptions;
}

/**
 * Load a project from its JSON file or from a .system (then a sibling project file is used if
 * present): read it (readProject), then check it (the project stage of the rule table).
 */
export function loadProject(pathToProjectJsonOrSystem: string, host: FileHost, options?: LoadProjectOptions): Project {
  const project = readProject(pathToProjectJsonOrSystem, host, options);
  pushAll(project.diagnostics, checkProjectRules(project));
  return project;
}

/** What reading one project file and its .system found, for the steps after. */
interface ProjectFiles {
  projectFile?: string;
  systemFile: string;
  /** The project file's top-level object, when it is one and applies to this .system. */
  json?: JsonValue;
  /** The project file's folder (else the .system's): relative paths start there. */
  dir: string;
  system: SystemModel;
}

/** Read a project as loadProject does, without the project-level rules: the files' own diagnostics only. */
export function readProject(pathToProjectJsonOrSystem: string, host: FileHost, options?: LoadProjectOptions): Project {
  const diagnostics: Diagnostic[] = [];
  const reader = new ProjectReader();
  const files = readProjectFiles(pathToProjectJsonOrSystem, host, reader, diagnostics, options);
  const { json, system } = files;
  const inferred = inferSerialRoles(system, readRoleOverride(member(json, 'roles'), reader));
  pushAll(diagnostics, inferred.diagnostics);
  const roles = inferred.roles;
  const serial = readSerial(files, roles, host, reader, diagnostics, options?.switchChar);
  const guests = readGuests(files, roles, host, reader, diagnostics);
  const board = readBoard(member(json, 'board'), reader);
  if (board && boardByName(board)) for (const g of guests) g.board = board as BoardName;
  pushAll(diagnostics, reader.diagnostics);
  const components = readProjectComponents(json, files.dir, system, diagnostics);
  return { file: files.projectFile, system, systemFile: files.systemFile, board, roles, guests, serial, diagnostics, components };
}

/**
 * The project file's `board`: a Microkit board name (targetOptions checks it against Microkit's
 * list). The guests take it for their kernel's driver set when the emulator models that board.
 */
function readBoard(m: JsonMember | undefined, reader: ProjectReader): string | undefined {
  return reader.string(m);
}

/** The project file (when there is one that applies) and the .system, read and parsed. */
function readProjectFiles(path: string, host: FileHost, reader: ProjectReader, diagnostics: Diagnostic[], options?: LoadProjectOptions): ProjectFiles {
  const named = path.endsWith('.json');
  let projectFile = named ? path : findProjectFileFor(path, host);
  let systemFile = path;
  let json: JsonValue | undefined;
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
  const dir = projectFile ? dirname(projectFile) : dirname(systemFile);
  if (json) {
    reader.knownKeys(json, PROJECT_KEYS.project, 'the project file');
    const sys = reader.string(member(json, 'system'));
    if (named) {
      systemFile = resolve(dir, sys ?? basename(projectFile!).slice(0, -'.json'.length) + '.system');
    } else if (sys !== undefined && resolve(dir, sys) !== systemFile) {
      // A project file found beside this .system but made for another one does not apply.
      json = undefined;
      projectFile = undefined;
      reader.diagnostics.length = 0;
    }
  }
  // A project file that cannot be read as an object names no .system: take its own name's.
  const unreadable = projectFile !== undefined && systemFile === projectFile;
  if (unreadable) systemFile = resolve(dir, basename(projectFile!).slice(0, -'.json'.length) + '.system');
  // The caller's .system wins over the project file's (lint of one .system with a named project).
  if (options?.system) systemFile = options.system;

  const systemBytes = host.readFile(systemFile);
  let parsed: ReturnType<typeof parseSystem>;
  if (!systemBytes) {
    // Not worth a second error when the project file's own error is why no .system is known.
    if (!unreadable || (diagnostics.length === 0 && reader.diagnostics.length === 0)) {
      diagnostics.push({
        severity: 'error',
        message: `cannot read system description '${systemFile}'`,
        range: member(json, 'system')?.value.range,
        code: 'project-missing-file',
      });
    }
    parsed = parseSystem(systemFile, '<system/>');
    parsed.diagnostics = [];
  } else {
    parsed = (options?.parse ?? parseSystem)(systemFile, decodeUtf8(systemBytes), targetOptions(json, options?.target, reader));
  }
  pushAll(diagnostics, parsed.diagnostics);
  return { projectFile, systemFile, json, dir, system: parsed.model };
}

/**
 * The architecture and release the .system is checked for: the project file's "arch", "board" and
 * "microkitVersion" over the setting's (`fallback`). Bad values are reported when `reader` is given.
 */
export function targetOptions(
  json: JsonValue | undefined,
  fallback: TargetOptions | undefined,
  reader?: { error(m: string, r: SourceRange): void; warn(m: string, r: SourceRange): void },
): TargetOptions {
  const out: TargetOptions = { ...fallback };
  const arch = member(json, 'arch');
  if (arch?.value.kind === 'string' && isArch(arch.value.value)) {
    out.arch = arch.value.value;
    out.archOrigin = 'project';
  } else if (arch) reader?.error(`'arch' must be one of "aarch64", "riscv64", "x86_64"`, arch.value.range);
  const board = member(json, 'board');
  if (board?.value.kind === 'string') {
    if (!(KNOWN_BOARDS as readonly string[]).includes(board.value.value))
      reader?.warn(`'${board.value.value}' is not a board of Microkit 2.3 (known: ${KNOWN_BOARDS.join(', ')}); read as an AArch64 board`, board.value.range);
    out.board = board.value.value;
    // The board's architecture unless "arch" says otherwise.
    if (!arch) out.arch = undefined;
  } else if (board) reader?.error(`'board' must be a string`, board.value.range);
  const version = member(json, 'microkitVersion');
  if (version?.value.kind === 'string' && isMicrokitVersion(version.value.value)) {
    out.version = version.value.value;
    out.versionOrigin = 'project';
  } else if (version) reader?.error(`'microkitVersion' must be one of "1.4", "2.0", "2.1", "2.2", "2.3"`, version.value.range);
  return out;
}

/** The project file's explicit `roles`, over what inference finds. */
function readRoleOverride(rolesJson: JsonMember | undefined, reader: ProjectReader): RoleOverride | undefined {
  if (!rolesJson) return undefined;
  reader.knownKeys(rolesJson.value, PROJECT_KEYS.roles, "'roles'");
  const r = rolesJson.value;
  return {
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

/** The serial configuration: sdfgen's defaults, the project file's `serial`, the switch character from wherever it comes. */
function readSerial(
  files: ProjectFiles,
  roles: SerialRoles,
  host: FileHost,
  reader: ProjectReader,
  diagnostics: Diagnostic[],
  override?: SwitchCharOverride,
): SerialConfig {
  const serial: SerialConfig = { ...DEFAULT_SERIAL, clients: roles.clients.map((c) => c.vm ?? c.pd) };
  const serialJson = member(files.json, 'serial');
  let projectSwitchChar: number | undefined;
  if (serialJson) {
    const s = serialJson.value;
    reader.knownKeys(s, PROJECT_KEYS.serial, "'serial'");
    // One character or a byte value, as sdfgen's switch_char and terminate_num_char are.
    const byteMember = (key: 'switchChar' | 'terminateNumChar', example: string): number | undefined => {
      const m = member(s, key);
      if (!m) return undefined;
      if (m.value.kind === 'string' && m.value.value.length === 1 && m.value.value.charCodeAt(0) < 256) return m.value.value.charCodeAt(0);
      if (m.value.kind === 'number' && Number.isInteger(m.value.value) && m.value.value >= 0 && m.value.value < 256) return m.value.value;
      reader.error(`'${key}' must be one character (e.g. ${example}) or a byte value`, m.value.range);
      return undefined;
    };
    projectSwitchChar = byteMember('switchChar', '"@"');
    serial.terminateNumChar = byteMember('terminateNumChar', '"\\r"') ?? serial.terminateNumChar;
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
    project:
      projectSwitchChar === undefined
        ? undefined
        : { value: projectSwitchChar, file: files.projectFile!, range: member(serialJson?.value, 'switchChar')?.value.range },
    override,
    systemFile: files.systemFile,
    host,
  });
  serial.switchChar = sw.value;
  serial.switchCharOrigin = sw.origin;
  pushAll(diagnostics, sw.diagnostics);
  return serial;
}

/** Every VM in the system as a guest, serial clients first in client order. */
function readGuests(files: ProjectFiles, roles: SerialRoles, host: FileHost, reader: ProjectReader, diagnostics: Diagnostic[]): GuestConfig[] {
  const { system } = files;
  const guestsJson = member(files.json, 'guests');
  if (guestsJson && guestsJson.value.kind !== 'object') reader.error(`'guests' must be an object keyed by virtual machine name`, guestsJson.value.range);
  const ordered = [...system.virtualMachines].sort((a, b) => clientIndexOf(roles, a) - clientIndexOf(roles, b));
  // Guests the project file names no trees for: found where real projects keep them (guest-files.ts).
  const unnamed = ordered.filter((vm) => !member(member(guestsJson?.value, vm.name)?.value, 'dts'));
  const found = findGuestFiles(
    dirname(files.systemFile),
    unnamed.map((vm) => ({ vm, clientNumber: clientIndexOf(roles, vm) === Number.MAX_SAFE_INTEGER ? 0 : clientIndexOf(roles, vm) })),
    host,
  );
  const guests = ordered.map((vm) => {
    const inferred = found.get(vm.name);
    if (inferred) pushAll(diagnostics, inferred.diagnostics);
    return readGuest(files, vm, roles, member(guestsJson?.value, vm.name), inferred?.files, host, reader);
  });
  if (guestsJson?.value.kind === 'object') {
    for (const m of guestsJson.value.members) {
      if (!system.virtualMachines.some((vm) => vm.name === m.key)) reader.error(`the system has no virtual machine '${m.key}'`, m.keyRange);
    }
  }
  return guests;
}

/** One guest: the project file's entry for its VM over what the .system and the files beside it imply. */
function readGuest(
  files: ProjectFiles,
  vm: VirtualMachine,
  roles: SerialRoles,
  entry: JsonMember | undefined,
  inferredFiles: string[] | undefined,
  host: FileHost,
  reader: ProjectReader,
): GuestConfig {
  const { system, dir } = files;
  const clientIndex = roles.clients.findIndex((c) => c.pd === vm.vmm.name);
  const g = entry?.value;
  if (g) reader.knownKeys(g, PROJECT_KEYS.guest, `guest '${vm.name}'`);
  const ram = guestRamMap(system, vm);
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
  const initrd = reader.string(member(g, 'initrd'));
  const kernel = reader.string(member(g, 'kernel'));
  const kernelDrivers = reader.strings(member(g, 'kernelDrivers'));
  if (g && dts) {
    const arr = member(g, 'dts')!.value;
    for (const [i, f] of dts.entries()) {
      if (!host.fileExists(resolve(dir, f)) && arr.kind === 'array') reader.error(`device-tree file '${f}' not found`, arr.items[i].range);
    }
  }
  return {
    vm: vm.name,
    vmm: vm.vmm.name,
    clientIndex,
    dtFiles: dts ? dts.map((f) => resolve(dir, f)) : (inferredFiles ?? []),
    includePaths: (reader.strings(member(g, 'includePaths')) ?? []).map((p) => resolve(dir, p)),
    ramGpa,
    ramSize: (ram ? findMr(system, ram.mr)?.size : undefined) ?? 0,
    ramRegion: ram?.mr ?? '',
    virtio: { ...DEFAULT_VIRTIO, ...virtioSet },
    virtioSet,
    virtioConsole: clientIndex >= 0 || virtioJson !== undefined,
    boot: reader.bool(member(g, 'boot')) ?? true,
    dtbAddr: reader.number(member(g, 'dtbAddr')) ?? ramGpa + DEFAULT_DTB_OFFSET,
    initrdAddr: reader.number(member(g, 'initrdAddr')) ?? ramGpa + DEFAULT_INITRD_OFFSET,
    initrdImage: initrd !== undefined ? resolve(dir, initrd) : undefined,
    kernelImage: kernel !== undefined ? resolve(dir, kernel) : undefined,
    kernelDrivers,
    // The kernel's own driver list, from the compatibles its image carries (kernelDrivers wins).
    kernelCompatibles: kernel !== undefined && !kernelDrivers ? readKernelCompatibles(kernel, member(g, 'kernel')!.value.range, dir, host, reader) : undefined,
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
  };
}

/** The compatibles the kernel image's drivers carry, or undefined (with a diagnostic) when it cannot tell. */
function readKernelCompatibles(kernel: string, range: SourceRange, dir: string, host: FileHost, reader: ProjectReader): ReadonlySet<string> | undefined {
  const bytes = host.readFile(resolve(dir, kernel));
  const scan = bytes ? scanKernelImage(bytes) : undefined;
  if (!scan) reader.error(`kernel image '${kernel}' not found`, range);
  else if ('error' in scan) reader.warn(`kernel image '${kernel}' cannot tell its drivers: ${scan.error}; the emulated kernel's driver list applies`, range);
  else return scan.compatibles;
  return undefined;
}

function clientIndexOf(roles: SerialRoles, vm: VirtualMachine): number {
  const i = roles.clients.findIndex((c) => c.pd === vm.vmm.name);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}

/**
 * What a .system on its own is checked for: its project file's "arch", "board" and
 * "microkitVersion" (when a project file beside or above it applies to it) over `fallback` (the
 * settings). `projectFile` is the file read, which the answer depends on.
 */
export function systemTargetFor(systemFile: string, host: FileHost, fallback?: TargetOptions): { options: TargetOptions; projectFile?: string } {
  const projectFile = findProjectFileFor(systemFile, host);
  const bytes = projectFile ? host.readFile(projectFile) : undefined;
  if (!projectFile || !bytes) return { options: { ...fallback }, projectFile };
  const json = parseJson(projectFile, decodeUtf8(bytes)).value;
  const sys = member(json, 'system');
  const applies = !sys || (sys.value.kind === 'string' && resolve(dirname(projectFile), sys.value.value) === systemFile);
  return { options: applies ? targetOptions(json, fallback) : { ...fallback }, projectFile };
}
