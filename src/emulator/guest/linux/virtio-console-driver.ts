// virtio_mmio + virtio_console as the modelled kernel runs them: the register-level probe
// (reset, ACKNOWLEDGE, DRIVER, feature negotiation, FEATURES_OK, queue setup, DRIVER_OK), split
// virtqueues in guest RAM (VirtIO 1.2 section 2.7), receive buffers kept posted, one transmit
// buffer in flight at a time (hvc's put_chars waits for each), and the interrupt handler
// (InterruptStatus, InterruptACK, then the used rings).
//
// Departures from Linux, on purpose: the driver accepts only VIRTIO_F_VERSION_1 and
// VIRTIO_CONSOLE_F_SIZE (no MULTIPORT, so one port and no control queues); legacy (version 1)
// devices are refused; instead of spinning on the used ring after a kick, as put_chars does, the
// kernel waits for the device's interrupt (same ordering, far less emulator work).

import type { GuestMachine } from '../interface';
import type { Mmio } from './mmio';
import type { PageAllocator } from './page-allocator';

export const VIRTIO_MMIO_MAGIC = 0x74726976;
const REG = {
  magic: 0x000,
  version: 0x004,
  deviceId: 0x008,
  vendorId: 0x00c,
  deviceFeatures: 0x010,
  deviceFeaturesSel: 0x014,
  driverFeatures: 0x020,
  driverFeaturesSel: 0x024,
  queueSel: 0x030,
  queueNumMax: 0x034,
  queueNum: 0x038,
  queueReady: 0x044,
  queueNotify: 0x050,
  interruptStatus: 0x060,
  interruptAck: 0x064,
  status: 0x070,
  queueDescLow: 0x080,
  queueDescHigh: 0x084,
  queueDriverLow: 0x090,
  queueDriverHigh: 0x094,
  queueDeviceLow: 0x0a0,
  queueDeviceHigh: 0x0a4,
} as const;

const STATUS_ACKNOWLEDGE = 1;
const STATUS_DRIVER = 2;
const STATUS_DRIVER_OK = 4;
const STATUS_FEATURES_OK = 8;
const STATUS_FAILED = 128;
const VIRTIO_ID_CONSOLE = 3;
/** Feature bits this driver understands, high word (bit 32 = VIRTIO_F_VERSION_1) and low word (bit 0 = CONSOLE_F_SIZE). */
const DRIVER_FEATURES_HIGH = 1 << 0;
const DRIVER_FEATURES_LOW = 1 << 0;
const VRING_DESC_F_WRITE = 2;
/** The queue size the driver asks for when the device allows more. */
const PREFERRED_QUEUE_SIZE = 128;
/** virtio_console posts PAGE_SIZE receive buffers; hvc writes at most PAGE_SIZE per put_chars. */
export const CONSOLE_BUFFER_SIZE = 4096;
const RECEIVEQ = 0;
const TRANSMITQ = 1;

interface SplitQueue {
  index: number;
  size: number;
  desc: number;
  avail: number;
  used: number;
  /** Driver's next avail index (free-running u16). */
  availIdx: number;
  /** Last used index consumed (free-running u16). */
  lastUsed: number;
}

export interface ProbeLog {
  (line: string): void;
}

export class VirtioConsoleDriver {
  private rx?: SplitQueue;
  private tx?: SplitQueue;
  private rxBuffers: number[] = [];
  private txBuffer = 0;
  /** A transmit buffer the device has not yet marked used. */
  txInFlight = false;
  /** Bytes transmitted and received, for /proc and tests. */
  bytesOut = 0;
  bytesIn = 0;
  private readonly view: DataView;

  constructor(
    private readonly machine: GuestMachine,
    private readonly mmio: Mmio,
    readonly base: number,
    readonly deviceName: string,
  ) {
    this.view = new DataView(machine.ram.buffer, machine.ram.byteOffset, machine.ram.byteLength);
  }

  get ready(): boolean {
    return this.rx !== undefined && this.tx !== undefined;
  }

  /**
   * The probe through the registers. Returns an error string (the kernel's message) when the device
   * is not a usable console; a VcpuStopped exception escapes when a register access stops the vCPU.
   */
  /**
   * virtio_mmio_probe's first reads: the device ID, or the kernel's message when the transport is not
   * usable. (Device ID 0 is an empty slot, which Linux skips without a word.)
   */
  identify(): number | string {
    const r = (off: number): number => this.mmio.read32(this.base + off);
    const magic = r(REG.magic);
    if (magic !== VIRTIO_MMIO_MAGIC) return `Wrong magic value 0x${magic.toString(16).padStart(8, '0')}!`;
    const version = r(REG.version);
    if (version === 1) return 'legacy virtio-mmio (version 1) devices are not modelled';
    if (version !== 2) return `Version ${version} not supported!`;
    return r(REG.deviceId);
  }

