// Checks across a guest's device tree and the .system: memory node vs the VM's RAM map, the virtio
// console node, chosen (stdout, bootargs, initrd window), devices enabled but not mapped (and maps
// with no device), dependencies of passed-through devices, the virtio node's interrupt routing,
// DMA-capable passthrough without 1:1 RAM. Each finding points where the fix belongs.
//
// Which devices the guest touches at boot is the emulated kernel's driver table
// (src/emulator/guest/linux/drivers.ts; per guest through `kernelDrivers` or its kernel image): one
// table decides both what the linter reports and where the emulated guest faults.

import type { Diagnostic, SourceRange } from '../../common/diagnostics';
import { unreadableReason, type FileHost } from '../../common/host';
import { getProperty, nodePath, propertyCells, walkNodes, type DtNode, type DtTree } from '../../devicetree/tree';
import { attribute, findMr, findVm, hex, type SystemModel, type VirtualMachine } from '../model';
import type { GuestConfig, Project } from '../project-model';
import type { Finding, Report } from './rule';
import { isVirtioMmio as isVirtio, resolveVirtioConsole } from '../virtio';
import { bootProbes, guestDriverList, matchDriver, platformDevices, type LinuxDriver } from '../../emulator/guest/linux/drivers';
import {
  compatibles,
  contains,
  findGic,
  interruptParent,
  isEnabled,
  isGic,
  memoryNodes,
  overlaps,
  phandleTargets,
  regRanges,
  resolveStdoutPath,
  stringProp,
  type AddressRange,
} from '../dt-facts';

/** What the devicetree compiler hands back (src/devicetree/compile.ts); only the tree is read here. */
export interface GuestTree {
  tree?: DtTree;
  diagnostics: Diagnostic[];
}

/** Room the checks assume for the DTB when placing it against the initrd (real guest DTBs are < 64 KiB). */
const DTB_SIZE_ESTIMATE = 0x10000;

/** Properties naming devices a node needs running, with the provider's argument-count property. */
export const DEPENDENCY_PROPS: [string, string | undefined][] = [
  ['clocks', '#clock-cells'],
  ['pinctrl-0', undefined],
  ['power-domains', '#power-domain-cells'],
];

/** Device classes that master the bus (DMA) by themselves. */
const DMA_NODE_NAMES = ['ethernet', 'mmc', 'usb', 'sata', 'pcie', 'dma-controller', 'gpu', 'vpu', 'sdhci'];

function fmtRange(r: AddressRange): string {
  return `[${hex(r.base)}..${hex(r.base + r.size)})`;
}

export interface VmMapping extends AddressRange {
  mr: string;
  element: { nameRange: SourceRange };
}

export function vmMappings(system: SystemModel, vm: VirtualMachine): VmMapping[] {
  const out: VmMapping[] = [];
  for (const m of vm.maps) {
    const mr = findMr(system, m.mr);
    if (mr) out.push({ base: m.vaddr, size: mr.size, mr: m.mr, element: m.element });
  }
  return out;
}

function isMapped(maps: VmMapping[], ranges: AddressRange[]): boolean {
  return ranges.length > 0 && ranges.every((r) => maps.some((m) => contains(m, r)));
}

function u64Prop(node: DtNode, name: string): number | undefined {
  const p = getProperty(node, name);
  if (!p) return undefined;
  const c = propertyCells(p);
  if (c.length === 1) return c[0];
  if (c.length === 2) return c[0] * 0x100000000 + c[1];
  return undefined;
}

/**
 * What the cross checks read from a tree alone, computed once per tree for every guest built from it
 * (two guests on one base share one compiled tree): memory nodes, devices, register windows, the
 * platform devices and, per driver list, the boot probes. A compiled tree is read-only (tree.ts), so
 * nothing here can go stale; a new compile is a new tree with facts of its own.
 */
