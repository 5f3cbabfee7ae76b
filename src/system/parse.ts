// XML -> SystemModel, with the per-element rules of the microkit tool (sdf.rs): allowed and required
// attributes, number/boolean syntax, ranges, defaults, for the target's architecture and Microkit
// release (target.ts). Unlike the tool, which stops at the first error, this keeps going (a bad value
// falls back to the default) so an editor sees every problem.

import type { Diagnostic } from '../common/diagnostics';
import { parseXml, type XmlElement } from './xml';
import {
  DEFAULT_BUDGET_US,
  MAX_ID,
  MAX_PRIORITY,
  MAX_STACK_SIZE,
  MIN_STACK_SIZE,
  SMALL_PAGE,
  attribute,
  hex,
  type Channel,
  type ChannelEnd,
  type MapEntry,
  type MemoryRegion,
  type Perms,
  type ProtectionDomain,
  type SystemModel,
  type VirtualMachine,
} from './model';
import { checkSystem } from './checks/run-rules';
import { pushAll } from '../common/arrays';
import { ElementReader, SetvarSymbols, type ParseState } from './sdf-reader';
import { atLeast, pdMapMaxVaddr, resolveTarget, vmMapMaxVaddr, type TargetOptions } from './target';
import { parseIrq, parseIoport, parseIoAddressSpace, IoAddressSpaceState } from './parse-x86';
import { parseCspace, parseDomains } from './parse-domains';

export { parseSdfNumber } from './sdf-reader';

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
      r.valueError(el, `perms must only be a combination of 'r', 'w', and 'x'`, 'sdf-invalid-perms', a);
      return perms;
    }
  }
  if (p.w && !p.r && !p.x) {
    r.valueError(el, `perms must not be 'w', write-only mappings are not allowed`, 'sdf-write-only-map', a);
    return perms;
  }
  return p;
}

function parseMap(r: ElementReader, el: XmlElement, owner: ProtectionDomain | VirtualMachine, maxVaddr: number): MapEntry | undefined {
  const inPd = owner.kind === 'protection_domain';
  r.allowOnly(el, inPd ? ['mr', 'vaddr', 'perms', 'cached', 'setvar_vaddr', 'setvar_size', 'setvar_prefill_size'] : ['mr', 'vaddr', 'perms', 'cached']);
  r.noText(el);
  const mr = r.required(el, 'mr');
  let vaddr = r.reqNumber(el, 'vaddr');
  if (vaddr !== undefined && vaddr >= maxVaddr) {
    r.valueError(el, `vaddr (${hex(vaddr)}) must be less than ${hex(maxVaddr)}`, 'sdf-out-of-range', 'vaddr');
    vaddr = undefined;
  }
  const perms = parsePerms(r, el);
  const cached = r.bool(el, 'cached', true);
  if (!mr || vaddr === undefined) return undefined;
  return {
    mr: mr.value,
    vaddr,
    perms,
    cached,
    element: el,
    owner,
    setvarVaddr: inPd ? attribute(el, 'setvar_vaddr')?.value : undefined,
    setvarSize: inPd ? attribute(el, 'setvar_size')?.value : undefined,
    setvarPrefillSize: inPd ? attribute(el, 'setvar_prefill_size')?.value : undefined,
  };
}

/** budget/period/priority are shared by PDs and VMs. */
function parseScheduling(r: ElementReader, el: XmlElement): { priority: number; budget: number; period: number } {
  const priority = r.ranged(el, 'priority', r.optNumber(el, 'priority', 0), 0, MAX_PRIORITY, `priority must be between 0 and ${MAX_PRIORITY}`) ?? 0;
  const budget = r.optNumber(el, 'budget', DEFAULT_BUDGET_US);
  let period = r.optNumber(el, 'period', budget);
  if (budget > period) {
    r.valueError(
      el,
      `budget (${budget}) must be less than, or equal to, period (${period})`,
      'sdf-budget-period',
      attribute(el, 'budget') ?? attribute(el, 'period'),
    );
    period = budget;
  }
  return { priority, budget, period };
}

