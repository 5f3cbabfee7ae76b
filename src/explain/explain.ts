// A serial log's events explained against the project they came from: which PD or VM printed
// them (the `NAME|` prefix, the monitor's "faulting PD", seL4's thread name), which memory region
// and map of the .system an address falls in, which node of that guest's device tree owns it (reg
// translated through `ranges`, src/system/dt-facts.ts), and what to change. Fixes are described
// here and turned into edits by the edges (the language server's quick fixes, the CLI's hints).
import type { Diagnostic, Severity, SourceRange } from '../common/diagnostics';
import { basename } from '../common/paths';
import { getProperty, nodePath, type DtNode, type DtTree } from '../devicetree/tree';
import { describeFsr, decodeFsr } from '../emulator/fault';
import { REG as VIRTIO_REG } from '../emulator/virtio/console';
import {
  attribute,
  dtFacts,
  findMr,
  findPd,
  findVm,
  hex,
  isVirtioMmio,
  MAX_STACK_SIZE,
  SMALL_PAGE,
  USER_TOP,
  type Channel,
  type ChannelEnd,
  type MapEntry,
  type Project,
  type ProtectionDomain,
  type GuestConfig,
  type XmlElement,
} from '../system';
import { DEPENDENCY_PROPS, gicInterrupts, vmMappings } from '../system/checks/guest-dt';
import { decodeLog, type LogEvent, type LogEventOf, type LogSpan } from './decode';
import { parseNumber } from './log-lines';

/** What an explanation proposes; the edges make the edits (the .system's XML, the guest's tree). */
export type LogFix =
  | { kind: 'disable-node'; title: string; vm: string; node: DtNode }
  | { kind: 'map-device'; title: string; vm: string; base: number; size: number; mr: string; existing: boolean }
  | { kind: 'set-attribute'; title: string; element: XmlElement; name: string; value: string };

/** The diagnostic code of an explanation: `log-` and the kind of the event it explains. */
export type LogCode = `log-${LogEvent['kind']}`;

declare module '../common/diagnostics' {
  interface DiagnosticCodes extends Record<LogCode, true> {}
}

export interface Explanation {
  span: LogSpan;
  severity: Severity;
  /** `log-<event kind>`: the diagnostic code. */
  code: LogCode;
  message: string;
  /** The PD or VM the lines concern. */
  subject?: string;
  /** The DT node and the .system elements the message names. */
  related: { message: string; range: SourceRange }[];
  fixes: LogFix[];
}

export interface ExplainContext {
  project: Project;
  /** Each guest's compiled tree, by VM name (missing when it did not compile). */
  trees: ReadonlyMap<string, DtTree | undefined>;
  /** The project's cross-check findings: what may explain a silent boot. */
  findings?: readonly Diagnostic[];
}

/** Microkit's cap layout of a PD's CSpace (libmicrokit/include/microkit.h). */
const CAP_KINDS: [base: number, what: string, call: string][] = [
  [10, 'notification', 'microkit_notify'],
  [74, 'endpoint', 'microkit_ppcall'],
  [138, 'IRQ handler', 'microkit_irq_ack'],
];
const MICROKIT_CHANNELS = 64;

/** PSCI function IDs (Arm DEN 0022) a guest kernel calls. */
const PSCI_FUNCTIONS: ReadonlyMap<number, string> = new Map([
  [0x84000000, 'PSCI_VERSION'],
  [0x84000001, 'CPU_SUSPEND (32-bit)'],
  [0xc4000001, 'CPU_SUSPEND'],
  [0x84000002, 'CPU_OFF'],
  [0x84000003, 'CPU_ON (32-bit)'],
  [0xc4000003, 'CPU_ON'],
  [0xc4000004, 'AFFINITY_INFO'],
  [0x84000006, 'MIGRATE_INFO_TYPE'],
  [0x84000008, 'SYSTEM_OFF'],
  [0x84000009, 'SYSTEM_RESET'],
  [0x8400000a, 'PSCI_FEATURES'],
  [0xc4000012, 'SYSTEM_RESET2'],
]);

/** Every explained event of a log, in log order; without a context, what the lines alone say. */
export function explainLog(text: string, ctx?: ExplainContext): Explanation[] {
  const begin = ctx?.project.serial.beginString;
  const events = decodeLog(text, { beginString: begin });
  const out: Explanation[] = [];
  // A stop notice repeats what the VMM printed just before it: one explanation per failure.
  const reported = new Set<string>();
  for (const e of events) {
    if (e.kind === 'vm-stopped' && reported.has(stopKey(ctx, e.vm, e.addr))) continue;
    if (e.kind === 'vmm-memory-fault') reported.add(stopKey(ctx, e.pd, e.addr));
    if (e.kind === 'vmm-unhandled-call' || e.kind === 'vmm-handler-fault') reported.add(stopKey(ctx, e.pd, undefined));
    const x = explainEvent(e, ctx);
    if (x) out.push(x);
  }
  return out;
}

/** The VM a PD or VM name stands for, with the faulting address: what a stop notice and a VMM report share. */
function stopKey(ctx: ExplainContext | undefined, name: string, addr: number | undefined): string {
  const vm = locate(ctx, name).guest?.vm ?? name;
  return `${vm}@${addr ?? ''}`;
}

