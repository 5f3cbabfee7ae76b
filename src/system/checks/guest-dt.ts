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
import type { GuestConfig, Project } from '../project';
import { isVirtioMmio as isVirtio, resolveVirtioConsole } from '../virtio';
import { SEARCH_DEPTH } from '../guest-files';
import { bootProbes, guestDriverList, matchDriver, platformDevices, type LinuxDriver } from '../../emulator/guest/linux/drivers';
import {
  compatibles, contains, findGic, interruptParent, isEnabled, isGic, memoryNodes, overlaps, phandleTargets,
  regRanges, resolveStdoutPath, stringProp, type AddressRange,
} from '../dt-facts';

/** What the devicetree compiler hands back (src/devicetree/compile.ts); only the tree is read here. */
export interface GuestTree {
  tree?: DtTree;
  diagnostics: Diagnostic[];
}

/** Room the checks assume for the DTB when placing it against the initrd (real guest DTBs are < 64 KiB). */
const DTB_SIZE_ESTIMATE = 0x10000;

/** Properties naming devices a node needs running, with the provider's argument-count property. */
export const DEPENDENCY_PROPS: [string, string | undefined][] = [['clocks', '#clock-cells'], ['pinctrl-0', undefined], ['power-domains', '#power-domain-cells']];

/** Device classes that master the bus (DMA) by themselves. */
const DMA_NODE_NAMES = ['ethernet', 'mmc', 'usb', 'sata', 'pcie', 'dma-controller', 'gpu', 'vpu', 'sdhci'];

function warn(code: string, message: string, range: SourceRange | undefined, subject?: string): Diagnostic {
  return { severity: 'warning', code, message, range, subject };
}
function err(code: string, message: string, range: SourceRange | undefined, subject?: string): Diagnostic {
  return { severity: 'error', code, message, range, subject };
}

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

