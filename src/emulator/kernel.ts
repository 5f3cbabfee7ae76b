// The Microkit kernel model: threads (PDs and vCPUs) with MCS scheduling parameters, notifications
// per channel, IRQ delivery and acknowledgement, protected procedure calls, and the discrete-event
// loop that advances virtual time.
//
// Departures from the pinned upstream (sDDF 650ace5, libvmm 7069ab9, Microkit cfd5216):
// - A PD's notified() runs to completion at a fixed virtual cost per call plus what it charges for
//   the bytes it moves; seL4 could preempt it part-way (microkit docs/manual.md:178-186).
// - A notification or IRQ that makes a strictly higher-priority PD ready runs that PD at once,
//   inside the notifier's turn, as seL4 switches to it; vCPUs are scheduled only between slices
//   (microkit docs/manual.md:186).
// - Budgets are a simple periodic server: `budget` per `period` window; a full budget is a
//   round-robin timeslice (microkit docs/manual.md:178-184).
// - Passive PDs keep their own budget for notifications from the start, where seL4 lends init()
//   the same context before the bind (microkit monitor/src/main.c:738-748).
// - A PD fault prints the monitor's first two lines and the emulator's reason, not the register
//   dump and fault details (microkit monitor/src/main.c:751-775).
// - Debug output (sddf_dprintf, LOG_VMM) goes to the emulator's log, not onto the UART line
//   (sddf util/putchar_debug.c:20).

export interface Device {
  readonly name: string;
  /** Virtual time (ns) of the next thing this device will do by itself; Infinity when none. */
  nextDeadline(): number;
  /** Do everything due at or before `now`. */
  advance(now: number): void;
}

export type LogLevel = 'info' | 'error';
export interface LogRecord {
  timeNs: number;
  source: string;
  level: LogLevel;
  text: string;
}

export interface EventRecord {
  timeNs: number;
  kind: string;
  detail: string;
}

/** What a PD program sees of the kernel (libmicrokit's API). */
export interface PdContext {
  readonly name: string;
  notify(ch: number): void;
  irqAck(ch: number): void;
  ppcall(ch: number, msg: number[]): number[] | undefined;
  /** Charge CPU time for work done inside a handler. */
  charge(ns: number): void;
  log(text: string, level?: LogLevel): void;
  now(): number;
  /** The handler's timeslice is used up (a real PD spinning): let other ready PDs run (Kernel.yieldFrom). */
  yieldSlice?(): number;
}

/** A fault the PD's program reports in the monitor's terms (a real PD's trap: real/real-pd.ts). */
export class PdFaultError extends Error {
  constructor(
    message: string,
    readonly label: number,
    readonly monitorLines: string[],
  ) {
    super(message);
  }
}

export interface PdProgram {
  init?(): void;
  notified(ch: number): void;
  protectedCall?(ch: number, msg: number[]): number[];
}

/** Virtual cost of entering a PD's handler (kernel entry, notification delivery, return). */
export const PD_HANDLER_COST_NS = 1000;
/** Longest vCPU slice between scheduling decisions. */
export const MAX_VCPU_SLICE_NS = 1_000_000;
/** Smallest charge for a vCPU turn, so that a guest that consumes nothing cannot stall time. */
export const MIN_VCPU_TURN_NS = 100;

export interface SchedState {
  priority: number;
  budgetNs: number;
  periodNs: number;
  passive: boolean;
}

export abstract class Thread {
  budgetLeft: number;
  windowStart = 0;
  replenishAt = Infinity;
  rrStamp = 0;
  /** CPU time used, for snapshots and tests. */
  cpuNs = 0;
  constructor(
    readonly name: string,
    readonly sched: SchedState,
  ) {
    this.budgetLeft = sched.budgetNs;
  }
  abstract isReady(): boolean;
  get limited(): boolean {
    return this.sched.periodNs > this.sched.budgetNs;
  }
}

interface ChannelTarget {
  pd: PdThread;
  ch: number;
  pp: boolean;
}

export class PdThread extends Thread {
  readonly pending = new Uint8Array(64);
  pendingCount = 0;
  readonly channels = new Map<number, ChannelTarget>();
  /** channel id -> INTID, for irqAck. */
  readonly irqs = new Map<number, number>();
  program: PdProgram | undefined;
  /** The thread whose scheduling context this PD runs on during a protected call it serves while passive. */
  donor: Thread | undefined;
  faulted = false;
  notifications = 0;
  isReady(): boolean {
    return this.pendingCount > 0 && !this.faulted && this.program !== undefined;
  }
  setPending(ch: number): void {
    if (this.pending[ch] === 0) {
      this.pending[ch] = 1;
      this.pendingCount++;
    }
  }
}