interface Where {
  pd?: ProtectionDomain;
  guest?: GuestConfig;
  tree?: DtTree;
}

function locate(ctx: ExplainContext | undefined, name: string | undefined): Where {
  if (!ctx || !name) return {};
  const pd = findPd(ctx.project.system, name);
  const guest = ctx.project.guests.find((g) => g.vmm === name || g.vm === name);
  return { pd, guest, tree: guest ? ctx.trees.get(guest.vm) : undefined };
}

function systemName(ctx: ExplainContext): string {
  return basename(ctx.project.systemFile);
}

/** `gpc@303a0000 (maaxboard.dts:752)`: a node as messages name it. */
function nodeName(node: DtNode): string {
  return `${node.name || '/'} (${basename(node.nameRange.file)}:${node.nameRange.start.line + 1})`;
}

function nodeRelated(node: DtNode, vm: string): { message: string; range: SourceRange } {
  return { message: `${nodePath(node)} in the device tree of '${vm}'`, range: node.nameRange };
}

function elementRelated(el: XmlElement, message: string): { message: string; range: SourceRange } {
  return { message, range: el.nameRange };
}

function explanation(e: LogEvent, severity: Severity, message: string, extra: Partial<Explanation> = {}): Explanation {
  return {
    span: { line: e.line, endLine: e.endLine, col: e.col, endCol: e.endCol },
    severity,
    code: `log-${e.kind}`,
    message,
    related: [],
    fixes: [],
    ...extra,
  };
}

function explainEvent(e: LogEvent, ctx: ExplainContext | undefined): Explanation | undefined {
  switch (e.kind) {
    case 'vmm-memory-fault':
      return guestMemoryFault(e, ctx);
    case 'vmm-handler-fault':
      return handlerFault(e, ctx);
    case 'vmm-virq-disabled':
      return virqDisabled(e, ctx);
    case 'vmm-vcpu-exception':
      return explanation(
        e,
        'error',
        `the vCPU of ${vmOf(ctx, e.pd)} trapped with an exception its VMM '${e.pd}' does not handle: ESR ${hex(e.hsr)} (${describeFsr(e.hsr)})`,
        { subject: e.pd },
      );
    case 'vmm-unhandled-call':
      return unhandledCall(e, ctx);
    case 'vmm-unexpected-channel':
      return unexpectedChannel(e, ctx, e.pd, e.ch, 'notified on');
    case 'vmm-image':
      return imagePlacement(e, ctx);
    case 'vmm-fault-unhandled':
      return explanation(e, 'error', `${vmOf(ctx, e.pd)} stopped: its VMM '${e.pd}' could not handle a ${e.fault} fault`, { subject: e.pd });
    case 'virtio-error':
      return explanation(e, 'warning', `the virtio console of ${vmOf(ctx, e.pd)} reports: ${e.message}`, { subject: e.pd });
    case 'pd-fault':
      return pdFault(e, ctx);
    case 'pd-invalid-channel':
      return unexpectedChannel(e, ctx, e.pd, e.ch, `called ${e.call} on`);
    case 'kernel-invalid-cap':
      return invalidCap(e, ctx);
    case 'kernel-fault':
      return kernelDoubleFault(e, ctx);
    case 'virt-rx-invalid-client':
      return invalidClient(e, ctx);
    case 'linux-paging-request':
      return pagingRequest(e);
    case 'linux-deferred-probe':
      return deferredProbe(e, ctx);
    case 'linux-no-console':
      return noConsole(e, ctx);
    case 'vm-stopped':
      return vmStopped(e, ctx);
    case 'loader-error':
      return loaderError(e);
    case 'silence-after-begin':
      return silenceAfterBegin(e, ctx);
  }
}

/** A guest access that its VMM's registered handler (the virtio device) could not serve. */
function handlerFault(e: LogEventOf<'vmm-handler-fault'>, ctx: ExplainContext | undefined): Explanation {
  const w = locate(ctx, e.pd);
  const offset = e.addr - e.base;
  const reg = Object.entries(VIRTIO_REG).find(([, o]) => o === offset)?.[0];
  const vm = w.guest ? `'${w.guest.vm}'` : 'the guest';
  const isConsole = w.guest && e.base === w.guest.virtio.base;
  return explanation(
    e,
    'error',
    `${vm} accessed ${hex(e.addr)}, offset ${hex(offset)}${reg ? ` (${reg})` : ''} of the ${isConsole ? 'virtio console' : 'emulated device'} at [${hex(e.base)}..${hex(e.end)}) in a way its VMM '${e.pd}' does not handle; the vCPU is stopped`,
    { subject: w.guest?.vm ?? e.pd },
  );
}

/** An SMC or PSCI call libvmm does not emulate. */
function unhandledCall(e: LogEventOf<'vmm-unhandled-call'>, ctx: ExplainContext | undefined): Explanation {
  if (e.what === 'SMC')
    return explanation(
      e,
      'error',
      `${vmOf(ctx, e.pd)} made an SMC call its VMM '${e.pd}' does not emulate; the guest stops (a firmware call the board's kernel config expects: check the guest's psci node uses method = "hvc" or "smc" as libvmm emulates)`,
      { subject: e.pd },
    );
  const name = e.id === undefined ? undefined : PSCI_FUNCTIONS.get(e.id);
  return explanation(
    e,
    'error',
    `${vmOf(ctx, e.pd)} called PSCI function ${e.id === undefined ? '?' : hex(e.id)}${name ? ` (${name})` : ''}, which libvmm does not emulate; the vCPU is stopped`,
    { subject: e.pd },
  );
}