export function checkGuestTree(project: Project, guest: GuestConfig, tree: DtTree, host?: FileHost): Diagnostic[] {
  const out: Diagnostic[] = [];
  const system = project.system;
  const vm = findVm(system, guest.vm);
  if (!vm) return out;
  const maps = vmMappings(system, vm);
  const ram: AddressRange = { base: guest.ramGpa, size: guest.ramSize };
  const virtio = resolveVirtioConsole(guest, tree);
  const virtioWindow: AddressRange = { base: virtio.window.base, size: virtio.window.size };
  const spi = virtio.window.spi;
  const ramMap = vm.maps.find((m) => m.mr === guest.ramRegion);
  const rootRange = tree.root.nameRange;

  // Memory node = the VM's RAM map.
  const mems = memoryNodes(tree);
  const describedMemory = mems.flatMap((m) => regRanges(m));
  if (guest.ramRegion) {
    if (mems.length === 0) {
      out.push(err('guest-dt-memory', `the device tree of '${guest.vm}' has no memory node; the VM's RAM is ${fmtRange(ram)}`, rootRange, '/'));
    }
    // Linux uses what the memory nodes describe: less than the RAM map only wastes the rest; memory
    // outside it is touched (memblock allocates from the top) and faults.
    const described = describedMemory.reduce((n, r) => n + r.size, 0);
    for (const mem of mems) {
      const regs = regRanges(mem);
      const where = getProperty(mem, 'reg')?.range ?? mem.nameRange;
      const outside = regs.filter((r) => !contains(ram, r));
      if (regs.length === 0) {
        out.push(err('guest-dt-memory', `memory node ${nodePath(mem)} describes no memory, but '${guest.vm}' maps RAM '${guest.ramRegion}' at ${fmtRange(ram)}`, where, nodePath(mem)));
      } else if (outside.length > 0) {
        out.push(err('guest-dt-memory', `memory node ${nodePath(mem)} describes ${outside.map(fmtRange).join(', ')}, outside the RAM '${guest.ramRegion}' that '${guest.vm}' maps at ${fmtRange(ram)}: Linux would use memory that is not mapped and fault`,
          where, nodePath(mem)));
      }
    }
    if (mems.length > 0 && described < ram.size && mems.every((m) => regRanges(m).length > 0 && regRanges(m).every((r) => contains(ram, r)))) {
      const mem = mems[0];
      const what = `memory node${mems.length > 1 ? 's' : ''} ${mems.map(nodePath).join(', ')} describe${mems.length > 1 ? '' : 's'} ${hex(described)} bytes of the ${hex(ram.size)} bytes of RAM '${guest.ramRegion}' that '${guest.vm}' maps at ${fmtRange(ram)}`;
      const where = getProperty(mem, 'reg')?.range ?? mem.nameRange;
      // The VMM loads the kernel at the start of the RAM: memory Linux is not told about cannot hold it.
      if (!describedMemory.some((w) => contains(w, { base: ram.base, size: 1 }))) {
        out.push(err('guest-dt-memory', `${what}, without its start ${hex(ram.base)} where the kernel runs: Linux finds no memory node for itself and stops`, where, nodePath(mem)));
      } else out.push(warn('guest-dt-memory', `${what}: Linux leaves the rest unused`, where, nodePath(mem)));
    }
  }

  // The virtio console node (virtio.ts tells it from the other virtio devices, which the VMM
  // emulates and which are not checked against the console's window).
  const consoleNode = virtio.node;
  if (!guest.virtioConsole) {
    // A guest without a virtio console (e.g. a passed-through UART) has nothing to check here.
  } else if (!consoleNode) {
    const where = guest.virtioSet.base !== undefined ? ` at ${hex(virtioWindow.base)} (the project file's virtio console)` : '';
    const message = virtio.ambiguous.length > 0
      ? `cannot tell which "virtio,mmio" node is the console of '${guest.vm}' (${virtio.ambiguous.map((d) => nodePath(d.node)).join(', ')}): name it after the console (virtio-console@...) or give the project file's "virtio": {"base": ...}`
      : `no enabled "virtio,mmio" console node${where} in the device tree of '${guest.vm}': the guest will not find its console`;
    out.push(warn('guest-dt-virtio', message, guest.ranges.virtio ?? rootRange));
  } else {
    const path = nodePath(consoleNode);
    const reg = regRanges(consoleNode)[0];
    const regProp = getProperty(consoleNode, 'reg');
    if (reg.size !== virtioWindow.size) {
      out.push(warn('guest-dt-virtio', `${path}: reg size ${hex(reg.size)} differs from the VMM's virtio window size ${hex(virtioWindow.size)}`, regProp?.range, path));
    }
    for (const m of maps) {
      if (overlaps(m, reg)) {
        out.push(err('guest-dt-virtio', `${path}: reg ${fmtRange(reg)} lies inside the mapping of '${m.mr}' ${fmtRange(m)}: accesses would not trap to the VMM`, regProp?.range, path));
      }
    }
    const irqProp = getProperty(consoleNode, 'interrupts');
    const cells = irqProp ? propertyCells(irqProp) : [];
    if (!irqProp || cells.length < 2) {
      out.push(err('guest-dt-virtio', `${path} has no 'interrupts' = <0 ${spi} 4> (SPI ${spi}, INTID ${spi + 32})`, consoleNode.nameRange, path));
    } else if (cells[0] !== 0 || cells[1] !== spi) {
      const what = cells[0] !== 0 ? `a PPI (type ${cells[0]})` : `SPI ${cells[1]} (INTID ${cells[1] + 32})`;
      out.push(err('guest-dt-virtio', `${path}: interrupts gives ${what}, but the VMM injects SPI ${spi} (INTID ${spi + 32})`, irqProp.range, path));
    }
    out.push(...checkInterruptRoute(tree, consoleNode, maps));
  }

  // chosen: stdout-path, bootargs, initrd window and DTB placement.
  const chosen = [...walkNodes(tree.root)].find((n) => n.parent === tree.root && n.name === 'chosen');
  if (chosen) {
    const stdoutProp = getProperty(chosen, 'stdout-path');
    const stdout = stdoutProp ? stringProp(chosen, 'stdout-path') : undefined;
    if (stdoutProp && stdout !== undefined) {
      const target = resolveStdoutPath(tree, stdout);
      if (!target) out.push(warn('guest-dt-stdout', `/chosen/stdout-path '${stdout}' does not resolve to a node`, stdoutProp.range, '/chosen'));
      else if (!isEnabled(target)) out.push(warn('guest-dt-stdout', `/chosen/stdout-path '${stdout}' points at a disabled node: the kernel ignores it and has no console until console= in bootargs`, stdoutProp.range, '/chosen'));
      else if (!isVirtio(target) && !isMapped(maps, regRanges(target))) {
        out.push(warn('guest-dt-stdout', `/chosen/stdout-path '${stdout}' points at a device that is not mapped into '${guest.vm}'`, stdoutProp.range, '/chosen'));
      }
    }
    const bootargsProp = getProperty(chosen, 'bootargs');
    const bootargs = bootargsProp ? stringProp(chosen, 'bootargs') ?? '' : '';
    if (guest.virtioConsole && consoleNode && !bootargs.split(' ').includes('console=hvc0')) {
      out.push(warn('guest-dt-bootargs', `the console is virtio, but /chosen/bootargs has no 'console=hvc0': the kernel will not print to it`, bootargsProp?.range ?? chosen.nameRange, '/chosen'));
    }
    const startProp = getProperty(chosen, 'linux,initrd-start');
    const start = u64Prop(chosen, 'linux,initrd-start');
    const end = u64Prop(chosen, 'linux,initrd-end');
    if (startProp && start !== undefined && end !== undefined) {
      const window: AddressRange = { base: start, size: Math.max(0, end - start) };
      if (end < start) out.push(err('guest-dt-initrd', `linux,initrd-end ${hex(end)} is below linux,initrd-start ${hex(start)}`, getProperty(chosen, 'linux,initrd-end')!.range, '/chosen'));
      else if (guest.ramRegion && !contains(ram, window)) {
        out.push(err('guest-dt-initrd', `Initrd copy destination ${fmtRange(window)} not in valid guest RAM ${fmtRange(ram)}`, startProp.range, '/chosen'));
      } else if (mems.length > 0 && !describedMemory.some((w) => contains(w, window))) {
        // Inside the RAM map but outside the memory the tree describes (a memory node smaller than the map).
        out.push(err('guest-dt-initrd', `the initrd window ${fmtRange(window)} lies outside the memory the memory nodes describe: Linux cannot reach it and finds no root file system`, startProp.range, '/chosen'));
      }
      if (guest.ranges.initrdAddr && start !== guest.initrdAddr) {
        out.push(warn('guest-dt-initrd', `linux,initrd-start ${hex(start)} differs from where the VMM copies the initrd (${hex(guest.initrdAddr)}, the project file's initrdAddr)`, startProp.range, '/chosen'));
      }
      const dtb: AddressRange = { base: guest.dtbAddr, size: DTB_SIZE_ESTIMATE };
      if (overlaps(dtb, window)) {
        out.push(err('guest-dt-initrd', `DTB at ${hex(guest.dtbAddr)} overlaps with the destination of the initial RAM disk ${fmtRange(window)}`, guest.ranges.dtbAddr ?? startProp.range, '/chosen'));
      }
      if (guest.initrdImage && host) {
        const image = host.readFile(guest.initrdImage);
        if (!image) out.push(err('guest-dt-initrd', `initrd image '${guest.initrdImage}': ${unreadableReason(host, guest.initrdImage)}`, guest.ranges.initrd));
        else if (image.length > window.size) {
          out.push(err('guest-dt-initrd', `initrd image is ${hex(image.length)} bytes, larger than the linux,initrd-start/end window (${hex(window.size)})`, getProperty(chosen, 'linux,initrd-end')!.range, '/chosen'));
        }
      }
    }
  }
  if (guest.ramRegion && !contains(ram, { base: guest.dtbAddr, size: DTB_SIZE_ESTIMATE })) {
    out.push(err('guest-dt-initrd', `DTB address ${hex(guest.dtbAddr)} is not in guest RAM ${fmtRange(ram)}`, guest.ranges.dtbAddr ?? ramMap?.element.nameRange));
  }

  // Devices the guest will probe vs what is mapped.
  const devices: { node: DtNode; regs: AddressRange[] }[] = [];
  for (const node of walkNodes(tree.root)) {
    if (node === tree.root || !isEnabled(node) || stringProp(node, 'device_type') === 'memory') continue;
    const regs = regRanges(node);
    if (regs.length === 0) continue;
    devices.push({ node, regs });
  }
  const isEmulated = (node: DtNode): boolean => isVirtio(node) || isGic(node);
  const isBus = (node: DtNode): boolean => !!getProperty(node, 'ranges') || compatibles(node).includes('simple-bus');
  const drivers = guestDriverList(guest, tree);
  const fromImage = !guest.kernelDrivers && guest.kernelCompatibles !== undefined;
  const outsideRam = (regs: AddressRange[]): boolean => !regs.every((r) => contains(ram, r));
  // What the kernel touches at boot: unmapped, the guest faults there.
  const probed = new Set<DtNode>();
  for (const { node, driver } of bootProbes(tree, drivers)) {
    probed.add(node);
    const regs = regRanges(node);
    if (regs.length === 0 || !outsideRam(regs) || isMapped(maps, regs)) continue;
    const what = driver.role === 'device' ? `the guest kernel's driver ${driver.name} probes it` : `the guest kernel's irqchip driver ${driver.name} programs it`;
    const fixes = fromImage ? 'set status = "disabled" or map it' : `set status = "disabled", map it, or leave ${driverCompatibles(node, driver)} out of guests.<vm>.kernelDrivers in dual-guest.json`;
    out.push(statusFinding('error', 'guest-dt-unmapped-device', node,
      `${nodePath(node)} is enabled and ${what}, but its registers ${regs.map(fmtRange).join(', ')} are not mapped into '${guest.vm}': the guest faults at boot (${fixes})`));
  }
  // The rest of the platform devices: nothing probes them, so nothing faults; a hint in case the
  // user's kernel has a driver the driver list lacks.
  for (const node of platformDevices(tree)) {
    const regs = regRanges(node);
    if (probed.has(node) || regs.length === 0 || isEmulated(node) || isBus(node) || !outsideRam(regs) || isMapped(maps, regs)) continue;
    if (matchDriver(drivers, compatibles(node))) continue; // an irqchip or a core driver the VMM stands in for
    const compat = compatibles(node)[0];
    out.push(statusFinding('info', 'guest-dt-unmapped-no-driver', node, fromImage
      ? `${nodePath(node)} is enabled but not mapped into '${guest.vm}': the guest's kernel image has no driver for ${compatibles(node).map((c) => `"${c}"`).join(', ')}, so nothing probes it`
      : `${nodePath(node)} is enabled but not mapped into '${guest.vm}': the guest kernel's driver list has no driver for "${compat}", so nothing probes it (if your kernel has one, add "${compat}" to guests.<vm>.kernelDrivers in dual-guest.json)`));
  }
  // A device the user mapped is meant for the guest: its providers and interrupts are checked below.
  const passedThrough = devices.filter(({ node, regs }) => !isEmulated(node) && !isBus(node) && outsideRam(regs) && isMapped(maps, regs)).map((d) => d.node);
  for (const m of maps) {
    if (m.mr === guest.ramRegion) continue;
    const used = devices.some(({ regs }) => regs.some((r) => overlaps(r, m)));
    if (!used) {
      out.push(warn('guest-map-no-device', `'${guest.vm}' maps '${m.mr}' at ${fmtRange(m)} but no enabled device-tree node has registers there`, m.element.nameRange));
    }
  }

  // Providers a passed-through device needs (clocks, pins, power), followed through mapped
  // providers to theirs, must be mapped or disabled.
  for (const node of passedThrough) {
    for (const [prop, cellsName] of DEPENDENCY_PROPS) {
      const first = getProperty(node, prop);
      if (!first) continue;
      for (const provider of phandleTargets(tree, node, prop, cellsName)) {
        const found = unreachableProvider(tree, provider, maps, isEmulated, [nodePath(node), prop], new Set([node]));
        if (found) {
          out.push(warn('guest-dt-dependency', `${found.join(' -> ')}: the provider is enabled but not mapped into '${guest.vm}' (map it or set status = "disabled")`,
            first.range, nodePath(node)));
        }
      }
    }
  }

  // A passed-through device's interrupt belongs to its VMM (which forwards it); given to another PD,
  // one hardware IRQ would have two owners.
  for (const node of passedThrough) {
    for (const intid of gicInterrupts(tree, node)) {
      for (const pd of system.protectionDomains) {
        const irq = pd.irqs.find((i) => i.irq === intid);
        if (!irq || pd === vm.vmm) continue;
        out.push(warn('guest-irq-two-owners', `${nodePath(node)} is passed through to '${guest.vm}' with interrupt ${intid} (GIC INTID), which is also given to protection domain '${pd.name}'`,
          attribute(irq.element, 'irq')?.valueRange ?? irq.element.nameRange, nodePath(node)));
      }
    }
  }

  // Bus masters need guest RAM at its physical address.
  const ramMr = guest.ramRegion ? findMr(system, guest.ramRegion) : undefined;
  if (ramMr && ramMr.physAddr !== guest.ramGpa) {
    for (const node of passedThrough) {
      const dma = getProperty(node, 'dmas') || getProperty(node, 'iommus') || DMA_NODE_NAMES.some((n) => node.name === n || node.name.startsWith(n + '@'));
      if (!dma) continue;
      out.push(warn('guest-dma-not-1to1', `${nodePath(node)} can do DMA, but guest RAM '${ramMr.name}' is not mapped 1:1 (phys_addr ${ramMr.physAddr === undefined ? 'unset' : hex(ramMr.physAddr)}, guest base ${hex(guest.ramGpa)}): the device would write to the wrong memory`,
        attribute(ramMr.element, 'phys_addr')?.valueRange ?? ramMr.element.nameRange, nodePath(node)));
    }
  }
  return out;
}

