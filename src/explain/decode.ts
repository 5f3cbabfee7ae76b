// The events of a serial log: what the Microkit monitor, the seL4 kernel's debug printing, libvmm
// (aarch64), the sDDF serial components and Linux's early boot print when something goes wrong.
// One pass over the lines; a report that spans lines (the monitor's fault block, libvmm's fault with
// its register dumps, a Linux oops) is an open block that later lines join until a line that is not
// part of it closes it. Formats: microkit monitor/src/main.c and libmicrokit/include/microkit.h,
// libvmm src/arch/aarch64/{fault,tcb,vcpu}.c and vgic/vdist.h, sddf serial/components/virt_rx.c,
// seL4's userError and double-fault printing, Linux arch/arm64/mm/fault.c and drivers/base/dd.c.
// A line none of them prints is no event: nothing is guessed from free text.
import { logLines, parseNumber, readFields, type LogLine } from './log-lines';

export interface LogSpan {
  /** First and last line of the report (0-based), and the columns of the first line's text. */
  line: number;
  endLine: number;
  col: number;
  endCol: number;
}

/** Registers from a dump (`pc`, `sp`, `x0`, ..., and the vCPU's `esr`, `far`), by name, as printed (64-bit values do not fit a JS number). */
export type Registers = Map<string, string>;

export type LogEvent = LogSpan &
  (
    | { kind: 'vmm-memory-fault'; pd: string; addr: number; fsr: number; ip: string; prefetch: boolean; write: boolean; registers: Registers }
    | { kind: 'vmm-handler-fault'; pd: string; base: number; end: number; addr: number }
    | { kind: 'vmm-virq-disabled'; pd: string; irq: number }
    | { kind: 'vmm-vcpu-exception'; pd: string; hsr: number }
    | { kind: 'vmm-unhandled-call'; pd: string; what: 'SMC' | 'PSCI'; id?: number }
    | { kind: 'vmm-unexpected-channel'; pd: string; ch: number }
    | { kind: 'vmm-image'; pd: string; message: string }
    | { kind: 'vmm-fault-unhandled'; pd: string; fault: string }
    | { kind: 'virtio-error'; pd: string; message: string }
    | {
        kind: 'pd-fault';
        pd?: string;
        label: number;
        badge?: number;
        fault: 'cap' | 'vm' | 'user' | 'vcpu' | 'unknown';
        ip?: string;
        addr?: number;
        fsr?: number;
        lookup?: string;
        stackOverflow: boolean;
        registers: Registers;
      }
    | { kind: 'pd-invalid-channel'; pd: string; call: string; ch: number }
    | { kind: 'kernel-invalid-cap'; thread: string; cap: number; message: string }
    | { kind: 'kernel-fault'; thread?: string; fault: 'cap' | 'vm'; addr: number; status?: number; instruction: boolean }
    | { kind: 'virt-rx-invalid-client'; client: number }
    | { kind: 'linux-paging-request'; vaddr: string; esr?: number; pc?: string; nullPointer: boolean }
    | { kind: 'linux-deferred-probe'; device: string; reason?: string }
    | { kind: 'linux-no-console' }
    | { kind: 'silence-after-begin'; begin: string }
    | { kind: 'vm-stopped'; vm: string; reason: string; addr?: number }
    | { kind: 'loader-error'; message: string; registers: Registers }
  );

export type LogEventKind = LogEvent['kind'];

/** The event of one kind. */
export type LogEventOf<K extends LogEventKind> = Extract<LogEvent, { kind: K }>;

type Open =
  | { kind: 'vmm-memory-fault'; event: LogEventOf<'vmm-memory-fault'> }
  | { kind: 'pd-fault'; event: LogEventOf<'pd-fault'> }
  | { kind: 'oops'; event: LogEventOf<'linux-paging-request'> }
  | { kind: 'double-fault'; event: LogEventOf<'kernel-fault'> }
  | { kind: 'loader'; event: LogEventOf<'loader-error'> };

/** Reports start with this shared empty dump; most never get one (the monitor's short reports, the emulator's). */
const NO_REGISTERS: Registers = new Map();

