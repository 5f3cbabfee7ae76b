// XML -> SystemModel, with the per-element rules of the microkit tool (sdf.rs): allowed and required
// attributes, number/boolean syntax, ranges, defaults. Unlike the tool, which stops at the first
// error, this keeps going (a bad value falls back to the default) so an editor sees every problem.

import type { Diagnostic, SourceRange } from '../common/diagnostics';
import { parseXml, type XmlAttribute, type XmlElement } from './xml';
import {
  DEFAULT_BUDGET_US, DEFAULT_STACK_SIZE, MAX_ID, MAX_PRIORITY, MAX_STACK_SIZE, MIN_STACK_SIZE, PAGE_SIZES,
  SMALL_PAGE, USER_TOP, attribute, hex,
  type Channel, type ChannelEnd, type MapEntry, type MemoryRegion, type Perms, type ProtectionDomain,
  type SystemModel, type VirtualMachine,
} from './model';
import { checkSystem } from './checks/run-rules';
import type { SystemRuleCode } from './rule-table';
import { pushAll } from '../common/arrays';

/** Parse a number as the tool does: decimal, or hex after "0x"; underscores are ignored; u64. */
export function parseSdfNumber(s: string): number | undefined {
  let digits = '';
  for (const c of s) if (c !== '_') digits += c;
  const hexForm = digits.startsWith('0x');
  const body = hexForm ? digits.slice(2) : digits;
  if (body === '') return undefined;
  for (const c of body.toLowerCase()) {
    const ok = (c >= '0' && c <= '9') || (hexForm && c >= 'a' && c <= 'f');
    if (!ok) return undefined;
  }
  const big = BigInt(hexForm ? '0x' + body : body);
  if (big > 0xffffffffffffffffn) return undefined;
  return Number(big);
}

class ElementReader {
  constructor(private readonly diags: Diagnostic[]) {}

  error(message: string, range: SourceRange, code: SystemRuleCode, subject?: string): void {
    this.diags.push({ severity: 'error', message, range, code, subject });
  }

  /** The tool's check_attributes: anything outside `allowed` is an error. */
  allowOnly(el: XmlElement, allowed: readonly string[]): void {
    for (const a of el.attributes) {
      if (!allowed.includes(a.name)) {
        this.error(`invalid attribute '${a.name}' on element '${el.tag}'`, a.nameRange, 'sdf-invalid-attribute');
      }
    }
  }

  required(el: XmlElement, name: string): XmlAttribute | undefined {
    const a = attribute(el, name);
    if (!a) this.error(`missing required attribute '${name}' on element '${el.tag}'`, el.nameRange, 'sdf-missing-attribute');
    return a;
  }

  number(el: XmlElement, a: XmlAttribute | undefined): number | undefined {
    if (!a) return undefined;
    const v = parseSdfNumber(a.value);
    if (v === undefined) {
      this.error(`failed to parse integer '${a.value}' for '${a.name}' on element '${el.tag}'`, a.valueRange, 'sdf-invalid-number');
    }
    return v;
  }

  optNumber(el: XmlElement, name: string, fallback: number): number {
    return this.number(el, attribute(el, name)) ?? fallback;
  }

  reqNumber(el: XmlElement, name: string): number | undefined {
    return this.number(el, this.required(el, name));
  }

  bool(el: XmlElement, name: string, fallback: boolean): boolean {
    const a = attribute(el, name);
    if (!a) return fallback;
    if (a.value === 'true') return true;
    if (a.value === 'false') return false;
    this.error(`${name} must be 'true' or 'false' on element '${el.tag}'`, a.valueRange, 'sdf-invalid-boolean');
    return fallback;
  }

  /** A number that must lie in [min, max]; out of range reports and returns undefined. */
  ranged(el: XmlElement, name: string, v: number | undefined, min: number, max: number, what: string): number | undefined {
    if (v === undefined) return undefined;
    if (v < min || v > max) {
      const a = attribute(el, name);
      this.error(`${what} on element '${el.tag}'`, a ? a.valueRange : el.nameRange, 'sdf-out-of-range');
      return undefined;
    }
    return v;
  }

