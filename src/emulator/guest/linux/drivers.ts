// The drivers the modelled kernel is built with, per board (BOARD_DRIVERS): for the MaaXBoard a
// small buildroot kernel for the i.MX8MQ, for QEMU virt and the ODROID-C4 arm64's defconfig. At boot the kernel probes every enabled device-tree node whose `compatible`
// matches one of these, in DT order, touching the registers listed here as the real driver's probe
// would (a representative access or two, not the full init sequence). A node whose registers are
// not mapped into the VM then faults exactly where Linux would.
//
// Plain data, so a project file can extend or replace the list (LinuxGuestOptions.drivers).
// Nodes that the real MaaXBoard tree leaves enabled but that this kernel has no driver for (TMU,
// SDMA, SNVS, SRC, PWM, CAAM, the VPU, ...) are deliberately absent: the real dual-guest system
// boots with them enabled and unmapped, so the real kernel did not touch them either.
//
// This is also the linter's table: the system check "enabled but not mapped"
// (src/system/checks/guest-dt.ts) asks bootProbes() which nodes the guest's kernel touches, so the
// linter reports exactly the devices that make the emulated guest fault, and `guestDriverList` is
// the one place a guest's project settings become its driver list.

import { getProperty, liveChildren, walkNodes, type DtNode, type DtTree } from '../../../devicetree/tree';
import { compatibles, isEnabled } from './device-tree-view';
import { boardByName, boardForTree, DEFAULT_BOARD, type BoardName } from '../../boards';

/** How a driver takes part in boot. */
export type DriverRole =
  | 'device' // a platform driver: probe touches its registers
  | 'irqchip-gic' // the GIC: the vGIC behind GuestMachine.onInterrupt/endOfInterrupt; no register access
  | 'irqchip-gpcv2' // i.MX GPC v2 (irq-imx-gpcv2.c): masks all at init, unmasks a line on request
  | 'virtio-mmio' // virtio_mmio + virtio_console: the console
  | 'arch-timer'; // the virtual timer behind GuestMachine.setTimer/onTimer

export interface RegisterAccess {
  op: 'read' | 'write';
  /** Byte offset from the start of the node's first `reg` window. */
  offset: number;
  /** For writes. */
  value?: number;
}

export interface LinuxDriver {
  /** The kernel driver's name, as dmesg shows it ("imx-uart"). */
  name: string;
  /** 'irqchip-gic' only: the GIC architecture the driver programs. */
  gic?: 2 | 3;
  /** A serial driver that can be the console: its register interface and its tty name prefix ("ttyAMA"). */
  serial?: { kind: 'pl011' | 'imx'; tty: string };
  /** Compatible strings it binds to (of_match_table). */
  compatibles: string[];
  role: DriverRole;
  /** Register accesses its probe makes (role 'device' only). */
  probe?: RegisterAccess[];
  /** The line it logs after a successful probe; `{dev}` is Linux's device name ("30860000.serial"), `{addr}` the MMIO base in hex. */
  message?: string;
}

/** What every arm64 kernel here has: both GIC drivers, the generic timer, virtio-mmio. */
const CORE_DRIVERS: readonly LinuxDriver[] = [
  { name: 'GICv3', gic: 3, compatibles: ['arm,gic-v3'], role: 'irqchip-gic' },
  { name: 'GIC', gic: 2, compatibles: ['arm,gic-400', 'arm,cortex-a15-gic', 'arm,cortex-a9-gic', 'arm,cortex-a7-gic'], role: 'irqchip-gic' },
  { name: 'arch_timer', compatibles: ['arm,armv8-timer', 'arm,armv7-timer'], role: 'arch-timer' },
  { name: 'virtio-mmio', compatibles: ['virtio,mmio'], role: 'virtio-mmio' },
];

/**
 * The AMBA bus reads a PrimeCell's peripheral and cell IDs (the last 32 bytes of its 4 KiB window)
 * before any driver binds it (amba_read_periphid).
 */