class TreeFacts {
  private readonly regs = new Map<DtNode, AddressRange[]>();
  private readonly probes = new Map<readonly LinuxDriver[], { node: DtNode; driver: LinuxDriver }[]>();
  private mems?: DtNode[];
  private devs?: { node: DtNode; regs: AddressRange[] }[];
  private platform?: DtNode[];
  private chosenNode?: { node: DtNode | undefined };

  private constructor(readonly tree: DtTree) {}

  private static readonly byTree = new WeakMap<DtTree, TreeFacts>();

  static of(tree: DtTree): TreeFacts {
    let facts = TreeFacts.byTree.get(tree);
    if (!facts) TreeFacts.byTree.set(tree, (facts = new TreeFacts(tree)));
    return facts;
  }

  /** regRanges(node), once per node. */
  regRanges(node: DtNode): AddressRange[] {
    let r = this.regs.get(node);
    if (!r) this.regs.set(node, (r = regRanges(node)));
    return r;
  }

  get memoryNodes(): DtNode[] {
    return (this.mems ??= memoryNodes(this.tree));
  }

  get chosen(): DtNode | undefined {
    this.chosenNode ??= { node: this.tree.root.children.find((n) => n.name === 'chosen' && !n.deleted) };
    return this.chosenNode.node;
  }

  /** Enabled nodes with registers, memory nodes left out. */
  get devices(): { node: DtNode; regs: AddressRange[] }[] {
    if (this.devs) return this.devs;
    const out: { node: DtNode; regs: AddressRange[] }[] = [];
    for (const node of walkNodes(this.tree.root)) {
      if (node === this.tree.root || !isEnabled(node) || stringProp(node, 'device_type') === 'memory') continue;
      const regs = this.regRanges(node);
      if (regs.length > 0) out.push({ node, regs });
    }
    return (this.devs = out);
  }

  get platformDevices(): DtNode[] {
    return (this.platform ??= platformDevices(this.tree));
  }

  bootProbes(drivers: readonly LinuxDriver[]): { node: DtNode; driver: LinuxDriver }[] {
    let p = this.probes.get(drivers);
    if (!p) this.probes.set(drivers, (p = [...bootProbes(this.tree, drivers)]));
    return p;
  }
}

/**
 * What the cross checks read about one guest, computed once for all of them: the VM's mappings and
 * RAM, the console the VMM emulates, and (on first use) the tree's memory nodes, devices and the
 * devices the guest kernel probes at boot (the tree's share in TreeFacts, shared with the other
 * guests on the same tree).
 */
export class GuestCheck {
  readonly system: SystemModel;
  readonly maps: VmMapping[];
  readonly ram: AddressRange;
  readonly virtio: ReturnType<typeof resolveVirtioConsole>;
  readonly rootRange: SourceRange;
  private readonly facts: TreeFacts;

  private constructor(
    readonly project: Project,
    readonly guest: GuestConfig,
    readonly tree: DtTree,
    readonly vm: VirtualMachine,
    readonly host?: FileHost,
  ) {
    this.system = project.system;
    this.maps = vmMappings(this.system, vm);
    this.ram = { base: guest.ramGpa, size: guest.ramSize };
    this.virtio = resolveVirtioConsole(guest, tree);
    this.rootRange = tree.root.nameRange;
    this.facts = TreeFacts.of(tree);
  }

  /** The checks' view of `guest`, or undefined when the .system has no such VM (nothing to check). */
  static of(project: Project, guest: GuestConfig, tree: DtTree, host?: FileHost): GuestCheck | undefined {
    const vm = findVm(project.system, guest.vm);
    return vm && new GuestCheck(project, guest, tree, vm, host);
  }

