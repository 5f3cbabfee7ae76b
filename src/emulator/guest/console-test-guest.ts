// A minimal guest program with a real virtio-mmio console driver: it probes the device through its
// registers, negotiates VIRTIO_F_VERSION_1, lays out both split virtqueues in its RAM, posts receive
// buffers, and then floods transmitq, echoes what it receives, or just spins. Tests and benchmarks
// use it where the Linux model would be slower or less controllable.
import type { GuestMachine, GuestProgram, GuestRunResult } from './interface';

const R = {
  Magic: 0x000,
  Version: 0x004,
  DeviceID: 0x008,
  DeviceFeatures: 0x010,
  DeviceFeaturesSel: 0x014,
  DriverFeatures: 0x020,
  DriverFeaturesSel: 0x024,
  QueueSel: 0x030,
  QueueNumMax: 0x034,
  QueueNum: 0x038,
  QueueReady: 0x044,
  QueueNotify: 0x050,
  InterruptStatus: 0x060,
  InterruptACK: 0x064,
  Status: 0x070,
  QueueDescLow: 0x080,
  QueueDescHigh: 0x084,
  QueueDriverLow: 0x090,
  QueueDriverHigh: 0x094,
  QueueDeviceLow: 0x0a0,
  QueueDeviceHigh: 0x0a4,
};
const F_WRITE = 2;
const RX_BUF = 256;

export interface ConsoleTestGuestOptions {
  virtioBase: number;
  /** Descriptors per queue (at most the device's QueueNumMax). */
  queueSize?: number;
  /** Bytes to send in total; `fill` writes stream bytes [offset, offset+dst.length) into dst. */
  txTotal?: number;
  txChunk?: number;
  fill?: (offset: number, dst: Uint8Array) => void;
  /** Send every received byte back. */
  echo?: boolean;
  /** Burn every slice (for scheduling tests). */
  spin?: boolean;
  /** Virtual CPU cost of producing one byte. */
  costPerByteNs?: number;
  /** The console's INTID, enabled at start (SPI 42 of the example: 74); -1 leaves it disabled. */
  intid?: number;
}

export class ConsoleTestGuest implements GuestProgram {
  private m!: GuestMachine;
  private off = 0; // RAM offset of our structures
  private num = 0;
  private dead = false;
  private readonly opts: Required<Omit<ConsoleTestGuestOptions, 'fill'>> & Pick<ConsoleTestGuestOptions, 'fill'>;
  /** Everything received on receiveq, in order. */
  received = new Uint8Array(4096);
  receivedLen = 0;
  txQueued = 0;
  txCompleted = 0;
  interrupts = 0;
  configChanges = 0;
  private txFree: number[] = [];
  private txLastUsed = 0;
  private rxLastUsed = 0;
  private readonly echoPending: number[] = [];
  private txInFlight = new Map<number, number>();

  constructor(opts: ConsoleTestGuestOptions) {
    this.opts = { queueSize: 64, txTotal: 0, txChunk: 4096, echo: false, spin: false, costPerByteNs: 0.25, intid: 74, ...opts };
  }

  get failed(): boolean {
    return this.dead;
  }

  // Guest-physical addresses of our structures.
  private q(which: 0 | 1): { desc: number; avail: number; used: number } {
    const base = this.m.ramBase + 0x100000 + which * 0x10000;
    return { desc: base, avail: base + 0x1000, used: base + 0x2000 };
  }
  private rxBuf(i: number): number {
    return this.m.ramBase + 0x200000 + i * RX_BUF;
  }
  private txBuf(i: number): number {
    return this.m.ramBase + 0x300000 + i * this.opts.txChunk;
  }

  private r(reg: number): number {
    const v = this.m.mmioRead(this.opts.virtioBase + reg, 4);
    if (v === undefined) this.dead = true;
    return v ?? 0;
  }
  private w(reg: number, value: number): void {
    if (this.dead) return;
    if (!this.m.mmioWrite(this.opts.virtioBase + reg, 4, value)) this.dead = true;
  }
  private view(): DataView {
    return new DataView(this.m.ram.buffer, this.m.ram.byteOffset, this.m.ram.byteLength);
  }
  private ramOff(gpa: number): number {
    return gpa - this.m.ramBase;
  }

  start(machine: GuestMachine, _dtbGpa: number): void {
    this.m = machine;
    if (this.r(R.Magic) !== 0x74726976 || this.r(R.Version) !== 2 || this.r(R.DeviceID) !== 3) {
      machine.log('console-test-guest: no virtio console at the configured address');
      this.dead = true;
      return;
    }
    if (this.opts.intid >= 0) machine.enableInterrupt(this.opts.intid);
    this.w(R.Status, 0);
    this.w(R.Status, 1);
    this.w(R.Status, 3);
    this.w(R.DeviceFeaturesSel, 1);
    const high = this.r(R.DeviceFeatures);
    this.w(R.DriverFeaturesSel, 0);
    this.w(R.DriverFeatures, 0);
    this.w(R.DriverFeaturesSel, 1);
    this.w(R.DriverFeatures, high & 1);
    this.w(R.Status, 0xb);
    if ((this.r(R.Status) & 8) === 0) {
      this.dead = true;
      return;
    }
    for (const which of [0, 1] as const) {
      this.w(R.QueueSel, which);
      this.num = Math.min(this.opts.queueSize, this.r(R.QueueNumMax));
      this.w(R.QueueNum, this.num);
      const a = this.q(which);
      this.w(R.QueueDescLow, a.desc);
      this.w(R.QueueDescHigh, 0);
      this.w(R.QueueDriverLow, a.avail);
      this.w(R.QueueDriverHigh, 0);
      this.w(R.QueueDeviceLow, a.used);
      this.w(R.QueueDeviceHigh, 0);
      this.w(R.QueueReady, 1);
    }
    const v = this.view(),
      rx = this.q(0);
    for (let i = 0; i < this.num; i++) {
      const d = this.ramOff(rx.desc) + 16 * i;
      v.setUint32(d, this.rxBuf(i), true);
      v.setUint32(d + 4, 0, true);
      v.setUint32(d + 8, RX_BUF, true);
      v.setUint16(d + 12, F_WRITE, true);
      v.setUint16(d + 14, 0, true);
      v.setUint16(this.ramOff(rx.avail) + 4 + 2 * i, i, true);
    }
    v.setUint16(this.ramOff(rx.avail) + 2, this.num, true);
    this.txFree = Array.from({ length: this.num }, (_, i) => this.num - 1 - i);
    this.w(R.Status, 0xf);
    this.w(R.QueueNotify, 0);
  }

