// A protection domain whose program is the user's own C, compiled to WebAssembly
// (src/emulator/real/include is its libmicrokit): the kernel model calls its exported entry points
// and its imports reach the kernel model. The module's memory is the emulator's one shared memory
// (address-space.ts), so the queues it writes are the bytes every other party reads.
//
// Departures: a handler costs the kernel's fixed entry cost plus a per-byte cost for the bytes it
// moves through its queues and, for a VMM, a per-chain cost for the chains its virtqueues used (the
// models' costs, so that both run on the same virtual timeline), not its instruction count; a deferred signal is sent after each notified() call, where libmicrokit
// sends it once after all channels of one badge.
import { PdFaultError, type PdContext, type PdProgram } from '../kernel';
import type { SerialQueue } from '../queue';
import { exportedAddress, wasm, type WasmMemory, type WasmModule } from './wasm-api';

/** The words of a message-info tag: label above bit 12, length in the low 7 bits (seL4's layout). */
const MSG_LENGTH_MASK = 0x7fn;
const MAX_MRS = 120;
/** Timeslices of spinning with nothing else runnable before the PD counts as hung. */
const MAX_IDLE_SLICES = 64;

/**
 * A count the PD advances as it works and what each step costs: bytes produced into a queue (its
 * tail) or consumed from it (its head), chains a virtqueue used (its used.idx).
 */
export interface WorkCost {
  /** The counter now; free-running modulo `modulus`. */
  position(): number;
  modulus: number;
  nsPerUnit: number;
}

/** The per-byte cost of one of the PD's queues: bytes produced into it (tail) or consumed (head). */
export function queueCost(queue: SerialQueue, side: 'head' | 'tail', nsPerByte: number): WorkCost {
  return { position: () => (side === 'head' ? queue.head : queue.tail), modulus: 2 ** 32, nsPerUnit: nsPerByte };
}

/**
 * A device window in the shared memory (runtime/mmio.c asks the emulator for accesses inside it).
 * The device takes 32-bit register accesses: a 64-bit access is two (split in runtime/mmio.c), a narrower read takes its
 * bytes from the register that holds them, a narrower write writes them shifted into that register.
 */
export interface DeviceWindow {
  base: number;
  size: number;
  read(offset: number): number;
  write(offset: number, value: number): void;
}

export interface RealPdExports {
  __emu_init(): void;
  __emu_notified(ch: number): void;
  __emu_protected(ch: number, tag: bigint): bigint;
  __emu_has_protected(): number;
  __emu_fault(child: number, tag: bigint): bigint;
  __emu_has_fault(): number;
  __emu_message_registers_address(): number;
  __emu_name_address(): number;
  [name: string]: unknown;
}

export class RealPd implements PdProgram {
  readonly exports: RealPdExports;
  private line = '';
  private readonly costMarks: number[];
  private idleSlices = 0;
  /** Hooks around every handler (virt_tx's client-output tap reads the queues' heads). */
  afterHandler: (() => void) | undefined;
  beforeHandler: (() => void) | undefined;
  readonly protectedCall: PdProgram['protectedCall'];

