// Interrupt controllers. The physical GIC only tracks line levels and hands raised lines to the
// kernel (which masks an IRQ from delivery until the PD acknowledges it). A vGIC per VM holds
// virtual interrupts for the vCPU: 4 list registers and an overflow queue, as libvmm's vgic does.
// SPI n is INTID n + 32.
//
// Departures from the pinned upstream (sDDF 650ace5, libvmm 7069ab9, Microkit cfd5216):
// - The guest enables an IRQ through GuestMachine.enableInterrupt, not through an emulated
//   distributor register; enabling does not ack a waiting IRQ (libvmm include/libvmm/arch/aarch64/vgic/vdist.h:144-162).
// - The distributor counts as enabled, so libvmm's "vGIC distributor is not enabled" is never
//   printed (libvmm include/libvmm/arch/aarch64/vgic/vdist.h:197-198).
import { pushAll } from '../../common/arrays';

export const SPI_BASE = 32;
export function spiToIntid(spi: number): number {
  return spi + SPI_BASE;
}

export class Gic {
  private readonly level = new Uint8Array(1020);
  constructor(private readonly deliver: (intid: number) => void) {}
  setLevel(intid: number, high: boolean): void {
    const was = this.level[intid] === 1;
    this.level[intid] = high ? 1 : 0;
    if (high && !was) this.deliver(intid);
  }
  isHigh(intid: number): boolean {
    return this.level[intid] === 1;
  }
  getState(): number[] {
    const high: number[] = [];
    this.level.forEach((l, i) => {
      if (l) high.push(i);
    });
    return high;
  }
  /** Restores line levels without delivering (the kernel's masks are restored with it). */
  setState(high: number[]): void {
    this.level.fill(0);
    for (const i of high) this.level[i] = 1;
  }
}

export interface VgicState {
  lrIntid: number[];
  lrState: number[];
  overflow: number[];
  enabled?: number[];
}

const LR_EMPTY = 0,
  LR_PENDING = 1,
  LR_ACTIVE = 2;
export const VGIC_LIST_REGISTERS = 4;

/** libvmm's meanings (src/arch/aarch64/vgic/vdist.h:180-249 at 7069ab9). */
export interface VgicCounts {
  /** Injections accepted: the IRQ went to a list register or the overflow queue. */
  injected: number;
  /** Injections that were no-ops because the IRQ was pending, i.e. waiting in the overflow queue. */
  alreadyPending: number;
  /** Injections refused because the guest had not enabled the IRQ ("vIRQ 0x.. is not enabled"). */
  notEnabled: number;
  delivered: number;
  acked: number;
}

/**
 * A VM's vGIC as libvmm keeps it. An IRQ is "pending" only while it waits in the overflow queue:
 * libvmm clears the pending bit once the IRQ is in a list register (vdist.h:224-225), so a second
 * injection then takes another list register, and the guest takes the IRQ twice. An injection of
 * an IRQ the guest has not enabled at the distributor is refused (vdist.h:193-203).
 */
export class Vgic {
  private readonly lrIntid = new Int32Array(VGIC_LIST_REGISTERS).fill(-1);
  private readonly lrState = new Uint8Array(VGIC_LIST_REGISTERS);
  private readonly overflow: number[] = [];
  private readonly enabled = new Set<number>();
  readonly counts: VgicCounts = { injected: 0, alreadyPending: 0, notEnabled: 0, delivered: 0, acked: 0 };
  /** Per-INTID counts for snapshots. */
  readonly perIrq = new Map<number, VgicCounts>();
  /**
   * Set when the VMM is the real libvmm: its own distributor holds enables, pending bits and the
   * overflow queue, and it loads the list registers itself (loadListRegister, the kernel's
   * seL4_ARM_VCPU_InjectIRQ); an end of interrupt frees the register and is reported to it as a
   * maintenance fault, with no refill here.
   */
  vmmLoadsListRegisters = false;

  private countsFor(intid: number): VgicCounts {
    let c = this.perIrq.get(intid);
    if (!c) this.perIrq.set(intid, (c = { injected: 0, alreadyPending: 0, notEnabled: 0, delivered: 0, acked: 0 }));
    return c;
  }

  /** The guest's GIC driver enabled the IRQ at the distributor (GICD_ISENABLER; vgic_dist_enable_irq). */
  enable(intid: number): void {
    this.enabled.add(intid);
  }

  disable(intid: number): void {
    // SGIs cannot be disabled (vdist.h:164-178).
    if (intid >= 16) this.enabled.delete(intid);
  }