/** A `cpu` attribute: a u8, below the build's core count when that is known. */
function parseCpu(r: ElementReader, el: XmlElement): number | undefined {
  const a = attribute(el, 'cpu');
  const cpu = r.number(el, a);
  if (cpu === undefined) return undefined;
  if (cpu > 255) {
    r.valueError(el, 'cpu core must be between 0 and 255', 'sdf-out-of-range', a);
    return undefined;
  }
  const cores = r.target.facts.numCores;
  if (cores !== undefined && cpu >= cores) r.valueError(el, `cpu core must be less than ${cores}, got ${cpu}`, 'sdf-out-of-range', a);
  return cpu;
}

function parseVcpu(s: ParseState, child: XmlElement, vm: VirtualMachine): void {
  const { r } = s;
  r.allowOnly(child, ['id', 'setvar_id', 'cpu']);
  r.noText(child);
  const id = r.ranged(child, 'id', r.reqDecimal(child, 'id', true), 0, MAX_ID, `id must be < ${MAX_ID + 1}`);
  if (id === undefined) return;
  if (vm.vcpus.some((v) => v.id === id)) {
    r.error(`duplicate vcpu id ${id} in virtual machine '${vm.name}'`, attribute(child, 'id')!.valueRange, 'sdf-duplicate-id');
    return;
  }
  // The tool reads setvar_id from the virtual_machine (where it is not allowed), so a vCPU's is never
  // set; the manual puts it on the vcpu, as here.
  const setvarId = attribute(child, 'setvar_id')?.value;
  s.symbols.add(r, vm.vmm, setvarId, child);
  vm.vcpus.push({ id, cpu: parseCpu(r, child), setvarId, element: child });
}

function parseVirtualMachine(s: ParseState, el: XmlElement, vmm: ProtectionDomain): VirtualMachine {
  const { r, target } = s;
  const legacy = !atLeast(target.version, '2.0');
  // The VM shares the VMM's scheduling context on x86-64 from 2.3: no scheduling attributes there.
  const sched = target.arch === 'aarch64' || (target.arch === 'x86_64' && !atLeast(target.version, '2.3'));
  r.allowOnly(el, [...(sched ? ['name', 'budget', 'period', 'priority'] : ['name']), ...(legacy || target.versionOrigin === 'inferred' ? ['id'] : [])]);
  r.noText(el);
  const name = r.required(el, 'name')?.value ?? '';
  const params = sched ? parseScheduling(r, el) : { priority: vmm.priority, budget: vmm.budget, period: vmm.period };
  const vm: VirtualMachine = { kind: 'virtual_machine', name, ...params, vcpus: [], maps: [], vmm, element: el };
  const idAttr = attribute(el, 'id');
  if (idAttr && target.versionOrigin === 'inferred') {
    r.legacy(
      `'id' on virtual_machine is the Microkit 1.x form (read here as one vCPU, the file being read as Microkit 1.4); Microkit 2.0 rejects it and wants <vcpu id="${idAttr.value}" /> inside`,
      idAttr.nameRange,
    );
  }
  const legacyId =
    idAttr && (legacy || target.versionOrigin === 'inferred') ? r.ranged(el, 'id', r.number(el, idAttr), 0, MAX_ID, `id must be < ${MAX_ID + 1}`) : undefined;
  if (legacyId !== undefined) vm.vcpus.push({ id: legacyId, element: el });
  for (const child of el.children) {
    if (child.tag === 'vcpu') {
      if (r.elementKnown(child)) parseVcpu(s, child, vm);
    } else if (child.tag === 'map') {
      const m = parseMap(r, child, vm, vmMapMaxVaddr(target));
      if (m) vm.maps.push(m);
    } else {
      r.invalidElement(child);
    }
  }
  if (vm.vcpus.length === 0) r.error(`missing 'vcpu' element on virtual_machine: '${name}'`, el.nameRange, 'sdf-missing-vcpu');
  return vm;
}

