// The live protocol checker: a KernelObserver that holds every sDDF queue and virtqueue to the rules
// of rule-table.ts as the system runs. It only reads shared memory and kernel state, so a run with
// the checker on computes exactly what one without it does. Per-queue rules live in
// serial-queue-checks.ts and virtq-checks.ts; the per-PD and per-channel ones (a signalled PD that
// never runs, notification storms) and the wait chains of stalls are here.
import { type ActivationKind, type Kernel, type KernelObserver, PdThread, type Thread } from '../kernel';
import { FindingList } from './findings';
import { SerialQueueWatch, type WatchedQueue } from './serial-queue-checks';
import { VirtqWatch, type WatchedVirtq } from './virtq-checks';

export interface CheckerOptions {
  /** Virtual time a queue may stand still, or a signalled PD wait, before it is a finding (default 1 s). */
  stallNs?: number;
  /** Storm window and the notifications within one that make a storm (defaults 100 ms, 200). */
  stormWindowNs?: number;
  stormCount?: number;
}

/** How often (virtual time, at the end of some activation) the time-based rules look. */
const POLL_NS = 1_000_000;

interface Frame {
  depth: number;
  /** PDs this thread notified during the activation. */
  readonly notified: Set<PdThread>;
  /** vIRQs this VMM injected during the activation. */
  virqs: number;
}

export class ProtocolChecker implements KernelObserver {
  readonly findings = new FindingList();
  private readonly stallNs: number;
  private readonly stormWindowNs: number;
  private readonly stormCount: number;
  private readonly frames = new Map<Thread, Frame>();
  private readonly producerOf = new Map<Thread, SerialQueueWatch[]>();
  private readonly consumerOf = new Map<Thread, SerialQueueWatch[]>();
  private readonly queueWatches: SerialQueueWatch[];
  private readonly driverOf = new Map<Thread, VirtqWatch[]>();
  private readonly deviceOf = new Map<Thread, VirtqWatch[]>();
  private readonly virtqWatches: VirtqWatch[];
  /** Per PD, since when a notification or IRQ has waited for it (-1: none waiting). */
  private readonly pendingSince = new Map<PdThread, number>();
  private readonly neverServedReported = new Set<PdThread>();
  /** Notifications this window, by sender and receiver. */
  private readonly stormCounts = new Map<PdThread, Map<PdThread, number>>();
  private windowEnd: number;
  private nextPoll = 0;

  constructor(
    private readonly kernel: Kernel,
    queues: WatchedQueue[],
    virtqs: WatchedVirtq[],
    opts: CheckerOptions = {},
  ) {
    this.stallNs = opts.stallNs ?? 1e9;
    this.stormWindowNs = opts.stormWindowNs ?? 100_000_000;
    this.stormCount = opts.stormCount ?? 200;
    this.windowEnd = kernel.now + this.stormWindowNs;
    this.queueWatches = queues.map((w) => new SerialQueueWatch(w));
    for (const qw of this.queueWatches) {
      listFor(this.producerOf, qw.w.producer).push(qw);
      listFor(this.consumerOf, qw.w.consumer).push(qw);
    }
    this.virtqWatches = virtqs.map((w) => new VirtqWatch(w));
    for (const vw of this.virtqWatches) {
      listFor(this.driverOf, vw.w.vcpu).push(vw);
      listFor(this.deviceOf, vw.w.vmm).push(vw);
    }
  }

  activationStart(thread: Thread, why: ActivationKind): void {
    let f = this.frames.get(thread);
    if (!f) this.frames.set(thread, (f = { depth: 0, notified: new Set(), virqs: 0 }));
    if (f.depth++ > 0) return;
    f.notified.clear();
    f.virqs = 0;
    if (why === 'notified' && thread instanceof PdThread) {
      this.pendingSince.delete(thread);
      this.neverServedReported.delete(thread);
    }
    for (const qw of this.producerOf.get(thread) ?? []) qw.tailAtStart = qw.w.q.tail;
    for (const qw of this.consumerOf.get(thread) ?? []) qw.headAtStart = qw.w.q.head;
    for (const vw of this.deviceOf.get(thread) ?? []) vw.deviceStart();
  }

  activationEnd(thread: Thread): void {
    const f = this.frames.get(thread);
    if (!f || --f.depth > 0) return;
    const now = this.kernel.now,
      findings = this.findings;
    const pd = thread instanceof PdThread ? thread : undefined;
    for (const qw of this.producerOf.get(thread) ?? []) {
      qw.checkIndices(findings, now, pd!);
      if (!pd?.faulted) qw.producerDone(findings, now, f.notified);
    }
    for (const qw of this.consumerOf.get(thread) ?? []) {
      qw.checkIndices(findings, now, pd!);
      if (!pd?.faulted) qw.consumerDone(findings, now, f.notified);
    }
    for (const vw of this.driverOf.get(thread) ?? []) vw.driverDone(findings, now);
    for (const vw of this.deviceOf.get(thread) ?? []) vw.deviceDone(findings, now, f.virqs > 0 || (vw.w.interruptOutstanding?.() ?? false));
    if (now >= this.nextPoll) this.poll();
  }