  isEnabled(intid: number): boolean {
    return this.enabled.has(intid);
  }

  /** Inject a virtual IRQ (vgic_dist_set_pending_irq). False when refused: the guest has not enabled it. */
  inject(intid: number): boolean {
    const c = this.countsFor(intid);
    if (!this.enabled.has(intid)) {
      this.counts.notEnabled++;
      c.notEnabled++;
      return false;
    }
    if (this.overflow.includes(intid)) {
      this.counts.alreadyPending++;
      c.alreadyPending++;
      return true;
    }
    this.counts.injected++;
    c.injected++;
    for (let i = 0; i < VGIC_LIST_REGISTERS; i++) {
      if (this.lrState[i] === LR_EMPTY) {
        this.lrIntid[i] = intid;
        this.lrState[i] = LR_PENDING;
        return true;
      }
    }
    this.overflow.push(intid);
    return true;
  }

  /** A pending IRQ the vCPU can take now (it becomes active), or -1. */
  take(): number {
    for (let i = 0; i < VGIC_LIST_REGISTERS; i++) {
      if (this.lrState[i] === LR_PENDING) {
        this.lrState[i] = LR_ACTIVE;
        this.counts.delivered++;
        this.countsFor(this.lrIntid[i]).delivered++;
        return this.lrIntid[i];
      }
    }
    return -1;
  }

  hasPending(): boolean {
    for (let i = 0; i < VGIC_LIST_REGISTERS; i++) if (this.lrState[i] === LR_PENDING) return true;
    return false;
  }

  /**
   * End of interrupt: frees the list register; the model refills it from its queue (libvmm's
   * maintenance handler), a real VMM is told. The register's index, or -1 when none held it.
   */
  eoi(intid: number): number {
    for (let i = 0; i < VGIC_LIST_REGISTERS; i++) {
      if (this.lrIntid[i] !== intid || this.lrState[i] !== LR_ACTIVE) continue;
      this.lrState[i] = LR_EMPTY;
      this.lrIntid[i] = -1;
      this.counts.acked++;
      this.countsFor(intid).acked++;
      if (!this.vmmLoadsListRegisters) this.refill();
      return i;
    }
    return -1;
  }

  /**
   * seL4_ARM_VCPU_InjectIRQ: list register `index` holds `intid`, pending. seL4's error codes:
   * 4 (RangeError) for an index past the registers, 8 (DeleteFirst) when it still holds an
   * interrupt that is pending or active; 0 when loaded.
   */
  loadListRegister(index: number, intid: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= VGIC_LIST_REGISTERS) return 4;
    if (this.lrState[index] !== LR_EMPTY) return 8;
    this.lrIntid[index] = intid;
    this.lrState[index] = LR_PENDING;
    this.counts.injected++;
    this.countsFor(intid).injected++;
    return 0;
  }

  private refill(): void {
    for (let i = 0; i < VGIC_LIST_REGISTERS && this.overflow.length > 0; i++) {
      if (this.lrState[i] === LR_EMPTY) {
        this.lrIntid[i] = this.overflow.shift()!;
        this.lrState[i] = LR_PENDING;
      }
    }
  }

  /** libvmm's pending IRQs: those waiting in the overflow queue for a list register, oldest first. */
  pendingIrqs(): number[] {
    return this.overflow.slice();
  }

  listRegisters(): { intid: number; state: 'empty' | 'pending' | 'active' }[] {
    const names = ['empty', 'pending', 'active'] as const;
    return Array.from(this.lrIntid, (intid, i) => ({ intid, state: names[this.lrState[i]] }));
  }

  getState(): VgicState {
    return { lrIntid: Array.from(this.lrIntid), lrState: Array.from(this.lrState), overflow: this.overflow.slice(), enabled: [...this.enabled] };
  }

  setState(s: VgicState): void {
    this.lrIntid.set(s.lrIntid);
    this.lrState.set(s.lrState);
    this.overflow.length = 0;
    pushAll(this.overflow, s.overflow);
    this.enabled.clear();
    for (const i of s.enabled ?? []) this.enabled.add(i);
  }

  reset(): void {
    this.lrIntid.fill(-1);
    this.lrState.fill(0);
    this.overflow.length = 0;
    this.enabled.clear();
  }

  /** The counts start again from zero (a guest reset: they then match the new guest's own counts). */
  clearCounts(): void {
    this.counts.injected = this.counts.alreadyPending = this.counts.notEnabled = this.counts.delivered = this.counts.acked = 0;
    this.perIrq.clear();
  }
}