  /** A form older Microkit versions accepted and the current one rejects: accepted, with a note. */
  legacy(message: string, range: SourceRange): void {
    this.diags.push({ severity: 'info', message, range, code: 'sdf-legacy-form' });
  }

  noText(el: XmlElement): void {
    for (const t of el.text) this.error(`unexpected text found in element '${el.tag}'`, t.range, 'sdf-unexpected-text');
  }

  invalidElement(el: XmlElement, where: string): void {
    this.error(`invalid XML element '${el.tag}' in '${where}'`, el.nameRange, 'sdf-invalid-element');
  }
}

function parsePerms(r: ElementReader, el: XmlElement): Perms {
  const a = attribute(el, 'perms');
  const perms: Perms = { r: true, w: true, x: false };
  if (!a) return perms;
  const p: Perms = { r: false, w: false, x: false };
  for (const c of a.value) {
    if (c === 'r') p.r = true;
    else if (c === 'w') p.w = true;
    else if (c === 'x') p.x = true;
    else {
      r.error(`perms must only be a combination of 'r', 'w', and 'x' on element 'map'`, a.valueRange, 'sdf-invalid-perms');
      return perms;
    }
  }
  if (p.w && !p.r && !p.x) {
    r.error(`perms must not be 'w', write-only mappings are not allowed on element 'map'`, a.valueRange, 'sdf-write-only-map');
    return perms;
  }
  return p;
}

function parseMap(r: ElementReader, el: XmlElement, owner: ProtectionDomain | VirtualMachine, maxVaddr: number): MapEntry | undefined {
  const inPd = owner.kind === 'protection_domain';
  r.allowOnly(el, inPd ? ['mr', 'vaddr', 'perms', 'cached', 'setvar_vaddr', 'setvar_size'] : ['mr', 'vaddr', 'perms', 'cached']);
  r.noText(el);
  const mr = r.required(el, 'mr');
  let vaddr = r.reqNumber(el, 'vaddr');
  if (vaddr !== undefined && vaddr >= maxVaddr) {
    const a = attribute(el, 'vaddr')!;
    r.error(`vaddr (${hex(vaddr)}) must be less than ${hex(maxVaddr)} on element 'map'`, a.valueRange, 'sdf-out-of-range');
    vaddr = undefined;
  }
  const perms = parsePerms(r, el);
  const cached = r.bool(el, 'cached', true);
  if (!mr || vaddr === undefined) return undefined;
  return {
    mr: mr.value, vaddr, perms, cached, element: el, owner,
    setvarVaddr: inPd ? attribute(el, 'setvar_vaddr')?.value : undefined,
    setvarSize: inPd ? attribute(el, 'setvar_size')?.value : undefined,
  };
}

/** budget/period/priority are shared by PDs and VMs. */
function parseScheduling(r: ElementReader, el: XmlElement): { priority: number; budget: number; period: number } {
  const priority = r.ranged(el, 'priority', r.optNumber(el, 'priority', 0), 0, MAX_PRIORITY, `priority must be between 0 and ${MAX_PRIORITY}`) ?? 0;
  const budget = r.optNumber(el, 'budget', DEFAULT_BUDGET_US);
  let period = r.optNumber(el, 'period', budget);
  if (budget > period) {
    const a = attribute(el, 'budget') ?? attribute(el, 'period');
    r.error(`budget (${budget}) must be less than, or equal to, period (${period}) on element '${el.tag}'`, a ? a.valueRange : el.nameRange, 'sdf-budget-period');
    period = budget;
  }
  return { priority, budget, period };
}