/** A register of a dump, its first value kept (libvmm prints the TCB's, then the vCPU's). */
function addRegister(e: { registers: Registers }, [name, value]: [string, string]): void {
  if (e.registers === NO_REGISTERS) e.registers = new Map();
  if (!e.registers.has(name)) e.registers.set(name, value);
}

// Spans go last in the event literals: V8 builds `{ a, ...s }` fast and `{ ...s, a }` slowly (seconds per 100,000).
function span(l: LogLine): LogSpan {
  return { line: l.line, endLine: l.line, col: l.col, endCol: l.endCol };
}

function isRegisterChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/** `    pc: 0x...` (libvmm) and `pc : 0x...` (the monitor): a register dump line. */
function registerLine(l: LogLine): [string, string] | undefined {
  if (l.source) return undefined;
  const t = l.text.trimStart();
  let i = 0;
  while (i < t.length && i < 16 && isRegisterChar(t.charCodeAt(i))) i++;
  if (i === 0) return undefined;
  let j = i;
  while (t[j] === ' ') j++;
  if (t[j] !== ':') return undefined;
  j++;
  while (t[j] === ' ') j++;
  const value = t.slice(j).trimEnd();
  return parseNumber(value) === undefined ? undefined : [t.slice(0, i), value];
}

/** The word after `prefix` in `text`, or undefined. */
function after(text: string, prefix: string): string | undefined {
  return text.startsWith(prefix) ? text.slice(prefix.length) : undefined;
}

/** Why the emulator stops a vCPU, when it is a failure (src/emulator/pds/vmm.ts, vcpu.ts). */
const STOP_REASONS = ['unexpected memory fault at ', 'unhandled PSCI function ', 'virtio fault not handled', 'guest program error'];

/** Words that the libvmm image-placement checks start with (src/arch/aarch64/linux.c). */
const IMAGE_MESSAGES = ['Initrd copy destination', 'DTB [', 'Linux requires that guest RAM', 'Given DTB does not match', 'Linux kernel image'];

export interface DecodeOptions {
  /** The TX virtualiser's begin string without its line end (default "Begin input"). */
  beginString?: string;
}

export function decodeLog(text: string, opts: DecodeOptions = {}): LogEvent[] {
  const begin = (opts.beginString ?? 'Begin input').replace(/[\r\n]+$/, '');
  const events: LogEvent[] = [];
  let open: Open | undefined;
  // Whether anything was printed after the begin string (silence there is an event at the end).
  let beginLine: LogLine | undefined;
  let afterBegin = false;

  const close = (): void => {
    if (open) events.push(open.event);
    open = undefined;
  };

  for (const l of logLines(text)) {
    // A line joins the open block, or closes it.
    if (open && continues(open, l)) {
      open.event.endLine = l.line;
      continue;
    }
    close();

    if (beginLine && l.text.trim() !== '' && !isClientBanner(l.text)) afterBegin = true;
    if (l.text === begin) {
      beginLine = l;
      afterBegin = false;
      continue;
    }
    const started = startEvent(l);
    if (!started) continue;
    if ('open' in started) open = started.open;
    else events.push(started.event);
  }
  close();
  if (beginLine && !afterBegin) events.push({ kind: 'silence-after-begin', begin, ...span(beginLine) });
  return events;
}

/** `'client_linux-1' is client 0`: the TX virtualiser's banner after the begin string. */
function isClientBanner(text: string): boolean {
  return text.startsWith("'") && text.includes("' is client ");
}

/** Whether `l` belongs to the open report (and what it adds to it). */
function continues(open: Open, l: LogLine): boolean {
  const reg = registerLine(l);
  switch (open.kind) {
    case 'vmm-memory-fault':
      return continuesVmmFault(open.event, l, reg);
    case 'pd-fault':
      return continuesMonitorFault(open.event, l, reg);
    case 'oops':
      return continuesOops(open.event, l);
    case 'loader':
      // The loader's exception report: `    esr_el2: 0x...`, `    ec: ...`, `    far: 0x...`, `    reg: ...`.
      if (l.source || !l.text.startsWith('    ')) return false;
      if (reg) addRegister(open.event, reg);
      return true;
    case 'double-fault':
      return continuesDoubleFault(open.event, l, reg);
  }
}