function pdAttributes(s: ParseState, parent: ProtectionDomain | undefined): string[] {
  const allowed = ['name', 'priority', 'budget', 'period', 'passive', 'stack_size', 'smc', 'cpu', 'domain', 'fpu'];
  if (parent) allowed.push('id', 'setvar_id');
  if (!atLeast(s.target.version, '2.0') || s.target.versionOrigin === 'inferred') allowed.push('pp');
  return allowed;
}

function parsePdHeader(s: ParseState, el: XmlElement, parent: ProtectionDomain | undefined): ProtectionDomain {
  const { r, target } = s;
  r.allowOnly(el, pdAttributes(s, parent));
  r.noText(el);
  const name = r.required(el, 'name')?.value ?? '';
  const stackSize = r.optNumber(el, 'stack_size', atLeast(target.version, '2.1') ? 0x2000 : 0x1000);
  const pd: ProtectionDomain = {
    kind: 'protection_domain',
    name,
    ...parseScheduling(r, el),
    passive: r.bool(el, 'passive', false),
    stackSize,
    smc: r.bool(el, 'smc', false),
    cpu: parseCpu(r, el),
    fpu: r.bool(el, 'fpu', true),
    legacyPp: r.bool(el, 'pp', false) && pdAttributes(s, parent).includes('pp'),
    maps: [],
    irqs: [],
    ioports: [],
    capMaps: [],
    setvars: [],
    children: [],
    parent,
    element: el,
  };
  if (parent) {
    pd.id = r.ranged(el, 'id', r.reqNumber(el, 'id'), 0, MAX_ID, `id must be < ${MAX_ID + 1}`);
    pd.setvarId = attribute(el, 'setvar_id')?.value;
  }
  const ppAttr = attribute(el, 'pp');
  if (ppAttr && target.versionOrigin === 'inferred') {
    r.legacy(
      `'pp' on protection_domain is the Microkit 1.x form (accepted: the file is read as Microkit 1.4); Microkit 2.0 rejects it and wants pp="true" on the caller's channel end`,
      ppAttr.nameRange,
    );
  }
  if (pd.smc) checkSmc(r, el);
  pd.domain = parsePdDomain(s, el);
  const stackAttr = attribute(el, 'stack_size');
  if (stackAttr && (stackSize < MIN_STACK_SIZE || stackSize > MAX_STACK_SIZE)) {
    r.valueError(el, `stack size must be between ${hex(MIN_STACK_SIZE)} bytes and ${hex(MAX_STACK_SIZE)} bytes`, 'sdf-out-of-range', stackAttr);
  } else if (stackAttr && stackSize % SMALL_PAGE !== 0) {
    r.valueError(el, `stack size must be aligned to the smallest page size, ${SMALL_PAGE} bytes`, 'sdf-alignment', stackAttr);
  }
  return pd;
}

function checkSmc(r: ElementReader, el: XmlElement): void {
  const smc = r.target.facts.armSmc;
  const a = attribute(el, 'smc')!;
  if (smc === undefined) {
    r.error(`ARM SMC forwarding support is not available for this architecture (${r.target.arch})`, a.range, 'sdf-arch');
  } else if (!smc) {
    r.valueError(el, 'Using SMC support without ARM SMC forwarding support enabled in the kernel for this platform', 'sdf-arch', a);
  }
}

