// The VMM's virtio-mmio console (libvmm src/virtio/mmio.c and console.c): version-2 register map,
// feature negotiation offering only VIRTIO_F_VERSION_1, receiveq0 (0) and transmitq0 (1) as split
// virtqueues in guest RAM, bytes moved to and from the VMM's sDDF serial queues.
//
// Departures from the pinned upstream (sDDF 650ace5, libvmm 7069ab9, Microkit cfd5216):
// - A TX blocked on a full sDDF queue resumes when virt_tx signals that it consumed (the VMM asks
//   for that signal); libvmm's client VMM does nothing on that signal and resumes only on the next
//   kick or RX event (libvmm examples/virtio_mmio/client_vmm.c:171-172).
// - A chain longer than the whole sDDF TX queue is streamed through in pieces instead of hitting
//   libvmm's assert (libvmm src/virtio/console.c:152-158).
// - Malformed queues from the guest (descriptor loops, buffers outside RAM, chains over 4 GiB,
//   avail index jumps past the queue size, INDIRECT) set DEVICE_NEEDS_RESET (status bit 64), log
//   the reason and raise a configuration-change interrupt; libvmm trusts them
//   (libvmm src/virtio/console.c:149-150, 247-249).
// - Queue{Desc,Driver,Device}{Low,High} replace their half of the address; libvmm ORs into the old
//   value, which the console's reset zeroes (libvmm src/virtio/mmio.c:202-285, src/virtio/console.c:57-60).
// - QueueReady with QueueSel out of range fails the access; libvmm writes past its queue array
//   (libvmm src/virtio/mmio.c:186-191).
// - libvmm's DEBUG_CONSOLE chatter ("operation: handle transmit", ...) is not printed
//   (libvmm src/virtio/console.c:16-23).
// Modelled as libvmm: register accesses libvmm does not know fail the fault, which stops the vCPU;
// a status write that sets more than one new bit is "unknown virtIO MMIO device status".
import type { GuestPhysical } from '../memory';
import type { SerialQueue } from '../queue';
import { newVirtqState, Virtq, VirtqError, type Segment, type VirtqState } from './virtq';

export const VIRTIO_MMIO_MAGIC = 0x74726976;
export const VIRTIO_MMIO_VERSION = 2;
export const VIRTIO_DEVICE_ID_CONSOLE = 3;
export const VIRTIO_MMIO_VENDOR_ID = 0x344c6573; // "seL4"
export const VIRTIO_QUEUE_NUM_MAX = 128;
export const RX_QUEUE = 0,
  TX_QUEUE = 1;

export const REG = {
  MagicValue: 0x000,
  Version: 0x004,
  DeviceID: 0x008,
  VendorID: 0x00c,
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
  ConfigGeneration: 0x0fc,
  Config: 0x100,
} as const;

export const STATUS_ACKNOWLEDGE = 1,
  STATUS_DRIVER = 2,
  STATUS_DRIVER_OK = 4,
  STATUS_FEATURES_OK = 8,
  STATUS_DEVICE_NEEDS_RESET = 64,
  STATUS_FAILED = 128;

/** Virtual cost of the VMM's work (a real VMM is charged the same: real/system.ts). */
export const COST_PER_CHAIN_NS = 200;
export const COST_PER_BYTE_NS = 0.25;

export interface ConsolePorts {
  mem: GuestPhysical;
  /** The VMM's TX queue (producer side) and RX queue (consumer side). */
  txq: SerialQueue;
  /** Absent in a TX-only serial system: the guest's receiveq then never fills. */
  rxq?: SerialQueue;
  /** False when the vGIC refused the IRQ (the guest has not enabled it). */
  injectIrq(): boolean;
  notifyTx(): void;
  notifyRx(): void;
  log(text: string): void;
  charge(ns: number): void;
}

export interface ConsoleStats {
  txBytes: number;
  rxBytes: number;
  /** Received bytes discarded because receiveq was not ready (or the device needs a reset). */
  rxDiscarded: number;
  txBlocked: number;
  resets: number;
  errors: number;
}

export class VirtioConsole {
  status = 0;
  interruptStatus = 0;
  deviceFeaturesSel = 0;
  driverFeaturesSel = 0;
  queueSel = 0;
  featuresHappy = false;
  readonly vqs: VirtqState[] = [newVirtqState(), newVirtqState()];
  readonly stats: ConsoleStats = { txBytes: 0, rxBytes: 0, rxDiscarded: 0, txBlocked: 0, resets: 0, errors: 0 };
  lastError: string | undefined;
  /** Bytes of the head TX chain already copied (only for chains longer than the TX queue). */
  private txPartial = 0;
  private readonly segs: Segment[] = [];

