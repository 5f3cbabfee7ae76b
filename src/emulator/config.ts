// The plain, typed description the emulator boots from. The system-file side (from-project.ts)
// builds one of these from a `.system` file and compiled device trees; tests build them by hand.
import type { SourceRange } from '../common/diagnostics';
import type { GuestProgram } from './guest/interface';
import type { RealComponentsConfig } from './real/real-config';
import type { CheckerOptions } from './protocol/checker';
import type { BoardDescription } from './boards';

/** MCS scheduling parameters, as in a Microkit protection_domain / virtual_machine element. */
export interface SchedParams {
  priority: number;
  /** Microseconds of CPU per period; default 1000 (Microkit's default). */
  budgetUs?: number;
  /** Microseconds; default equal to the budget (no bandwidth limit, budget acts as timeslice). */
  periodUs?: number;
  /** Microkit's passive PD: its context is bound to its notification after init(); calls run it on the caller's budget. */
  passive?: boolean;
}

export interface MemoryRegionConfig {
  name: string;
  size: number;
}

export interface PdConfig extends SchedParams {
  name: string;
  /** Hardware IRQs (GIC INTIDs, as in `<irq irq=...>`) delivered on channel `id`. */
  irqs?: { irq: number; id: number }[];
  /** The PD is a VMM (it has a virtual_machine), booted or not: not a native PD without a model. */
  vmm?: boolean;
  /** Its `<protection_domain>` element in the `.system`, where findings about it are shown. */
  range?: SourceRange;
}

export interface ChannelEnd {
  pd: string;
  id: number;
  /** This end may make protected procedure calls over the channel. */
  pp?: boolean;
}

export interface ChannelConfig {
  a: ChannelEnd;
  b: ChannelEnd;
}

/** One sDDF connection (one direction between two PDs): its queue and data regions. */
export interface QueueConnection {
  queueMr: string;
  dataMr: string;
  /** Bytes of the data region used as the ring; default: the data region's size. */
  capacity?: number;
}

export interface SerialConfig {
  /** Switch character byte: sdfgen defaults to 0x1c; the sel4devkit example uses '@' (64). */
  switchChar: number;
  /** The number typed for client 0 (0 on the real system). */
  clientBase: number;
  /** Ends the client number (virt_rx's terminate_num_char); default '\r'. */
  terminateNumChar?: number;
  colour: boolean;
  /** Printed by virt_tx at start when RX is enabled ("Begin input\r\n" by default). */
  beginString: string;
  rxEnabled: boolean;
  baud: number;
  /** Fast mode: the UART moves bytes unpaced; realtime: one character per 10 bit times. */
  fast: boolean;
}

export interface SerialRoles {
  driver: string;
  /** Absent in a TX-only serial system (serial.rxEnabled false): no RX virtualiser, no RX queues. */
  virtRx?: string;
  virtTx: string;
  /** The UART's INTID (58 on MaaXBoard) and physical base, for messages. */
  uartIrq: number;
  uartPaddr?: number;
  driverRx?: QueueConnection;
  driverTx: QueueConnection;
  /** In client order (client 0 first); `rx` absent in a TX-only system. */
  clients: { pd: string; name: string; rx?: QueueConnection; tx: QueueConnection }[];
}

export interface GuestConfig {
  /** The VMM PD that owns this VM. */
  vmm: string;
  /** The virtual_machine's name. */
  name: string;
  /** Its `<virtual_machine>` element in the `.system`. */
  range?: SourceRange;
  sched: SchedParams;
  ramGpa: number;
  ramSize: number;
  /** Memory region backing guest RAM (shared with the VMM); allocated privately when absent. */
  ramMr?: string;
  dtb: Uint8Array;
  dtbGpa: number;
  initrd?: { gpa: number; bytes: Uint8Array };
  virtio: { base: number; size: number; spi: number };
  /**
   * Windows of the guest's other virtio-mmio devices (block, net, ...): the real VMM emulates them;
   * here each answers as an empty virtio-mmio transport (device ID 0), which Linux skips.
   */
  virtioPlaceholders?: { base: number; size: number; kind?: string }[];
  /**
   * Device regions mapped into the VM (gic_vcpu, gpc, a passed-through UART). A region whose
   * physical address is a modelled device of the board (the UART) reaches that device's registers;
   * the others are plain memory to the guest.
   */
  deviceMaps: { name: string; gpa: number; size: number; paddr?: number }[];
  /**
   * The VMM's passthrough IRQs (libvmm virq_register_passthrough): the hardware INTID its
   * `<irq>` delivers on channel `ch` is injected into the guest, and the guest's EOI acks it.
   */
  passthroughIrqs?: { intid: number; ch: number }[];
  /** The vGIC distributor the VMM emulates (the board's GIC; a GICv2 guest programs it through traps). */
  vgic?: { version: 2 | 3; base: number; size: number };
  program: () => GuestProgram;
}

/** The device-tree node whose `reg` covers a faulting address, and why the guest touched it. */
export interface AddressOwner {
  /** The node's path ("/soc@0/bus@30800000/serial@30860000"). */
  path: string;
  /** The guest kernel's driver that binds the node, when one does ("imx-uart"). */
  driver?: string;
  /** Where the node is defined, at the lines of the files the user has. */
  defined: SourceRange;
  /** The assignment that enables it (the winning `status = "okay";`); undefined when no status is set. */
  enabledAt?: SourceRange;
  /** `defined` for a person: the file the user has, and where cpp's line markers say it came from. */
  where: string;
  /** `enabledAt` for a person, as `where`. */
  enabledWhere?: string;
}

export interface EmulatorConfig {
  /** The board (UART model, GIC, ...); default the MaaXBoard. */
  board?: BoardDescription;
  memoryRegions: MemoryRegionConfig[];
  pds: PdConfig[];
  channels: ChannelConfig[];
  serial: SerialConfig;
  roles: SerialRoles;
  guests: GuestConfig[];
  seed?: number;
  /** Names the DT node and source position owning a guest-physical address, for fault messages. */
  describeAddress?: (vm: string, gpa: number) => AddressOwner | undefined;
  /** How many recent events the snapshot keeps (default 256). */
  eventHistory?: number;
  /** PDs that run their real code (WebAssembly built by real/components.ts) instead of a model. */
  real?: RealComponentsConfig;
  /** The live protocol checker's thresholds (protocol/checker.ts); false turns it off. On by default. */
  protocolChecks?: CheckerOptions | false;
}

/**
 * A system with no sDDF serial subsystem: one guest owns the board's UART (mapped into its VM, its
 * IRQ passed through by its VMM) and drives it with its own serial driver.
 */
export type PassthroughConfig = Omit<EmulatorConfig, 'roles' | 'real'> & {
  roles?: undefined;
  real?: undefined;
  /** The VM whose guest owns the UART. */
  uartOwner: string;
};

/** What the emulator boots: an sDDF serial system, or a guest that owns the UART. */
export type MachineConfig = EmulatorConfig | PassthroughConfig;

export const DEFAULT_BUDGET_US = 1000;
