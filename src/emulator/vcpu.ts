// A virtual machine's vCPU: a scheduled thread with its VM's priority/budget/period that runs a
// GuestProgram in slices, and the GuestMachine that program sees (RAM, device maps, MMIO that
// traps to the VMM, the vGIC, a virtual timer, PSCI).
import type { GuestMachine, GuestProgram } from './guest/interface';
import { type Kernel, type SchedState, VcpuThread } from './kernel';
import { Vgic } from './devices/gic';
import { VirtualTimer } from './devices/timer';
import type { RegisterDevice } from './devices/bus';

export type VcpuState = 'off' | 'running' | 'idle' | 'halted';

/** What the VMM does with an access that left the VM's mappings (a stage-2 fault). */
export interface FaultHandler {
  /** Returns the value read into `reg`, or undefined when the fault was not handled (the vCPU is stopped). */
  read(gpa: number, size: 1 | 2 | 4, reg: number): number | undefined;
  /** Returns false when the fault was not handled (the vCPU is stopped). */
  write(gpa: number, size: 1 | 2 | 4, value: number, reg: number): boolean;
  psci(functionId: number): void;
  /**
   * The guest ended an interrupt held in list register `lr` that its VMM loaded (a VGIC
   * maintenance fault); only VMMs that manage the list registers themselves (the real libvmm).
   */
  maintenance?(lr: number): void;
  /** The guest waits for an interrupt (WFI trapped to the VMM); only the real libvmm sees it. */
  waitForInterrupt?(): void;
  /**
   * The virtual timer's PPI fired: seL4 masks it and delivers a VPPI event to the VMM, which
   * injects it and acks it (unmasking) once the guest ends it. Only the real libvmm takes it; with
   * the model VMM the timer reaches the guest program directly (onTimer).
   */
  virtualTimer?(ppi: number): void;
}

/** The arm64 virtual timer's PPI (INTID 27). */
export const VTIMER_PPI = 27;

/** seL4_UserContext on aarch64: the TCB's registers in seL4's order (include/sel4/arch.h). */
export const USER_CONTEXT_WORDS = 36;
export const TCB_PC = 0,
  TCB_SP = 1,
  TCB_SPSR = 2,
  TCB_X0 = 3;
/** seL4_UserContext's slot of general-purpose register n (x31 is the zero register: -1). */
export function tcbSlotOfX(n: number): number {
  if (n >= 0 && n <= 8) return TCB_X0 + n;
  if (n >= 16 && n <= 18) return 12 + (n - 16);
  if (n === 29 || n === 30) return 15 + (n - 29);
  if (n >= 9 && n <= 15) return 17 + (n - 9);
  if (n >= 19 && n <= 28) return 24 + (n - 19);
  return -1;
}
const GICD_CTLR = 0x000,
  GICD_ISENABLER = 0x100;
const GICD_CTLR_ENABLE = 0x12;
/** GICR_ISENABLER0 in a GICv3 redistributor's SGI/PPI frame (its second 64 KiB). */
const GICR_ISENABLER0 = 0x10100;

/** seL4_VCPUReg_Num: the VCPU object's saved EL1 registers (include/sel4/arch.h). */
export const VCPU_REGISTERS = 25;

export interface DeviceMapping {
  name: string;
  gpa: number;
  size: number;
  bytes: Uint8Array;
  view: DataView;
  /** A modelled device behind the frame (a passed-through UART) and the frame's offset into it. */
  device?: { regs: RegisterDevice; offset: number };
}

export class Vcpu extends VcpuThread implements GuestMachine {
  state: VcpuState = 'off';
  haltReason: string | undefined;
  readonly vgic = new Vgic();
  readonly timer: VirtualTimer;
  program: GuestProgram | undefined;
  faultHandler: FaultHandler | undefined;
  readonly deviceMaps: DeviceMapping[];
  /** Guest-visible MMIO exits and interrupts, for snapshots. */
  mmioExits = 0;
  /** Called after the guest ends a passed-through interrupt (the VMM acks the hardware IRQ). */
  readonly eoiHooks = new Map<number, () => void>();
  /** The TCB's registers as seL4_TCB_ReadRegisters/WriteRegisters see them (a real VMM's view). */
  readonly tcb = new BigUint64Array(USER_CONTEXT_WORDS);
  /** The VCPU object's EL1 registers (seL4_ARM_VCPU_ReadRegs/WriteRegs). */
  readonly vcpuRegisters = new BigUint64Array(VCPU_REGISTERS);
  /** What a restart runs: set where the VMM starts the guest through seL4 (a real VMM). */
  programFactory: (() => GuestProgram) | undefined;
  /**
   * Where the VMM emulates the GIC distributor, when it does (the real libvmm): the guest's GIC
   * driver then enables interrupts with stores there (GICD_CTLR, GICD_ISENABLERn) that trap to it.
   */
  distributorBase: number | undefined;
  /** Where the VMM emulates the GICv3 redistributors (PPIs are enabled there), with the distributor. */
  redistributorBase: number | undefined;
  private distributorEnabled = false;
  /** seL4 masked the timer's PPI on delivering its VPPI event; the VMM's ack unmasks it. */
  private vppiMasked = false;