  constructor(
    private readonly ctx: PdContext,
    module: WasmModule,
    readonly memory: WasmMemory,
    private readonly costs: WorkCost[],
    device?: DeviceWindow,
    /** Import modules beyond libmicrokit's: a VMM's "sel4" (its vCPUs' TCB and VCPU invocations). */
    extraImports: Record<string, Record<string, unknown>> = {},
  ) {
    const imports = {
      ...extraImports,
      env: { memory },
      microkit: {
        notify: (ch: number) => {
          this.chargeMoved();
          ctx.notify(ch >>> 0);
        },
        irq_ack: (ch: number) => ctx.irqAck(ch >>> 0),
        yield: () => this.yieldSlice(),
        ppcall: (ch: number, tag: bigint) => this.ppcall(ch >>> 0, tag),
        mmio_read: (addr: number, width: number) => (device ? deviceRead(device, addr >>> 0, width) : 0),
        mmio_write: (addr: number, width: number, value: number) => {
          if (device) deviceWrite(device, addr >>> 0, width, value >>> 0);
        },
        dbg_putc: (c: number) => {
          if ((c & 0xff) === 0x0a) {
            // The board's console has no levels; the host shows lines that say they are errors
            // (sDDF's and libvmm's "<PD>|ERROR") as the models' error lines.
            ctx.log(this.line, /^[^|\s]+\|ERROR\b/.test(this.line) ? 'error' : 'info');
            this.line = '';
          } else if (this.line.length < 4096) this.line += String.fromCharCode(c & 0xff);
        },
      },
    };
    this.exports = new wasm.Instance(module, imports).exports as unknown as RealPdExports;
    this.costMarks = costs.map(() => 0);
    if (device) {
      const at = (this.exports.__emu_mmio_window_address as () => number)();
      const view = new DataView(memory.buffer, at, 8);
      view.setUint32(0, device.base, true);
      view.setUint32(4, device.size, true);
    }
    if (this.exports.__emu_has_protected() !== 0) {
      this.protectedCall = (ch, msg) => this.runHandler(() => this.callProtected(ch, msg));
    }
  }

  /** The address of an exported data symbol (wasm-ld exports it as a global), if the PD has it. */
  symbolAddress(name: string): number | undefined {
    return exportedAddress(this.exports, name);
  }

  /** microkit_name, as the Microkit tool patches it into the image. */
  setName(name: string): void {
    const at = this.exports.__emu_name_address();
    const mem = new Uint8Array(this.memory.buffer, at, 64);
    mem.fill(0);
    for (let i = 0; i < Math.min(name.length, 63); i++) mem[i] = name.charCodeAt(i) & 0xff;
  }

  init(): void {
    this.runHandler(() => this.exports.__emu_init());
  }

  notified(ch: number): void {
    this.runHandler(() => this.exports.__emu_notified(ch));
  }

  /**
   * A child's fault (a vCPU of the VM this PD manages): the message registers hold the fault's
   * message, the tag its label and length. True when the handler replied.
   */
  fault(child: number, label: number, mrs: readonly bigint[]): boolean {
    return this.runHandler(() => {
      const regs = this.mrs();
      mrs.slice(0, MAX_MRS).forEach((w, i) => regs.setBigUint64(i * 8, BigInt.asUintN(64, w), true));
      const tag = (BigInt(label) << 12n) | BigInt(Math.min(mrs.length, MAX_MRS));
      return this.exports.__emu_fault(child, tag) !== -1n;
    });
  }

  /** True when the program defines fault() (a PD with children: a VMM). */
  hasFaultHandler(): boolean {
    return this.exports.__emu_has_fault() !== 0;
  }

  /** A timeslice of spinning: others run; with nothing else to run for long, the PD is stopped. */
  private yieldSlice(): void {
    this.chargeMoved();
    const ran = this.ctx.yieldSlice?.() ?? 0;
    this.idleSlices = ran > 0 ? 0 : this.idleSlices + 1;
    if (this.idleSlices >= MAX_IDLE_SLICES) {
      throw new PdFaultError('spinning', USER_EXCEPTION, [
        `(emulator) '${this.ctx.name}' spun for ${MAX_IDLE_SLICES} timeslices inside one handler while no other PD of its priority or above could run: stopped (on the board it would spin forever)`,
      ]);
    }
  }

  private runHandler<T>(fn: () => T): T {
    this.idleSlices = 0;
    this.costs.forEach((c, i) => (this.costMarks[i] = c.position()));
    this.beforeHandler?.();
    try {
      return fn();
    } catch (e) {
      throw asPdFault(e, this.line);
    } finally {
      this.chargeMoved();
      this.afterHandler?.();
    }
  }