/** `domain`: required when a `<domains>` came before this PD, invalid otherwise (the tool reads them in order). */
function parsePdDomain(s: ParseState, el: XmlElement): string | undefined {
  const { r } = s;
  const domains = s.model.domains;
  if (domains && domains.domains.length > 0) {
    const a = r.required(el, 'domain');
    if (a && !domains.domains.some((d) => d.name === a.value)) r.valueError(el, `domain '${a.value}' not declared in <domains>:`, 'sdf-domain', a);
    return a?.value;
  }
  const a = attribute(el, 'domain');
  if (a) {
    const later = s.model.root?.children.some((c) => c.tag === 'domains');
    r.valueError(
      el,
      `Specifying a domain '${a.value}' without declaring a domain schedule is not allowed:${later ? ' (the <domains> element must come before the protection domains that name its domains)' : ''}`,
      'sdf-domain',
      a,
    );
  }
  return a?.value;
}

function parseProgramImage(r: ElementReader, pd: ProtectionDomain, child: XmlElement, seen: boolean): void {
  r.allowOnly(child, ['path', 'path_for_symbols']);
  r.noText(child);
  if (seen) {
    r.error(`program_image must only be specified once on element 'protection_domain'`, child.nameRange, 'sdf-duplicate-element');
    return;
  }
  pd.programImage = r.required(child, 'path')?.value;
  pd.pathForSymbols = attribute(child, 'path_for_symbols')?.value;
}

function parsePdMap(s: ParseState, pd: ProtectionDomain, child: XmlElement): void {
  const m = parseMap(s.r, child, pd, pdMapMaxVaddr(s.target, pd.stackSize));
  if (!m) return;
  for (const sym of [m.setvarVaddr, m.setvarSize, m.setvarPrefillSize]) s.symbols.add(s.r, pd, sym, child);
  pd.maps.push(m);
}

function parseSetvar(s: ParseState, pd: ProtectionDomain, child: XmlElement): void {
  const { r } = s;
  r.allowOnly(child, ['symbol', 'region_paddr']);
  r.noText(child);
  const symbol = r.required(child, 'symbol');
  const region = r.required(child, 'region_paddr');
  if (!symbol || !region) return;
  if (s.symbols.add(r, pd, symbol.value, child)) pd.setvars.push({ symbol: symbol.value, regionPaddr: region.value, element: child });
}

function parseVmChild(s: ParseState, pd: ProtectionDomain, child: XmlElement): void {
  const { r } = s;
  if (!s.target.facts.hypervisor) {
    r.error(
      `seL4 has not been built as a hypervisor, virtual machines are disabled on element 'protection_domain' (${s.target.arch}${s.target.board ? `, board ${s.target.board}` : ''})`,
      child.nameRange,
      'sdf-arch',
    );
  }
  if (pd.virtualMachine) {
    r.error(`virtual_machine must only be specified once on element 'protection_domain'`, child.nameRange, 'sdf-duplicate-element');
    return;
  }
  pd.virtualMachine = parseVirtualMachine(s, child, pd);
}

function parseProtectionDomain(s: ParseState, el: XmlElement, parent: ProtectionDomain | undefined): ProtectionDomain {
  const { r } = s;
  const pd = parsePdHeader(s, el, parent);
  let imageSeen = false,
    cspaceSeen = false;
  for (const child of el.children) {
    if (child.tag in CHILD_PARSERS && !r.elementKnown(child)) continue;
    switch (child.tag) {
      case 'program_image':
        parseProgramImage(r, pd, child, imageSeen);
        imageSeen = true;
        break;
      case 'map':
        parsePdMap(s, pd, child);
        break;
      case 'irq':
        parseIrq(s, pd, child);
        break;
      case 'ioport':
        parseIoport(s, pd, child);
        break;
      case 'setvar':
        parseSetvar(s, pd, child);
        break;
      case 'protection_domain': {
        const c = parseProtectionDomain(s, child, pd);
        s.symbols.add(r, pd, c.setvarId, child);
        pd.children.push(c);
        break;
      }
      case 'virtual_machine':
        parseVmChild(s, pd, child);
        break;
      case 'cspace':
        if (cspaceSeen) r.error(`cspace must only be specified once on element 'protection_domain'`, child.nameRange, 'sdf-duplicate-element');
        else parseCspace(s, pd, child);
        cspaceSeen = true;
        break;
      default:
        r.invalidElement(child, `Invalid XML element '${child.tag}'`);
    }
  }
  if (!imageSeen) r.error(`missing 'program_image' element on protection_domain: '${pd.name}'`, el.nameRange, 'sdf-missing-program-image');
  return pd;
}