  constructor(
    private readonly kernel: Kernel,
    readonly vmName: string,
    sched: SchedState,
    readonly ram: Uint8Array,
    readonly ramBase: number,
    maps: { name: string; gpa: number; size: number; device?: DeviceMapping['device'] }[],
  ) {
    super(vmName, sched);
    this.timer = new VirtualTimer(`${vmName}.vtimer`);
    this.deviceMaps = maps.map((m) => {
      const bytes = new Uint8Array(m.device ? 0 : m.size);
      return { ...m, bytes, view: new DataView(bytes.buffer) };
    });
  }

  start(program: GuestProgram, dtbGpa: number): void {
    this.program = program;
    this.state = 'running';
    try {
      program.start(this, dtbGpa);
    } catch (e) {
      this.crash(e);
    }
  }

  /**
   * Power-on state again, for a guest reset: stopped, no program, empty list registers and counts,
   * timer disarmed, mapped device pages zeroed (they are fresh memory at boot). RAM is the VMM's
   * business. cpuNs goes on: it is the scheduler's account of this thread, like a PD's.
   */
  reset(): void {
    this.state = 'off';
    this.haltReason = undefined;
    this.program = undefined;
    this.vgic.reset();
    this.vgic.clearCounts();
    this.timer.reset();
    for (const m of this.deviceMaps) m.bytes.fill(0);
    this.mmioExits = 0;
    this.distributorEnabled = false;
    this.vppiMasked = false;
    this.kernel.event('vcpu', `${this.vmName} reset`);
  }

  /**
   * seL4_TCB_WriteRegisters with resume (microkit_vcpu_restart): a vCPU that is off or stopped
   * starts a fresh guest program at the kernel entry, x0 holding the DTB's address as the VMM
   * wrote it; a running one goes on.
   */
  resume(): void {
    if (this.state === 'running' || this.state === 'idle') return;
    const program = this.programFactory?.();
    if (!program) return;
    this.haltReason = undefined;
    this.start(program, Number(this.tcb[TCB_X0] & 0xffffffffffffn));
  }

  halt(reason: string): void {
    this.state = 'halted';
    this.haltReason = reason;
    this.kernel.event('vcpu', `${this.vmName} stopped: ${reason}`);
  }

  /** A method, so that TypeScript does not narrow the state across calls into the guest. */
  halted(): boolean {
    return this.state === 'halted';
  }

  isReady(): boolean {
    if (this.state === 'running') return true;
    if (this.state !== 'idle') return false;
    return (this.timer.fired && !this.vppiMasked) || this.vgic.hasPending();
  }

  /** seL4_ARM_VCPU_AckVPPI: the VMM unmasks the PPI; a timer that fired meanwhile is delivered next. */
  ackVppi(ppi: number): void {
    if (ppi === VTIMER_PPI) this.vppiMasked = false;
  }

  /** The timer, to the guest program directly or as a VPPI event to a VMM that takes those. */
  private deliverTimer(p: GuestProgram): void {
    const vmm = this.faultHandler?.virtualTimer ? this.faultHandler : undefined;
    if (!vmm) {
      if (this.timer.take()) p.onTimer();
      return;
    }
    if (this.vppiMasked || !this.timer.take()) return;
    this.vppiMasked = true;
    vmm.virtualTimer!(VTIMER_PPI);
  }

  /** An interrupt taken from a list register: the timer's PPI is the guest's timer tick, which its GIC driver ends. */
  private takeInterrupt(p: GuestProgram, intid: number): void {
    if (intid !== VTIMER_PPI || !this.faultHandler?.virtualTimer) {
      p.onInterrupt(intid);
      return;
    }
    p.onTimer();
    this.endOfInterrupt(intid);
  }

  runSlice(sliceNs: number): void {
    const p = this.program;
    if (!p) return;
    // A reset from inside the guest (PSCI SYSTEM_RESET) replaces the program mid-call: what the old
    // program returns after that is no longer this vCPU's business.
    const replaced = (): boolean => this.program !== p;
    try {
      this.deliverTimer(p);
      for (let intid = this.vgic.take(); intid >= 0 && !this.halted() && !replaced(); intid = this.vgic.take()) this.takeInterrupt(p, intid);
      if (this.halted() || replaced()) return;
      const r = p.run(sliceNs);
      if (this.halted() || replaced()) return;
      if (r === 'halted') this.halt('the guest stopped');
      else this.state = r === 'idle' ? 'idle' : 'running';
      if (r === 'idle') this.faultHandler?.waitForInterrupt?.();
    } catch (e) {
      if (!replaced()) this.crash(e);
    }
  }