/** libvmm refused the guest's image layout: the project file's addresses next to its message. */
function imagePlacement(e: LogEventOf<'vmm-image'>, ctx: ExplainContext | undefined): Explanation {
  const w = locate(ctx, e.pd);
  const g = w.guest;
  const facts = g
    ? ` ('${g.vm}': RAM [${hex(g.ramGpa)}..${hex(g.ramGpa + g.ramSize)}), DTB at ${hex(g.dtbAddr)}, initrd at ${hex(g.initrdAddr)}; set dtbAddr/initrdAddr in the project file to match the VMM's build)`
    : '';
  const related = g?.ranges.dtbAddr ? [{ message: 'the DTB address in the project file', range: g.ranges.dtbAddr }] : [];
  return explanation(e, 'error', `the VMM '${e.pd}' could not place the guest's images: ${e.message}${facts}`, { subject: e.pd, related });
}

/** seL4 userError on an invocation: a channel cap the PD lacks, when the cap number is one. */
function invalidCap(e: LogEventOf<'kernel-invalid-cap'>, ctx: ExplainContext | undefined): Explanation {
  const cap = capChannel(e.cap);
  if (!cap) return explanation(e, 'error', `seL4: '${e.thread}' invoked cap ${e.cap}, which its CSpace does not hold: ${e.message}`, { subject: e.thread });
  return unexpectedChannel(e, ctx, e.thread, cap.ch, `invoked the ${cap.what} cap (${cap.call}) of`);
}

/** seL4's double fault: explained by the fault the handler was handling. */
function kernelDoubleFault(e: LogEventOf<'kernel-fault'>, ctx: ExplainContext | undefined): Explanation {
  if (e.fault === 'cap') {
    const cap = capChannel(e.addr);
    if (cap && e.thread) return unexpectedChannel(e, ctx, e.thread, cap.ch, `invoked the ${cap.what} cap (${cap.call}) of`);
    return explanation(e, 'error', `seL4: ${e.thread ? `'${e.thread}'` : 'a thread'} took a cap fault on cap ${e.addr} and its fault handler faulted too`, {
      subject: e.thread,
    });
  }
  return pdAddressFault(e, ctx, e.thread, e.addr, e.status, undefined, false);
}

/** The RX virtualiser was asked to switch to a client it does not have; the clients it has, and the off-by-one hint. */
function invalidClient(e: LogEventOf<'virt-rx-invalid-client'>, ctx: ExplainContext | undefined): Explanation {
  const clients = ctx ? [...ctx.project.roles.clients].sort((a, b) => a.index - b.index) : [];
  const base = ctx?.project.serial.clientBase ?? 0;
  const list = clients.map((c) => `${c.index + base} = '${c.pd}'`).join(', ');
  const hint =
    clients.length > 0 && e.client === clients.length + base - 1 + 1 && base === 0
      ? `: clients are numbered from 0, so the last guest is ${clients.length - 1} (the sel4devkit manual's "@1"/"@2" counts from 1)`
      : '';
  return explanation(e, 'warning', `the RX virtualiser has no client ${e.client}${list ? ` (${list})` : ''}${hint}`, { subject: ctx?.project.roles.virtRx });
}

/** A Linux oops from a kernel paging request. */
function pagingRequest(e: LogEventOf<'linux-paging-request'>): Explanation {
  const esr = e.esr !== undefined ? `; ESR ${hex(e.esr)}: ${describeFsr(e.esr)}` : '';
  const what = e.nullPointer ? 'dereferenced a NULL pointer' : `faulted on kernel virtual address ${e.vaddr}`;
  return explanation(
    e,
    'error',
    `the guest kernel ${what}${e.pc ? ` in ${e.pc}` : ''}${esr}: the oops follows. A driver touching an unmapped device faults in its VMM first (a libvmm "unexpected memory fault" line); this one is a bug or a bad device tree value inside the guest`,
  );
}

/** Linux found no console: the project's console findings are the likely cause. */
function noConsole(e: LogEventOf<'linux-no-console'>, ctx: ExplainContext | undefined): Explanation {
  const hints = (ctx?.findings ?? []).filter((d) => d.code === 'guest-dt-virtio' || d.code === 'guest-dt-bootargs' || d.code === 'guest-dt-stdout');
  return explanation(
    e,
    'warning',
    `the guest found no console device: its output stops here${hints.length > 0 ? `. The project has ${hints.length} finding(s) on the console: ${hints.map((d) => d.message).join('; ')}` : ' (check the virtio console node and console=hvc0 in bootargs)'}`,
    { related: hints.filter((d) => d.range).map((d) => ({ message: d.message, range: d.range! })) },
  );
}

