// Split virtqueues (VirtIO 1.2 section 2.7) read and written in guest RAM through checked accesses:
// descriptor {u64 addr, u32 len, u16 flags, u16 next} (16 bytes), avail {u16 flags, u16 idx,
// u16 ring[num]}, used {u16 flags, u16 idx, {u32 id, u32 len} ring[num]}. Indices are free-running
// u16 used modulo num. Every malformed structure is reported as a VirtqError rather than trusted.
import type { GuestPhysical } from '../memory';

export const VIRTQ_DESC_F_NEXT = 1;
export const VIRTQ_DESC_F_WRITE = 2;
export const VIRTQ_DESC_F_INDIRECT = 4;
export const VIRTQ_DESC_SIZE = 16;

export interface VirtqState {
  num: number;
  ready: boolean;
  descGpa: number;
  availGpa: number;
  usedGpa: number;
  /** The device's last seen avail index (libvmm's last_idx). */
  lastIdx: number;
}

export function newVirtqState(): VirtqState {
  return { num: 0, ready: false, descGpa: 0, availGpa: 0, usedGpa: 0, lastIdx: 0 };
}

export interface Segment {
  gpa: number;
  len: number;
  flags: number;
}

/** A problem with guest-provided virtqueue memory; the device answers with DEVICE_NEEDS_RESET. */
export class VirtqError {
  constructor(readonly message: string) {}
}

export class Virtq {
  constructor(
    readonly state: VirtqState,
    private readonly mem: GuestPhysical,
    readonly maxNum: number,
  ) {}

  /** Checks that hold before the device touches the rings. */
  validate(): VirtqError | undefined {
    const s = this.state;
    if (s.num === 0 || s.num > this.maxNum) return new VirtqError(`queue size ${s.num} is not in 1..${this.maxNum}`);
    if (!this.mem.contains(s.descGpa, s.num * VIRTQ_DESC_SIZE)) return new VirtqError(`descriptor table at 0x${s.descGpa.toString(16)} is outside guest RAM`);
    if (!this.mem.contains(s.availGpa, 4 + 2 * s.num)) return new VirtqError(`available ring at 0x${s.availGpa.toString(16)} is outside guest RAM`);
    if (!this.mem.contains(s.usedGpa, 4 + 8 * s.num)) return new VirtqError(`used ring at 0x${s.usedGpa.toString(16)} is outside guest RAM`);
    return undefined;
  }

  availIdx(): number {
    return this.mem.u16(this.state.availGpa + 2);
  }

  usedIdx(): number {
    return this.mem.u16(this.state.usedGpa + 2);
  }

  /** How many chains the driver has made available and the device has not taken; error on a jump past num. */
  pending(): number | VirtqError {
    const avail = this.availIdx();
    const n = (avail - this.state.lastIdx) & 0xffff;
    if (n > this.state.num) return new VirtqError(`available index jumped from ${this.state.lastIdx} to ${avail}, more than the queue size ${this.state.num}`);
    return n;
  }

  /** The head descriptor index of the next available chain. */
  nextHead(): number | VirtqError {
    const head = this.mem.u16(this.state.availGpa + 4 + 2 * (this.state.lastIdx % this.state.num));
    if (head >= this.state.num) return new VirtqError(`available ring names descriptor ${head}, beyond the queue size ${this.state.num}`);
    return head;
  }

  /**
   * Walk a descriptor chain into `out`, checking every buffer lies in RAM, the chain has no loop
   * (at most num descriptors), no INDIRECT descriptors (libvmm has none) and a total below 4 GiB.
   * Returns the total length.
   */
  walkChain(head: number, out: Segment[]): number | VirtqError {
    out.length = 0;
    let idx = head,
      total = 0;
    for (let count = 0; ; count++) {
      if (count >= this.state.num) return new VirtqError(`descriptor chain from ${head} loops or is longer than the queue size ${this.state.num}`);
      if (idx >= this.state.num) return new VirtqError(`descriptor ${idx} is beyond the queue size ${this.state.num}`);
      const d = this.state.descGpa + idx * VIRTQ_DESC_SIZE;
      const addr = this.mem.u64(d),
        len = this.mem.u32(d + 8),
        flags = this.mem.u16(d + 12),
        next = this.mem.u16(d + 14);
      if ((flags & VIRTQ_DESC_F_INDIRECT) !== 0) return new VirtqError(`descriptor ${idx} is INDIRECT, which the device did not offer`);
      if (!this.mem.contains(addr, len))
        return new VirtqError(`descriptor ${idx} buffer [0x${addr.toString(16)}..0x${(addr + len).toString(16)}) is outside guest RAM`);
      total += len;
      if (total > 0xffffffff) return new VirtqError(`descriptor chain from ${head} is longer than 4 GiB`);
      out.push({ gpa: addr, len, flags });
      if ((flags & VIRTQ_DESC_F_NEXT) === 0) return total;
      idx = next;
    }
  }

  /** Put a used element {id, len} and publish it by bumping used.idx; consumes one available entry. */
  pushUsed(id: number, len: number): void {
    const s = this.state;
    const usedIdx = this.mem.u16(s.usedGpa + 2);
    const slot = s.usedGpa + 4 + 8 * (usedIdx % s.num);
    this.mem.setU32(slot, id);
    this.mem.setU32(slot + 4, len);
    this.mem.setU16(s.usedGpa + 2, usedIdx + 1);
    s.lastIdx = (s.lastIdx + 1) & 0xffff;
  }
}