/** The compatibles by which `driver` binds `node`, quoted, for the message's hint. */
function driverCompatibles(node: DtNode, driver: LinuxDriver): string {
  return compatibles(node).filter((c) => driver.compatibles.includes(c)).map((c) => `"${c}"`).join(', ');
}

/**
 * A finding about a node that is enabled: where its effective `status` is set (the last assignment,
 * usually an overlay's `status = "okay"`), with the node's definition as related information; at
 * the node when no status is written.
 */
function statusFinding(severity: Diagnostic['severity'], code: string, node: DtNode, message: string): Diagnostic {
  const status = getProperty(node, 'status');
  if (!status) return { severity, code, message, range: node.nameRange, subject: nodePath(node) };
  return { severity, code, message, range: status.range, subject: nodePath(node), related: [{ message: `${nodePath(node)} is defined here`, range: node.nameRange }] };
}

/** The device that implements a provider: pinctrl-0 points at a pin group inside its controller. */
function deviceOf(provider: DtNode): DtNode {
  let d = provider;
  while (d.parent && !getProperty(d, 'reg')) d = d.parent;
  return d;
}

/** The chain to the first enabled, unmapped provider reachable from `provider`, or undefined. */
function unreachableProvider(tree: DtTree, provider: DtNode, maps: VmMapping[], isEmulated: (n: DtNode) => boolean,
  chain: string[], seen: Set<DtNode>): string[] | undefined {
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
function checkInterruptRoute(tree: DtTree, node: DtNode, maps: VmMapping[]): Diagnostic[] {
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
      if (current === node) return [warn('guest-dt-irq-route', `${path} has no interrupt parent (none on it or its ancestors): add interrupt-parent = <${gicRef}>`, node.nameRange, path)];
      return [];
    }
    if (isGic(controller)) return [];
    if (seen.has(controller)) return [];
    seen.add(controller);
    chain.push(`${nodePath(controller)}${declaredBy && declaredBy !== current ? ` (inherited from ${nodePath(declaredBy)})` : ''}`);
    const regs = regRanges(controller);
    if (!isEnabled(controller) || !isMapped(maps, regs)) {
      return [warn('guest-dt-irq-route', `${path}: interrupts go through ${chain.join(' -> ')}, which is ${isEnabled(controller) ? 'not mapped into the VM' : 'disabled'}; add interrupt-parent = <${gicRef}> to ${path} to route them to the vGIC directly`,
        node.nameRange, path)];
    }
    current = controller;
  }
}