/** The emulator stopped a guest's vCPU: a memory fault is explained as libvmm's would be. */
function vmStopped(e: LogEventOf<'vm-stopped'>, ctx: ExplainContext | undefined): Explanation {
  if (e.addr !== undefined) {
    const vmm = ctx?.project.guests.find((g) => g.vm === e.vm)?.vmm ?? e.vm;
    return guestMemoryFault(
      { ...e, kind: 'vmm-memory-fault', pd: vmm, addr: e.addr, fsr: undefined, ip: '', prefetch: false, write: false, registers: new Map() },
      ctx,
      e.kind,
    );
  }
  return explanation(
    e,
    'error',
    `'${e.vm}' stopped: ${e.reason}${e.reason.startsWith('unhandled PSCI') ? ' (libvmm does not emulate that PSCI call)' : e.reason.startsWith('virtio') ? " (its VMM's virtio handler failed: see the VMM's error before it)" : ''}`,
    { subject: e.vm },
  );
}

/** Nothing after the TX virtualiser's begin string: the findings that keep a guest's console silent. */
function silenceAfterBegin(e: LogEventOf<'silence-after-begin'>, ctx: ExplainContext | undefined): Explanation {
  const codes = new Set([
    'guest-dt-bootargs',
    'guest-dt-irq-route',
    'guest-dt-virtio',
    'guest-dt-unmapped-device',
    'guest-dt-memory',
    'guest-dt-initrd',
    'guest-dt-stdout',
  ]);
  const hints = (ctx?.findings ?? []).filter((d) => d.code && codes.has(d.code) && d.severity !== 'info');
  const tail =
    hints.length > 0
      ? `. The project has ${hints.length} finding(s) that stop a guest's console: ${hints
          .slice(0, 3)
          .map((d) => d.message)
          .join('; ')}${hints.length > 3 ? '; ...' : ''}`
      : ": the guests printed nothing (no kernel output reached the virtio console: check earlycon/console=hvc0 in bootargs, the virtio node's interrupt route, and that the VMMs started their guests)";
  return explanation(e, 'warning', `the log ends with the TX virtualiser's "${e.begin}"${tail}`, {
    related: hints.filter((d) => d.range).map((d) => ({ message: d.message, range: d.range! })),
  });
}

function vmOf(ctx: ExplainContext | undefined, pd: string): string {
  const g = locate(ctx, pd).guest;
  return g ? `'${g.vm}'` : `the guest of '${pd}'`;
}

/** The VM map covering gpa, with its region. */
function vmMapAt(ctx: ExplainContext, guest: GuestConfig, gpa: number): MapEntry | undefined {
  const vm = findVm(ctx.project.system, guest.vm);
  if (!vm) return undefined;
  const maps = vmMappings(ctx.project.system, vm);
  const m = maps.find((r) => gpa >= r.base && gpa < r.base + r.size);
  return m ? vm.maps.find((x) => x.mr === m.mr && x.vaddr === m.base) : undefined;
}