  /** After identify(), for a device ID other than 0: the console driver's probe (an error string when it is not a usable console). */
  probe(deviceId: number, pages: PageAllocator, log: ProbeLog, requestIrq: () => void): string | undefined {
    const r = (off: number): number => this.mmio.read32(this.base + off);
    const w = (off: number, v: number): void => this.mmio.write32(this.base + off, v);
    if (deviceId !== VIRTIO_ID_CONSOLE) return `no driver for virtio device id ${deviceId}`;
    r(REG.vendorId);
    w(REG.status, 0);
    if (r(REG.status) !== 0) return 'device did not reset';
    w(REG.status, r(REG.status) | STATUS_ACKNOWLEDGE);
    w(REG.status, r(REG.status) | STATUS_DRIVER);
    w(REG.deviceFeaturesSel, 1);
    const featHigh = r(REG.deviceFeatures);
    w(REG.deviceFeaturesSel, 0);
    const featLow = r(REG.deviceFeatures);
    if ((featHigh & 1) === 0) {
      w(REG.status, r(REG.status) | STATUS_FAILED);
      return 'device uses modern interface but does not have VIRTIO_F_VERSION_1';
    }
    w(REG.driverFeaturesSel, 1);
    w(REG.driverFeatures, featHigh & DRIVER_FEATURES_HIGH);
    w(REG.driverFeaturesSel, 0);
    w(REG.driverFeatures, featLow & DRIVER_FEATURES_LOW);
    w(REG.status, r(REG.status) | STATUS_FEATURES_OK);
    if ((r(REG.status) & STATUS_FEATURES_OK) === 0) {
      w(REG.status, r(REG.status) | STATUS_FAILED);
      return 'device refused features';
    }
    // vm_find_vqs requests the IRQ before it sets up the queues.
    requestIrq();
    const rx = this.setupQueue(RECEIVEQ, pages);
    if (typeof rx === 'string') return rx;
    const tx = this.setupQueue(TRANSMITQ, pages);
    if (typeof tx === 'string') return tx;
    this.rx = rx;
    this.tx = tx;
    const txBuf = pages.alloc(CONSOLE_BUFFER_SIZE);
    if (txBuf === undefined) return 'out of memory for the transmit buffer';
    this.txBuffer = txBuf;
    // virtcons_probe makes the device live before adding the port and filling the receive queue.
    w(REG.status, r(REG.status) | STATUS_DRIVER_OK);
    for (let i = 0; i < rx.size; i++) {
      const buf = pages.alloc(CONSOLE_BUFFER_SIZE);
      if (buf === undefined) break;
      this.rxBuffers.push(buf);
      this.writeDesc(rx, i, buf, CONSOLE_BUFFER_SIZE, VRING_DESC_F_WRITE);
      this.publish(rx, i);
    }
    if (this.rxBuffers.length === 0) return 'out of memory for receive buffers';
    w(REG.queueNotify, RECEIVEQ);
    log(`virtio_console: ${this.deviceName}: queues receiveq0 (${rx.size}) and transmitq0 (${tx.size}) ready`);
    return undefined;
  }

  private setupQueue(index: number, pages: PageAllocator): SplitQueue | string {
    const r = (off: number): number => this.mmio.read32(this.base + off);
    const w = (off: number, v: number): void => this.mmio.write32(this.base + off, v);
    w(REG.queueSel, index);
    if (r(REG.queueReady) !== 0) return `queue ${index} already in use`;
    const max = r(REG.queueNumMax);
    if (max === 0) return `queue ${index} not available`;
    const size = Math.min(max, PREFERRED_QUEUE_SIZE);
    const descBytes = 16 * size;
    const availBytes = 6 + 2 * size;
    const usedOffset = (descBytes + availBytes + 3) & ~3;
    const usedBytes = 6 + 8 * size;
    const base = pages.alloc(usedOffset + usedBytes);
    if (base === undefined) return `out of memory for queue ${index}`;
    this.ram().fill(0, base - this.machine.ramBase, base - this.machine.ramBase + usedOffset + usedBytes);
    const q: SplitQueue = { index, size, desc: base, avail: base + descBytes, used: base + usedOffset, availIdx: 0, lastUsed: 0 };
    w(REG.queueNum, size);
    w(REG.queueDescLow, q.desc >>> 0);
    w(REG.queueDescHigh, Math.floor(q.desc / 2 ** 32));
    w(REG.queueDriverLow, q.avail >>> 0);
    w(REG.queueDriverHigh, Math.floor(q.avail / 2 ** 32));
    w(REG.queueDeviceLow, q.used >>> 0);
    w(REG.queueDeviceHigh, Math.floor(q.used / 2 ** 32));
    w(REG.queueReady, 1);
    return q;
  }

