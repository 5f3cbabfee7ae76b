// A virtio-mmio device's queues as the guest's register accesses set them, for a device whose own
// state the emulator cannot read (the real libvmm, compiled to WebAssembly): each access to the
// device's window that the VMM handled (it replied to the fault) is applied here with libvmm's
// meaning (libvmm src/virtio/mmio.c:160-285): QueueSel, QueueNum, the rings' addresses (each half ORed into
// the address a reset zeroed), QueueReady 1, and a Status of 0 resetting every queue. The rings
// themselves are read where they live, in guest RAM, so the inspector and the protocol checker see
// the same bytes libvmm and the guest use, through the same VirtqState as the model's console.
import type { GuestPhysical } from '../memory';
import { REG } from './console';
import type { VirtqState } from './virtq';

/**
 * One queue's registers. The device's consumption index (libvmm's last_idx) is not in the guest's
 * view; it is used.idx, since libvmm pairs each avail entry it takes with a used entry in the same
 * handler (libvmm src/virtio/console.c:202-203) (libvmm src/virtio/console.c:247-258).
 */
export class RegisteredVirtq implements VirtqState {
  num = 0;
  ready = false;
  descGpa = 0;
  availGpa = 0;
  usedGpa = 0;

  constructor(private readonly mem: GuestPhysical) {}

  get lastIdx(): number {
    return this.usedIdx() ?? 0;
  }
  set lastIdx(_v: number) {
    // The device's own; a view cannot set it.
  }

  /** used.idx in guest RAM, when the queue is set up and its used ring lies in RAM. */
  usedIdx(): number | undefined {
    if (!this.ready || this.num === 0 || !this.mem.contains(this.usedGpa, 4 + 8 * this.num)) return undefined;
    return this.mem.u16(this.usedGpa + 2);
  }

  clear(): void {
    this.num = this.descGpa = this.availGpa = this.usedGpa = 0;
    this.ready = false;
  }
}

/** The queue address registers: which address each half belongs to. */
const ADDRESS_REGISTERS = new Map<number, 'descGpa' | 'availGpa' | 'usedGpa'>([
  [REG.QueueDescLow, 'descGpa'],
  [REG.QueueDescHigh, 'descGpa'],
  [REG.QueueDriverLow, 'availGpa'],
  [REG.QueueDriverHigh, 'availGpa'],
  [REG.QueueDeviceLow, 'usedGpa'],
  [REG.QueueDeviceHigh, 'usedGpa'],
]);

export class MmioQueueRegisters {
  readonly vqs: RegisteredVirtq[];
  /** Device status as last written or read, and the interrupt status as last read. */
  status = 0;
  interruptStatus = 0;
  /** Driver resets seen (Status written 0): a reset starts the rings afresh at the same addresses. */
  resets = 0;
  private queueSel = 0;

  constructor(
    readonly window: { base: number; size: number },
    mem: GuestPhysical,
    queues: number,
  ) {
    this.vqs = Array.from({ length: queues }, () => new RegisteredVirtq(mem));
  }

  /** The offset into the window of an access, or undefined when it is not in it. */
  offsetOf(gpa: number, size: number): number | undefined {
    const off = gpa - this.window.base;
    return off >= 0 && off + size <= this.window.size ? off : undefined;
  }

  /** A write the device accepted. */
  written(offset: number, value: number): void {
    const data = value >>> 0;
    const vq = this.vqs[this.queueSel];
    switch (offset) {
      case REG.QueueSel:
        this.queueSel = data;
        return;
      case REG.QueueNum:
        if (vq) vq.num = data;
        return;
      case REG.QueueReady:
        if (vq && data === 1) vq.ready = true;
        return;
      case REG.Status:
        if (data === 0) this.reset();
        this.status = data;
        return;
      case REG.InterruptACK:
        this.interruptStatus &= ~data;
        return;
    }
    const field = ADDRESS_REGISTERS.get(offset);
    if (vq && field) vq[field] = orHalves(vq[field], (offset & 4) !== 0 ? data * 0x100000000 : data);
  }

  /** A read the device answered: the status registers' values as the device holds them. */
  answered(offset: number, value: number): void {
    if (offset === REG.Status) this.status = value >>> 0;
    else if (offset === REG.InterruptStatus) this.interruptStatus = value >>> 0;
  }

  /** Power-on state (the VMM's reset, or the driver's Status 0). */
  reset(): void {
    for (const q of this.vqs) q.clear();
    this.queueSel = 0;
    this.status = this.interruptStatus = 0;
    this.resets++;
  }
}

/** a | b for addresses up to 2^64 kept as numbers (exact below 2^53, where every RAM address is). */
function orHalves(a: number, b: number): number {
  const lo = ((a % 0x100000000) | (b % 0x100000000)) >>> 0;
  const hi = (Math.floor(a / 0x100000000) | Math.floor(b / 0x100000000)) >>> 0;
  return hi * 0x100000000 + lo;
}