const CHILD_PARSERS = { ioport: true, cspace: true, vcpu: true };

function parseRegionSize(r: ElementReader, el: XmlElement, pageSize: number, prefilled: boolean): number | undefined {
  const sizeAttr = attribute(el, 'size');
  if (!sizeAttr) {
    // The size of a prefilled region is its file's, rounded up to a page; bootinfo takes one page.
    if (attribute(el, 'prefill_bootinfo')) return pageSize;
    if (!prefilled) r.valueError(el, 'size must be specified if memory region is not prefilled', 'sdf-missing-attribute');
    return undefined;
  }
  const size = r.number(el, sizeAttr);
  if (size !== undefined && size % pageSize !== 0) {
    r.valueError(el, `size is not a multiple of the page size (${hex(pageSize)})`, 'sdf-alignment', sizeAttr);
  }
  if (size === 0) r.valueError(el, 'size must be greater than 0', 'sdf-out-of-range', sizeAttr);
  return size;
}

const BOOTINFO_TYPES = ['x86_vbe', 'x86_mbmmap', 'x86_acpi_rsdp', 'x86_framebuffer', 'x86_tsc_freq', 'fdt'];

function parseMemoryRegion(r: ElementReader, el: XmlElement): MemoryRegion | undefined {
  r.allowOnly(el, ['name', 'size', 'page_size', 'phys_addr', 'prefill_path', 'prefill_bootinfo']);
  r.noText(el);
  const name = r.required(el, 'name');
  const psAttr = attribute(el, 'page_size');
  let pageSize = r.number(el, psAttr) ?? SMALL_PAGE;
  if (psAttr && !r.target.facts.pageSizes.includes(pageSize)) {
    r.valueError(el, `page size ${hex(pageSize)} not supported`, 'sdf-page-size', psAttr);
    pageSize = SMALL_PAGE;
  }
  const prefillPath = attribute(el, 'prefill_path')?.value;
  const bootinfo = attribute(el, 'prefill_bootinfo');
  if (bootinfo && !BOOTINFO_TYPES.includes(bootinfo.value))
    r.valueError(el, `BootInfoMap type: '${bootinfo.value}' is not supported`, 'sdf-invalid-value', bootinfo);
  if (prefillPath !== undefined && bootinfo) r.valueError(el, 'prefill_path and prefill_bootinfo cannot be both specified', 'sdf-invalid-value', bootinfo);
  const size = parseRegionSize(r, el, pageSize, prefillPath !== undefined);
  const physAttr = attribute(el, 'phys_addr');
  const physAddr = r.number(el, physAttr);
  if (physAddr !== undefined && physAddr % pageSize !== 0) {
    r.valueError(el, `phys_addr is not aligned to the page size (${hex(pageSize)})`, 'sdf-alignment', physAttr);
  }
  if (!name) return undefined;
  // A region with a bad or missing size stays in the model (size 0, or a page when prefilled from a
  // file this cannot read) so its maps do not cascade into errors.
  return {
    name: name.value,
    size: size ?? (prefillPath !== undefined ? pageSize : 0),
    pageSize,
    pageSizeGiven: psAttr !== undefined,
    physAddr,
    prefillPath,
    prefillBootinfo: bootinfo?.value,
    element: el,
  };
}

function parseEnd(r: ElementReader, child: XmlElement): ChannelEnd | undefined {
  r.allowOnly(child, ['pd', 'id', 'pp', 'notify', 'setvar_id']);
  r.noText(child);
  const pd = r.required(child, 'pd');
  const id = r.ranged(child, 'id', r.reqDecimal(child, 'id'), 0, MAX_ID, `id must be < ${MAX_ID + 1}`);
  const notify = r.bool(child, 'notify', true);
  const pp = r.bool(child, 'pp', false);
  if (!pd || id === undefined) return undefined;
  return { pd: pd.value, id, pp, notify, setvarId: attribute(child, 'setvar_id')?.value, element: child };
}