  /**
   * Hand up to CONSOLE_BUFFER_SIZE bytes to the device: one descriptor, avail ring, QueueNotify.
   * `fill` copies the bytes into the buffer and returns how many it wrote.
   */
  transmit(fill: (dst: Uint8Array, offset: number, max: number) => number): number {
    const tx = this.tx;
    if (!tx || this.txInFlight) return 0;
    const n = fill(this.ram(), this.txBuffer - this.machine.ramBase, CONSOLE_BUFFER_SIZE);
    if (n === 0) return 0;
    this.writeDesc(tx, 0, this.txBuffer, n, 0);
    this.publish(tx, 0);
    this.txInFlight = true;
    this.bytesOut += n;
    this.mmio.write32(this.base + REG.queueNotify, TRANSMITQ);
    // The VMM handles the notify while the vCPU is trapped: the buffer is usually already used.
    this.reapTransmit();
    return n;
  }

  /** The interrupt handler (vm_interrupt): acknowledge, then drain both used rings. Returns received bytes. */
  handleInterrupt(receive: (bytes: Uint8Array) => void): void {
    const status = this.mmio.read32(this.base + REG.interruptStatus);
    if (status !== 0) this.mmio.write32(this.base + REG.interruptAck, status);
    this.reapTransmit();
    this.reapReceive(receive);
  }

  private reapTransmit(): void {
    const tx = this.tx;
    if (!tx) return;
    const usedIdx = this.view.getUint16(this.off(tx.used + 2), true);
    if (usedIdx !== tx.lastUsed) {
      tx.lastUsed = usedIdx;
      this.txInFlight = false;
    }
  }

  private reapReceive(receive: (bytes: Uint8Array) => void): void {
    const rx = this.rx;
    if (!rx) return;
    const usedIdx = this.view.getUint16(this.off(rx.used + 2), true);
    let reposted = false;
    // Bounded by the ring size so a confused device cannot keep the kernel here.
    for (let n = 0; rx.lastUsed !== usedIdx && n < rx.size; n++) {
      const slot = rx.lastUsed % rx.size;
      const id = this.view.getUint32(this.off(rx.used + 4 + slot * 8), true);
      const len = this.view.getUint32(this.off(rx.used + 8 + slot * 8), true);
      rx.lastUsed = (rx.lastUsed + 1) & 0xffff;
      if (id >= this.rxBuffers.length) continue;
      const buf = this.rxBuffers[id];
      const count = Math.min(len, CONSOLE_BUFFER_SIZE);
      this.bytesIn += count;
      if (count > 0) receive(this.ram().slice(this.off(buf), this.off(buf) + count));
      this.writeDesc(rx, id, buf, CONSOLE_BUFFER_SIZE, VRING_DESC_F_WRITE);
      this.publish(rx, id);
      reposted = true;
    }
    if (reposted) this.mmio.write32(this.base + REG.queueNotify, RECEIVEQ);
  }

  private ram(): Uint8Array {
    return this.machine.ram;
  }
  private off(gpa: number): number {
    return gpa - this.machine.ramBase;
  }
  private writeDesc(q: SplitQueue, i: number, addr: number, len: number, flags: number): void {
    const d = this.off(q.desc + 16 * i);
    this.view.setBigUint64(d, BigInt(addr), true);
    this.view.setUint32(d + 8, len, true);
    this.view.setUint16(d + 12, flags, true);
    this.view.setUint16(d + 14, 0, true);
  }
  /** Put descriptor `head` in the avail ring, then publish the new index (the release store). */
  private publish(q: SplitQueue, head: number): void {
    this.view.setUint16(this.off(q.avail + 4 + 2 * (q.availIdx % q.size)), head, true);
    q.availIdx = (q.availIdx + 1) & 0xffff;
    this.view.setUint16(this.off(q.avail + 2), q.availIdx, true);
  }
}
