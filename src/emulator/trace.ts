// The session as a Chrome/Perfetto trace (the JSON trace event format): one track (thread) per PD
// and vCPU with a slice per activation, flows from each notification and IRQ to the activation it
// causes, vIRQ flows from a VMM to its vCPU, and a counter per sDDF queue for its fill. A
// KernelObserver: recording changes nothing in the run. Memory is bounded: past maxEvents the
// recorder stops and says so in the trace's metadata.
import { type ActivationKind, type KernelObserver, PdThread, type Thread } from './kernel';
import type { WatchedQueue } from './protocol/serial-queue-checks';

/** One event of the trace event format (only the fields this recorder writes). */
export interface TraceEvent {
  name: string;
  cat?: string;
  ph: 'B' | 'E' | 'i' | 's' | 'f' | 'C' | 'M';
  /** Microseconds (the format's unit); fractional for nanosecond precision. */
  ts: number;
  pid: number;
  tid: number;
  id?: number;
  bp?: 'e';
  s?: 't' | 'p' | 'g';
  args?: Record<string, string | number>;
}

export interface TraceFile {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ns' | 'ms';
  metadata: { source: string; truncated: boolean; events: number };
}

const PID = 1;
/** The interrupt controller's track: IRQ flows start there. */
const IRQ_TID = 1;
const DEFAULT_MAX_EVENTS = 2_000_000;

export class TraceRecorder implements KernelObserver {
  private readonly events: TraceEvent[] = [];
  private readonly tids = new Map<Thread, number>();
  private readonly depth = new Map<Thread, number>();
  /** Flows waiting for their target's next activation, by target. */
  private readonly inbound = new Map<Thread, number[]>();
  private queues: readonly WatchedQueue[] = [];
  private readonly lastFill: number[] = [];
  private nextFlow = 1;
  truncated = false;

  private now: () => number = () => 0;

  constructor(private readonly maxEvents = DEFAULT_MAX_EVENTS) {
    this.push({ name: 'process_name', ph: 'M', ts: 0, pid: PID, tid: 0, args: { name: 'dual-guest emulator' } });
    this.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid: IRQ_TID, args: { name: 'GIC (IRQs)' } });
  }

  /** The clock, and the queues whose fill becomes counters (the emulator calls it before any PD starts). */
  watch(queues: readonly WatchedQueue[], now: () => number): void {
    this.queues = queues;
    this.now = now;
    for (let i = 0; i < queues.length; i++) this.lastFill[i] = -1;
  }

  private push(e: TraceEvent): void {
    if (this.events.length >= this.maxEvents) {
      this.truncated = true;
      return;
    }
    this.events.push(e);
  }

  private ts(): number {
    return this.now() / 1000;
  }

  private tid(t: Thread): number {
    let id = this.tids.get(t);
    if (id === undefined) {
      id = this.tids.size + 2;
      this.tids.set(t, id);
      this.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid: id, args: { name: t instanceof PdThread ? t.name : `${t.name} (vCPU)` } });
      this.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid: PID, tid: id, args: { sort_index: -t.sched.priority } });
    }
    return id;
  }

  activationStart(thread: Thread, why: ActivationKind): void {
    const d = this.depth.get(thread) ?? 0;
    this.depth.set(thread, d + 1);
    if (d > 0) return;
    const tid = this.tid(thread),
      ts = this.ts();
    this.push({ name: why, cat: thread instanceof PdThread ? 'pd' : 'vcpu', ph: 'B', ts, pid: PID, tid });
    const flows = this.inbound.get(thread);
    if (flows && flows.length > 0) {
      for (const id of flows) this.push({ name: 'signal', cat: 'flow', ph: 'f', bp: 'e', id, ts, pid: PID, tid });
      flows.length = 0;
    }
  }

  activationEnd(thread: Thread): void {
    const d = (this.depth.get(thread) ?? 1) - 1;
    this.depth.set(thread, d);
    if (d > 0) return;
    const ts = this.ts();
    this.push({ name: 'end', ph: 'E', ts, pid: PID, tid: this.tid(thread) });
    this.sampleFill(ts);
  }

  private sampleFill(ts: number): void {
    const qs = this.queues;
    for (let i = 0; i < qs.length; i++) {
      const fill = qs[i].q.length();
      if (fill === this.lastFill[i]) continue;
      this.lastFill[i] = fill;
      this.push({ name: qs[i].name, cat: 'queue', ph: 'C', ts, pid: PID, tid: 0, args: { fill } });
    }
  }

  private flow(fromTid: number, to: Thread, name: string, cat: string, args: Record<string, string | number>): void {
    const id = this.nextFlow++,
      ts = this.ts();
    this.push({ name, cat, ph: 'i', s: 't', ts, pid: PID, tid: fromTid, args });
    this.push({ name: 'signal', cat: 'flow', ph: 's', id, ts, pid: PID, tid: fromTid });
    let list = this.inbound.get(to);
    if (!list) this.inbound.set(to, (list = []));
    list.push(id);
  }

  notified(from: PdThread, ch: number, to: PdThread, toCh: number): void {
    this.flow(this.tid(from), to, `notify ${to.name}`, 'notify', { from: from.name, ch, to: to.name, toCh });
  }

  irq(intid: number, to: PdThread, ch: number): void {
    this.flow(IRQ_TID, to, `IRQ ${intid}`, 'irq', { intid, to: to.name, ch });
  }

  virq(vmm: PdThread, vm: string, intid: number): void {
    const vcpu = [...this.tids.keys()].find((t) => !(t instanceof PdThread) && t.name === vm);
    if (vcpu) this.flow(this.tid(vmm), vcpu, `vIRQ ${intid} -> ${vm}`, 'virq', { vmm: vmm.name, vm, intid });
  }

  /** The trace so far, closing the activations still open (a trace cut mid-handler). */
  toJSON(): TraceFile {
    const traceEvents = this.events.slice();
    const ts = this.ts();
    for (const [t, d] of this.depth) if (d > 0) traceEvents.push({ name: 'end', ph: 'E', ts, pid: PID, tid: this.tids.get(t)! });
    return { traceEvents, displayTimeUnit: 'ns', metadata: { source: 'microkit-dual-guest', truncated: this.truncated, events: traceEvents.length } };
  }
}