/**
 * Watches the kernel without changing what it does (the protocol checker, the trace recorder): an
 * activation is one turn of a thread (a PD's notified()/init()/protected call, a VMM handling its
 * vCPU's fault, a vCPU slice); activations nest when a higher-priority PD preempts.
 */
export interface KernelObserver {
  activationStart(thread: Thread, why: ActivationKind): void;
  activationEnd(thread: Thread): void;
  notified(from: PdThread, ch: number, to: PdThread, toCh: number): void;
  irq(intid: number, to: PdThread, ch: number): void;
  /** A VMM injected a virtual IRQ into its guest (emulator.ts calls it; the kernel has no vGIC). */
  virq(vmm: PdThread, vm: string, intid: number): void;
}

/** Several observers as one (the kernel calls one). */
export function observerSet(list: KernelObserver[]): KernelObserver | undefined {
  if (list.length <= 1) return list[0];
  return {
    activationStart: (t, why) => {
      for (const o of list) o.activationStart(t, why);
    },
    activationEnd: (t) => {
      for (const o of list) o.activationEnd(t);
    },
    notified: (f, ch, to, toCh) => {
      for (const o of list) o.notified(f, ch, to, toCh);
    },
    irq: (i, to, ch) => {
      for (const o of list) o.irq(i, to, ch);
    },
    virq: (v, vm, i) => {
      for (const o of list) o.virq(v, vm, i);
    },
  };
}

export type ActivationKind = 'notified' | 'init' | 'protected' | 'fault' | 'slice';

export abstract class VcpuThread extends Thread {
  /** Run the guest for at most sliceNs; it charges time through Kernel.charge. */
  abstract runSlice(sliceNs: number): void;
}

export class Kernel {
  now = 0;
  readonly threads: Thread[] = [];
  readonly pds = new Map<string, PdThread>();
  readonly devices: Device[] = [];
  private rrSeq = 0;
  private current: Thread | undefined;
  private badgeStack: Uint8Array[] = [];
  private badgeDepth = 0;
  private readonly irqOwner = new Map<number, { pd: PdThread; ch: number }>();
  private readonly irqMasked = new Set<number>();
  /** The GIC's line levels, so that an acknowledged level-triggered IRQ fires again. */
  irqLevel: (intid: number) => boolean = () => false;
  private readonly logListeners: ((r: LogRecord) => void)[] = [];
  /** PDs whose handler is on the stack (a yield must not re-enter them). */
  private readonly active = new Set<PdThread>();
  /** While initPds runs: the PDs whose init() has not run yet. */
  private notStarted: Set<PdThread> | undefined;
  readonly events: EventRecord[] = [];
  private eventNext = 0;
  /** Events recorded since power-on (the history keeps only the last ones); the inspector's step uses it. */
  eventsRecorded = 0;
  readonly logHistory: LogRecord[] = [];
  /** At most one; Emulator.observe fans out to several. */
  observer: KernelObserver | undefined;

  constructor(private readonly eventHistory = 256) {}

  // ---- set-up

  addPd(name: string, sched: SchedState): PdThread {
    const pd = new PdThread(name, sched);
    this.threads.push(pd);
    this.pds.set(name, pd);
    return pd;
  }

  addThread(t: Thread): void {
    this.threads.push(t);
  }

  connect(a: { pd: string; id: number; pp?: boolean }, b: { pd: string; id: number; pp?: boolean }): void {
    const pa = this.pds.get(a.pd),
      pb = this.pds.get(b.pd);
    if (!pa || !pb) return;
    pa.channels.set(a.id, { pd: pb, ch: b.id, pp: a.pp ?? false });
    pb.channels.set(b.id, { pd: pa, ch: a.id, pp: b.pp ?? false });
  }

  bindIrq(pdName: string, intid: number, ch: number): void {
    const pd = this.pds.get(pdName);
    if (!pd) return;
    this.irqOwner.set(intid, { pd, ch });
    pd.irqs.set(ch, intid);
  }