function parseChannel(r: ElementReader, el: XmlElement): Channel | undefined {
  r.allowOnly(el, []);
  r.noText(el);
  const ends: ChannelEnd[] = [];
  for (const child of el.children) {
    if (child.tag !== 'end') {
      r.invalidElement(child);
      continue;
    }
    const end = parseEnd(r, child);
    if (end) ends.push(end);
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

function parseSystemChild(s: ParseState, child: XmlElement, io: IoAddressSpaceState): void {
  const { r, model } = s;
  if (child.tag in SYSTEM_CHILDREN_SINCE && !r.elementKnown(child)) return;
  switch (child.tag) {
    case 'memory_region': {
      const mr = parseMemoryRegion(r, child);
      if (mr) model.memoryRegions.push(mr);
      break;
    }
    case 'protection_domain':
      model.rootDomains.push(parseProtectionDomain(s, child, undefined));
      break;
    case 'channel': {
      const ch = parseChannel(r, child);
      if (ch) model.channels.push(ch);
      break;
    }
    case 'io_address_space': {
      const space = parseIoAddressSpace(s, child, io);
      if (space) model.ioAddressSpaces.push(space);
      break;
    }
    case 'domains':
      if (model.domains) r.error(`domains must only be specified once on element 'domains'`, child.nameRange, 'sdf-duplicate-element');
      else model.domains = parseDomains(s, child);
      break;
    case 'virtual_machine':
      r.error(`virtual machine must be a child of a protection domain`, child.nameRange, 'sdf-invalid-element');
      break;
    default:
      r.invalidElement(child);
  }
}

const SYSTEM_CHILDREN_SINCE = { io_address_space: true, domains: true };

/** Channel ends' setvar_id symbols go into their PDs' setvars, after every PD is read. */
function addChannelSetvars(s: ParseState): void {
  for (const ch of s.model.channels) {
    for (const end of ch.ends) {
      const pd = s.model.protectionDomains.find((p) => p.name === end.pd);
      if (pd) s.symbols.add(s.r, pd, end.setvarId, end.element);
    }
  }
}

/**
 * Parse a .system file: XML, the typed model, and every rule of the microkit tool, for the
 * architecture and Microkit release in `options` (else inferred from the file). Never throws.
 */
export function parseSystem(file: string, text: string, options?: TargetOptions): { model: SystemModel; diagnostics: Diagnostic[] } {
  const doc = parseXml(file, text);
  const diagnostics = [...doc.diagnostics];
  const root = doc.root;
  const target = resolveTarget(root, options);
  const model: SystemModel = {
    file,
    memoryRegions: [],
    rootDomains: [],
    protectionDomains: [],
    virtualMachines: [],
    channels: [],
    ioAddressSpaces: [],
    target,
    root,
  };
  const r = new ElementReader(diagnostics, target);
  if (!root) return { model, diagnostics };
  if (root.tag !== 'system') {
    r.error(`the root element must be 'system', not '${root.tag}'`, root.nameRange, 'sdf-invalid-element');
    return { model, diagnostics };
  }
  r.allowOnly(root, []);
  r.noText(root);
  const state: ParseState = { r, target, symbols: new SetvarSymbols(), model };
  const io = new IoAddressSpaceState();
  for (const child of root.children) parseSystemChild(state, child, io);
  flatten(model.rootDomains, model.protectionDomains);
  for (const pd of model.protectionDomains) if (pd.virtualMachine) model.virtualMachines.push(pd.virtualMachine);
  addChannelSetvars(state);
  pushAll(diagnostics, checkSystem(model));
  return { model, diagnostics };
}