function continuesVmmFault(e: LogEventOf<'vmm-memory-fault'>, l: LogLine, reg: [string, string] | undefined): boolean {
  if (reg) {
    addRegister(e, reg);
    return true;
  }
  if (l.source !== e.pd) return false;
  // The dump headers, the emulator's note on the owner, and libvmm's closing line.
  return (
    l.body.startsWith('dumping ') ||
    l.body.startsWith('(emulator) ') ||
    l.body === 'Failed to handle virtual memory fault' ||
    l.body === 'Failed to handle VM fault'
  );
}

/** The monitor's fault block: the faulting PD, the fault's kind and fields, and its register dump. */
function continuesMonitorFault(e: LogEventOf<'pd-fault'>, l: LogLine, reg: [string, string] | undefined): boolean {
  if (reg) {
    addRegister(e, reg);
    return true;
  }
  if (l.text.trim() === 'Registers:') return true;
  if (l.source !== 'MON' || l.level !== 'ERROR') return false;
  const b = l.body;
  if (b.startsWith('received message ')) return false;
  const pd = after(b, 'faulting PD: ');
  if (pd !== undefined) {
    e.pd = pd.trim();
    return true;
  }
  const cap = after(b, 'CapFault: ');
  if (cap !== undefined) {
    const f = readFields(cap);
    e.fault = 'cap';
    e.ip = f.get('ip');
    e.addr = parseNumber(f.get('fault_addr'));
    e.lookup = f.get('lookup_failure_type');
    return true;
  }
  const vm = after(b, 'VMFault: ');
  if (vm !== undefined) {
    const f = readFields(vm);
    e.fault = 'vm';
    e.ip = f.get('ip');
    e.addr = parseNumber(f.get('fault_addr'));
    e.fsr = parseNumber(f.get('fsr'));
    return true;
  }
  if (b.startsWith('potential stack overflow')) {
    e.stackOverflow = true;
    return true;
  }
  if (b === 'UserException') {
    e.fault = 'user';
    return true;
  }
  const esr = after(b, 'received vCPU fault with ESR: ');
  if (esr !== undefined) {
    e.fault = 'vcpu';
    e.fsr = parseNumber(esr.trim());
    return true;
  }
  // The monitor's decoding of the FSR (ec, dfsc) and its "Unknown ..." lines belong to the block.
  return b.startsWith('  ') || b.startsWith('Unknown') || b.startsWith('description of fault') || b.startsWith('potential undefined behaviour');
}

/** The lines a Linux oops prints after its first: abort info, page tables, modules, registers, call trace, panic. */
const OOPS_WORDS = [
  'Mem abort info',
  'EC = ',
  'SET = ',
  'EA = ',
  'FSC = ',
  'Data abort info',
  'ISV = ',
  'CM = ',
  'GCS = ',
  'Abort message',
  '[',
  'user pgtable',
  'swapper pgtable',
  'Internal error',
  'Modules linked in',
  'CPU: ',
  'Hardware name',
  'pstate',
  'lr : ',
  'sp : ',
  'x',
  'Call trace',
  'Code: ',
  '---[ end trace',
  'Kernel panic',
  'SMP: ',
  'Kernel Offset',
  'PHYS_OFFSET',
  'CPU features',
  'Memory Limit',
  'note: ',
  'Process ',
];

function continuesOops(e: LogEventOf<'linux-paging-request'>, l: LogLine): boolean {
  if (l.source) return false;
  const t = l.text.trim();
  const esr = after(t, 'ESR = ');
  if (esr !== undefined) {
    e.esr = parseNumber(esr.split(' ')[0]);
    return true;
  }
  const pc = after(t, 'pc : ');
  if (pc !== undefined) {
    if (e.pc === undefined) e.pc = pc.trim();
    return true;
  }
  return t === '' ? false : OOPS_WORDS.some((w) => t.startsWith(w)) || l.text.startsWith(' ');
}