/** A guest to boot with no device tree: nothing to cross-check, and the boot will stop there. */
function noTree(g: GuestConfig): Diagnostic {
  return warn('project-no-dts', `no device tree found for '${g.vm}' (looked beside the .system and in a folder named after the VM up to ${SEARCH_DEPTH} levels below it): name its files in the project file ("guests": {"${g.vm}": {"dts": [...]}}), or leave it out with "boot": false`,
    g.vmRange, g.vm);
}

/** Stands for the quoted guest name in a message while findings of several guests are merged. */
const GUESTS = '\u0000guests\u0000';

/** A cross-check finding with the guests it concerns. */
export interface GuestDiagnostic extends Diagnostic {
  guests: string[];
}

/**
 * Every cross check for every booted guest with a compiled tree, each finding once: guests built
 * from the same files give the same finding at the same place, which is reported once naming every
 * guest it concerns ("not mapped into 'client_linux-1', 'client_linux-2'").
 */
export function crossCheck(project: Project, trees: Map<string, GuestTree>, host?: FileHost): GuestDiagnostic[] {
  const merged = new Map<string, { diagnostic: Diagnostic; template: string; guests: string[] }>();
  for (const g of project.guests) {
    if (!g.boot) continue;
    const t = trees.get(g.vm);
    const found = g.dtFiles.length === 0 ? [noTree(g)] : t?.tree ? checkGuestTree(project, g, t.tree, host) : [];
    const name = `'${g.vm}'`;
    for (const d of found) {
      const template = d.message.split(name).join(GUESTS);
      const key = JSON.stringify([d.severity, d.code, d.range, d.subject, template, d.related]);
      const seen = merged.get(key);
      if (seen) {
        if (!seen.guests.includes(g.vm)) seen.guests.push(g.vm);
      } else merged.set(key, { diagnostic: d, template, guests: [g.vm] });
    }
  }
  return [...merged.values()].map(({ diagnostic, template, guests }) => ({
    ...diagnostic,
    message: template.split(GUESTS).join(guests.map((vm) => `'${vm}'`).join(', ')),
    guests,
  }));
}