  private cache = new Map<string, unknown>();
  private once<T>(key: string, compute: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, compute());
    return this.cache.get(key) as T;
  }

  get memoryNodes(): DtNode[] {
    return this.facts.memoryNodes;
  }

  /** The node's register windows as CPU addresses (regRanges, once per node of the tree). */
  regRanges(node: DtNode): AddressRange[] {
    return this.facts.regRanges(node);
  }

  get platformDevices(): DtNode[] {
    return this.facts.platformDevices;
  }

  /** What the memory nodes describe, all together. */
  get describedMemory(): AddressRange[] {
    return this.once('described', () => this.memoryNodes.flatMap((m) => this.regRanges(m)));
  }

  get chosen(): DtNode | undefined {
    return this.facts.chosen;
  }

  /** Enabled nodes with registers, memory nodes left out. */
  get devices(): { node: DtNode; regs: AddressRange[] }[] {
    return this.facts.devices;
  }

  get drivers(): readonly LinuxDriver[] {
    return this.once('drivers', () => guestDriverList(this.guest, this.tree));
  }

  /** The driver list comes from the kernel image's compatibles (no kernelDrivers to edit). */
  get driversFromImage(): boolean {
    return !this.guest.kernelDrivers && this.guest.kernelCompatibles !== undefined;
  }

  /** What the kernel touches at boot (probes, irqchip init). */
  get bootProbes(): { node: DtNode; driver: LinuxDriver }[] {
    return this.facts.bootProbes(this.drivers);
  }

  /** Devices the user mapped: meant for the guest, so their providers and interrupts are checked. */
  get passedThrough(): DtNode[] {
    return this.once('passed', () =>
      this.devices.filter(({ node, regs }) => !this.isEmulated(node) && !isBus(node) && this.outsideRam(regs) && isMapped(this.maps, regs)).map((d) => d.node),
    );
  }

  /** Devices the VMM emulates: the virtio devices and the GIC. */
  isEmulated(node: DtNode): boolean {
    return isVirtio(node) || isGic(node);
  }

  outsideRam(regs: AddressRange[]): boolean {
    return !regs.every((r) => contains(this.ram, r));
  }
}

function isBus(node: DtNode): boolean {
  return !!getProperty(node, 'ranges') || compatibles(node).includes('simple-bus');
}

/** guest-dt-memory: the memory nodes describe the VM's RAM map. */
export function checkMemoryNodes(g: GuestCheck, report: Report): void {
  const { guest, ram } = g;
  if (!guest.ramRegion) return;
  const mems = g.memoryNodes;
  if (mems.length === 0) {
    report({ message: `the device tree of '${guest.vm}' has no memory node; the VM's RAM is ${fmtRange(ram)}`, range: g.rootRange, subject: '/' });
  }
  // Linux uses what the memory nodes describe: less than the RAM map only wastes the rest; memory
  // outside it is touched (memblock allocates from the top) and faults.
  for (const mem of mems) {
    const regs = g.regRanges(mem);
    const where = getProperty(mem, 'reg')?.range ?? mem.nameRange;
    const outside = regs.filter((r) => !contains(ram, r));
    if (regs.length === 0) {
      report({
        message: `memory node ${nodePath(mem)} describes no memory, but '${guest.vm}' maps RAM '${guest.ramRegion}' at ${fmtRange(ram)}`,
        range: where,
        subject: nodePath(mem),
      });
    } else if (outside.length > 0) {
      report({
        message: `memory node ${nodePath(mem)} describes ${outside.map(fmtRange).join(', ')}, outside the RAM '${guest.ramRegion}' that '${guest.vm}' maps at ${fmtRange(ram)}: Linux would use memory that is not mapped and fault`,
        range: where,
        subject: nodePath(mem),
      });
    }
  }
  const described = g.describedMemory.reduce((n, r) => n + r.size, 0);
  if (mems.length > 0 && described < ram.size && mems.every((m) => g.regRanges(m).length > 0 && g.regRanges(m).every((r) => contains(ram, r)))) {
    const mem = mems[0];
    const what = `memory node${mems.length > 1 ? 's' : ''} ${mems.map(nodePath).join(', ')} describe${mems.length > 1 ? '' : 's'} ${hex(described)} bytes of the ${hex(ram.size)} bytes of RAM '${guest.ramRegion}' that '${guest.vm}' maps at ${fmtRange(ram)}`;
    const where = getProperty(mem, 'reg')?.range ?? mem.nameRange;
    // The VMM loads the kernel at the start of the RAM: memory Linux is not told about cannot hold it.
    if (!g.describedMemory.some((w) => contains(w, { base: ram.base, size: 1 }))) {
      report({
        message: `${what}, without its start ${hex(ram.base)} where the kernel runs: Linux finds no memory node for itself and stops`,
        range: where,
        subject: nodePath(mem),
      });
    } else report({ message: `${what}: Linux leaves the rest unused`, range: where, subject: nodePath(mem), lesser: true });
  }
}