  notified(from: PdThread, _ch: number, to: PdThread): void {
    this.frames.get(from)?.notified.add(to);
    if (!this.pendingSince.has(to)) this.pendingSince.set(to, this.kernel.now);
    let row = this.stormCounts.get(from);
    if (!row) this.stormCounts.set(from, (row = new Map()));
    row.set(to, (row.get(to) ?? 0) + 1);
  }

  irq(_intid: number, to: PdThread): void {
    if (!this.pendingSince.has(to)) this.pendingSince.set(to, this.kernel.now);
  }

  virq(vmm: PdThread): void {
    const f = this.frames.get(vmm);
    if (f) f.virqs++;
  }

  /** poll, unless it ran less than a poll interval of virtual time ago (the host calls it after each run). */
  pollIfDue(): void {
    if (this.kernel.now >= this.nextPoll) this.poll();
  }

  /** The time-based rules (stalls, signalled PDs that never run, storms). */
  poll(): void {
    const now = this.kernel.now;
    this.nextPoll = now + POLL_NS;
    const chain = (pd: PdThread): string[] => this.waitChain(pd, new Set());
    for (const qw of this.queueWatches) qw.checkStall(this.findings, now, this.stallNs, chain);
    for (const [pd, since] of this.pendingSince) {
      if (now - since <= this.stallNs || this.neverServedReported.has(pd) || !(pd.pendingCount > 0)) continue;
      this.neverServedReported.add(pd);
      this.findings.report({
        rule: 'protocol-signal-never-served',
        timeNs: since + this.stallNs,
        pd: pd.name,
        subject: pd.name,
        message: `${pd.name} was signalled at ${(since / 1e6).toFixed(3)} ms and has not run for over ${this.stallNs / 1e6} ms: ${this.whyNotRunning(pd)}`,
      });
    }
    if (now >= this.windowEnd) this.endStormWindow(now);
  }

  private endStormWindow(now: number): void {
    for (const [from, row] of this.stormCounts) {
      for (const [to, count] of row) {
        if (count < this.stormCount) continue;
        let bytes = 0;
        for (const qw of this.queueWatches) {
          const w = qw.w;
          if ((w.producer === from && w.consumer === to) || (w.producer === to && w.consumer === from)) bytes += (w.q.tail - qw.tailAtWindow) >>> 0;
        }
        if (count <= bytes) continue;
        this.findings.report({
          rule: 'protocol-notification-storm',
          timeNs: this.windowEnd,
          pd: from.name,
          subject: `${from.name} -> ${to.name}`,
          message: `notification storm: ${from.name} notified ${to.name} ${count} times in ${this.stormWindowNs / 1e6} ms while ${bytes} byte${bytes === 1 ? '' : 's'} moved between them`,
        });
      }
    }
    this.stormCounts.clear();
    for (const qw of this.queueWatches) qw.tailAtWindow = qw.w.q.tail;
    this.windowEnd = now - ((now - this.windowEnd) % this.stormWindowNs) + this.stormWindowNs;
  }

  private whyNotRunning(pd: PdThread): string {
    if (pd.faulted) return 'it has faulted';
    if (!pd.program) return 'it has no program';
    if (pd.budgetLeft <= 0) return 'its budget is used up and not replenished';
    return `higher-priority threads keep it from running (priority ${pd.sched.priority})`;
  }

  /** Why `pd` is not consuming: what it waits for, and what that waits for. */
  private waitChain(pd: PdThread, seen: Set<PdThread>): string[] {
    if (seen.has(pd)) return [`${pd.name} (a cycle: a deadlock)`];
    seen.add(pd);
    if (pd.faulted) return [`${pd.name} has faulted`];
    if (pd.pendingCount > 0) return [`${pd.name} is signalled but not running: ${this.whyNotRunning(pd)}`];
    for (const qw of this.producerOf.get(pd) ?? []) {
      const q = qw.w.q;
      if (q.producerWantsSignal() && q.length() > 0 && (q.isFull() || q.free() < q.capacity / 2)) {
        return [`${pd.name} waits for room in ${qw.w.name} (${q.length()}/${q.capacity})`, ...this.waitChain(qw.w.consumer, seen)];
      }
    }
    for (const vw of this.deviceOf.get(pd) ?? []) {
      const { state: s, mem, vm, vcpu, name } = vw.w;
      if (name !== 'receiveq0') continue;
      const guestState = vcpu as Thread & { state?: string; haltReason?: string };
      if (!s.ready)
        return [
          `${pd.name} waits for ${vm} to set up ${name}`,
          `${vm}'s vCPU is ${guestState.state ?? 'unknown'}${guestState.haltReason ? ` (${guestState.haltReason})` : ''}`,
        ];
      const avail = mem.u16(s.availGpa + 2);
      if (avail === s.lastIdx)
        return [
          `${pd.name} waits for ${vm} to post receive buffers on ${name}`,
          `${vm}'s vCPU is ${guestState.state ?? 'unknown'}${guestState.haltReason ? ` (${guestState.haltReason})` : ''}`,
        ];
    }
    return [`${pd.name} is blocked waiting for a notification that nobody sends`];
  }
}

function listFor<K, V>(m: Map<K, V[]>, k: K): V[] {
  let l = m.get(k);
  if (!l) m.set(k, (l = []));
  return l;
}