/** seL4's double fault: the fault being handled, the thread, and its stack. */
function continuesDoubleFault(e: LogEventOf<'kernel-fault'>, l: LogLine, reg: [string, string] | undefined): boolean {
  const t = l.text.trim();
  if (t === 'while trying to handle:' || t === 'With stack:' || reg !== undefined) return true;
  // The fault being handled when the handler faulted: the one that explains the thread's failure.
  const fault = kernelFault(t);
  if (fault) {
    Object.assign(e, fault);
    return true;
  }
  const thread = after(t, 'in thread ');
  if (thread !== undefined) {
    const q1 = thread.indexOf('"'),
      q2 = thread.indexOf('"', q1 + 1);
    if (q1 >= 0 && q2 > q1) e.thread = thread.slice(q1 + 1, q2);
    return true;
  }
  // Stack lines: `0x...: 0x...`.
  return t.startsWith('0x') && t.includes(': ');
}

/** seL4's fault printing: `cap fault in send phase at address 0x..`, `vm fault on data at address 0x.. with status 0x..`. */
function kernelFault(t: string): { fault: 'cap' | 'vm'; addr: number; status?: number; instruction: boolean } | undefined {
  const capAt = t.indexOf('cap fault in ');
  if (capAt >= 0) {
    const f = readFields(t.slice(capAt).replace(' at address ', ' address: '));
    const addr = parseNumber(f.get('address'));
    return addr === undefined ? undefined : { fault: 'cap', addr, instruction: false };
  }
  const vmAt = t.indexOf('vm fault on ');
  if (vmAt >= 0) {
    const rest = t.slice(vmAt);
    const f = readFields(rest.replace(' at address ', ' address: ').replace(' with status ', ' status: '));
    const addr = parseNumber(f.get('address'));
    return addr === undefined ? undefined : { fault: 'vm', addr, status: parseNumber(f.get('status')), instruction: rest.startsWith('vm fault on code') };
  }
  return undefined;
}

/** A report that ends on its line, or one that later lines may join. */
type Started = { event: LogEvent } | { open: Open } | undefined;

function startEvent(l: LogLine): Started {
  const s = span(l);
  const b = l.body;
  if (l.source === 'MON' && l.level === 'ERROR') return startMonitorFault(b, s);
  // The Microkit loader (loader/src/loader.c): it stops there, before seL4 runs.
  if (l.source === 'LDR' && l.level === 'ERROR') {
    return { open: { kind: 'loader', event: { kind: 'loader-error', message: b.trim(), registers: NO_REGISTERS, ...s } } };
  }
  if (l.source && l.source.startsWith('VIRTIO(') && l.level === 'ERROR') {
    return { event: { kind: 'virtio-error', pd: l.source, message: b, ...s } };
  }
  if (l.source === 'VIRT_RX' && l.level === 'LOG') {
    const n = after(b, 'User requested to switch to an invalid client ');
    const client = parseNumber(n?.trim());
    return client === undefined ? undefined : { event: { kind: 'virt-rx-invalid-client', client, ...s } };
  }
  if (l.source && l.level === 'ERROR') return startVmmError(l.source, b, s);
  if (l.source) return undefined;
  return startUnprefixedEvent(l.text, s);
}

/** `received message 0x00000006  badge: 0x...  tcb cap: 0x...`: the first line of the monitor's fault block. */
function startMonitorFault(b: string, s: LogSpan): Started {
  const msg = after(b, 'received message ');
  if (msg === undefined) return undefined;
  const label = parseNumber(msg.trim().split(' ')[0]);
  const f = readFields(msg.replace('tcb cap', 'tcb_cap'));
  if (label === undefined) return undefined;
  return {
    open: {
      kind: 'pd-fault',
      event: { kind: 'pd-fault', label, badge: parseNumber(f.get('badge')), fault: 'unknown', stackOverflow: false, registers: NO_REGISTERS, ...s },
    },
  };
}