/**
 * guest-dt-virtio: the console node the VMM emulates (virtio.ts tells it from the other virtio
 * devices, which the VMM emulates too and which are not checked against the console's window).
 */
export function checkVirtioConsole(g: GuestCheck, report: Report): void {
  const { guest, virtio } = g;
  const window: AddressRange = { base: virtio.window.base, size: virtio.window.size };
  const spi = virtio.window.spi;
  const consoleNode = virtio.node;
  // A guest without a virtio console (e.g. a passed-through UART) has nothing to check here.
  if (!guest.virtioConsole) return;
  if (!consoleNode) {
    const where = guest.virtioSet.base !== undefined ? ` at ${hex(window.base)} (the project file's virtio console)` : '';
    const message =
      virtio.ambiguous.length > 0
        ? `cannot tell which "virtio,mmio" node is the console of '${guest.vm}' (${virtio.ambiguous.map((d) => nodePath(d.node)).join(', ')}): name it after the console (virtio-console@...) or give the project file's "virtio": {"base": ...}`
        : `no enabled "virtio,mmio" console node${where} in the device tree of '${guest.vm}': the guest will not find its console`;
    report({ message, range: guest.ranges.virtio ?? g.rootRange, lesser: true });
    return;
  }
  const path = nodePath(consoleNode);
  const reg = g.regRanges(consoleNode)[0];
  const regProp = getProperty(consoleNode, 'reg');
  if (reg.size !== window.size) {
    report({
      message: `${path}: reg size ${hex(reg.size)} differs from the VMM's virtio window size ${hex(window.size)}`,
      range: regProp?.range,
      subject: path,
      lesser: true,
    });
  }
  for (const m of g.maps) {
    if (overlaps(m, reg)) {
      report({
        message: `${path}: reg ${fmtRange(reg)} lies inside the mapping of '${m.mr}' ${fmtRange(m)}: accesses would not trap to the VMM`,
        range: regProp?.range,
        subject: path,
      });
    }
  }
  const irqProp = getProperty(consoleNode, 'interrupts');
  const cells = irqProp ? propertyCells(irqProp) : [];
  if (!irqProp || cells.length < 2) {
    report({ message: `${path} has no 'interrupts' = <0 ${spi} 4> (SPI ${spi}, INTID ${spi + 32})`, range: consoleNode.nameRange, subject: path });
  } else if (cells[0] !== 0 || cells[1] !== spi) {
    const what = cells[0] !== 0 ? `a PPI (type ${cells[0]})` : `SPI ${cells[1]} (INTID ${cells[1] + 32})`;
    report({ message: `${path}: interrupts gives ${what}, but the VMM injects SPI ${spi} (INTID ${spi + 32})`, range: irqProp.range, subject: path });
  }
}