function parseVirtualMachine(r: ElementReader, el: XmlElement, vmm: ProtectionDomain): VirtualMachine {
  // `id` is the Microkit <= 1.2 form: one vCPU with that id and no <vcpu> children.
  r.allowOnly(el, ['name', 'budget', 'period', 'priority', 'id']);
  r.noText(el);
  const name = r.required(el, 'name')?.value ?? '';
  const vm: VirtualMachine = { kind: 'virtual_machine', name, ...parseScheduling(r, el), vcpus: [], maps: [], vmm, element: el };
  const idAttr = attribute(el, 'id');
  if (idAttr) r.legacy(`'id' on virtual_machine is the Microkit 1.x form (read here as one vCPU); Microkit 2.0 rejects it and wants <vcpu id="${idAttr.value}" /> inside`, idAttr.nameRange);
  const legacyId = r.ranged(el, 'id', r.number(el, idAttr), 0, MAX_ID, `id must be < ${MAX_ID + 1}`);
  if (legacyId !== undefined) vm.vcpus.push({ id: legacyId, element: el });
  for (const child of el.children) {
    if (child.tag === 'vcpu') {
      r.allowOnly(child, ['id', 'cpu']);
      r.noText(child);
      const id = r.ranged(child, 'id', r.reqNumber(child, 'id'), 0, MAX_ID, `id must be < ${MAX_ID + 1}`);
      if (id === undefined) continue;
      if (vm.vcpus.some((v) => v.id === id)) {
        r.error(`duplicate vcpu id ${id} in virtual machine '${name}'`, attribute(child, 'id')!.valueRange, 'sdf-duplicate-id');
        continue;
      }
      vm.vcpus.push({ id, element: child });
    } else if (child.tag === 'map') {
      const m = parseMap(r, child, vm, USER_TOP);
      if (m) vm.maps.push(m);
    } else {
      r.invalidElement(child, 'virtual_machine');
    }
  }
  if (vm.vcpus.length === 0) r.error(`missing 'vcpu' element on virtual_machine: '${name}'`, el.nameRange, 'sdf-missing-vcpu');
  return vm;
}