/** libvmm's errors, printed under the VMM's name. */
function startVmmError(pd: string, b: string, s: LogSpan): Started {
  const fault = after(b, 'unexpected memory fault on address: ');
  if (fault !== undefined) {
    const f = readFields(b);
    const addr = parseNumber(f.get('address')),
      fsr = parseNumber(f.get('FSR'));
    if (addr === undefined || fsr === undefined) return undefined;
    return {
      open: {
        kind: 'vmm-memory-fault',
        event: {
          kind: 'vmm-memory-fault',
          pd,
          addr,
          fsr,
          ip: f.get('IP') ?? '0x0',
          prefetch: f.get('is_prefetch') === 'true',
          write: f.get('is_write') === 'true',
          registers: NO_REGISTERS,
          ...s,
        },
      },
    };
  }
  const handler = after(b, 'registered virtual memory exception handler for region [');
  if (handler !== undefined) return handlerFault(pd, handler, s);
  const virq = after(b, 'vIRQ ');
  if (virq !== undefined && virq.trimEnd().endsWith(' is not enabled')) {
    const irq = parseNumber(virq.split(' ')[0]);
    return irq === undefined ? undefined : { event: { kind: 'vmm-virq-disabled', pd, irq, ...s } };
  }
  const vcpu = after(b, 'unknown vCPU exception');
  if (vcpu !== undefined) {
    const hsr = parseNumber(readFields(vcpu).get('HSR'));
    return hsr === undefined ? undefined : { event: { kind: 'vmm-vcpu-exception', pd, hsr, ...s } };
  }
  const psci = after(b, 'Unhandled PSCI function ID ');
  if (psci !== undefined) return { event: { kind: 'vmm-unhandled-call', pd, what: 'PSCI', id: parseNumber(psci.trim()), ...s } };
  if (b.startsWith('Unhandled SMC')) return { event: { kind: 'vmm-unhandled-call', pd, what: 'SMC', ...s } };
  const ch = after(b, 'Unexpected channel, ch: ');
  if (ch !== undefined) {
    const n = parseNumber(ch.trim());
    return n === undefined ? undefined : { event: { kind: 'vmm-unexpected-channel', pd, ch: n, ...s } };
  }
  if (IMAGE_MESSAGES.some((m) => b.startsWith(m))) return { event: { kind: 'vmm-image', pd, message: b.trim(), ...s } };
  if (b === 'virtio console TX vq not ready!' || b.startsWith('unknown virtIO MMIO register'))
    return { event: { kind: 'virtio-error', pd, message: b.trim(), ...s } };
  const failed = after(b, 'Failed to handle ');
  if (failed !== undefined && failed.endsWith(' fault')) return { event: { kind: 'vmm-fault-unhandled', pd, fault: failed.slice(0, -' fault'.length), ...s } };
  return undefined;
}

/** `<base>..<end>) ... address: 0x...`: a fault in a region whose registered handler failed. */
function handlerFault(pd: string, handler: string, s: LogSpan): Started {
  const dots = handler.indexOf('..'),
    paren = handler.indexOf(')');
  const base = parseNumber(handler.slice(0, dots)),
    end = parseNumber(handler.slice(dots + 2, paren));
  const addr = parseNumber(
    readFields(handler.slice(paren + 1)).get('address') ??
      handler
        .slice(paren + 1)
        .split(' ')
        .find((w) => w.startsWith('0x')),
  );
  if (base === undefined || end === undefined || addr === undefined) return undefined;
  return { event: { kind: 'vmm-handler-fault', pd, base, end, addr, ...s } };
}