  private crash(e: unknown): void {
    this.kernel.log(this.vmName, 'error', `(emulator) guest program failed: ${e instanceof Error ? e.message : String(e)}`);
    this.halt('guest program error');
  }

  // ---- GuestMachine

  private mapped(gpa: number, size: number): DeviceMapping | undefined {
    for (const m of this.deviceMaps) if (gpa >= m.gpa && gpa + size <= m.gpa + m.size) return m;
    return undefined;
  }

  mmioRead(gpa: number, size: 1 | 2 | 4, reg = 0): number | undefined {
    if (this.state === 'halted') return undefined;
    const ramOff = gpa - this.ramBase;
    if (ramOff >= 0 && ramOff + size <= this.ram.length) return readLe(new DataView(this.ram.buffer, this.ram.byteOffset), ramOff, size);
    const m = this.mapped(gpa, size);
    if (m?.device) {
      // Device registers answer 32-bit accesses; a narrower load takes its lanes of the word.
      const off = m.device.offset + gpa - m.gpa;
      const word = m.device.regs.read(off & ~3) >>> 0;
      return size === 4 ? word : (word >>> ((off & 3) * 8)) & (size === 1 ? 0xff : 0xffff);
    }
    if (m) return readLe(m.view, gpa - m.gpa, size);
    this.mmioExits++;
    return this.faultHandler?.read(gpa, size, reg);
  }

  mmioWrite(gpa: number, size: 1 | 2 | 4, value: number, reg = 0): boolean {
    if (this.state === 'halted') return false;
    const ramOff = gpa - this.ramBase;
    if (ramOff >= 0 && ramOff + size <= this.ram.length) {
      writeLe(new DataView(this.ram.buffer, this.ram.byteOffset), ramOff, size, value);
      return true;
    }
    const m = this.mapped(gpa, size);
    if (m?.device) {
      const off = m.device.offset + gpa - m.gpa;
      m.device.regs.write(off & ~3, size === 4 ? value : (value & (size === 1 ? 0xff : 0xffff)) << ((off & 3) * 8));
      return true;
    }
    if (m) {
      writeLe(m.view, gpa - m.gpa, size, value);
      return true;
    }
    this.mmioExits++;
    return this.faultHandler?.write(gpa, size, value, reg) ?? false;
  }

  now(): bigint {
    return BigInt(Math.floor(this.kernel.now));
  }

  consume(ns: number): void {
    this.kernel.charge(this, ns);
  }

  setTimer(deadlineNs: bigint): void {
    this.timer.arm(Number(deadlineNs));
  }

  enableInterrupt(intid: number): void {
    const base = this.distributorBase;
    if (base === undefined) {
      this.vgic.enable(intid);
      return;
    }
    // gic_dist_init's GICD_CTLR (EnableGrp1NS | ARE_NS) once, then request_irq's GICD_ISENABLERn,
    // or for a PPI (GICv3) its redistributor's GICR_ISENABLER0.
    if (!this.distributorEnabled && !this.mmioWrite(base + GICD_CTLR, 4, GICD_CTLR_ENABLE)) return;
    this.distributorEnabled = true;
    const bit = (1 << (intid % 32)) >>> 0;
    if (intid < 32 && this.redistributorBase !== undefined) this.mmioWrite(this.redistributorBase + GICR_ISENABLER0, 4, bit);
    else this.mmioWrite(base + GICD_ISENABLER + 4 * Math.floor(intid / 32), 4, bit);
  }

  endOfInterrupt(intid: number): void {
    const lr = this.vgic.eoi(intid);
    if (lr >= 0) this.eoiHooks.get(intid)?.();
    if (lr >= 0 && this.vgic.vmmLoadsListRegisters) this.faultHandler?.maintenance?.(lr);
  }

  psci(functionId: number): void {
    this.faultHandler?.psci(functionId);
  }

  log(message: string): void {
    this.kernel.log(this.vmName, 'info', message);
  }
}

function readLe(v: DataView, off: number, size: 1 | 2 | 4): number {
  return size === 1 ? v.getUint8(off) : size === 2 ? v.getUint16(off, true) : v.getUint32(off, true);
}

function writeLe(v: DataView, off: number, size: 1 | 2 | 4, value: number): void {
  if (size === 1) v.setUint8(off, value & 0xff);
  else if (size === 2) v.setUint16(off, value & 0xffff, true);
  else v.setUint32(off, value >>> 0, true);
}