/** A guest's access the VMM could not handle; `fsr` is undefined for the emulator's stop notice (which prints none). */
function guestMemoryFault(
  e: Omit<LogEventOf<'vmm-memory-fault'>, 'fsr'> & { fsr?: number },
  ctx: ExplainContext | undefined,
  code?: LogEvent['kind'],
): Explanation {
  const pc = e.registers.get('pc') ?? e.ip;
  const at = parseNumber(pc) ? `guest pc ${pc}` : '';
  const fsr = [e.fsr !== undefined ? `FSR ${hex(e.fsr)}: ${describeFsr(e.fsr)}` : '', at].filter((p) => p).join(', ');
  const tail = fsr ? ` (${fsr})` : '';
  const w = locate(ctx, e.pd);
  if (!ctx || !w.guest) {
    const who = ctx ? `'${e.pd}' is not the VMM of a virtual machine in ${systemName(ctx)}` : 'no project to map it to a device';
    return explanation(e as LogEvent, 'error', `the guest of '${e.pd}' faulted on ${hex(e.addr)}${tail}; ${who}`, {
      subject: e.pd,
      ...(code ? { code: `log-${code}` } : {}),
    });
  }
  const g = w.guest;
  const vm = findVm(ctx.project.system, g.vm);
  const related: Explanation['related'] = [];
  if (vm) related.push(elementRelated(vm.element, `virtual machine '${g.vm}'`));
  const fixes: LogFix[] = [];
  const map = vmMapAt(ctx, g, e.addr);
  const node = w.tree ? dtFacts.nodeAtAddress(w.tree, e.addr) : undefined;
  if (node) related.unshift(nodeRelated(node, g.vm));
  let message: string;
  if (map) {
    related.push(elementRelated(map.element, `the map of '${map.mr}' into '${g.vm}'`));
    const perms = `${map.perms.r ? 'r' : ''}${map.perms.w ? 'w' : ''}${map.perms.x ? 'x' : ''}`;
    const needs = e.prefetch ? 'x' : e.write ? 'w' : 'r';
    message = `${hex(e.addr)} is in '${map.mr}', mapped into '${g.vm}' at ${hex(map.vaddr)} with perms="${perms}"${node ? ` (${nodeName(node)})` : ''}: ${map.perms[needs] ? "the access is allowed by the map, so the fault comes from the region's size or cache attributes" : `the guest's ${e.prefetch ? 'instruction fetch' : e.write ? 'write' : 'read'} needs "${needs}"`}`;
    if (!map.perms[needs]) {
      const value = perms.includes(needs) ? perms : ['r', 'w', 'x'].filter((p) => perms.includes(p) || p === needs).join('');
      fixes.push({ kind: 'set-attribute', title: `Map '${map.mr}' into '${g.vm}' with perms="${value}"`, element: map.element, name: 'perms', value });
    }
  } else if (node && (dtFacts.isGic(node) || isVirtioMmio(node))) {
    // Devices the VMM emulates: a fault there is an address the VMM does not serve, not a device to map.
    message = dtFacts.isGic(node)
      ? `${hex(e.addr)} is ${nodeName(node)}, the interrupt controller libvmm emulates for '${g.vm}': its vGIC distributor is registered at another address than this tree's GIC (libvmm's GIC_DIST_PADDR for the board must match the node's reg)`
      : `${hex(e.addr)} is ${nodeName(node)}, a virtio device the VMM '${e.pd}' does not serve: its virtio console is at [${hex(g.virtio.base)}..${hex(g.virtio.base + g.virtio.size)})${g.ranges.virtio ? ' (the project file\'s "virtio")' : ''}: move the node there or disable it`;
    if (isVirtioMmio(node) && dtFacts.isEnabled(node))
      fixes.push({ kind: 'disable-node', title: `Disable ${node.name} in the device tree of '${g.vm}' (status = "disabled")`, vm: g.vm, node });
  } else if (node) {
    const enabled = dtFacts.isEnabled(node);
    const reg = dtFacts.regRanges(node).find((r) => e.addr >= r.base && e.addr < r.base + r.size)!;
    if (enabled) {
      message = `${hex(e.addr)} is ${nodeName(node)}, enabled in ${g.vm}'s tree and not mapped into its VM: disable it or map it`;
      fixes.push({ kind: 'disable-node', title: `Disable ${node.name} in the device tree of '${g.vm}' (status = "disabled")`, vm: g.vm, node });
    } else {
      message = `${hex(e.addr)} is ${nodeName(node)}, disabled in ${g.vm}'s tree and not mapped into its VM: something the guest runs still touches it (a driver through a dependency, earlycon, or a kernel built for the board): map it if the guest needs it`;
    }
    const base = Math.floor(reg.base / SMALL_PAGE) * SMALL_PAGE;
    const size = Math.ceil((reg.base + reg.size - base) / SMALL_PAGE) * SMALL_PAGE;
    const existing = ctx.project.system.memoryRegions.find((r) => r.physAddr !== undefined && base >= r.physAddr && base + size <= r.physAddr + r.size);
    const mr =
      existing?.name ??
      node.name.split('@')[0].replace(/[^A-Za-z0-9_]/g, '_') +
        (ctx.project.system.memoryRegions.some((r) => r.name === node.name.split('@')[0]) ? `_${g.vm.replace(/[^A-Za-z0-9_]/g, '_')}` : '');
    fixes.push({
      kind: 'map-device',
      vm: g.vm,
      base: existing?.physAddr ?? base,
      size: existing?.size ?? size,
      mr,
      existing: !!existing,
      title: existing
        ? `Map '${mr}' into '${g.vm}' at ${hex(existing.physAddr!)}`
        : `Map ${node.name} into '${g.vm}': a memory region '${mr}' at ${hex(base)} (size ${hex(size)})`,
    });
  } else if (e.addr >= g.ramGpa && e.addr < g.ramGpa + g.ramSize) {
    message = `${hex(e.addr)} is inside the guest RAM of '${g.vm}' [${hex(g.ramGpa)}..${hex(g.ramGpa + g.ramSize)}) but '${g.ramRegion}' is not mapped there`;
  } else {
    message = `${hex(e.addr)} is in no device-tree node of '${g.vm}' and outside its RAM [${hex(g.ramGpa)}..${hex(g.ramGpa + g.ramSize)}): the guest used an address nothing describes (a memory node larger than the RAM map, or a bad pointer)`;
  }
  return explanation(e as LogEvent, 'error', `${message}${tail}`, { subject: g.vm, related, fixes, ...(code ? { code: `log-${code}` } : {}) });
}