  constructor(private readonly ports: ConsolePorts) {}

  get needsReset(): boolean {
    return (this.status & STATUS_DEVICE_NEEDS_RESET) !== 0;
  }

  // ---- MMIO (offset within the device window). Read returns -1 when libvmm would fail the fault.

  read(offset: number, size: 1 | 2 | 4): number {
    const reg = offset & ~3;
    let v: number;
    if (reg === REG.MagicValue) v = VIRTIO_MMIO_MAGIC;
    else if (reg === REG.Version) v = VIRTIO_MMIO_VERSION;
    else if (reg === REG.DeviceID) v = VIRTIO_DEVICE_ID_CONSOLE;
    else if (reg === REG.VendorID) v = VIRTIO_MMIO_VENDOR_ID;
    else if (reg === REG.DeviceFeatures) {
      if (this.deviceFeaturesSel === 0) v = 0;
      else if (this.deviceFeaturesSel === 1)
        v = 1; // VIRTIO_F_VERSION_1 is bit 32
      else {
        this.ports.log(`VIRTIO(CONSOLE)|ERROR: driver sets DeviceFeaturesSel to 0x${this.deviceFeaturesSel.toString(16)}, which doesn't make sense`);
        v = 0;
      }
    } else if (reg === REG.QueueNumMax) v = VIRTIO_QUEUE_NUM_MAX;
    else if (reg === REG.QueueReady) {
      if (this.queueSel >= this.vqs.length) return this.invalidQueue('REG_VIRTIO_MMIO_QUEUE_READY');
      v = this.vqs[this.queueSel].ready ? 1 : 0;
    } else if (reg === REG.InterruptStatus) v = this.interruptStatus;
    else if (reg === REG.Status) v = this.status;
    else if (reg === REG.ConfigGeneration) v = 0;
    else if (reg >= REG.Config && reg < REG.Config + 0x100)
      return -1; // the console has no config space
    else {
      this.ports.log(`unknown virtIO MMIO register read at offset 0x${offset.toString(16)}`);
      return -1;
    }
    const shift = (offset & 3) * 8;
    const mask = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    return ((v >>> shift) & mask) >>> 0;
  }

  /** Returns false when libvmm would fail the fault (the vCPU then stops). */
  write(offset: number, size: 1 | 2 | 4, value: number): boolean {
    const data = (size === 4 ? value : value & (size === 2 ? 0xffff : 0xff)) >>> 0;
    const vq = this.queueSel < this.vqs.length ? this.vqs[this.queueSel] : undefined;
    switch (offset) {
      case REG.DeviceFeaturesSel:
        this.deviceFeaturesSel = data;
        return true;
      case REG.DriverFeatures:
        return this.setDriverFeatures(data);
      case REG.DriverFeaturesSel:
        this.driverFeaturesSel = data;
        return true;
      case REG.QueueSel:
        this.queueSel = data;
        return true;
      case REG.QueueNum:
        if (!vq) return this.invalidQueue('REG_VIRTIO_MMIO_QUEUE_NUM') >= 0;
        vq.num = data;
        return true;
      case REG.QueueReady:
        if (!vq) return this.invalidQueue('REG_VIRTIO_MMIO_QUEUE_READY') >= 0;
        if (data === 1) vq.ready = true;
        return true;
      case REG.QueueNotify:
        return this.queueNotify();
      case REG.InterruptACK:
        this.interruptStatus &= ~data;
        return true;
      case REG.Status:
        return this.setStatus(data);
      case REG.QueueDescLow:
      case REG.QueueDescHigh:
      case REG.QueueDriverLow:
      case REG.QueueDriverHigh:
      case REG.QueueDeviceLow:
      case REG.QueueDeviceHigh: {
        if (!vq) return this.invalidQueue('queue address register') >= 0;
        const high = (offset & 4) !== 0;
        const field = offset < REG.QueueDriverLow ? 'descGpa' : offset < REG.QueueDeviceLow ? 'availGpa' : 'usedGpa';
        const old = vq[field];
        const lo = old % 0x100000000,
          hi = Math.floor(old / 0x100000000);
        vq[field] = high ? data * 0x100000000 + lo : hi * 0x100000000 + data;
        return true;
      }
      default:
        if (offset >= REG.Config && offset < REG.Config + 0x100) return false;
        this.ports.log(`unknown virtIO MMIO register write at offset 0x${offset.toString(16)}`);
        return false;
    }
  }