/** Lines without a component prefix: libmicrokit, the seL4 kernel, Linux, and the emulator's notices. */
function startUnprefixedEvent(t: string, s: LogSpan): Started {
  const channel = invalidChannel(t, s);
  if (channel) return channel;
  if (t.startsWith('<<seL4(')) return kernelUserError(t, s);
  if (t.startsWith('Caught ')) {
    const fault = kernelFault(t);
    return fault ? { open: { kind: 'double-fault', event: { kind: 'kernel-fault', ...fault, ...s } } } : undefined;
  }
  const paging = after(t, 'Unable to handle kernel ');
  if (paging !== undefined) return pagingRequest(paging, s);
  // drivers/base/dd.c: `<bus> <device>: deferred probe pending[: reason]`
  const deferred = t.indexOf(': deferred probe pending');
  if (deferred > 0) {
    const words = t.slice(0, deferred).trim().split(' ');
    const device = words[words.length - 1];
    const reason = t
      .slice(deferred + ': deferred probe pending'.length)
      .replace(/^:\s*/, '')
      .trim();
    return device ? { event: { kind: 'linux-deferred-probe', device, reason: reason || undefined, ...s } } : undefined;
  }
  if (t.trim() === 'Warning: unable to open an initial console.') return { event: { kind: 'linux-no-console', ...s } };
  return vmStopped(t, s);
}

/** libmicrokit: `<name> microkit_notify: invalid channel given '<ch>'` (no `|` after the name). */
function invalidChannel(t: string, s: LogSpan): Started {
  const sp = t.indexOf(' microkit_');
  if (sp <= 0 || t.slice(0, sp).includes(' ')) return undefined;
  const rest = t.slice(sp + 1);
  const colon = rest.indexOf(': invalid channel given ');
  if (colon <= 0) return undefined;
  const ch = parseNumber(rest.slice(colon + ': invalid channel given '.length).trim());
  return ch === undefined ? undefined : { event: { kind: 'pd-invalid-channel', pd: t.slice(0, sp), call: rest.slice(0, colon), ch, ...s } };
}

/** seL4's userError: `<<seL4(CPU 0) [handleInvocation/94 T0x... "name" @4006f8]: Invocation of invalid cap #11.>>` */
function kernelUserError(t: string, s: LogSpan): Started {
  const close = t.indexOf(']: ');
  const q1 = t.indexOf('"'),
    q2 = t.indexOf('"', q1 + 1);
  if (close < 0 || q1 < 0 || q2 < 0 || q2 > close) return undefined;
  const message = t.slice(close + 3).replace(/>>$/, '');
  const hashAt = message.indexOf('#');
  const cap = hashAt >= 0 ? parseNumber(message.slice(hashAt + 1).replace(/[.\s].*$/, '')) : undefined;
  if (cap === undefined || !message.toLowerCase().includes('cap')) return undefined;
  return { event: { kind: 'kernel-invalid-cap', thread: t.slice(q1 + 1, q2), cap, message, ...s } };
}

/** Linux's `Unable to handle kernel <what> at virtual address <addr>`: the first line of an oops. */
function pagingRequest(paging: string, s: LogSpan): Started {
  const at = paging.indexOf(' at virtual address ');
  // A 64-bit kernel address: kept as printed (a JS number would round it).
  const digits =
    at >= 0
      ? paging
          .slice(at + ' at virtual address '.length)
          .trim()
          .replace(/^0x/, '')
      : '';
  if (digits === '' || digits.length > 16 || parseNumber('0x' + digits) === undefined) return undefined;
  const vaddr = '0x' + digits;
  return { open: { kind: 'oops', event: { kind: 'linux-paging-request', vaddr, nullPointer: paging.startsWith('NULL pointer dereference'), ...s } } };
}

/**
 * The emulator's notice when a guest's vCPU stops: `[client_linux-1 stopped: <reason>]` in its
 * terminal (src/host/serial-terminal.ts), the same words in the output channel.
 */
function vmStopped(t: string, s: LogSpan): Started {
  const notice = t.startsWith('[') && t.endsWith(']') ? t.slice(1, -1) : t;
  const stopped = notice.indexOf(' stopped: ');
  if (stopped <= 0 || notice.slice(0, stopped).includes(' ')) return undefined;
  const reason = notice.slice(stopped + ' stopped: '.length);
  const fault = after(reason, 'unexpected memory fault at ');
  const addr = fault === undefined ? undefined : parseNumber(fault.trim());
  if (fault !== undefined && addr === undefined) return undefined;
  if (!STOP_REASONS.some((r) => reason.startsWith(r))) return undefined;
  return { event: { kind: 'vm-stopped', vm: notice.slice(0, stopped), reason, addr, ...s } };
}