function virqDisabled(e: LogEventOf<'vmm-virq-disabled'>, ctx: ExplainContext | undefined): Explanation {
  const w = locate(ctx, e.pd);
  const kind = e.irq >= 32 ? `SPI ${e.irq - 32}` : e.irq >= 16 ? `PPI ${e.irq - 16}` : `SGI ${e.irq}`;
  const base = `the VMM '${e.pd}' injects vIRQ ${e.irq} (GIC INTID ${e.irq}, ${kind}) but ${w.guest ? `'${w.guest.vm}'` : 'the guest'} has not enabled it in the vGIC`;
  if (!ctx || !w.guest || !w.tree) return explanation(e, 'warning', `${base}: no driver in the guest asked for that interrupt`, { subject: e.pd });
  const owners: DtNode[] = [];
  const offByOne: DtNode[] = [];
  for (const node of allNodes(w.tree)) {
    const ids = gicInterrupts(w.tree, node);
    if (ids.includes(e.irq)) owners.push(node);
    if (ids.includes(e.irq + 32)) offByOne.push(node);
  }
  const related: Explanation['related'] = [];
  const fixes: LogFix[] = [];
  const vmmIrq = w.pd?.irqs.find((i) => i.irq === e.irq);
  if (owners.length === 0 && offByOne.length > 0) {
    // The +32 mistake: the SPI number from the tree given where the GIC INTID belongs.
    const node = offByOne[0];
    related.push(nodeRelated(node, w.guest.vm));
    let message = `${base}: no device in its tree uses INTID ${e.irq}, but ${nodeName(node)} has SPI ${e.irq} = INTID ${e.irq + 32}. vIRQ numbers are GIC INTIDs: an SPI's is its number + 32`;
    if (vmmIrq) {
      related.push(elementRelated(vmmIrq.element, `the irq of '${e.pd}'`));
      message += `; the .system gives '${e.pd}' irq ${e.irq}, which should be ${e.irq + 32}`;
      fixes.push({
        kind: 'set-attribute',
        title: `Use INTID ${e.irq + 32} (SPI ${e.irq} + 32) for the irq of '${e.pd}'`,
        element: vmmIrq.element,
        name: 'irq',
        value: String(e.irq + 32),
      });
    } else if (w.guest.virtio.spi + 32 === e.irq + 32 && w.guest.ranges.virtio) {
      related.push({ message: 'the virtio console in the project file', range: w.guest.ranges.virtio });
    }
    return explanation(e, 'error', message, { subject: w.guest.vm, related, fixes });
  }
  if (owners.length > 0) {
    const node = owners[0];
    related.push(nodeRelated(node, w.guest.vm));
    const route = dtFacts.interruptParent(w.tree, node).controller;
    const via = route && !dtFacts.isGic(route) ? `; its interrupts go through ${nodeName(route)}, not straight to the vGIC` : '';
    return explanation(e, 'warning', `${base}: it is the interrupt of ${nodeName(node)}, whose driver has not set it up (not probed yet, or failed)${via}`, {
      subject: w.guest.vm,
      related,
    });
  }
  return explanation(e, 'warning', `${base}: no device in the tree of '${w.guest.vm}' uses that interrupt`, { subject: w.guest.vm });
}

function* allNodes(tree: DtTree): Generator<DtNode> {
  const stack = [tree.root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    yield n;
    for (let i = n.children.length - 1; i >= 0; i--) if (!n.children[i].deleted) stack.push(n.children[i]);
  }
}

/** The channel a Microkit cap index stands for (notification, PPC endpoint or IRQ cap). */
function capChannel(cap: number): { ch: number; what: string; call: string } | undefined {
  for (const [base, what, call] of CAP_KINDS) if (cap >= base && cap < base + MICROKIT_CHANNELS) return { ch: cap - base, what, call };
  return undefined;
}

function channelEnds(ctx: ExplainContext, pd: string): { end: ChannelEnd; other: ChannelEnd; channel: Channel }[] {
  const out: { end: ChannelEnd; other: ChannelEnd; channel: Channel }[] = [];
  for (const c of ctx.project.system.channels) {
    for (const [i, end] of c.ends.entries()) if (end.pd === pd) out.push({ end, other: c.ends[1 - i], channel: c });
  }
  return out;
}

function unexpectedChannel(e: LogEvent, ctx: ExplainContext | undefined, pd: string, ch: number, what: string): Explanation {
  if (!ctx) return explanation(e, 'error', `'${pd}' ${what} channel ${ch}, which it does not have`, { subject: pd });
  const ends = channelEnds(ctx, pd);
  const pdModel = findPd(ctx.project.system, pd);
  const related: Explanation['related'] = pdModel ? [elementRelated(pdModel.element, `protection domain '${pd}'`)] : [];
  const irq = pdModel?.irqs.find((i) => i.id === ch);
  const end = ends.find((x) => x.end.id === ch);
  const list =
    ends
      .map((x) => `${x.end.id} (to '${x.other.pd}')`)
      .concat(pdModel?.irqs.map((i) => `${i.id} (irq ${i.irq})`) ?? [])
      .join(', ') || 'none';
  if (!pdModel) return explanation(e, 'error', `'${pd}' ${what} channel ${ch}; there is no protection domain '${pd}' in ${systemName(ctx)}`, { subject: pd });
  if (end) {
    related.push(elementRelated(end.channel.element, `channel ${ch} of '${pd}'`));
    if (what.includes('notif') && !end.end.notify) {
      return explanation(e, 'error', `'${pd}' ${what} channel ${ch} (to '${end.other.pd}'), whose end has notify="false" in ${systemName(ctx)}`, {
        subject: pd,
        related,
        fixes: [
          { kind: 'set-attribute', title: `Let '${pd}' notify on channel ${ch} (notify="true")`, element: end.end.element, name: 'notify', value: 'true' },
        ],
      });
    }
    if (what.includes('ppcall') && !end.other.pp) {
      return explanation(
        e,
        'error',
        `'${pd}' ${what} channel ${ch} (to '${end.other.pd}'), but '${end.other.pd}''s end has no pp="true" in ${systemName(ctx)}`,
        { subject: pd, related },
      );
    }
    return explanation(
      e,
      'error',
      `'${pd}' ${what} channel ${ch}, the channel to '${end.other.pd}' in ${systemName(ctx)}: the program's channel handling does not match the system file (built for another .system?)`,
      { subject: pd, related },
    );
  }
  if (irq) {
    related.push(elementRelated(irq.element, `irq ${irq.irq} of '${pd}'`));
    return explanation(e, 'error', `'${pd}' ${what} channel ${ch}, which is its irq ${irq.irq} in ${systemName(ctx)}, not a channel`, { subject: pd, related });
  }
  return explanation(
    e,
    'error',
    `'${pd}' ${what} channel ${ch}, which is not in ${systemName(ctx)} (its channels: ${list}): add the channel or fix the id in the program`,
    { subject: pd, related },
  );
}

