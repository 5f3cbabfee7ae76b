// The architecture-dependent children of the format (sdf.rs): an irq in its three forms (ARM and
// RISC-V `irq`; x86-64 I/O APIC `pin` and MSI `pcidev`), x86 I/O ports, and IOMMU address spaces
// with their iomaps. Each form is read by its own rules even on the wrong architecture (after
// saying so), so one pass finds every problem.

import { MAX_ID, X86_IRQ_VECTOR_MAX, attribute, hex, type IoAddressSpace, type IoMap, type Irq, type ProtectionDomain } from './model';
import type { ElementReader, ParseState } from './sdf-reader';
import { atLeast, MAX_IOVA, type Arch } from './target';
import type { XmlElement } from './xml';

const ARCH_NAMES: Record<Arch, string> = { aarch64: 'AArch64', riscv64: 'RISC-V (64-bit)', x86_64: 'x86-64' };

const PCI_BUS_MAX = 255,
  PCI_DEV_MAX = 31,
  PCI_FUNC_MAX = 7;

/** Rust's i64::from_str_radix(s, 16) on a trimmed part of a PCI address. */
function hexPart(s: string): number | undefined {
  const t = s.trim();
  const body = t.startsWith('+') || t.startsWith('-') ? t.slice(1) : t;
  if (body === '' || ![...body.toLowerCase()].every((c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return undefined;
  const v = parseInt(body, 16);
  return t.startsWith('-') ? -v : v;
}

export interface PciAddress {
  bus: number;
  device: number;
  function: number;
}

/**
 * A PCI address `bus:dev.func` in hexadecimal (sdf.rs PciDevice::from_str), or the tool's error.
 * Before 2.3 the tool also took `bus:dev:func`.
 */
export function parsePci(s: string, legacySyntax: boolean): PciAddress | string {
  const colon = s.indexOf(':');
  if (colon < 0) return 'expected PCI address in bus:device.function form';
  const rest = s.slice(colon + 1);
  let dot = rest.indexOf('.');
  if (dot < 0 && legacySyntax) dot = rest.indexOf(':');
  if (dot < 0) return 'expected PCI address in bus:device.function form';
  const parts: [string, number, string, string][] = [
    [s.slice(0, colon), PCI_BUS_MAX, 'failed to parse PCI bus', `PCI bus must be within [0..${PCI_BUS_MAX}]`],
    [rest.slice(0, dot), PCI_DEV_MAX, 'failed to parse PCI device', `PCI device must be within [0..${PCI_DEV_MAX}]`],
    [rest.slice(dot + 1), PCI_FUNC_MAX, 'failed to parse PCI function', `PCI function must be within [0..${PCI_FUNC_MAX}]`],
  ];
  const values: number[] = [];
  for (const [text, max, parseError, rangeError] of parts) {
    const v = hexPart(text);
    if (v === undefined) return parseError;
    if (v < 0 || v > max) return rangeError;
    values.push(v);
  }
  return { bus: values[0], device: values[1], function: values[2] };
}

/** As the tool prints a device: `PCI device 01:1f.2`. */
export function describePci(p: PciAddress): string {
  return `PCI device ${p.bus.toString(16).padStart(2, '0')}:${p.device.toString(16).padStart(2, '0')}.${p.function.toString(16)}`;
}

function parseTrigger(r: ElementReader, el: XmlElement): 'level' | 'edge' {
  const trig = attribute(el, 'trigger');
  if (!trig || trig.value === 'level') return 'level';
  if (trig.value === 'edge') return 'edge';
  r.valueError(el, `trigger must be either 'level' or 'edge'`, 'sdf-invalid-trigger', trig);
  return 'level';
}

function parseVector(r: ElementReader, el: XmlElement): number | undefined {
  const vector = r.reqDecimal(el, 'vector');
  if (vector === undefined) return undefined;
  if (vector < 0 || vector > X86_IRQ_VECTOR_MAX) {
    r.valueError(el, `vector must be within [0..${X86_IRQ_VECTOR_MAX}]`, 'sdf-out-of-range', 'vector');
    return undefined;
  }
  return vector;
}

/** A decimal attribute that must not be negative ("ioapic must be >= 0"). */
function nonNegative(r: ElementReader, el: XmlElement, name: string, required: boolean): number | undefined {
  const v = required ? r.reqDecimal(el, name) : r.decimal(el, attribute(el, name));
  if (v !== undefined && v < 0) {
    r.valueError(el, `${name} must be >= 0`, 'sdf-out-of-range', name);
    return undefined;
  }
  return v;
}

function onlyOn(r: ElementReader, el: XmlElement, x86: boolean, message: string, attr: string): void {
  if ((r.target.arch === 'x86_64') !== x86) r.valueError(el, message, 'sdf-arch', attribute(el, attr));
}

function ioapicIrq(r: ElementReader, el: XmlElement, id: number): Irq | undefined {
  onlyOn(r, el, true, "x86 I/O APIC IRQ isn't supported on ARM and RISC-V", 'pin');
  r.allowOnly(el, ['id', 'setvar_id', 'ioapic', 'pin', 'trigger', 'polarity', 'vector']);
  const ioapic = nonNegative(r, el, 'ioapic', false) ?? 0;
  const pin = nonNegative(r, el, 'pin', true);
  const trigger = parseTrigger(r, el);
  const pol = attribute(el, 'polarity');
  let polarity: 'high' | 'low' = 'high';
  if (pol && (pol.value === 'high' || pol.value === 'low')) polarity = pol.value;
  else if (pol) r.valueError(el, `polarity must be either 'low' or 'high'`, 'sdf-invalid-value', pol);
  const vector = parseVector(r, el);
  if (pin === undefined || vector === undefined) return undefined;
  return { kind: 'ioapic', irq: vector, id, trigger, ioapic, pin, polarity, vector, element: el };
}

function msiIrq(r: ElementReader, el: XmlElement, id: number): Irq | undefined {
  onlyOn(r, el, true, "x86 MSI IRQ isn't supported on ARM and RISC-V", 'pcidev');
  r.allowOnly(el, ['id', 'setvar_id', 'pcidev', 'handle', 'vector']);
  const pcidev = attribute(el, 'pcidev')!;
  const pci = parsePci(pcidev.value, !atLeast(r.target.version, '2.3'));
  if (typeof pci === 'string') r.valueError(el, pci, 'sdf-invalid-value', pcidev);
  const handle = nonNegative(r, el, 'handle', true);
  const vector = parseVector(r, el);
  if (typeof pci === 'string' || handle === undefined || vector === undefined) return undefined;
  return { kind: 'msi', irq: vector, id, trigger: 'edge', pcidev: pcidev.value, handle, vector, element: el };
}

function conventionalIrq(r: ElementReader, el: XmlElement, id: number): Irq | undefined {
  onlyOn(r, el, false, 'ARM and RISC-V IRQs are not supported on x86', 'irq');
  r.allowOnly(el, ['irq', 'id', 'setvar_id', 'trigger']);
  const irq = r.decimal(el, attribute(el, 'irq'), true);
  const trigger = parseTrigger(r, el);
  return irq === undefined ? undefined : { kind: 'conventional', irq, id, trigger, element: el };
}

export function parseIrq(s: ParseState, pd: ProtectionDomain, el: XmlElement): void {
  const { r } = s;
  r.noText(el);
  const idAttr = r.required(el, 'id');
  const id = r.ranged(el, 'id', r.decimal(el, idAttr), 0, MAX_ID, `id must be < ${MAX_ID + 1}`);
  const setvarId = attribute(el, 'setvar_id')?.value;
  if (id !== undefined) s.symbols.add(r, pd, setvarId, el);
  const has = (n: string): boolean => attribute(el, n) !== undefined;
  let irq: Irq | undefined;
  if (has('irq')) irq = conventionalIrq(r, el, id ?? 0);
  else if (has('pin')) irq = ioapicIrq(r, el, id ?? 0);
  else if (has('pcidev')) irq = msiIrq(r, el, id ?? 0);
  else {
    // The form cannot be told: the tool asks for the first attribute of its architecture's forms.
    r.required(el, r.target.arch === 'x86_64' ? 'pin' : 'irq');
    r.allowOnly(el, ['irq', 'id', 'setvar_id', 'trigger', 'ioapic', 'pin', 'polarity', 'vector', 'pcidev', 'handle']);
  }
  if (irq && id !== undefined) pd.irqs.push({ ...irq, setvarId });
}

export function parseIoport(s: ParseState, pd: ProtectionDomain, el: XmlElement): void {
  const { r } = s;
  if (r.target.arch !== 'x86_64') {
    r.error(`I/O Ports are only available on x86 on element 'protection_domain' (${r.target.arch})`, el.nameRange, 'sdf-arch');
  }
  r.allowOnly(el, ['id', 'setvar_id', 'setvar_addr', 'addr', 'size']);
  r.noText(el);
  const id = r.ranged(el, 'id', r.reqDecimal(el, 'id'), 0, MAX_ID, `id must be < ${MAX_ID + 1}`);
  const setvarId = attribute(el, 'setvar_id')?.value;
  if (id !== undefined) s.symbols.add(r, pd, setvarId, el);
  const addr = r.reqNumber(el, 'addr');
  const setvarAddr = attribute(el, 'setvar_addr')?.value;
  if (addr !== undefined) s.symbols.add(r, pd, setvarAddr, el);
  let size = r.reqDecimal(el, 'size');
  if (size !== undefined && size <= 0) {
    r.valueError(el, 'size must be > 0', 'sdf-out-of-range', 'size');
    size = undefined;
  }
  if (id !== undefined && addr !== undefined && size !== undefined) pd.ioports.push({ id, addr, size, setvarId, setvarAddr, element: el });
}

/** What the system's IO address spaces have claimed so far: names, IOMMU domain ids, devices. */
export class IoAddressSpaceState {
  readonly names = new Set<string>();
  readonly domainIds = new Set<number>();
  readonly devices = new Set<string>();
}

function parseIomap(r: ElementReader, el: XmlElement): IoMap | undefined {
  r.allowOnly(el, ['mr', 'iovaddr', 'perms']);
  r.noText(el);
  const mr = r.required(el, 'mr');
  let iovaddr = r.reqNumber(el, 'iovaddr');
  if (iovaddr !== undefined && iovaddr > MAX_IOVA) {
    r.valueError(el, `iovaddr (${hex(iovaddr)}) must be less than ${hex(MAX_IOVA + 1)}`, 'sdf-out-of-range', 'iovaddr');
    iovaddr = undefined;
  }
  const permsAttr = attribute(el, 'perms');
  const perms = { r: !permsAttr, w: !permsAttr };
  for (const c of permsAttr?.value ?? '') {
    if (c === 'r') perms.r = true;
    else if (c === 'w') perms.w = true;
    else perms.r = perms.w = false;
    if (c !== 'r' && c !== 'w') break;
  }
  if (permsAttr && !perms.r && !perms.w) {
    r.valueError(el, "perms for io mapped memory must only be a combination of 'r' and 'w'", 'sdf-invalid-perms', permsAttr);
  }
  return mr && iovaddr !== undefined ? { mr: mr.value, iovaddr, perms, element: el } : undefined;
}

function readPeripheral(r: ElementReader, el: XmlElement, io: IoAddressSpaceState): string | undefined {
  const a = r.required(el, 'peripheral_id');
  if (!a) return undefined;
  if (r.target.arch !== 'x86_64') {
    r.valueError(
      el,
      `failed to parse device peripheral_id '${a.value}': IOMMU device identifiers are not supported on ${ARCH_NAMES[r.target.arch]}`,
      'sdf-arch',
      a,
    );
    return a.value;
  }
  const pci = parsePci(a.value, false);
  if (typeof pci === 'string') {
    r.valueError(el, `failed to parse device peripheral_id '${a.value}': ${pci}`, 'sdf-invalid-value', a);
    return a.value;
  }
  const device = describePci(pci);
  if (io.devices.has(device)) r.valueError(el, `duplicate device peripheral_id '${device}'`, 'sdf-duplicate-id', a);
  io.devices.add(device);
  return device;
}

export function parseIoAddressSpace(s: ParseState, el: XmlElement, io: IoAddressSpaceState): IoAddressSpace | undefined {
  const { r } = s;
  if (!r.target.facts.iommu) {
    r.error(
      `io address space requires seL4 to be built with IOMMU support (${r.target.arch}${r.target.arch === 'x86_64' ? ', before Microkit 2.3' : ''})`,
      el.nameRange,
      'sdf-arch',
    );
  }
  r.allowOnly(el, ['name', 'peripheral_id', 'domain_id']);
  r.noText(el);
  const name = r.required(el, 'name');
  if (name && io.names.has(name.value)) r.valueError(el, `duplicate name '${name.value}'`, 'sdf-duplicate-name', name);
  if (name) io.names.add(name.value);
  let domainId: number | undefined;
  if (r.target.arch === 'x86_64') {
    domainId = r.reqNumber(el, 'domain_id');
    if (domainId !== undefined && io.domainIds.has(domainId)) r.valueError(el, 'reusing a domain id is forbidden', 'sdf-duplicate-id', 'domain_id');
    if (domainId !== undefined) io.domainIds.add(domainId);
  }
  const peripheralId = readPeripheral(r, el, io);
  const space: IoAddressSpace = { name: name?.value ?? '', peripheralId: peripheralId ?? '', domainId, iomaps: [], element: el };
  for (const child of el.children) {
    if (child.tag !== 'iomap') {
      r.invalidElement(child);
      continue;
    }
    const m = parseIomap(r, child);
    if (m) space.iomaps.push(m);
  }
  return name ? space : undefined;
}