/** guest-dt-stdout: /chosen/stdout-path names an enabled device the guest can reach. */
export function checkStdoutPath(g: GuestCheck, report: Report): void {
  const chosen = g.chosen;
  const stdoutProp = chosen && getProperty(chosen, 'stdout-path');
  const stdout = stdoutProp ? stringProp(chosen!, 'stdout-path') : undefined;
  if (!stdoutProp || stdout === undefined) return;
  const target = resolveStdoutPath(g.tree, stdout);
  const at = { range: stdoutProp.range, subject: '/chosen' };
  if (!target) report({ message: `/chosen/stdout-path '${stdout}' does not resolve to a node`, ...at });
  else if (!isEnabled(target))
    report({
      message: `/chosen/stdout-path '${stdout}' points at a disabled node: the kernel ignores it and has no console until console= in bootargs`,
      ...at,
    });
  else if (!isVirtio(target) && !isMapped(g.maps, g.regRanges(target))) {
    report({ message: `/chosen/stdout-path '${stdout}' points at a device that is not mapped into '${g.guest.vm}'`, ...at });
  }
}

/** guest-dt-bootargs: a virtio console needs console=hvc0. */
export function checkBootargs(g: GuestCheck, report: Report): void {
  const chosen = g.chosen;
  if (!chosen || !g.guest.virtioConsole || !g.virtio.node) return;
  const bootargsProp = getProperty(chosen, 'bootargs');
  const bootargs = bootargsProp ? (stringProp(chosen, 'bootargs') ?? '') : '';
  if (!bootargs.split(' ').includes('console=hvc0')) {
    report({
      message: `the console is virtio, but /chosen/bootargs has no 'console=hvc0': the kernel will not print to it`,
      range: bootargsProp?.range ?? chosen.nameRange,
      subject: '/chosen',
    });
  }
}

/** guest-dt-initrd: the initrd window and the DTB inside guest RAM, apart, and the image fitting. */
export function checkInitrdAndDtb(g: GuestCheck, report: Report): void {
  const { guest, ram } = g;
  const chosen = g.chosen;
  const startProp = chosen && getProperty(chosen, 'linux,initrd-start');
  const start = chosen && u64Prop(chosen, 'linux,initrd-start');
  const end = chosen && u64Prop(chosen, 'linux,initrd-end');
  if (chosen && startProp && start !== undefined && end !== undefined) {
    const at = { range: startProp.range, subject: '/chosen' };
    const endRange = getProperty(chosen, 'linux,initrd-end')!.range;
    const window: AddressRange = { base: start, size: Math.max(0, end - start) };
    if (end < start) report({ message: `linux,initrd-end ${hex(end)} is below linux,initrd-start ${hex(start)}`, range: endRange, subject: '/chosen' });
    else if (guest.ramRegion && !contains(ram, window)) {
      report({ message: `Initrd copy destination ${fmtRange(window)} not in valid guest RAM ${fmtRange(ram)}`, ...at });
    } else if (g.memoryNodes.length > 0 && !g.describedMemory.some((w) => contains(w, window))) {
      // Inside the RAM map but outside the memory the tree describes (a memory node smaller than the map).
      report({
        message: `the initrd window ${fmtRange(window)} lies outside the memory the memory nodes describe: Linux cannot reach it and finds no root file system`,
        ...at,
      });
    }
    if (guest.ranges.initrdAddr && start !== guest.initrdAddr) {
      report({
        message: `linux,initrd-start ${hex(start)} differs from where the VMM copies the initrd (${hex(guest.initrdAddr)}, the project file's initrdAddr)`,
        ...at,
        lesser: true,
      });
    }
    const dtb: AddressRange = { base: guest.dtbAddr, size: DTB_SIZE_ESTIMATE };
    if (overlaps(dtb, window)) {
      report({
        message: `DTB at ${hex(guest.dtbAddr)} overlaps with the destination of the initial RAM disk ${fmtRange(window)}`,
        range: guest.ranges.dtbAddr ?? startProp.range,
        subject: '/chosen',
      });
    }
    if (guest.initrdImage && g.host) {
      const image = g.host.readFile(guest.initrdImage);
      if (!image) report({ message: `initrd image '${guest.initrdImage}': ${unreadableReason(g.host, guest.initrdImage)}`, range: guest.ranges.initrd });
      else if (image.length > window.size) {
        report({
          message: `initrd image is ${hex(image.length)} bytes, larger than the linux,initrd-start/end window (${hex(window.size)})`,
          range: endRange,
          subject: '/chosen',
        });
      }
    }
  }
  if (guest.ramRegion && !contains(ram, { base: guest.dtbAddr, size: DTB_SIZE_ESTIMATE })) {
    const ramMap = g.vm.maps.find((m) => m.mr === guest.ramRegion);
    report({ message: `DTB address ${hex(guest.dtbAddr)} is not in guest RAM ${fmtRange(ram)}`, range: guest.ranges.dtbAddr ?? ramMap?.element.nameRange });
  }
}