function pdFault(e: LogEventOf<'pd-fault'>, ctx: ExplainContext | undefined): Explanation {
  const who = e.pd ? `'${e.pd}'` : 'a protection domain';
  switch (e.fault) {
    case 'cap': {
      const cap = e.addr === undefined ? undefined : capChannel(e.addr);
      if (cap && e.pd) return unexpectedChannel(e, ctx, e.pd, cap.ch, `invoked the ${cap.what} cap (${cap.call}) of`);
      return explanation(
        e,
        'error',
        `${who} took a cap fault on cap ${e.addr ?? '?'} (${e.lookup ?? 'lookup failure'}): it invoked a capability Microkit did not give it`,
        { subject: e.pd },
      );
    }
    case 'vm':
      return pdAddressFault(e, ctx, e.pd, e.addr ?? 0, e.fsr, parseNumber(e.registers.get('sp')), e.stackOverflow);
    case 'user':
      return explanation(e, 'error', `${who} raised a user exception (an undefined or unsupported instruction) at pc ${e.registers.get('pc') ?? e.ip ?? '?'}`, {
        subject: e.pd,
      });
    case 'vcpu':
      return explanation(e, 'error', `${who} took a vCPU fault${e.fsr !== undefined ? `: ESR ${hex(e.fsr)} (${describeFsr(e.fsr)})` : ''}`, { subject: e.pd });
    case 'unknown':
      return explanation(e, 'error', `${who} faulted (monitor fault label ${hex(e.label)}); the monitor stopped it and it handles no more notifications`, {
        subject: e.pd,
      });
  }
}

/** Microkit 2.3's PD layout: the IPC buffer in the top page, a guard page, then the stack. */
function stackRange(pd: ProtectionDomain): { bottom: number; top: number } {
  const top = USER_TOP - 2 * SMALL_PAGE;
  return { bottom: top - pd.stackSize, top };
}

function pdAddressFault(
  e: LogEvent,
  ctx: ExplainContext | undefined,
  pdName: string | undefined,
  addr: number,
  fsr: number | undefined,
  sp: number | undefined,
  monitorSaysStack: boolean,
): Explanation {
  const decoded = fsr !== undefined ? decodeFsr(fsr) : undefined;
  const fsrText = fsr !== undefined ? ` (FSR ${hex(fsr)}: ${describeFsr(fsr)})` : '';
  const who = pdName ? `'${pdName}'` : 'a protection domain';
  const pd = ctx && pdName ? findPd(ctx.project.system, pdName) : undefined;
  const related: Explanation['related'] = pd ? [elementRelated(pd.element, `protection domain '${pd.name}'`)] : [];
  const fixes: LogFix[] = [];
  const nearSp = sp !== undefined && addr < sp && sp - addr <= 2 * SMALL_PAGE;
  const guard = pd ? stackRange(pd) : undefined;
  const inGuard = guard !== undefined && addr < guard.bottom && addr >= guard.bottom - SMALL_PAGE;
  if (monitorSaysStack || inGuard || (nearSp && pd && !pd.maps.some((m) => inMap(ctx!, m, addr)))) {
    let message = `${who} overflowed its stack: the fault at ${hex(addr)} is just below the stack${pd ? ` (stack_size ${hex(pd.stackSize)})` : ''}${fsrText}`;
    if (pd) {
      const value = Math.min(MAX_STACK_SIZE, Math.max(pd.stackSize * 2, 0x2000));
      const attr = attribute(pd.element, 'stack_size');
      message += `: raise stack_size on '${pd.name}'`;
      if (value > pd.stackSize)
        fixes.push({
          kind: 'set-attribute',
          title: `Give '${pd.name}' a ${hex(value)}-byte stack (stack_size="${hex(value)}")`,
          element: pd.element,
          name: 'stack_size',
          value: hex(value),
        });
      if (attr) related.push({ message: 'its stack size', range: attr.valueRange });
    }
    return explanation(e, 'error', message, { subject: pdName, related, fixes });
  }
  if (ctx && pd) {
    const map = pd.maps.find((m) => inMap(ctx, m, addr));
    if (map) {
      related.push(elementRelated(map.element, `the map of '${map.mr}' into '${pd.name}'`));
      const write = decoded?.write ?? false;
      const perms = `${map.perms.r ? 'r' : ''}${map.perms.w ? 'w' : ''}${map.perms.x ? 'x' : ''}`;
      if (write && !map.perms.w) {
        fixes.push({
          kind: 'set-attribute',
          title: `Map '${map.mr}' into '${pd.name}' with perms="${perms.includes('r') ? 'rw' : 'rw'}${map.perms.x ? 'x' : ''}"`,
          element: map.element,
          name: 'perms',
          value: `rw${map.perms.x ? 'x' : ''}`,
        });
        return explanation(
          e,
          'error',
          `${who} wrote to ${hex(addr)}, in '${map.mr}' which it maps at ${hex(map.vaddr)} read-only (perms="${perms}")${fsrText}`,
          { subject: pdName, related, fixes },
        );
      }
      return explanation(e, 'error', `${who} faulted at ${hex(addr)}, inside its map of '${map.mr}' at ${hex(map.vaddr)} (perms="${perms}")${fsrText}`, {
        subject: pdName,
        related,
      });
    }
    if (addr < SMALL_PAGE)
      return explanation(
        e,
        'error',
        `${who} dereferenced a NULL pointer (address ${hex(addr)})${fsrText}: often a setvar_vaddr symbol the program expects is not set by a <map> in ${systemName(ctx)}`,
        { subject: pdName, related },
      );
    return explanation(
      e,
      'error',
      `${who} faulted at ${hex(addr)}, which none of its maps in ${systemName(ctx)} covers${fsrText}: a missing <map>, or a vaddr in the program that differs from the system file's`,
      { subject: pdName, related },
    );
  }
  return explanation(e, 'error', `${who} faulted at ${hex(addr)}${fsrText}`, { subject: pdName });
}

