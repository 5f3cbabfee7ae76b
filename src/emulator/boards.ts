// The boards the emulator knows, as data: each board's UART (model, address, INTID, clock, FIFO
// depth), its interrupt controller (GICv2 or v3, where libvmm's vGIC emulates the distributor), its
// RAM, its generic timer's frequency and the device-tree facts that identify it. The Linux model's
// driver set for each board is in guest/linux/drivers.ts (BOARD_DRIVERS), keyed by the same name.
//
// The addresses are those of the board's own device tree and of Microkit's and libvmm's board
// support; the GIC distributors' are libvmm's (libvmm include/libvmm/arch/aarch64/vgic/vgic.h:19-31).
import type { DtTree } from '../devicetree/tree';
import { propertyStrings, getProperty } from '../devicetree/tree';

export type BoardName = 'maaxboard' | 'qemu_virt_aarch64' | 'odroidc4';
export type UartModel = 'imx' | 'pl011' | 'meson';

export interface BoardUart {
  model: UartModel;
  paddr: number;
  size: number;
  /** GIC INTID of its interrupt (SPI + 32), as a `.system`'s `<irq irq=...>` names it. */
  intid: number;
  /** The UART's reference clock (the divisors are programmed against it). */
  clockHz: number;
  /** Depth of each of its FIFOs. */
  fifoDepth: number;
  /** The Linux console device its serial driver registers ("ttyAMA0"). */
  linuxConsole: string;
}

export interface BoardGic {
  version: 2 | 3;
  /** The distributor, emulated by libvmm's vGIC (a trap to the VMM). */
  distributor: { base: number; size: number };
  /** GICv2: the CPU interface the guest's tree names, where the VM maps the physical GICV frame. */
  cpuInterface?: { base: number; size: number };
  /** The physical virtual-CPU interface frame (GICV) a `.system` maps as `gic_vcpu`. */
  vcpuFrame?: number;
}

export interface BoardDescription {
  name: BoardName;
  /** As a person calls it (messages). */
  title: string;
  /** Root `compatible` strings that identify the board's trees (one of them is enough). */
  compatibles: readonly string[];
  uart: BoardUart;
  gic: BoardGic;
  ram: { base: number; size: number };
  /** CNTFRQ: the generic timer's frequency. */
  timerHz: number;
}

export const BOARDS: readonly BoardDescription[] = [
  {
    name: 'maaxboard',
    title: 'Avnet MaaXBoard (i.MX8MQ)',
    compatibles: ['avnet,maaxboard', 'fsl,imx8mq'],
    // uart1: i.MX8MQ reference manual 16.2; SPI 26.
    uart: { model: 'imx', paddr: 0x30860000, size: 0x1000, intid: 58, clockHz: 24_000_000, fifoDepth: 32, linuxConsole: 'ttymxc0' },
    gic: { version: 3, distributor: { base: 0x38800000, size: 0x10000 } },
    ram: { base: 0x40000000, size: 0x80000000 },
    timerHz: 8_333_333,
  },
  {
    name: 'qemu_virt_aarch64',
    title: 'QEMU virt (AArch64)',
    compatibles: ['linux,dummy-virt'],
    // QEMU's hw/arm/virt.c memory map: PL011 at 0x9000000, SPI 1; its PL011 model has 16-entry FIFOs.
    uart: { model: 'pl011', paddr: 0x9000000, size: 0x1000, intid: 33, clockHz: 24_000_000, fifoDepth: 16, linuxConsole: 'ttyAMA0' },
    gic: { version: 2, distributor: { base: 0x8000000, size: 0x1000 }, cpuInterface: { base: 0x8010000, size: 0x10000 }, vcpuFrame: 0x8040000 },
    // Microkit runs QEMU with 2 GiB at 0x40000000.
    ram: { base: 0x40000000, size: 0x80000000 },
    timerHz: 62_500_000,
  },
  {
    name: 'odroidc4',
    title: 'Hardkernel ODROID-C4 (Amlogic S905X3)',
    compatibles: ['hardkernel,odroid-c4', 'amlogic,sm1'],
    // UART_AO_A (S905X3 datasheet 13.5.4): 64-byte FIFOs, SPI 193; GIC-400.
    uart: { model: 'meson', paddr: 0xff803000, size: 0x1000, intid: 225, clockHz: 24_000_000, fifoDepth: 64, linuxConsole: 'ttyAML0' },
    gic: { version: 2, distributor: { base: 0xffc01000, size: 0x1000 }, cpuInterface: { base: 0xffc02000, size: 0x2000 }, vcpuFrame: 0xffc06000 },
    ram: { base: 0x0, size: 0xf5000000 },
    timerHz: 24_000_000,
  },
];

/** The MaaXBoard: the board of the dual-guest example, and the one assumed when nothing says otherwise. */
export const DEFAULT_BOARD: BoardDescription = BOARDS[0];

export function boardByName(name: string): BoardDescription | undefined {
  return BOARDS.find((b) => b.name === name);
}

/** The board a guest tree is written for, by its root `compatible`. */
export function boardForTree(tree: DtTree | undefined): BoardDescription | undefined {
  const p = tree && getProperty(tree.root, 'compatible');
  if (!p) return undefined;
  const list = propertyStrings(p);
  return BOARDS.find((b) => b.compatibles.some((c) => list.includes(c)));
}

/** The board whose UART sits at a physical address (a `.system`'s device region). */
export function boardForUartAddress(paddr: number | undefined): BoardDescription | undefined {
  return paddr === undefined ? undefined : BOARDS.find((b) => b.uart.paddr === paddr);
}

export interface BoardChoice {
  board: BoardDescription;
  /** How it was decided, for messages ("the project file", "the guest tree's compatible", ...). */
  origin: 'project' | 'tree' | 'uart-address' | 'default';
}

/**
 * The board of a system: the project file's `board` when given; else the board the guests' trees
 * name; else the board whose UART is at the address a `.system` region maps; else the MaaXBoard.
 */
export function chooseBoard(projectBoard: BoardDescription | undefined, trees: readonly (DtTree | undefined)[], uartPaddrs: readonly number[]): BoardChoice {
  if (projectBoard) return { board: projectBoard, origin: 'project' };
  for (const t of trees) {
    const b = boardForTree(t);
    if (b) return { board: b, origin: 'tree' };
  }
  for (const a of uartPaddrs) {
    const b = boardForUartAddress(a);
    if (b) return { board: b, origin: 'uart-address' };
  }
  return { board: DEFAULT_BOARD, origin: 'default' };
}