/** guest-dt-unmapped-device: what the kernel touches at boot is mapped, else the guest faults there. */
export function checkProbedDevicesMapped(g: GuestCheck, report: Report): void {
  for (const { node, driver } of g.bootProbes) {
    const regs = g.regRanges(node);
    if (regs.length === 0 || !g.outsideRam(regs) || isMapped(g.maps, regs)) continue;
    const what =
      driver.role === 'device' ? `the guest kernel's driver ${driver.name} probes it` : `the guest kernel's irqchip driver ${driver.name} programs it`;
    const fixes = g.driversFromImage
      ? 'set status = "disabled" or map it'
      : `set status = "disabled", map it, or leave ${driverCompatibles(node, driver)} out of guests.<vm>.kernelDrivers in dual-guest.json`;
    report(
      statusFinding(
        node,
        `${nodePath(node)} is enabled and ${what}, but its registers ${regs.map(fmtRange).join(', ')} are not mapped into '${g.guest.vm}': the guest faults at boot (${fixes})`,
      ),
    );
  }
}

/**
 * guest-dt-unmapped-no-driver: the rest of the platform devices. Nothing probes them, so nothing
 * faults; a hint in case the user's kernel has a driver the driver list lacks.
 */
export function checkUnprobedDevices(g: GuestCheck, report: Report): void {
  const probed = new Set(g.bootProbes.map((p) => p.node));
  for (const node of g.platformDevices) {
    const regs = g.regRanges(node);
    if (probed.has(node) || regs.length === 0 || g.isEmulated(node) || isBus(node) || !g.outsideRam(regs) || isMapped(g.maps, regs)) continue;
    if (matchDriver(g.drivers, compatibles(node))) continue; // an irqchip or a core driver the VMM stands in for
    const compat = compatibles(node)[0];
    report(
      statusFinding(
        node,
        g.driversFromImage
          ? `${nodePath(node)} is enabled but not mapped into '${g.guest.vm}': the guest's kernel image has no driver for ${compatibles(node)
              .map((c) => `"${c}"`)
              .join(', ')}, so nothing probes it`
          : `${nodePath(node)} is enabled but not mapped into '${g.guest.vm}': the guest kernel's driver list has no driver for "${compat}", so nothing probes it (if your kernel has one, add "${compat}" to guests.<vm>.kernelDrivers in dual-guest.json)`,
      ),
    );
  }
}

/** guest-map-no-device: every VM mapping but the RAM has an enabled node there. */
export function checkMapsHaveDevices(g: GuestCheck, report: Report): void {
  for (const m of g.maps) {
    if (m.mr === g.guest.ramRegion) continue;
    if (!g.devices.some(({ regs }) => regs.some((r) => overlaps(r, m)))) {
      report({ message: `'${g.guest.vm}' maps '${m.mr}' at ${fmtRange(m)} but no enabled device-tree node has registers there`, range: m.element.nameRange });
    }
  }
}

/**
 * guest-dt-dependency: providers a passed-through device needs (clocks, pins, power), followed
 * through mapped providers to theirs, are mapped or disabled.
 */
