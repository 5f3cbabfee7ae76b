// The virtio split-queue rules (rule-table.ts) over one virtqueue in guest RAM: the driver's side
// after each vCPU slice (avail.idx, the chains it made available), the device's after each turn of
// the VMM (used.idx, used lengths, the interrupt as avail.flags asks). Reads guest RAM only.
import type { GuestPhysical } from '../memory';
import type { PdThread, Thread } from '../kernel';
import { VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE, VIRTQ_DESC_SIZE, type VirtqState } from '../virtio/virtq';
import type { FindingList } from './findings';

export const VIRTQ_AVAIL_F_NO_INTERRUPT = 1;

export interface WatchedVirtq {
  vm: string;
  vcpu: Thread;
  vmm: PdThread;
  name: string;
  state: VirtqState;
  mem: GuestPhysical;
  /** The device's reset count: a reset starts the rings afresh even at the same addresses. */
  resets: () => number;
  /**
   * Whether the device's interrupt is still outstanding for the guest (in a list register), for a
   * VMM that does not inject it again meanwhile: libvmm's vGIC holds it pending until the
   * maintenance fault of the guest's EOI. Such a turn counts as one that interrupted.
   */
  interruptOutstanding?: () => boolean;
}

export class VirtqWatch {
  private geometry = '';
  private prevAvail = 0;
  private prevUsed = 0;
  /** used.idx when the driver's side was last checked: the device may take that many more meanwhile. */
  private usedAtDriverCheck = 0;
  /** avail entries up to here have had their chains checked. */
  private checkedAvail = 0;
  usedAtStart = 0;
  readonly subject: string;

  constructor(readonly w: WatchedVirtq) {
    this.subject = `${w.vm} ${w.name}`;
  }

  /** The rings, when the queue is set up and lies in RAM; a new geometry (a reset, a new driver) starts afresh. */
  private live(): boolean {
    const s = this.w.state,
      mem = this.w.mem;
    if (
      !s.ready ||
      s.num === 0 ||
      !mem.contains(s.descGpa, s.num * VIRTQ_DESC_SIZE) ||
      !mem.contains(s.availGpa, 4 + 2 * s.num) ||
      !mem.contains(s.usedGpa, 4 + 8 * s.num)
    ) {
      this.geometry = '';
      return false;
    }
    const g = `${s.num}:${s.descGpa}:${s.availGpa}:${s.usedGpa}:${this.w.resets()}`;
    if (g !== this.geometry) {
      // Set up since last seen: what the device has not taken yet is still to check.
      this.geometry = g;
      this.prevAvail = this.checkedAvail = s.lastIdx;
      this.prevUsed = this.usedAtStart = this.usedAtDriverCheck = mem.u16(s.usedGpa + 2);
    }
    return true;
  }

  deviceStart(): void {
    if (this.live()) this.usedAtStart = this.w.mem.u16(this.w.state.usedGpa + 2);
  }

  /** After a vCPU slice: avail.idx moved forward by at most num, and the chains it published are sound. */
  driverDone(findings: FindingList, now: number): void {
    if (!this.live()) return;
    const { state: s, mem, vm } = this.w;
    const avail = mem.u16(s.availGpa + 2),
      used = mem.u16(s.usedGpa + 2);
    // Between two looks the driver can publish what was free plus what the device returned meanwhile.
    const step = (avail - this.prevAvail) & 0xffff,
      outstanding = (avail - used) & 0xffff;
    const allowed = s.num + ((used - this.usedAtDriverCheck) & 0xffff);
    this.usedAtDriverCheck = used;
    if (step > allowed || outstanding > s.num) {
      findings.report({
        rule: 'protocol-virtq-index',
        timeNs: now,
        pd: vm,
        subject: this.subject,
        message: `${vm}'s driver moved ${this.subject} avail.idx from ${this.prevAvail} to ${avail} (used.idx ${used}, queue size ${s.num}): it must only grow, by at most the queue size`,
      });
      this.prevAvail = this.checkedAvail = avail;
      return;
    }
    this.prevAvail = avail;
    for (; this.checkedAvail !== avail; this.checkedAvail = (this.checkedAvail + 1) & 0xffff) {
      const head = mem.u16(s.availGpa + 4 + 2 * (this.checkedAvail % s.num));
      const problem = chainProblem(this.w, head);
      if (typeof problem === 'string') {
        findings.report({
          rule: 'protocol-virtq-descriptor',
          timeNs: now,
          pd: vm,
          subject: this.subject,
          message: `${vm}'s driver made available on ${this.subject} a chain from descriptor ${head} that ${problem}`,
        });
      }
    }
  }