  contextFor(pd: PdThread): PdContext {
    return {
      name: pd.name,
      notify: (ch) => this.notify(pd, ch),
      irqAck: (ch) => this.irqAck(pd, ch),
      ppcall: (ch, msg) => this.ppcall(pd, ch, msg),
      charge: (ns) => this.charge(pd, ns),
      log: (text, level) => this.log(pd.name, level ?? 'info', text),
      now: () => this.now,
      yieldSlice: () => this.yieldFrom(pd),
    };
  }

  // ---- logging and events

  onLog(cb: (r: LogRecord) => void): () => void {
    this.logListeners.push(cb);
    return () => {
      const i = this.logListeners.indexOf(cb);
      if (i >= 0) this.logListeners.splice(i, 1);
    };
  }

  log(source: string, level: LogLevel, text: string): void {
    const r: LogRecord = { timeNs: this.now, source, level, text };
    this.logHistory.push(r);
    if (this.logHistory.length > 1000) this.logHistory.splice(0, this.logHistory.length - 1000);
    this.event('log', `${source}: ${text}`);
    for (const l of this.logListeners) l(r);
  }

  event(kind: string, detail: string): void {
    const rec: EventRecord = { timeNs: this.now, kind, detail };
    this.eventsRecorded++;
    if (this.events.length < this.eventHistory) this.events.push(rec);
    else this.events[this.eventNext] = rec;
    this.eventNext = (this.eventNext + 1) % this.eventHistory;
  }

  /** Recent events, oldest first. */
  recentEvents(): EventRecord[] {
    if (this.events.length < this.eventHistory) return this.events.slice();
    return [...this.events.slice(this.eventNext), ...this.events.slice(0, this.eventNext)];
  }

  // ---- kernel services

  notify(from: PdThread, ch: number): void {
    const target = from.channels.get(ch);
    if (!target) {
      this.log(from.name, 'error', `microkit_notify on channel ${ch}, which is not connected`);
      return;
    }
    target.pd.setPending(target.ch);
    target.pd.notifications++;
    this.event('notify', `${from.name} ch ${ch} -> ${target.pd.name} ch ${target.ch}`);
    this.observer?.notified(from, ch, target.pd, target.ch);
    this.preemptFor(target.pd);
  }

  /** An IRQ line went (or is) high at the GIC: deliver it to its PD unless masked awaiting ack. */
  raiseIrq(intid: number): void {
    if (this.irqMasked.has(intid)) return;
    const owner = this.irqOwner.get(intid);
    if (!owner) return;
    this.irqMasked.add(intid);
    owner.pd.setPending(owner.ch);
    this.event('irq', `INTID ${intid} -> ${owner.pd.name} ch ${owner.ch}`);
    this.observer?.irq(intid, owner.pd, owner.ch);
    this.preemptFor(owner.pd);
  }

  irqAck(pd: PdThread, ch: number): void {
    const intid = pd.irqs.get(ch);
    if (intid === undefined) {
      this.log(pd.name, 'error', `microkit_irq_ack on channel ${ch}, which has no IRQ`);
      return;
    }
    this.irqMasked.delete(intid);
    if (this.irqLevel(intid)) this.raiseIrq(intid);
  }

  ppcall(from: PdThread, ch: number, msg: number[]): number[] | undefined {
    const target = from.channels.get(ch);
    if (!target || !target.pp || !target.pd.program?.protectedCall) {
      this.log(from.name, 'error', `protected procedure call on channel ${ch} is not allowed`);
      return undefined;
    }
    if (target.pd.sched.priority <= from.sched.priority) {
      this.log(from.name, 'error', `protected procedure call to '${target.pd.name}', which does not have a higher priority`);
      return undefined;
    }
    const saved = this.current,
      callee = target.pd,
      serve = target.pd.program.protectedCall.bind(target.pd.program);
    const savedDonor = callee.donor;
    this.current = callee;
    // A passive callee borrows the caller's scheduling context (seL4 MCS donation); an active one
    // runs on its own (manual.md:189).
    if (callee.sched.passive) callee.donor = from.donor ?? from;
    this.observer?.activationStart(callee, 'protected');
    try {
      this.charge(callee, PD_HANDLER_COST_NS);
      return serve(target.ch, msg);
    } catch (e) {
      this.pdFault(callee, e);
      return undefined;
    } finally {
      callee.donor = savedDonor;
      this.current = saved;
      this.observer?.activationEnd(callee);
    }
  }