export function checkDependencies(g: GuestCheck, report: Report): void {
  for (const node of g.passedThrough) {
    for (const [prop, cellsName] of DEPENDENCY_PROPS) {
      const first = getProperty(node, prop);
      if (!first) continue;
      for (const provider of phandleTargets(g.tree, node, prop, cellsName)) {
        const found = unreachableProvider(g.tree, provider, g.maps, (n) => g.isEmulated(n), [nodePath(node), prop], new Set([node]));
        if (found) {
          report({
            message: `${found.join(' -> ')}: the provider is enabled but not mapped into '${g.guest.vm}' (map it or set status = "disabled")`,
            range: first.range,
            subject: nodePath(node),
          });
        }
      }
    }
  }
}

/**
 * guest-irq-two-owners: a passed-through device's interrupt belongs to its VMM (which forwards it);
 * given to another PD, one hardware IRQ would have two owners.
 */
export function checkIrqOwners(g: GuestCheck, report: Report): void {
  for (const node of g.passedThrough) {
    for (const intid of gicInterrupts(g.tree, node)) {
      for (const pd of g.system.protectionDomains) {
        const irq = pd.irqs.find((i) => i.irq === intid);
        if (!irq || pd === g.vm.vmm) continue;
        report({
          message: `${nodePath(node)} is passed through to '${g.guest.vm}' with interrupt ${intid} (GIC INTID), which is also given to protection domain '${pd.name}'`,
          range: attribute(irq.element, 'irq')?.valueRange ?? irq.element.nameRange,
          subject: nodePath(node),
        });
      }
    }
  }
}

/** guest-dma-not-1to1: bus masters need guest RAM at its physical address. */
export function checkDmaIdentityMap(g: GuestCheck, report: Report): void {
  const { guest } = g;
  const ramMr = guest.ramRegion ? findMr(g.system, guest.ramRegion) : undefined;
  if (!ramMr || ramMr.physAddr === guest.ramGpa) return;
  for (const node of g.passedThrough) {
    const dma = getProperty(node, 'dmas') || getProperty(node, 'iommus') || DMA_NODE_NAMES.some((n) => node.name === n || node.name.startsWith(n + '@'));
    if (!dma) continue;
    report({
      message: `${nodePath(node)} can do DMA, but guest RAM '${ramMr.name}' is not mapped 1:1 (phys_addr ${ramMr.physAddr === undefined ? 'unset' : hex(ramMr.physAddr)}, guest base ${hex(guest.ramGpa)}): the device would write to the wrong memory`,
      range: attribute(ramMr.element, 'phys_addr')?.valueRange ?? ramMr.element.nameRange,
      subject: nodePath(node),
    });
  }
}

/** guest-dt-irq-route: the console's interrupts reach the GIC through controllers the VM can program. */
export function checkConsoleInterruptRoute(g: GuestCheck, report: Report): void {
  if (g.guest.virtioConsole && g.virtio.node) checkInterruptRoute(g.tree, g.virtio.node, g.maps, report);
}

/** The compatibles by which `driver` binds `node`, quoted, for the message's hint. */
function driverCompatibles(node: DtNode, driver: LinuxDriver): string {
  return compatibles(node)
    .filter((c) => driver.compatibles.includes(c))
    .map((c) => `"${c}"`)
    .join(', ');
}

/**
 * A finding about a node that is enabled: where its effective `status` is set (the last assignment,
 * usually an overlay's `status = "okay"`), with the node's definition as related information; at
 * the node when no status is written.
 */
function statusFinding(node: DtNode, message: string): Finding {
  const status = getProperty(node, 'status');
  if (!status) return { message, range: node.nameRange, subject: nodePath(node) };
  return { message, range: status.range, subject: nodePath(node), related: [{ message: `${nodePath(node)} is defined here`, range: node.nameRange }] };
}