  run(sliceNs: number): GuestRunResult {
    if (this.dead) return 'halted';
    if (this.opts.spin) {
      this.m.consume(sliceNs);
      return 'preempted';
    }
    this.reclaimTx();
    let spent = 0;
    while (spent < sliceNs && this.txFree.length > 0 && !this.dead) {
      const n = this.queueNextChunk();
      if (n === 0) break;
      this.w(R.QueueNotify, 1);
      const cost = 300 + n * this.opts.costPerByteNs;
      this.m.consume(cost);
      spent += cost;
      this.reclaimTx();
    }
    if (this.dead) return 'halted';
    if (spent === 0) this.m.consume(100);
    const more = this.echoPending.length > 0 || this.txQueued < this.opts.txTotal;
    return more && this.txFree.length > 0 ? 'preempted' : 'idle';
  }

  /** Put one chain on transmitq: echo bytes first, then the flood stream. Returns its length. */
  private queueNextChunk(): number {
    const chunk = this.opts.txChunk;
    const id = this.txFree[this.txFree.length - 1];
    const buf = this.ramOff(this.txBuf(id));
    let n: number;
    if (this.echoPending.length > 0) {
      n = Math.min(chunk, this.echoPending.length);
      for (let i = 0; i < n; i++) this.m.ram[buf + i] = this.echoPending[i];
      this.echoPending.splice(0, n);
    } else {
      n = Math.min(chunk, this.opts.txTotal - this.txQueued);
      if (n <= 0) return 0;
      this.opts.fill?.(this.txQueued, this.m.ram.subarray(buf, buf + n));
      this.txQueued += n;
    }
    this.txFree.pop();
    const v = this.view(),
      tx = this.q(1);
    const d = this.ramOff(tx.desc) + 16 * id;
    v.setUint32(d, this.txBuf(id), true);
    v.setUint32(d + 4, 0, true);
    v.setUint32(d + 8, n, true);
    v.setUint16(d + 12, 0, true);
    v.setUint16(d + 14, 0, true);
    const availIdx = v.getUint16(this.ramOff(tx.avail) + 2, true);
    v.setUint16(this.ramOff(tx.avail) + 4 + 2 * (availIdx % this.num), id, true);
    v.setUint16(this.ramOff(tx.avail) + 2, (availIdx + 1) & 0xffff, true);
    this.txInFlight.set(id, n);
    return n;
  }

  private reclaimTx(): void {
    const v = this.view(),
      tx = this.q(1);
    const usedIdx = v.getUint16(this.ramOff(tx.used) + 2, true);
    while (this.txLastUsed !== usedIdx) {
      const id = v.getUint32(this.ramOff(tx.used) + 4 + 8 * (this.txLastUsed % this.num), true);
      this.txLastUsed = (this.txLastUsed + 1) & 0xffff;
      this.txCompleted += this.txInFlight.get(id) ?? 0;
      this.txInFlight.delete(id);
      this.txFree.push(id);
    }
  }

  private takeRx(): void {
    const v = this.view(),
      rx = this.q(0);
    const usedIdx = v.getUint16(this.ramOff(rx.used) + 2, true);
    let reposted = false;
    while (this.rxLastUsed !== usedIdx) {
      const slot = this.ramOff(rx.used) + 4 + 8 * (this.rxLastUsed % this.num);
      const id = v.getUint32(slot, true),
        len = v.getUint32(slot + 4, true);
      this.rxLastUsed = (this.rxLastUsed + 1) & 0xffff;
      const src = this.ramOff(this.rxBuf(id));
      if (this.receivedLen + len > this.received.length) {
        const bigger = new Uint8Array(Math.max(this.received.length * 2, this.receivedLen + len));
        bigger.set(this.received.subarray(0, this.receivedLen));
        this.received = bigger;
      }
      this.received.set(this.m.ram.subarray(src, src + len), this.receivedLen);
      if (this.opts.echo) for (let i = 0; i < len; i++) this.echoPending.push(this.m.ram[src + i]);
      this.receivedLen += len;
      const availIdx = v.getUint16(this.ramOff(rx.avail) + 2, true);
      v.setUint16(this.ramOff(rx.avail) + 4 + 2 * (availIdx % this.num), id, true);
      v.setUint16(this.ramOff(rx.avail) + 2, (availIdx + 1) & 0xffff, true);
      reposted = true;
    }
    if (reposted) this.w(R.QueueNotify, 0);
  }

  onInterrupt(intid: number): void {
    if (this.dead) return;
    this.interrupts++;
    const status = this.r(R.InterruptStatus);
    this.w(R.InterruptACK, status);
    if (status & 2) this.configChanges++;
    this.takeRx();
    this.reclaimTx();
    this.m.endOfInterrupt(intid);
  }

  onTimer(): void {
    // This guest arms no timer.
  }

  receivedBytes(): Uint8Array {
    return this.received.subarray(0, this.receivedLen);
  }
}
