// What a loaded project is: the .system's model, the serial roles and configuration, and one
// configuration per guest. project.ts reads it from the files; the checks and the emulator read it.
import type { ProjectComponents } from './project-components';
import type { Diagnostic, SourceRange } from '../common/diagnostics';
import type { SystemModel } from './model';
import type { SerialRoles } from './roles';
import type { SwitchCharOrigin } from './switch-char';
import type { BoardName } from '../emulator/boards';

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
  /** The project file's `board` (else the board is inferred from the tree): it picks the kernel's driver set. */
  board?: BoardName;
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
  /** Ends the client number after the switch character (virt_rx config.terminate_num_char; sdfgen's default '\r'). */
  terminateNumChar: number;
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
  /** The project file's `board` (a Microkit board name); when absent the emulator infers it (boards.ts chooseBoard). */
  board?: string;
  roles: SerialRoles;
  guests: GuestConfig[];
  serial: SerialConfig;
  /** The .system's diagnostics, the project file's and the role inference's. */
  diagnostics: Diagnostic[];
  /** Which PDs run real code and where it comes from (project-components.ts). */
  components: ProjectComponents;
}

/**
 * Where libvmm's VMM places the virtio console: the window its example guests' trees give the
 * `virtio,mmio` console node (`virtio-console@150000`, reg size 0x200, `interrupts = <0 42 4>`;
 * older libvmm used 0x130000).
 */
export const DEFAULT_VIRTIO: VirtioConsoleConfig = { base: 0x150000, size: 0x200, spi: 42 };