function parseProtectionDomain(r: ElementReader, el: XmlElement, parent: ProtectionDomain | undefined): ProtectionDomain {
  const allowed = ['name', 'priority', 'budget', 'period', 'passive', 'stack_size', 'smc', 'cpu', 'pp'];
  if (parent) allowed.push('id');
  r.allowOnly(el, allowed);
  r.noText(el);
  const name = r.required(el, 'name')?.value ?? '';
  const stackSize = r.optNumber(el, 'stack_size', DEFAULT_STACK_SIZE);
  const pd: ProtectionDomain = {
    kind: 'protection_domain',
    name,
    ...parseScheduling(r, el),
    passive: r.bool(el, 'passive', false),
    stackSize,
    smc: r.bool(el, 'smc', false),
    cpu: r.number(el, attribute(el, 'cpu')),
    legacyPp: r.bool(el, 'pp', false),
    maps: [], irqs: [], setvars: [], children: [], parent, element: el,
  };
  if (parent) pd.id = r.ranged(el, 'id', r.reqNumber(el, 'id'), 0, MAX_ID, `id must be < ${MAX_ID + 1}`);
  const ppAttr = attribute(el, 'pp');
  if (ppAttr) r.legacy(`'pp' on protection_domain is the Microkit 1.x form (accepted here); Microkit 2.0 rejects it and wants pp="true" on the caller's channel end`, ppAttr.nameRange);
  const stackAttr = attribute(el, 'stack_size');
  if (stackAttr && (stackSize < MIN_STACK_SIZE || stackSize > MAX_STACK_SIZE)) {
    r.error(`stack size must be between ${hex(MIN_STACK_SIZE)} bytes and ${hex(MAX_STACK_SIZE)} bytes on element 'protection_domain'`, stackAttr.valueRange, 'sdf-out-of-range');
  } else if (stackAttr && stackSize % SMALL_PAGE !== 0) {
    r.error(`stack size must be aligned to the smallest page size, ${SMALL_PAGE} bytes on element 'protection_domain'`, stackAttr.valueRange, 'sdf-alignment');
  }
  const maxVaddr = USER_TOP - stackSize - SMALL_PAGE;
  let imageSeen: XmlElement | undefined;
  // Every setvar symbol of this PD so far (setvar elements and maps' setvar_vaddr/setvar_size): one
  // look-up per symbol, not a scan of every earlier map (quadratic in a PD's maps).
  const symbols = new Set<string>();
  for (const child of el.children) {
    switch (child.tag) {
      case 'program_image': {
        r.allowOnly(child, ['path', 'path_for_symbols']);
        r.noText(child);
        if (imageSeen) {
          r.error(`program_image must only be specified once on element 'protection_domain'`, child.nameRange, 'sdf-duplicate-element');
          break;
        }
        imageSeen = child;
        pd.programImage = r.required(child, 'path')?.value;
        break;
      }
      case 'map': {
        const m = parseMap(r, child, pd, maxVaddr);
        if (!m) break;
        for (const sym of [m.setvarVaddr, m.setvarSize]) {
          if (sym === undefined) continue;
          if (symbols.has(sym)) {
            const a = child.attributes.find((x) => x.value === sym && x.name.startsWith('setvar'))!;
            r.error(`setvar on symbol '${sym}' already exists on element 'map'`, a.valueRange, 'sdf-duplicate-setvar');
          }
        }
        pd.maps.push(m);
        if (m.setvarVaddr !== undefined) symbols.add(m.setvarVaddr);
        if (m.setvarSize !== undefined) symbols.add(m.setvarSize);
        break;
      }
      case 'irq': {
        r.allowOnly(child, ['irq', 'id', 'trigger']);
        r.noText(child);
        const irq = r.reqNumber(child, 'irq');
        const id = r.ranged(child, 'id', r.reqNumber(child, 'id'), 0, MAX_ID, `id must be < ${MAX_ID + 1}`);
        const trig = attribute(child, 'trigger');
        let trigger: 'level' | 'edge' = 'level';
        if (trig) {
          if (trig.value === 'edge' || trig.value === 'level') trigger = trig.value;
          else r.error(`trigger must be either 'level' or 'edge' on element 'irq'`, trig.valueRange, 'sdf-invalid-trigger');
        }
        if (irq !== undefined && id !== undefined) pd.irqs.push({ irq, id, trigger, element: child });
        break;
      }
      case 'setvar': {
        r.allowOnly(child, ['symbol', 'region_paddr']);
        r.noText(child);
        const symbol = r.required(child, 'symbol');
        const region = r.required(child, 'region_paddr');
        if (!symbol || !region) break;
        if (symbols.has(symbol.value)) {
          r.error(`setvar on symbol '${symbol.value}' already exists on element 'setvar'`, symbol.valueRange, 'sdf-duplicate-setvar');
          break;
        }
        pd.setvars.push({ symbol: symbol.value, regionPaddr: region.value, element: child });
        symbols.add(symbol.value);
        break;
      }
      case 'protection_domain':
        pd.children.push(parseProtectionDomain(r, child, pd));
        break;
      case 'virtual_machine':
        if (pd.virtualMachine) {
          r.error(`virtual_machine must only be specified once on element 'protection_domain'`, child.nameRange, 'sdf-duplicate-element');
          break;
        }
        pd.virtualMachine = parseVirtualMachine(r, child, pd);
        break;
      default:
        r.invalidElement(child, 'protection_domain');
    }
  }
  if (!imageSeen) r.error(`missing 'program_image' element on protection_domain: '${name}'`, el.nameRange, 'sdf-missing-program-image');
  return pd;
}

function parseMemoryRegion(r: ElementReader, el: XmlElement): MemoryRegion | undefined {
  r.allowOnly(el, ['name', 'size', 'page_size', 'phys_addr']);
  r.noText(el);
  const name = r.required(el, 'name');
  const size = r.reqNumber(el, 'size');
  const psAttr = attribute(el, 'page_size');
  let pageSize = r.number(el, psAttr) ?? SMALL_PAGE;
  if (psAttr && !(PAGE_SIZES as readonly number[]).includes(pageSize)) {
    r.error(`page size ${hex(pageSize)} not supported on element 'memory_region'`, psAttr.valueRange, 'sdf-page-size');
    pageSize = SMALL_PAGE;
  }
  const physAttr = attribute(el, 'phys_addr');
  const physAddr = r.number(el, physAttr);
  if (size !== undefined && size % pageSize !== 0) {
    r.error(`size is not a multiple of the page size (${hex(pageSize)}) on element 'memory_region'`, attribute(el, 'size')!.valueRange, 'sdf-alignment');
  }
  if (size === 0) r.error(`size must be greater than 0 on element 'memory_region'`, attribute(el, 'size')!.valueRange, 'sdf-out-of-range');
  if (physAddr !== undefined && physAddr % pageSize !== 0) {
    r.error(`phys_addr is not aligned to the page size (${hex(pageSize)}) on element 'memory_region'`, physAttr!.valueRange, 'sdf-alignment');
  }
  if (!name) return undefined;
  // A region with a bad or missing size stays in the model (size 0) so its maps do not cascade into errors.
  return { name: name.value, size: size ?? 0, pageSize, pageSizeGiven: psAttr !== undefined, physAddr, element: el };
}