function inMap(ctx: ExplainContext, m: MapEntry, addr: number): boolean {
  const mr = findMr(ctx.project.system, m.mr);
  return mr !== undefined && addr >= m.vaddr && addr < m.vaddr + mr.size;
}

function deferredProbe(e: LogEventOf<'linux-deferred-probe'>, ctx: ExplainContext | undefined): Explanation {
  // Platform device names are `<unit address>.<node name>`.
  const dot = e.device.indexOf('.');
  const addr = dot > 0 ? parseInt(e.device.slice(0, dot), 16) : NaN;
  const reason = e.reason ? ` (${e.reason})` : '';
  if (!ctx || Number.isNaN(addr)) return explanation(e, 'warning', `the guest kernel never probed ${e.device}: a resource it needs never appeared${reason}`);
  for (const g of ctx.project.guests) {
    const tree = ctx.trees.get(g.vm);
    const node = tree ? dtFacts.nodeAtAddress(tree, addr) : undefined;
    if (!tree || !node) continue;
    const waiting: DtNode[] = [];
    for (const [prop, cells] of DEPENDENCY_PROPS) {
      if (!getProperty(node, prop)) continue;
      for (const p of dtFacts.phandleTargets(tree, node, prop, cells)) {
        let dev = p;
        while (dev.parent && !getProperty(dev, 'reg')) dev = dev.parent;
        if (!dtFacts.isEnabled(dev) && !waiting.includes(dev)) waiting.push(dev);
      }
    }
    const related = [nodeRelated(node, g.vm), ...waiting.map((w) => nodeRelated(w, g.vm))];
    const message =
      waiting.length > 0
        ? `the guest kernel never probed ${nodeName(node)}${reason}: it depends on ${waiting.map(nodeName).join(', ')}, disabled in ${g.vm}'s tree: disable ${node.name} too, or enable and map what it needs`
        : `the guest kernel never probed ${nodeName(node)}${reason}: a clock, power domain, pin controller or PHY it needs never appeared`;
    return explanation(e, 'warning', message, {
      subject: g.vm,
      related,
      fixes:
        waiting.length > 0 && dtFacts.isEnabled(node)
          ? [{ kind: 'disable-node', title: `Disable ${node.name} in the device tree of '${g.vm}' (status = "disabled")`, vm: g.vm, node }]
          : [],
    });
  }
  return explanation(e, 'warning', `the guest kernel never probed ${e.device}${reason}: no device-tree node of the project has registers at ${hex(addr)}`);
}

/** What the Microkit loader's errors mean for the user (loader/src/loader.c), by the message's start. */
const LOADER_HINTS: [start: string, hint: string][] = [
  [
    'seL4 configured as a hypervisor, but not in EL2',
    "the firmware started the loader at EL1, but a kernel built for virtual machines (libvmm) runs at EL2: start the image from U-Boot so it enters at EL2 (on the MaaXBoard, `go` after loading at the image's address), or build for a board configuration without hypervisor support if no VM is needed",
  ],
  [
    'mismatch on loader data structure magic number',
    'the image is not the one the loader was built with (a truncated or stale loader.img, or loaded at the wrong address): rebuild with the microkit tool and load the whole file',
  ],
  ['relocation failed', 'the loader was loaded where its destination overlaps it: load the image at another address'],
  ['loader trapped exception', 'the loader itself faulted before seL4 started'],
  ['seL4 Loader: Error - KERNEL RETURNED', 'the seL4 kernel returned to the loader: the kernel image does not match the board'],
  ['Failed to switch to EL1', 'the CPU did not drop to EL1 for a kernel built without hypervisor support'],
  ['Unsupported initial exception level', 'the firmware started the loader at EL0'],
];

function loaderError(e: LogEventOf<'loader-error'>): Explanation {
  const hint = LOADER_HINTS.find(([start]) => e.message.startsWith(start))?.[1];
  const esrText = e.registers.get('esr_el2') ?? e.registers.get('esr_el1');
  const esr = parseNumber(esrText);
  const far = e.registers.get('far');
  const detail = esr !== undefined ? ` (ESR ${hex(esr)}: ${describeFsr(esr)}${far ? `, FAR ${far}` : ''})` : '';
  return explanation(e, 'error', `the Microkit loader stopped before seL4 started: ${e.message}${detail}${hint ? `: ${hint}` : ''}`);
}