  /** Charge the bytes moved since the last charge (before a notification, as the models do). */
  private chargeMoved(): void {
    let ns = 0;
    this.costs.forEach((c, i) => {
      const now = c.position();
      ns += ((((now - this.costMarks[i]) % c.modulus) + c.modulus) % c.modulus) * c.nsPerUnit;
      this.costMarks[i] = now;
    });
    if (ns > 0) this.ctx.charge(ns);
  }

  private mrs(): DataView {
    return new DataView(this.memory.buffer, this.exports.__emu_message_registers_address(), MAX_MRS * 8);
  }

  private ppcall(ch: number, tag: bigint): bigint {
    const mrs = this.mrs();
    const count = Number(tag & MSG_LENGTH_MASK);
    const msg: number[] = [];
    for (let i = 0; i < count; i++) msg.push(Number(mrs.getBigUint64(i * 8, true)));
    const reply = this.ctx.ppcall(ch, msg) ?? [];
    const after = this.mrs();
    reply.slice(0, MAX_MRS).forEach((w, i) => after.setBigUint64(i * 8, BigInt.asUintN(64, BigInt(Math.trunc(w))), true));
    return BigInt(Math.min(reply.length, MAX_MRS));
  }

  private callProtected(ch: number, msg: number[]): number[] {
    const mrs = this.mrs();
    msg.slice(0, MAX_MRS).forEach((w, i) => mrs.setBigUint64(i * 8, BigInt.asUintN(64, BigInt(Math.trunc(w))), true));
    const tag = this.exports.__emu_protected(ch, BigInt(Math.min(msg.length, MAX_MRS)));
    const count = Number(tag & MSG_LENGTH_MASK);
    const after = this.mrs();
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(Number(after.getBigUint64(i * 8, true)));
    return out;
  }
}

/** A read of 1, 2 or 4 bytes (runtime/mmio.c splits 8-byte ones). */
function deviceRead(d: DeviceWindow, addr: number, width: number): number {
  const off = addr - d.base;
  if (width === 4 && (off & 3) === 0) return d.read(off);
  const word = d.read(off & ~3) >>> 0;
  return (word >>> ((off & 3) * 8)) & (width === 1 ? 0xff : width === 2 ? 0xffff : 0xffffffff);
}

function deviceWrite(d: DeviceWindow, addr: number, width: number, value: number): void {
  const off = addr - d.base;
  if (width === 4 && (off & 3) === 0) d.write(off, value);
  else d.write(off & ~3, ((value & (width === 1 ? 0xff : 0xffff)) << ((off & 3) * 8)) >>> 0);
}

/** seL4's fault labels as the Microkit monitor prints them (MCS, aarch64, as kernel.ts uses). */
const USER_EXCEPTION = 3;
const VM_FAULT = 6;

/**
 * A WebAssembly trap as the monitor would report the fault the same code takes on the board: an
 * out-of-bounds access is a VM fault; unreachable (__builtin_trap, a failed assert), a division by
 * zero or a stack overflow, a user exception. The trap's own words follow, and what the PD printed
 * on its unfinished debug line (an assert's message, when it has no newline yet).
 */
export function asPdFault(e: unknown, pendingLine: string): PdFaultError {
  if (e instanceof PdFaultError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const trap = e instanceof wasm.RuntimeError || e instanceof RangeError;
  const tail = pendingLine ? [`(emulator) the PD's last output: ${pendingLine}`] : [];
  if (!trap) return new PdFaultError(message, VM_FAULT, [`(emulator) ${message}`, ...tail]);
  if (/out of bounds/.test(message)) {
    return new PdFaultError(message, VM_FAULT, [
      'MON|ERROR: VMFault: ip=0x0  fault_addr=0x0  fsr=0x0  (data)',
      `MON|ERROR: description of fault: WebAssembly trap: ${message}`,
      ...tail,
    ]);
  }
  return new PdFaultError(message, USER_EXCEPTION, ['MON|ERROR: UserException', `(emulator) WebAssembly trap: ${message}`, ...tail]);
}
