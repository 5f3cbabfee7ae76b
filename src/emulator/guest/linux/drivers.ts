// The drivers the modelled kernel is built with: modelled on a small buildroot kernel for the
// MaaXBoard (i.MX8MQ). At boot the kernel probes every enabled device-tree node whose `compatible`
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
  /** Compatible strings it binds to (of_match_table). */
  compatibles: string[];
  role: DriverRole;
  /** Register accesses its probe makes (role 'device' only). */
  probe?: RegisterAccess[];
  /** The line it logs after a successful probe; `{dev}` is Linux's device name ("30860000.serial"), `{addr}` the MMIO base in hex. */
  message?: string;
}

export const DEFAULT_LINUX_DRIVERS: readonly LinuxDriver[] = [
  { name: 'GICv3', compatibles: ['arm,gic-v3', 'arm,gic-400', 'arm,cortex-a15-gic'], role: 'irqchip-gic' },
  { name: 'imx-gpcv2', compatibles: ['fsl,imx8mq-gpc', 'fsl,imx7d-gpc'], role: 'irqchip-gpcv2' },
  { name: 'arch_timer', compatibles: ['arm,armv8-timer', 'arm,armv7-timer'], role: 'arch-timer' },
  { name: 'virtio-mmio', compatibles: ['virtio,mmio'], role: 'virtio-mmio' },
  // Clocks, pin control and the timer come up first on a real board (they are core drivers); here
  // they are probed in DT order like everything else.
  { name: 'imx8mq-ccm', compatibles: ['fsl,imx8mq-ccm'], role: 'device', probe: [{ op: 'read', offset: 0x8000 }], message: '{dev}: i.MX8MQ clock controller registered' },
  { name: 'anatop', compatibles: ['fsl,imx8mq-anatop', 'fsl,imx6q-anatop'], role: 'device', probe: [{ op: 'read', offset: 0x0 }] },
  { name: 'imx8mq-pinctrl', compatibles: ['fsl,imx8mq-iomuxc'], role: 'device', probe: [{ op: 'read', offset: 0x0 }], message: '{dev}: initialized IMX pinctrl driver' },
  { name: 'imx_ocotp', compatibles: ['fsl,imx8mq-ocotp'], role: 'device', probe: [{ op: 'read', offset: 0x410 }] },
  { name: 'sysctr-timer', compatibles: ['nxp,sysctr-timer'], role: 'device', probe: [{ op: 'read', offset: 0x0 }] },
  { name: 'imx-irqsteer', compatibles: ['fsl,imx-irqsteer', 'fsl,imx8m-irqsteer'], role: 'device', probe: [{ op: 'write', offset: 0x0, value: 1 }] },
  { name: 'gpio-mxc', compatibles: ['fsl,imx35-gpio', 'fsl,imx8mq-gpio'], role: 'device', probe: [{ op: 'write', offset: 0x14, value: 0 }, { op: 'write', offset: 0x18, value: 0xffffffff }] },
  { name: 'imx2-wdt', compatibles: ['fsl,imx21-wdt', 'fsl,imx8mq-wdt'], role: 'device', probe: [{ op: 'read', offset: 0x04 }, { op: 'read', offset: 0x00 }], message: '{dev}: timeout 60 sec (nowayout=0)' },
  { name: 'imx-mu', compatibles: ['fsl,imx6sx-mu', 'fsl,imx8mq-mu'], role: 'device', probe: [{ op: 'write', offset: 0x24, value: 0 }] },
  { name: 'imx-uart', compatibles: ['fsl,imx6q-uart', 'fsl,imx8mq-uart', 'fsl,imx21-uart'], role: 'device', probe: [{ op: 'read', offset: 0x80 }, { op: 'write', offset: 0x80, value: 0 }, { op: 'read', offset: 0xb4 }], message: '{dev}: ttymxc at MMIO {addr} is a IMX' },
  { name: 'spi_imx', compatibles: ['fsl,imx51-ecspi', 'fsl,imx8mq-ecspi'], role: 'device', probe: [{ op: 'write', offset: 0x08, value: 0 }] },
  { name: 'fsl-quadspi', compatibles: ['fsl,imx7d-qspi', 'fsl,imx8mq-qspi'], role: 'device', probe: [{ op: 'read', offset: 0x0 }] },
  { name: 'imx-i2c', compatibles: ['fsl,imx21-i2c', 'fsl,imx8mq-i2c'], role: 'device', probe: [{ op: 'write', offset: 0x08, value: 0 }, { op: 'write', offset: 0x0c, value: 0 }], message: '{dev}: registered i2c adapter' },
  { name: 'sdhci-esdhc-imx', compatibles: ['fsl,imx7d-usdhc', 'fsl,imx8mq-usdhc'], role: 'device', probe: [{ op: 'read', offset: 0xfc }], message: 'mmc: SDHCI controller on {dev} using ADMA' },
  { name: 'fec', compatibles: ['fsl,imx6sx-fec', 'fsl,imx8mq-fec'], role: 'device', probe: [{ op: 'write', offset: 0x24, value: 1 }, { op: 'read', offset: 0x24 }], message: 'fec {dev} eth0: registered PHC device 0' },
  { name: 'imx8mq-usb-phy', compatibles: ['fsl,imx8mq-usb-phy'], role: 'device', probe: [{ op: 'read', offset: 0x0 }] },
  { name: 'dwc3', compatibles: ['snps,dwc3', 'fsl,imx8mq-dwc3'], role: 'device', probe: [{ op: 'read', offset: 0xc120 }], message: 'dwc3 {dev}: DWC3 USB controller' },
  { name: 'imx6q-pcie', compatibles: ['fsl,imx8mq-pcie'], role: 'device', probe: [{ op: 'read', offset: 0x0 }], message: 'imx6q-pcie {dev}: host bridge probed' },
];

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