/** The device that implements a provider: pinctrl-0 points at a pin group inside its controller. */
function deviceOf(provider: DtNode): DtNode {
  let d = provider;
  while (d.parent && !getProperty(d, 'reg')) d = d.parent;
  return d;
}

/** The chain to the first enabled, unmapped provider reachable from `provider`, or undefined. */
function unreachableProvider(
  tree: DtTree,
  provider: DtNode,
  maps: VmMapping[],
  isEmulated: (n: DtNode) => boolean,
  chain: string[],
  seen: Set<DtNode>,
): string[] | undefined {
  const device = deviceOf(provider);
  if (seen.has(device) || !isEnabled(device) || isEmulated(device)) return undefined;
  seen.add(device);
  const here = [...chain, nodePath(device)];
  const regs = regRanges(device);
  if (regs.length === 0) return undefined; // a fixed clock or regulator: nothing to map
  if (!isMapped(maps, regs)) return here;
  for (const [prop, cellsName] of DEPENDENCY_PROPS) {
    for (const next of phandleTargets(tree, device, prop, cellsName)) {
      const found = unreachableProvider(tree, next, maps, isEmulated, [...here, prop], seen);
      if (found) return found;
    }
  }
  return undefined;
}

/** GIC INTIDs of a node's `interrupts` when they reach the GIC with its 3-cell specifiers (SPI n = n + 32, PPI n = n + 16). */
export function gicInterrupts(tree: DtTree, node: DtNode): number[] {
  const prop = getProperty(node, 'interrupts');
  if (!prop) return [];
  // Controllers between the node and the GIC (the i.MX GPC) keep the GIC's specifier format.
  const seen = new Set<DtNode>();
  let current = node;
  while (true) {
    const { controller } = interruptParent(tree, current);
    if (!controller || seen.has(controller)) return [];
    seen.add(controller);
    const cellsProp = getProperty(controller, '#interrupt-cells');
    if (!cellsProp || propertyCells(cellsProp)[0] !== 3) return [];
    if (isGic(controller)) break;
    current = controller;
  }
  const cells = propertyCells(prop);
  const out: number[] = [];
  for (let i = 0; i + 3 <= cells.length; i += 3) {
    if (cells[i] === 0) out.push(cells[i + 1] + 32);
    else if (cells[i] === 1) out.push(cells[i + 1] + 16);
  }
  return out;
}

/** The virtio node's interrupts must reach the GIC through controllers the VM can program. */
function checkInterruptRoute(tree: DtTree, node: DtNode, maps: VmMapping[], report: Report): void {
  const path = nodePath(node);
  const gic = findGic(tree);
  // How the fix refers to the GIC: its label when it has one, else its path.
  const gicRef = gic ? (gic.labels.length > 0 ? `&${gic.labels[0]}` : `&{${nodePath(gic)}}`) : '&gic';
  const seen = new Set<DtNode>();
  const chain: string[] = [];
  let current = node;
  while (true) {
    const { controller, declaredBy } = interruptParent(tree, current);
    if (!controller) {
      if (current === node)
        report({
          message: `${path} has no interrupt parent (none on it or its ancestors): add interrupt-parent = <${gicRef}>`,
          range: node.nameRange,
          subject: path,
        });
      return;
    }
    if (isGic(controller) || seen.has(controller)) return;
    seen.add(controller);
    chain.push(`${nodePath(controller)}${declaredBy && declaredBy !== current ? ` (inherited from ${nodePath(declaredBy)})` : ''}`);
    const regs = regRanges(controller);
    if (!isEnabled(controller) || !isMapped(maps, regs)) {
      report({
        message: `${path}: interrupts go through ${chain.join(' -> ')}, which is ${isEnabled(controller) ? 'not mapped into the VM' : 'disabled'}; add interrupt-parent = <${gicRef}> to ${path} to route them to the vGIC directly`,
        range: node.nameRange,
        subject: path,
      });
      return;
    }
    current = controller;
  }
}
