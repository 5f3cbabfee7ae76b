// Interrupt controllers. The physical GIC only tracks line levels and hands raised lines to the
// kernel (which masks an IRQ from delivery until the PD acknowledges it). A vGIC per VM holds
// virtual interrupts for the vCPU: 4 list registers and an overflow queue, as libvmm's vgic does.
// SPI n is INTID n + 32.
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
    this.level.forEach((l, i) => { if (l) high.push(i); });
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
}

const LR_EMPTY = 0, LR_PENDING = 1, LR_ACTIVE = 2, LR_PENDING_ACTIVE = 3;
export const VGIC_LIST_REGISTERS = 4;

export interface VgicCounts {
  injected: number;
  /** Injections that were no-ops because the IRQ was already pending. */
  alreadyPending: number;
  delivered: number;
  acked: number;
}

export class Vgic {
  private readonly lrIntid = new Int32Array(VGIC_LIST_REGISTERS).fill(-1);
  private readonly lrState = new Uint8Array(VGIC_LIST_REGISTERS);
  private readonly overflow: number[] = [];
  readonly counts: VgicCounts = { injected: 0, alreadyPending: 0, delivered: 0, acked: 0 };
  /** Per-INTID counts for snapshots. */
  readonly perIrq = new Map<number, VgicCounts>();

  private countsFor(intid: number): VgicCounts {
    let c = this.perIrq.get(intid);
    if (!c) this.perIrq.set(intid, (c = { injected: 0, alreadyPending: 0, delivered: 0, acked: 0 }));
    return c;
  }

  /** Make a virtual IRQ pending. A no-op when it is already pending (in a list register or queued). */
  inject(intid: number): void {
    const c = this.countsFor(intid);
    for (let i = 0; i < VGIC_LIST_REGISTERS; i++) {
      if (this.lrIntid[i] !== intid) continue;
      if (this.lrState[i] === LR_PENDING || this.lrState[i] === LR_PENDING_ACTIVE) {
        this.counts.alreadyPending++; c.alreadyPending++;
        return;
      }
      // Active (being handled): it becomes pending again and is delivered after the EOI.
      this.lrState[i] = LR_PENDING_ACTIVE;
      this.counts.injected++; c.injected++;
      return;
    }
    if (this.overflow.includes(intid)) {
      this.counts.alreadyPending++; c.alreadyPending++;
      return;
    }
    this.counts.injected++; c.injected++;
    for (let i = 0; i < VGIC_LIST_REGISTERS; i++) {
      if (this.lrState[i] === LR_EMPTY) {
        this.lrIntid[i] = intid;
        this.lrState[i] = LR_PENDING;
        return;
      }
    }
    this.overflow.push(intid);
  }

  /** A pending IRQ the vCPU can take now (it becomes active), or -1. */
  take(): number {
    for (let i = 0; i < VGIC_LIST_REGISTERS; i++) {
      if (this.lrState[i] === LR_PENDING) {
        this.lrState[i] = LR_ACTIVE;
        this.counts.delivered++; this.countsFor(this.lrIntid[i]).delivered++;
        return this.lrIntid[i];
      }
    }
    return -1;
  }

  hasPending(): boolean {
    for (let i = 0; i < VGIC_LIST_REGISTERS; i++) if (this.lrState[i] === LR_PENDING) return true;
    return false;
  }

  /** End of interrupt: frees the list register (or re-arms a pending+active one), refills from the queue. */
  eoi(intid: number): boolean {
    for (let i = 0; i < VGIC_LIST_REGISTERS; i++) {
      if (this.lrIntid[i] !== intid) continue;
      if (this.lrState[i] === LR_ACTIVE) {
        this.lrState[i] = LR_EMPTY;
        this.lrIntid[i] = -1;
      } else if (this.lrState[i] === LR_PENDING_ACTIVE) {
        this.lrState[i] = LR_PENDING;
      } else continue;
      this.counts.acked++; this.countsFor(intid).acked++;
      this.refill();
      return true;
    }
    return false;
  }

  private refill(): void {
    for (let i = 0; i < VGIC_LIST_REGISTERS && this.overflow.length > 0; i++) {
      if (this.lrState[i] === LR_EMPTY) {
        this.lrIntid[i] = this.overflow.shift()!;
        this.lrState[i] = LR_PENDING;
      }
    }
  }

  /** Pending (not yet taken) INTIDs, in list registers and the overflow queue. */
  pendingIrqs(): number[] {
    const out: number[] = [];
    for (let i = 0; i < VGIC_LIST_REGISTERS; i++) if (this.lrState[i] === LR_PENDING || this.lrState[i] === LR_PENDING_ACTIVE) out.push(this.lrIntid[i]);
    return out.concat(this.overflow);
  }

  listRegisters(): { intid: number; state: 'empty' | 'pending' | 'active' | 'pending+active' }[] {
    const names = ['empty', 'pending', 'active', 'pending+active'] as const;
    return Array.from(this.lrIntid, (intid, i) => ({ intid, state: names[this.lrState[i]] }));
  }

  getState(): VgicState {
    return { lrIntid: Array.from(this.lrIntid), lrState: Array.from(this.lrState), overflow: this.overflow.slice() };
  }

  setState(s: VgicState): void {
    this.lrIntid.set(s.lrIntid);
    this.lrState.set(s.lrState);
    this.overflow.length = 0;
    pushAll(this.overflow, s.overflow);
  }

  reset(): void {
    this.lrIntid.fill(-1);
    this.lrState.fill(0);
    this.overflow.length = 0;
  }

  /** The counts start again from zero (a guest reset: they then match the new guest's own counts). */
  clearCounts(): void {
    this.counts.injected = this.counts.alreadyPending = this.counts.delivered = this.counts.acked = 0;
    this.perIrq.clear();
  }
}