function parseChannel(r: ElementReader, el: XmlElement): Channel | undefined {
  r.allowOnly(el, []);
  r.noText(el);
  const ends: ChannelEnd[] = [];
  for (const child of el.children) {
    if (child.tag !== 'end') {
      r.invalidElement(child, 'channel');
      continue;
    }
    r.allowOnly(child, ['pd', 'id', 'pp', 'notify']);
    r.noText(child);
    const pd = r.required(child, 'pd');
    const id = r.ranged(child, 'id', r.reqNumber(child, 'id'), 0, MAX_ID, `id must be < ${MAX_ID + 1}`);
    const pp = r.bool(child, 'pp', false);
    const notify = r.bool(child, 'notify', true);
    if (pd && id !== undefined) ends.push({ pd: pd.value, id, pp, notify, element: child });
  }
  const endCount = el.children.filter((c) => c.tag === 'end').length;
  if (endCount !== 2) {
    r.error(`exactly two end elements must be specified on element 'channel' (found ${endCount})`, el.nameRange, 'sdf-channel-ends');
    return undefined;
  }
  if (ends.length !== 2) return undefined;
  if (ends[0].pp && ends[1].pp) {
    r.error(`cannot ppc bidirectionally on element 'channel'`, attribute(ends[1].element, 'pp')!.valueRange, 'sdf-pp-bidirectional');
  }
  return { ends: [ends[0], ends[1]], element: el };
}

function flatten(pds: ProtectionDomain[], out: ProtectionDomain[]): void {
  for (const pd of pds) {
    out.push(pd);
    flatten(pd.children, out);
  }
}

/** Parse a .system file: XML, the typed model, and every rule of the microkit tool. Never throws. */
export function parseSystem(file: string, text: string): { model: SystemModel; diagnostics: Diagnostic[] } {
  const doc = parseXml(file, text);
  const diagnostics = [...doc.diagnostics];
  const model: SystemModel = { file, memoryRegions: [], rootDomains: [], protectionDomains: [], virtualMachines: [], channels: [], root: doc.root };
  const r = new ElementReader(diagnostics);
  const root = doc.root;
  if (!root) return { model, diagnostics };
  if (root.tag !== 'system') {
    r.error(`the root element must be 'system', not '${root.tag}'`, root.nameRange, 'sdf-invalid-element');
    return { model, diagnostics };
  }
  r.allowOnly(root, []);
  r.noText(root);
  for (const child of root.children) {
    switch (child.tag) {
      case 'memory_region': {
        const mr = parseMemoryRegion(r, child);
        if (mr) model.memoryRegions.push(mr);
        break;
      }
      case 'protection_domain':
        model.rootDomains.push(parseProtectionDomain(r, child, undefined));
        break;
      case 'channel': {
        const ch = parseChannel(r, child);
        if (ch) model.channels.push(ch);
        break;
      }
      case 'virtual_machine':
        r.error(`virtual machine must be a child of a protection domain`, child.nameRange, 'sdf-invalid-element');
        break;
      case 'domain_schedule':
        // Only meaningful with a domain-scheduler kernel; its contents are not modelled.
        break;
      default:
        r.invalidElement(child, 'system');
    }
  }
  flatten(model.rootDomains, model.protectionDomains);
  for (const pd of model.protectionDomains) if (pd.virtualMachine) model.virtualMachines.push(pd.virtualMachine);
  pushAll(diagnostics, checkSystem(model));
  return { model, diagnostics };
}