  /** After a turn of the VMM: used.idx moved forward past no avail entry, used lengths fit, the interrupt as the flags ask. */
  deviceDone(findings: FindingList, now: number, interrupted: boolean): void {
    if (!this.live()) return;
    const { state: s, mem, vmm, vm } = this.w;
    const avail = mem.u16(s.availGpa + 2),
      used = mem.u16(s.usedGpa + 2);
    const step = (used - this.prevUsed) & 0xffff;
    if (step > s.num || ((avail - used) & 0xffff) > s.num) {
      findings.report({
        rule: 'protocol-virtq-index',
        timeNs: now,
        pd: vmm.name,
        subject: this.subject,
        message: `${vmm.name} moved ${this.subject} used.idx from ${this.prevUsed} to ${used} (avail.idx ${avail}, queue size ${s.num}): it must only grow, and never past avail.idx`,
      });
      this.prevUsed = used;
      return;
    }
    for (let i = this.prevUsed; i !== used; i = (i + 1) & 0xffff) {
      const slot = s.usedGpa + 4 + 8 * (i % s.num);
      const id = mem.u32(slot),
        len = mem.u32(slot + 4);
      const writable = id < s.num ? chainProblem(this.w, id) : `names descriptor ${id}, beyond the queue size ${s.num}`;
      if (typeof writable === 'string') {
        if (id >= s.num)
          findings.report({
            rule: 'protocol-virtq-used-len',
            timeNs: now,
            pd: vmm.name,
            subject: this.subject,
            message: `${vmm.name}'s used element ${i} on ${this.subject} ${writable}`,
          });
      } else if (len > writable) {
        findings.report({
          rule: 'protocol-virtq-used-len',
          timeNs: now,
          pd: vmm.name,
          subject: this.subject,
          message: `${vmm.name} reported ${len} bytes written into the chain from descriptor ${id} on ${this.subject}, which has ${writable} device-writable bytes`,
        });
      }
    }
    const usedThisTurn = ((used - this.usedAtStart) & 0xffff) !== 0;
    this.prevUsed = this.usedAtStart = used;
    if (!usedThisTurn) return;
    const suppressed = (mem.u16(s.availGpa) & VIRTQ_AVAIL_F_NO_INTERRUPT) !== 0;
    if (!suppressed && !interrupted) {
      findings.report({
        rule: 'protocol-virtq-notification',
        timeNs: now,
        pd: vmm.name,
        subject: this.subject,
        message: `${vmm.name} used buffers on ${this.subject} and did not interrupt ${vm}, whose avail.flags do not suppress it: the guest waits for an interrupt that never comes`,
      });
    } else if (suppressed && interrupted) {
      findings.report({
        rule: 'protocol-virtq-notification',
        timeNs: now,
        pd: vmm.name,
        subject: this.subject,
        message: `${vmm.name} interrupted ${vm} for ${this.subject} although avail.flags has VIRTQ_AVAIL_F_NO_INTERRUPT`,
      });
    }
  }
}

/** What is wrong with the chain from `head`, or its device-writable length when nothing is. */
function chainProblem(w: WatchedVirtq, head: number): string | number {
  const { state: s, mem } = w;
  let idx = head,
    writable = 0;
  for (let count = 0; ; count++) {
    if (idx >= s.num) return `names descriptor ${idx}, beyond the queue size ${s.num}`;
    if (count >= s.num) return `loops (more than ${s.num} descriptors)`;
    const d = s.descGpa + idx * VIRTQ_DESC_SIZE;
    const addr = mem.u64(d),
      len = mem.u32(d + 8),
      flags = mem.u16(d + 12);
    if (!mem.contains(addr, len)) return `has descriptor ${idx} with buffer [0x${addr.toString(16)}, +0x${len.toString(16)}) outside guest RAM`;
    if ((flags & VIRTQ_DESC_F_WRITE) !== 0) writable += len;
    if ((flags & VIRTQ_DESC_F_NEXT) === 0) return writable;
    idx = mem.u16(d + 14);
  }
}