const AMBA_ID_READS: RegisterAccess[] = [0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((offset) => ({ op: 'read', offset }));

/** The MaaXBoard's kernel (a small buildroot kernel for the i.MX8MQ). */
const MAAXBOARD_DRIVERS: readonly LinuxDriver[] = [
  ...CORE_DRIVERS,
  { name: 'imx-gpcv2', compatibles: ['fsl,imx8mq-gpc', 'fsl,imx7d-gpc'], role: 'irqchip-gpcv2' },
  // Clocks, pin control and the timer come up first on a real board (they are core drivers); here
  // they are probed in DT order like everything else.
  {
    name: 'imx8mq-ccm',
    compatibles: ['fsl,imx8mq-ccm'],
    role: 'device',
    probe: [{ op: 'read', offset: 0x8000 }],
    message: '{dev}: i.MX8MQ clock controller registered',
  },
  { name: 'anatop', compatibles: ['fsl,imx8mq-anatop', 'fsl,imx6q-anatop'], role: 'device', probe: [{ op: 'read', offset: 0x0 }] },
  {
    name: 'imx8mq-pinctrl',
    compatibles: ['fsl,imx8mq-iomuxc'],
    role: 'device',
    probe: [{ op: 'read', offset: 0x0 }],
    message: '{dev}: initialized IMX pinctrl driver',
  },
  { name: 'imx_ocotp', compatibles: ['fsl,imx8mq-ocotp'], role: 'device', probe: [{ op: 'read', offset: 0x410 }] },
  { name: 'sysctr-timer', compatibles: ['nxp,sysctr-timer'], role: 'device', probe: [{ op: 'read', offset: 0x0 }] },
  { name: 'imx-irqsteer', compatibles: ['fsl,imx-irqsteer', 'fsl,imx8m-irqsteer'], role: 'device', probe: [{ op: 'write', offset: 0x0, value: 1 }] },
  {
    name: 'gpio-mxc',
    compatibles: ['fsl,imx35-gpio', 'fsl,imx8mq-gpio'],
    role: 'device',
    probe: [
      { op: 'write', offset: 0x14, value: 0 },
      { op: 'write', offset: 0x18, value: 0xffffffff },
    ],
  },
  {
    name: 'imx2-wdt',
    compatibles: ['fsl,imx21-wdt', 'fsl,imx8mq-wdt'],
    role: 'device',
    probe: [
      { op: 'read', offset: 0x04 },
      { op: 'read', offset: 0x00 },
    ],
    message: '{dev}: timeout 60 sec (nowayout=0)',
  },
  { name: 'imx-mu', compatibles: ['fsl,imx6sx-mu', 'fsl,imx8mq-mu'], role: 'device', probe: [{ op: 'write', offset: 0x24, value: 0 }] },
  // Its first access is the read of UCR1 (an unmapped UART faults there); the rest of its probe and
  // its banner are the driver's own (imx-uart-console-driver.ts).
  {
    name: 'imx-uart',
    serial: { kind: 'imx', tty: 'ttymxc' },
    compatibles: ['fsl,imx6q-uart', 'fsl,imx8mq-uart', 'fsl,imx21-uart'],
    role: 'device',
    probe: [{ op: 'read', offset: 0x80 }],
  },
  { name: 'spi_imx', compatibles: ['fsl,imx51-ecspi', 'fsl,imx8mq-ecspi'], role: 'device', probe: [{ op: 'write', offset: 0x08, value: 0 }] },
  { name: 'fsl-quadspi', compatibles: ['fsl,imx7d-qspi', 'fsl,imx8mq-qspi'], role: 'device', probe: [{ op: 'read', offset: 0x0 }] },
  {
    name: 'imx-i2c',
    compatibles: ['fsl,imx21-i2c', 'fsl,imx8mq-i2c'],
    role: 'device',
    probe: [
      { op: 'write', offset: 0x08, value: 0 },
      { op: 'write', offset: 0x0c, value: 0 },
    ],
    message: '{dev}: registered i2c adapter',
  },
  {
    name: 'sdhci-esdhc-imx',
    compatibles: ['fsl,imx7d-usdhc', 'fsl,imx8mq-usdhc'],
    role: 'device',
    probe: [{ op: 'read', offset: 0xfc }],
    message: 'mmc: SDHCI controller on {dev} using ADMA',
  },
  {
    name: 'fec',
    compatibles: ['fsl,imx6sx-fec', 'fsl,imx8mq-fec'],
    role: 'device',
    probe: [
      { op: 'write', offset: 0x24, value: 1 },
      { op: 'read', offset: 0x24 },
    ],
    message: 'fec {dev} eth0: registered PHC device 0',
  },
  { name: 'imx8mq-usb-phy', compatibles: ['fsl,imx8mq-usb-phy'], role: 'device', probe: [{ op: 'read', offset: 0x0 }] },
  {
    name: 'dwc3',
    compatibles: ['snps,dwc3', 'fsl,imx8mq-dwc3'],
    role: 'device',
    probe: [{ op: 'read', offset: 0xc120 }],
    message: 'dwc3 {dev}: DWC3 USB controller',
  },
  {
    name: 'imx6q-pcie',
    compatibles: ['fsl,imx8mq-pcie'],
    role: 'device',
    probe: [{ op: 'read', offset: 0x0 }],
    message: 'imx6q-pcie {dev}: host bridge probed',
  },
];

/**
 * arm64 defconfig on QEMU virt: what QEMU's generated tree offers and such a kernel binds. libvmm's
 * QEMU examples disable flash@0 in their overlays and map only the PL011 and the GIC CPU interface:
 * the CFI flash driver probes the flash, and nothing else the tree enables is touched.
 */
const QEMU_VIRT_DRIVERS: readonly LinuxDriver[] = [
  ...CORE_DRIVERS,
  { name: 'uart-pl011', serial: { kind: 'pl011', tty: 'ttyAMA' }, compatibles: ['arm,pl011'], role: 'device', probe: AMBA_ID_READS },
  // physmap-flash's CFI probe: reset, then the query command at word 0x55 of a 32-bit bank, then "QRY".
  {
    name: 'physmap-flash',
    compatibles: ['cfi-flash'],
    role: 'device',
    probe: [
      { op: 'write', offset: 0x0, value: 0xf0f0f0f0 },
      { op: 'write', offset: 0x154, value: 0x98989898 },
      { op: 'read', offset: 0x40 },
    ],
    message: 'physmap-flash {dev}: physmap platform flash device: [mem {addr}]',
  },
  { name: 'pl061_gpio', compatibles: ['arm,pl061'], role: 'device', probe: AMBA_ID_READS },
  { name: 'rtc-pl031', compatibles: ['arm,pl031'], role: 'device', probe: AMBA_ID_READS, message: 'rtc-pl031 {dev}: registered as rtc0' },
  // fw_cfg checks its signature: select key 0 and read "QEMU" from the data register.
  {
    name: 'fw_cfg',
    compatibles: ['qemu,fw-cfg-mmio'],
    role: 'device',
    probe: [
      { op: 'write', offset: 0x8, value: 0 },
      { op: 'read', offset: 0x0 },
    ],
  },
  {
    name: 'pci-host-generic',
    compatibles: ['pci-host-ecam-generic'],
    role: 'device',
    probe: [{ op: 'read', offset: 0x0 }],
    message: 'pci-host-generic {dev}: host bridge /pcie@10000000 ranges:',
  },
];

/** arm64 defconfig on the ODROID-C4 (Amlogic SM1): the Meson drivers for what its tree enables. */
const ODROIDC4_DRIVERS: readonly LinuxDriver[] = [
  ...CORE_DRIVERS,
  // meson_uart_probe resets the UART's state machines through its control register.
  {
    name: 'meson_uart',
    compatibles: ['amlogic,meson-gx-uart', 'amlogic,meson-ao-uart'],
    role: 'device',
    probe: [
      { op: 'read', offset: 0x8 },
      { op: 'write', offset: 0x8, value: 0 },
    ],
    message: '{dev}: ttyAML0 at MMIO {addr} is a meson_uart',
  },
  {
    name: 'meson-gx-mmc',
    compatibles: ['amlogic,meson-axg-mmc', 'amlogic,meson-gx-mmc'],
    role: 'device',
    probe: [{ op: 'write', offset: 0x0, value: 0 }],
    message: 'meson-gx-mmc {dev}: Got CD GPIO',
  },
  {
    name: 'meson8b-dwmac',
    compatibles: ['amlogic,meson-g12a-dwmac', 'amlogic,meson-axg-dwmac'],
    role: 'device',
    probe: [{ op: 'read', offset: 0x1020 }],
    message: 'meson8b-dwmac {dev}: IRQ eth_wake_irq not found',
  },
  { name: 'meson-i2c', compatibles: ['amlogic,meson-axg-i2c', 'amlogic,meson-gxbb-i2c'], role: 'device', probe: [{ op: 'write', offset: 0x0, value: 0 }] },
  { name: 'meson-gxbb-wdt', compatibles: ['amlogic,meson-gxbb-wdt'], role: 'device', probe: [{ op: 'read', offset: 0x0 }] },
  { name: 'meson-rng', compatibles: ['amlogic,meson-rng'], role: 'device', probe: [{ op: 'read', offset: 0x0 }] },
  { name: 'dwc3-meson-g12a', compatibles: ['amlogic,meson-g12a-usb-ctrl'], role: 'device', probe: [{ op: 'read', offset: 0x0 }] },
];

/** Each board's kernel driver set (boards.ts names the boards). */
export const BOARD_DRIVERS: Readonly<Record<BoardName, readonly LinuxDriver[]>> = {
  maaxboard: MAAXBOARD_DRIVERS,
  qemu_virt_aarch64: QEMU_VIRT_DRIVERS,
  odroidc4: ODROIDC4_DRIVERS,
};

/** The MaaXBoard's set: the kernel of the dual-guest example, and the one used when no board is known. */
export const DEFAULT_LINUX_DRIVERS: readonly LinuxDriver[] = MAAXBOARD_DRIVERS;

/** The driver that binds `compatibles` (a node's list, most specific first), as of_match_node picks. */
export function matchDriver(drivers: readonly LinuxDriver[], compatibles: readonly string[]): LinuxDriver | undefined {
  for (const c of compatibles) {
    const d = drivers.find((drv) => drv.compatibles.includes(c));
    if (d) return d;
  }
  return undefined;
}

/** platform bus nodes whose children of_platform_populate also creates (of_default_bus_match_table). */
export const BUS_COMPATIBLES: readonly string[] = ['simple-bus', 'simple-mfd', 'isa', 'arm,amba-bus'];

/** of_platform_populate from the root: enabled nodes with a compatible, descending into simple buses, in DT order. */
export function platformDevices(tree: DtTree): DtNode[] {
  const out: DtNode[] = [];
  const visit = (bus: DtNode): void => {
    for (const child of liveChildren(bus)) {
      if (!isEnabled(child) || !getProperty(child, 'compatible')) continue;
      out.push(child);
      if (compatibles(child).some((c) => BUS_COMPATIBLES.includes(c))) visit(child);
    }
  };
  visit(tree.root);
  return out;
}

/** A node and the driver that binds it. */
export interface Binding {
  node: DtNode;
  driver: LinuxDriver;
}

/**
 * of_irq_init's controllers: enabled (with every ancestor) `interrupt-controller` nodes an irqchip
 * driver binds, the root controllers (the GIC) first, then the ones stacked on them, in DT order.
 */
export function irqChips(tree: DtTree, drivers: readonly LinuxDriver[]): Binding[] {
  const chips: Binding[] = [];
  for (const node of walkNodes(tree.root)) {
    if (!getProperty(node, 'interrupt-controller')) continue;
    const driver = matchDriver(drivers, compatibles(node));
    if (!driver || (driver.role !== 'irqchip-gic' && driver.role !== 'irqchip-gpcv2')) continue;
    let enabled = true;
    for (let n: DtNode | undefined = node; n && enabled; n = n.parent) enabled = isEnabled(n);
    if (enabled) chips.push({ node, driver });
  }
  return [...chips.filter((c) => c.driver.role === 'irqchip-gic'), ...chips.filter((c) => c.driver.role !== 'irqchip-gic')];
}

/**
 * The nodes whose registers the kernel touches at boot, in the order it touches them: the irqchips
 * it programs (the GPC; the GIC is the VMM's vGIC) and the platform devices a 'device' driver
 * probes. The virtio console is left out: its window traps to the VMM by design.
 */
export function bootProbes(tree: DtTree, drivers: readonly LinuxDriver[]): Binding[] {
  const out = irqChips(tree, drivers).filter((c) => c.driver.role === 'irqchip-gpcv2');
  for (const node of platformDevices(tree)) {
    const driver = matchDriver(drivers, compatibles(node));
    if (driver?.role === 'device') out.push({ node, driver });
  }
  return out;
}

/** Linux's platform device name for a node: "<unit address>.<base name>" ("30860000.serial"), or the name. */
export function platformDeviceName(nodeName: string, cpuAddress: number | undefined): string {
  const at = nodeName.indexOf('@');
  const base = at < 0 ? nodeName : nodeName.slice(0, at);
  return cpuAddress === undefined ? base : `${cpuAddress.toString(16)}.${base}`;
}

/** How a project file changes the kernel's driver list. */
export interface DriverListSetting {
  /** 'extend': the defaults plus these (one with a default's name replaces it); 'replace': only these. */
  mode: 'extend' | 'replace';
  drivers: LinuxDriver[];
}

/** The driver list a guest runs with, from the project's setting over a board's set (the MaaXBoard's by default). */
export function driverList(setting?: DriverListSetting, base: readonly LinuxDriver[] = DEFAULT_LINUX_DRIVERS): readonly LinuxDriver[] {
  if (!setting) return base;
  if (setting.mode === 'replace') return setting.drivers;
  const names = new Set(setting.drivers.map((d) => d.name));
  // The project's entries come first so that they win when compatibles overlap.
  return [...setting.drivers, ...base.filter((d) => !names.has(d.name))];
}

/** The driver set of the board a guest runs on: the project's `board`, else the board its tree names, else the MaaXBoard. */
export function boardDriverSet(board: BoardName | undefined, tree?: DtTree): readonly LinuxDriver[] {
  const b = (board && boardByName(board)) ?? boardForTree(tree) ?? DEFAULT_BOARD;
  return BOARD_DRIVERS[b.name];
}

/** What a project says about a guest's kernel (GuestConfig's fields). */
export interface GuestKernel {
  /** `guests.<vm>.kernelDrivers`. */
  kernelDrivers?: readonly string[];
  /** The compatible-like strings of the kernel image `guests.<vm>.kernel` (kernel-image.ts). */
  kernelCompatibles?: ReadonlySet<string>;
  /** The project file's `board`; else the board is the one the tree names. */
  board?: BoardName;
}

/**
 * The driver list of a guest as its project file sets it: what the emulator boots with and what the
 * linter checks against. `kernelDrivers` when given; else the compatibles of `tree` that its kernel
 * image carries; else the defaults.
 */
export function guestDriverList(guest: GuestKernel, tree?: DtTree): readonly LinuxDriver[] {
  const base = boardDriverSet(guest.board, tree);
  if (guest.kernelDrivers) return driversForCompatibles(guest.kernelDrivers, base);
  const inImage = guest.kernelCompatibles;
  if (inImage && tree) {
    const found = new Set<string>();
    for (const node of walkNodes(tree.root)) for (const c of compatibles(node)) if (inImage.has(c)) found.add(c);
    return driversForCompatibles([...found], base);
  }
  return base;
}

/** Roles every arm64 virtio guest kernel has, whatever the project lists. */
const CORE_ROLES: readonly DriverRole[] = ['irqchip-gic', 'virtio-mmio', 'arch-timer'];

/**
 * The driver list for a project's `guests.<vm>.kernelDrivers` (the compatible strings the guest
 * kernel has drivers for, as the system checks read it): the default drivers narrowed to those
 * compatibles, plus a generic driver (one read of the first register) for each listed compatible
 * the defaults lack. The GIC, virtio-mmio and timer drivers always stay.
 */
export function driversForCompatibles(listed: readonly string[], base: readonly LinuxDriver[] = DEFAULT_LINUX_DRIVERS): LinuxDriver[] {
  const wanted = new Set(listed);
  const out: LinuxDriver[] = [];
  for (const d of base) {
    if (CORE_ROLES.includes(d.role)) out.push(d);
    else {
      const kept = d.compatibles.filter((c) => wanted.has(c));
      if (kept.length > 0) out.push({ ...d, compatibles: kept });
    }
  }
  for (const c of listed) {
    if (!out.some((d) => d.compatibles.includes(c)))
      out.push({ name: c, compatibles: [c], role: 'device', probe: [{ op: 'read', offset: 0 }], message: `{dev}: probed (${c})` });
  }
  return out;
}