  /** Spend CPU time on a thread's budget (a borrowed one while it serves a call passively); time advances with it. */
  charge(thread: Thread, ns: number): void {
    if (!(ns > 0) || ns === Infinity) return;
    const t = (thread instanceof PdThread && thread.donor) || thread;
    this.now += ns;
    t.cpuNs += ns;
    t.budgetLeft -= ns;
    if (t.budgetLeft <= 0) this.budgetExpired(t);
  }

  private budgetExpired(t: Thread): void {
    if (!t.limited) {
      // Timeslice over: refill and go to the back of the round robin.
      t.budgetLeft = t.sched.budgetNs;
      t.rrStamp = ++this.rrSeq;
      return;
    }
    t.replenishAt = Math.max(this.now, t.windowStart + t.sched.periodNs);
    t.rrStamp = ++this.rrSeq;
  }

  /** Run every ready PD whose priority is above the running thread's (seL4 switches to it now). */
  private preemptFor(target: PdThread): void {
    const cur = this.current;
    if (!cur || target.sched.priority <= cur.sched.priority) return;
    const floor = cur.sched.priority;
    for (;;) {
      const t = this.pick(floor, true);
      if (!t) break;
      this.runPd(t as PdThread);
    }
  }

  private pdFault(pd: PdThread, e: unknown): void {
    pd.faulted = true;
    const label = e instanceof PdFaultError ? e.label : 6;
    this.log(
      'MON',
      'error',
      `MON|ERROR: received message 0x${label.toString(16)} badge: 0x${(this.threads.indexOf(pd) + 1).toString(16)} tcb cap: 0x${(0x8000 + this.threads.indexOf(pd)).toString(16)}`,
    );
    this.log('MON', 'error', `MON|ERROR: faulting PD: ${pd.name}`);
    if (e instanceof PdFaultError) for (const line of e.monitorLines) this.log('MON', 'error', line);
    else this.log('MON', 'error', `(emulator) ${e instanceof Error ? e.message : String(e)}`);
  }

  // ---- scheduling

  private refreshBudget(t: Thread): void {
    if (t.replenishAt <= this.now) {
      t.budgetLeft = t.sched.budgetNs;
      t.windowStart = t.replenishAt;
      t.replenishAt = Infinity;
    }
    if (t.limited && t.replenishAt === Infinity && this.now >= t.windowStart + t.sched.periodNs) {
      // A new window began while the thread was blocked.
      t.windowStart = this.now;
      t.budgetLeft = t.sched.budgetNs;
    }
  }

  private pick(abovePriority: number, pdsOnly: boolean): Thread | undefined {
    let best: Thread | undefined;
    for (const t of this.threads) {
      if (t.sched.priority <= abovePriority) continue;
      if (pdsOnly && !(t instanceof PdThread)) continue;
      this.refreshBudget(t);
      if (t.budgetLeft <= 0 || !t.isReady()) continue;
      if (!best || t.sched.priority > best.sched.priority || (t.sched.priority === best.sched.priority && t.rrStamp < best.rrStamp)) best = t;
    }
    return best;
  }

  /**
   * `pd` used up its timeslice inside a handler (a real PD spinning in a loop): run the other ready
   * PDs of its priority or above, as seL4 would at the end of the slice, then let it go on. Returns
   * how many ran; none means nothing can change what it waits for.
   */
  yieldFrom(pd: PdThread): number {
    let ran = 0;
    const floor = pd.sched.priority - 1;
    // PDs of this priority or above still waiting to start (the spinning PD is in its own init()).
    for (const c of [...(this.notStarted ?? [])]) {
      if (c.sched.priority > floor) {
        this.startPd(c);
        ran++;
      }
    }
    for (;;) {
      let t: Thread | undefined;
      for (const c of this.threads) {
        if (!(c instanceof PdThread) || c === pd || this.active.has(c) || this.notStarted?.has(c) || c.sched.priority <= floor) continue;
        this.refreshBudget(c);
        if (c.budgetLeft > 0 && c.isReady() && (!t || c.sched.priority > t.sched.priority)) t = c;
      }
      if (!t || ran > 1000) return ran;
      this.runPd(t as PdThread);
      ran++;
    }
  }