  private invalidQueue(what: string): number {
    this.ports.log(`invalid virtq index 0x${this.queueSel.toString(16)} (number of virtqs is 0x${this.vqs.length.toString(16)}) given when accessing ${what}`);
    return -1;
  }

  private setDriverFeatures(features: number): boolean {
    let ok: boolean;
    if (this.driverFeaturesSel === 0) ok = features === 0;
    else if (this.driverFeaturesSel === 1) ok = features === 1;
    else {
      this.ports.log(`VIRTIO(CONSOLE)|ERROR: driver sets DriverFeaturesSel to 0x${this.driverFeaturesSel.toString(16)}, which doesn't make sense`);
      return true;
    }
    if (ok) this.featuresHappy = true;
    return ok;
  }

  /** libvmm's handle_virtio_mmio_set_status_flag: exactly one new bit per write (or 0 = reset). */
  private setStatus(value: number): boolean {
    this.status &= value;
    const added = value ^ this.status;
    switch (added) {
      case 0:
        this.reset();
        return true;
      case STATUS_ACKNOWLEDGE:
        if (this.status === 0) this.status |= STATUS_ACKNOWLEDGE;
        return true;
      case STATUS_DRIVER:
        if (this.status & STATUS_ACKNOWLEDGE) this.status |= STATUS_DRIVER;
        return true;
      case STATUS_FEATURES_OK:
        if (this.status & STATUS_DRIVER) this.status |= this.featuresHappy ? STATUS_FEATURES_OK : 0;
        return true;
      case STATUS_DRIVER_OK:
        this.status |= STATUS_DRIVER_OK;
        return true;
      case STATUS_FAILED:
        return true;
      default:
        this.ports.log(`unknown virtIO MMIO device status 0x${added.toString(16)}.`);
        return false;
    }
  }

  reset(): void {
    this.status = 0;
    this.interruptStatus = 0;
    this.featuresHappy = false;
    this.txPartial = 0;
    for (const vq of this.vqs) {
      vq.ready = false;
      vq.lastIdx = 0;
    }
    this.stats.resets++;
  }

  /**
   * The VMM restarts its guest: a driver reset, and also what a new driver must find at power-on
   * (selectors 0, queue sizes and addresses 0). A TX signal request for a chain that no longer
   * exists is withdrawn; bytes in the sDDF queues stay where they are (RX bytes that arrive before
   * the new driver is ready are discarded and counted, as at boot). Counters go on.
   */
  powerOnReset(): void {
    this.reset();
    this.deviceFeaturesSel = this.driverFeaturesSel = this.queueSel = 0;
    for (let i = 0; i < this.vqs.length; i++) Object.assign(this.vqs[i], newVirtqState());
    this.ports.txq.cancelProducerSignal();
  }

  /**
   * libvmm ignores the value written (console.c:277-283): every kick is an RX pass, and a TX pass
   * when the last QueueSel write selected transmitq (console.c:133-135).
   */
  queueNotify(): boolean {
    const rx = this.handleRx();
    const tx = this.queueSel === TX_QUEUE ? this.handleTx() : true;
    return rx && tx;
  }

  private deviceError(message: string): void {
    this.stats.errors++;
    this.lastError = message;
    this.ports.log(`VIRTIO(CONSOLE)|ERROR: ${message}; setting DEVICE_NEEDS_RESET`);
    if (!this.needsReset) {
      this.status |= STATUS_DEVICE_NEEDS_RESET;
      this.interruptStatus |= 2; // configuration change
      this.ports.injectIrq();
    }
  }

  /**
   * The next chain the driver made available on `q`, walked into this.segs but not yet consumed
   * (pushUsed does that): its head and total length. Undefined when none is available, or when the
   * ring is malformed, which sets DEVICE_NEEDS_RESET.
   */
  private peekChain(q: Virtq): { head: number; total: number } | undefined {
    const pending = q.pending();
    if (pending instanceof VirtqError) {
      this.deviceError(pending.message);
      return undefined;
    }
    if (pending === 0) return undefined;
    const head = q.nextHead();
    if (head instanceof VirtqError) {
      this.deviceError(head.message);
      return undefined;
    }
    const total = q.walkChain(head, this.segs);
    if (total instanceof VirtqError) {
      this.deviceError(total.message);
      return undefined;
    }
    return { head, total };
  }