/** The driver list a guest runs with, from the project's setting (the defaults when there is none). */
export function driverList(setting?: DriverListSetting): readonly LinuxDriver[] {
  if (!setting) return DEFAULT_LINUX_DRIVERS;
  if (setting.mode === 'replace') return setting.drivers;
  const names = new Set(setting.drivers.map((d) => d.name));
  // The project's entries come first so that they win when compatibles overlap.
  return [...setting.drivers, ...DEFAULT_LINUX_DRIVERS.filter((d) => !names.has(d.name))];
}

/** What a project says about a guest's kernel (GuestConfig's fields). */
export interface GuestKernel {
  /** `guests.<vm>.kernelDrivers`. */
  kernelDrivers?: readonly string[];
  /** The compatible-like strings of the kernel image `guests.<vm>.kernel` (kernel-image.ts). */
  kernelCompatibles?: ReadonlySet<string>;
}

/**
 * The driver list of a guest as its project file sets it: what the emulator boots with and what the
 * linter checks against. `kernelDrivers` when given; else the compatibles of `tree` that its kernel
 * image carries; else the defaults.
 */
export function guestDriverList(guest: GuestKernel, tree?: DtTree): readonly LinuxDriver[] {
  if (guest.kernelDrivers) return driversForCompatibles(guest.kernelDrivers);
  const inImage = guest.kernelCompatibles;
  if (inImage && tree) {
    const found = new Set<string>();
    for (const node of walkNodes(tree.root)) for (const c of compatibles(node)) if (inImage.has(c)) found.add(c);
    return driversForCompatibles([...found]);
  }
  return DEFAULT_LINUX_DRIVERS;
}

/** Roles every arm64 virtio guest kernel has, whatever the project lists. */
const CORE_ROLES: readonly DriverRole[] = ['irqchip-gic', 'virtio-mmio', 'arch-timer'];

/**
 * The driver list for a project's `guests.<vm>.kernelDrivers` (the compatible strings the guest
 * kernel has drivers for, as the system checks read it): the default drivers narrowed to those
 * compatibles, plus a generic driver (one read of the first register) for each listed compatible
 * the defaults lack. The GIC, virtio-mmio and timer drivers always stay.
 */
export function driversForCompatibles(listed: readonly string[]): LinuxDriver[] {
  const wanted = new Set(listed);
  const out: LinuxDriver[] = [];
  for (const d of DEFAULT_LINUX_DRIVERS) {
    if (CORE_ROLES.includes(d.role)) out.push(d);
    else {
      const kept = d.compatibles.filter((c) => wanted.has(c));
      if (kept.length > 0) out.push({ ...d, compatibles: kept });
    }
  }
  for (const c of listed) {
    if (!out.some((d) => d.compatibles.includes(c))) out.push({ name: c, compatibles: [c], role: 'device', probe: [{ op: 'read', offset: 0 }], message: `{dev}: probed (${c})` });
  }
  return out;
}