  private runPd(pd: PdThread): void {
    const saved = this.current;
    this.current = pd;
    this.active.add(pd);
    this.observer?.activationStart(pd, 'notified');
    try {
      this.charge(pd, PD_HANDLER_COST_NS);
      // One seL4 badge carries the channels pending when the PD receives; libmicrokit calls
      // notified() for them lowest first. Channels signalled meanwhile make the next badge, so a PD
      // that keeps re-signalling itself still lets time advance.
      const badge = this.badgeStack[this.badgeDepth] ?? (this.badgeStack[this.badgeDepth] = new Uint8Array(64));
      this.badgeDepth++;
      badge.set(pd.pending);
      pd.pending.fill(0);
      pd.pendingCount = 0;
      for (let ch = 0; ch < 64 && !pd.faulted; ch++) {
        if (badge[ch] === 0) continue;
        try {
          pd.program!.notified(ch);
        } catch (e) {
          this.pdFault(pd, e);
        }
      }
      pd.rrStamp = ++this.rrSeq;
    } finally {
      this.badgeDepth--;
      this.current = saved;
      this.active.delete(pd);
      this.observer?.activationEnd(pd);
    }
  }

  private nextDeadline(): number {
    let next = Infinity;
    for (const d of this.devices) {
      const t = d.nextDeadline();
      if (t < next) next = t;
    }
    for (const t of this.threads) if (t.replenishAt < next) next = t.replenishAt;
    return next;
  }

  private advanceDevices(): void {
    for (const d of this.devices) if (d.nextDeadline() <= this.now) d.advance(this.now);
  }

  /** Run `fn` as PD `pd` (e.g. the VMM handling its vCPU's fault); a throw is that PD's fault. */
  runAs<T>(pd: PdThread, fn: () => T, onFault: T): T {
    const saved = this.current;
    this.current = pd;
    this.observer?.activationStart(pd, 'fault');
    try {
      return fn();
    } catch (e) {
      this.pdFault(pd, e);
      return onFault;
    } finally {
      this.current = saved;
      this.observer?.activationEnd(pd);
    }
  }

  /** Call init() of every PD, in the order given (Microkit starts them by priority). */
  initPds(order: PdThread[]): void {
    this.notStarted = new Set(order);
    for (const pd of order) if (this.notStarted.has(pd)) this.startPd(pd);
    this.notStarted = undefined;
  }

  private startPd(pd: PdThread): void {
    this.notStarted?.delete(pd);
    const saved = this.current;
    this.current = pd;
    this.active.add(pd);
    this.observer?.activationStart(pd, 'init');
    try {
      pd.program?.init?.();
    } catch (e) {
      this.pdFault(pd, e);
    } finally {
      this.current = saved;
      this.active.delete(pd);
      this.observer?.activationEnd(pd);
    }
    // libmicrokit asks the monitor to bind the context to the notification once init() returns.
    if (pd.sched.passive && !pd.faulted) this.log('MON', 'info', `MON|INFO: PD '${pd.name}' is now passive!`);
  }

  /** True when no thread is ready (blocked PDs, idle or halted vCPUs). */
  quiescent(): boolean {
    for (const t of this.threads) {
      this.refreshBudget(t);
      if (t.isReady()) return false;
    }
    return true;
  }

  /** Advance virtual time to `until`, running whatever is ready on the way. */
  runUntil(until: number, stopWhen?: () => boolean): void {
    for (;;) {
      this.advanceDevices();
      if (this.now >= until) return;
      if (stopWhen?.()) return;
      const t = this.pick(-Infinity, false);
      if (!t) {
        const next = this.nextDeadline();
        if (next >= until) {
          this.now = until;
          return;
        }
        this.now = next > this.now ? next : this.now + 1;
        continue;
      }
      if (t instanceof PdThread) {
        this.runPd(t);
      } else {
        const v = t as VcpuThread;
        // The slice does not depend on `until`: how the host cuts time into runFor calls (frames,
        // wall-clock pacing) must not change what a guest computes, so a slice may end past `until`.
        const deadline = this.nextDeadline();
        const minTurn = MIN_VCPU_TURN_NS;
        let slice = Math.min(v.budgetLeft, deadline - this.now, MAX_VCPU_SLICE_NS);
        if (slice < minTurn) slice = minTurn;
        const before = this.now;
        this.current = v;
        this.observer?.activationStart(v, 'slice');
        try {
          v.runSlice(slice);
        } finally {
          this.current = undefined;
          this.observer?.activationEnd(v);
        }
        if (this.now - before < minTurn) this.charge(v, minTurn - (this.now - before));
        v.rrStamp = ++this.rrSeq;
      }
    }
  }
}