  private queueOrError(index: number, notReadyMessage: string): Virtq | undefined {
    const state = this.vqs[index];
    if (!state.ready) {
      this.deviceError(notReadyMessage);
      return undefined;
    }
    const q = new Virtq(state, this.ports.mem, VIRTIO_QUEUE_NUM_MAX);
    const err = q.validate();
    if (err) {
      this.deviceError(err.message);
      return undefined;
    }
    return q;
  }

  /**
   * virt_tx signalled room. A transmitq that is not ready has nothing to resume: its signal can
   * still be on its way after a reset (driver or guest), and is not the driver's mistake.
   */
  resumeTx(): void {
    if (this.vqs[TX_QUEUE].ready) this.handleTx();
  }

  // handleTx and handleRx return false, as libvmm's do, when the guest's IRQ was refused: a kick
  // then fails its fault (console.c:209-215, 268-272).

  /** Guest kicked transmitq, or virt_tx signalled room: move available chains into the sDDF TX queue. */
  handleTx(): boolean {
    if (this.needsReset) return true;
    if (!this.vqs[TX_QUEUE].ready) {
      // An error line and nothing else (console.c:138-141): the kick itself is handled.
      this.ports.log('virtio console TX vq not ready!');
      return true;
    }
    const q = this.queueOrError(TX_QUEUE, 'virtio console TX vq not ready!');
    if (!q) return true;
    const { txq, mem } = this.ports;
    let progressed = false;
    for (;;) {
      const chain = this.peekChain(q);
      if (!chain) break;
      const { head, total } = chain;
      this.ports.charge(COST_PER_CHAIN_NS);
      if (total <= txq.capacity) {
        if (total > txq.free()) {
          txq.requestProducerSignal();
          if (total > txq.free()) {
            this.stats.txBlocked++;
            break;
          }
          txq.cancelProducerSignal();
        }
        for (const s of this.segs) {
          const off = s.gpa - mem.ramBase;
          txq.enqueueBytes(mem.ram, off, off + s.len);
        }
      } else {
        // Longer than the whole queue: stream it (libvmm asserts here).
        let skip = this.txPartial;
        for (const s of this.segs) {
          if (skip >= s.len) {
            skip -= s.len;
            continue;
          }
          const off = s.gpa - mem.ramBase;
          const want = s.len - skip;
          const n = txq.enqueueBytes(mem.ram, off + skip, off + s.len);
          this.txPartial += n;
          progressed = progressed || n > 0;
          skip = 0;
          if (n < want) break;
        }
        if (this.txPartial < total) {
          txq.requestProducerSignal();
          this.stats.txBlocked++;
          break;
        }
        this.txPartial = 0;
      }
      this.ports.charge(total * COST_PER_BYTE_NS);
      this.stats.txBytes += total;
      q.pushUsed(head, 0);
      progressed = true;
    }
    if (!progressed) return true;
    this.interruptStatus |= 1;
    const injected = this.ports.injectIrq();
    this.ports.notifyTx();
    return injected;
  }

  /** Bytes arrived in the sDDF RX queue, or the guest kicked (console.c:220-275, in its order). */
  handleRx(): boolean {
    const { rxq, mem } = this.ports;
    if (!rxq) return true;
    let transferred = false;
    if (!this.vqs[RX_QUEUE].ready || this.needsReset) {
      const n = rxq.length();
      rxq.head = rxq.tail;
      this.stats.rxDiscarded += n;
    } else {
      const q = this.queueOrError(RX_QUEUE, 'receiveq is not ready');
      if (!q) return true;
      while (!rxq.isEmpty()) {
        const chain = this.peekChain(q);
        if (!chain) break;
        // Every buffer of the chain is filled in turn, up to its payload length (console.c:249-256).
        let n = 0;
        for (const seg of this.segs) {
          if (rxq.isEmpty()) break;
          n += rxq.dequeueBytes(mem.ram, seg.gpa - mem.ramBase, seg.len);
        }
        this.ports.charge(COST_PER_CHAIN_NS + n * COST_PER_BYTE_NS);
        this.stats.rxBytes += n;
        q.pushUsed(chain.head, n);
        transferred = true;
      }
    }
    // Whether or not anything moved (console.c:237-240, :261-264), and before the guest's IRQ.
    if (rxq.producerWantsSignal()) {
      rxq.cancelProducerSignal();
      this.ports.notifyRx();
    }
    if (!transferred) return true;
    this.interruptStatus |= 1;
    return this.ports.injectIrq();
  }
}
