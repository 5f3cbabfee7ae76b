// Time travel over a recorded session: any moment (a virtual time, the Nth event, the Nth PD
// activation) rebuilt by deterministic replay of the session's input log from the nearest
// checkpoint at or before it. A checkpoint is a machine built from the same configuration and
// replayed to its moment (the emulator computes the same bytes however the host cuts time, so a
// machine replayed to t is the session at t). A machine cannot be copied (the guest programs are
// generators), so jumping consumes the checkpoint it starts from: the machine moves on to the moment
// asked for and stays as a checkpoint there; `refill` (called when the host is idle) rebuilds the
// spacing the jumps used up. Checkpoints are spaced by replay work (thread activations: vCPU slices
// and handler turns), not by virtual time, so a flood of a few hundred milliseconds gets as many as
// a minute of idle guests; building one costs the replay of its prefix (images are placed page by
// page, memory.ts placeImage, so a fresh machine is cheap and commits only the pages it touches).
import type { Emulator } from './emulator';
import { type ActivationKind, type KernelObserver, PdThread, type Thread } from './kernel';
import { applyInputRecord, type InputLog } from './record';

/** Where to go: a virtual time, or a count of events or PD activations since power-on. */
export type MomentTarget = { timeNs: number } | { event: number } | { activation: number };

export interface Moment {
  timeNs: number;
  /** Events the kernel recorded since power-on (the inspector's step counts them). */
  event: number;
  /** PD activations (handler turns) since power-on. */
  activation: number;
}

/** A machine that has replayed the input log up to `next`, with what it printed on the UART line and per client. */
interface Replica {
  emu: Emulator;
  next: number;
  activations: ActivationCounts;
  output: OutputTail;
  clients: OutputTail[];
}

/** PD activations (the unit of stepping) and every thread's activations (the replay work). */
export interface ActivationCounts {
  count: number;
  work: number;
}

/** Virtual time a replica runs at most between two samples of the work profile, while exploring. */
const PROFILE_STEP_NS = 100_000_000;

/** Line output kept per replica (the terminal shows the end of it). */
const OUTPUT_KEEP_BYTES = 256 * 1024;

export interface TimeMachineOptions {
  /** Machines kept as checkpoints at most (each is a whole emulator: ~2.5 MB for the default example). */
  checkpoints?: number;
}

/** What a jump shows: the machine at the moment, the moment, and the output up to it (the line's and each client's). */
export interface Jump {
  emulator: Emulator;
  moment: Moment;
  output: Uint8Array;
  clientOutput: Uint8Array[];
}

export class TimeMachine {
  private readonly replicas: Replica[] = [];
  private readonly capacity: number;
  /** Replay work done by the time of each sample (time order): the cost of reaching a moment. */
  private readonly profile: { timeNs: number; work: number }[] = [{ timeNs: 0, work: 0 }];

  /**
   * @param build a fresh machine from the session's configuration, with `onUartOutput` in place
   *   before its PDs start and `observer` installed (it counts activations)
   * @param log the session's input log (records in time order); the live session may append to it
   * @param endNs the end of the recorded session (moments are clamped to it)
   */
  constructor(
    private readonly build: (onOutput: (bytes: Uint8Array) => void, observer: KernelObserver) => Emulator,
    private readonly log: InputLog,
    private endNs: number,
    opts: TimeMachineOptions = {},
  ) {
    this.capacity = Math.max(2, opts.checkpoints ?? 16);
  }

  /** The recorded session went on (the live machine ran): moments up to `endNs` can be asked for. */
  extend(endNs: number): void {
    this.endNs = Math.max(this.endNs, endNs);
  }

  get end(): number {
    return this.endNs;
  }

  /** The machine at the moment asked for (clamped to the session), and that moment. */
  jumpTo(target: MomentTarget): Jump {
    const r = this.nearestBefore(target);
    this.advance(r, target);
    return { emulator: r.emu, moment: momentOf(r), output: r.output.bytes(), clientOutput: r.clients.map((c) => c.bytes()) };
  }

  /**
   * One step from `from` by event or by PD activation. A kernel turn can record several events (a
   * handler that notifies twice): forward goes to the end of the next turn that records one, back
   * to the latest moment with fewer than `from` has.
   */
  step(from: Moment, unit: 'event' | 'activation', dir: 1 | -1): Jump {
    const count = unit === 'event' ? from.event : from.activation;
    if (dir > 0) return this.jumpTo(unit === 'event' ? { event: count + 1 } : { activation: count + 1 });
    for (let back = 1; ; back++) {
      const k = Math.max(0, count - back);
      const r = this.jumpTo(unit === 'event' ? { event: k } : { activation: k });
      const reached = unit === 'event' ? r.moment.event : r.moment.activation;
      if (reached < count || k === 0) return r;
    }
  }

  /**
   * Rebuild one missing checkpoint (evenly spaced by replay work over the session); false when none
   * is missing. The first call replays the whole session once, which teaches the profile its cost.
   */
  refill(): boolean {
    if (this.profile[this.profile.length - 1].timeNs < this.endNs) {
      const r = this.nearestBefore({ timeNs: this.endNs });
      this.advance(r, { timeNs: this.endNs });
      return true;
    }
    const slot = this.slotWork();
    for (let i = 0; i < this.capacity; i++) {
      const has = this.replicas.some((r) => this.slotOf(r, slot) === i);
      if (has) continue;
      // A machine cannot be copied: the new checkpoint is replayed from power-on.
      const r = this.fresh();
      this.advance(r, { timeNs: this.timeAtWork(i * slot) });
      this.replicas.push(r);
      this.trim(r);
      return true;
    }
    return false;
  }

  private slotOf(r: Replica, slot: number): number {
    return Math.min(this.capacity - 1, Math.floor(this.workAt(r.emu.now()) / slot));
  }

  /** The replay work of one slot of the even spacing. */
  private slotWork(): number {
    return Math.max(1, this.workAt(this.endNs)) / this.capacity;
  }

  /** Replay work to reach `timeNs` (interpolated between samples; past the last, at the mean rate so far). */
  private workAt(timeNs: number): number {
    const p = this.profile;
    let lo = 0,
      hi = p.length - 1;
    if (timeNs >= p[hi].timeNs) {
      const last = p[hi];
      const rate = last.timeNs > 0 ? last.work / last.timeNs : 1e-6;
      return last.work + (timeNs - last.timeNs) * rate;
    }
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (p[mid].timeNs <= timeNs) lo = mid;
      else hi = mid;
    }
    const a = p[lo],
      b = p[hi];
    return a.work + ((b.work - a.work) * (timeNs - a.timeNs)) / (b.timeNs - a.timeNs);
  }

  /** The earliest time by which `work` is done (the inverse of workAt). */
  private timeAtWork(work: number): number {
    if (work <= 0) return 0;
    let lo = 0,
      hi = this.endNs;
    for (let i = 0; i < 64 && hi - lo > 1; i++) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.workAt(mid) >= work) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  /** A replica went where no replica went before: the profile learns what that cost. */
  private sample(r: Replica): void {
    const last = this.profile[this.profile.length - 1];
    if (r.emu.now() > last.timeNs) this.profile.push({ timeNs: r.emu.now(), work: r.activations.work });
  }

  /** The replica latest at or before the target (it will be advanced there); from power-on when none is. */
  private nearestBefore(target: MomentTarget): Replica {
    let best: Replica | undefined;
    for (const r of this.replicas) if (!isPast(r, target) && (!best || r.emu.kernel.eventsRecorded > best.emu.kernel.eventsRecorded)) best = r;
    if (best) return best;
    const fresh = this.fresh();
    this.replicas.push(fresh);
    this.trim(fresh);
    return fresh;
  }

  /** Checkpoints held now (their moments), for the bench and tests. */
  checkpoints(): Moment[] {
    return this.replicas.map(momentOf).sort((a, b) => a.timeNs - b.timeNs);
  }

  private fresh(): Replica {
    const activations = { count: 0, work: 0 };
    const output = new OutputTail();
    const clients: OutputTail[] = [];
    const emu = this.build((bytes) => output.push(bytes), activationCounter(activations));
    emu.onClientOutput((client, bytes) => (clients[client] ??= new OutputTail()).push(bytes));
    return { emu, next: 0, activations, output, clients };
  }

  /**
   * Drop replicas beyond the capacity, never `keep`: first one that shares its slot of the even
   * spacing with another (the later of the two), else the latest, so refill's spacing survives.
   */
  private trim(keep: Replica): void {
    const spacing = this.slotWork();
    while (this.replicas.length > this.capacity) {
      this.replicas.sort((a, b) => a.emu.now() - b.emu.now());
      const slot = (r: Replica): number => this.slotOf(r, spacing);
      let drop = -1;
      for (let i = this.replicas.length - 1; i > 0 && drop < 0; i--) {
        if (slot(this.replicas[i]) !== slot(this.replicas[i - 1])) continue;
        drop = this.replicas[i] === keep ? i - 1 : i;
      }
      if (drop < 0) drop = this.replicas[this.replicas.length - 1] === keep ? this.replicas.length - 2 : this.replicas.length - 1;
      this.replicas.splice(drop, 1);
    }
  }

  /** Replay the input log on `r` until the target: input typed at its recorded times, as the session did. */
  private advance(r: Replica, target: MomentTarget): void {
    if ('timeNs' in target) this.advanceTo(r, Math.min(target.timeNs, this.endNs));
    else this.advanceCounting(r, target);
    this.sample(r);
  }

  private advanceTo(r: Replica, until: number): void {
    const emu = r.emu,
      records = this.log.records;
    for (; r.next < records.length && records[r.next].timeNs < until; r.next++) {
      this.runTo(r, records[r.next].timeNs);
      applyInputRecord(emu, records[r.next]);
    }
    this.runTo(r, until);
  }

  /** Run to `until`; beyond the profile's end, in steps that each leave a sample. */
  private runTo(r: Replica, until: number): void {
    const emu = r.emu;
    while (until > emu.now()) {
      const explored = this.profile[this.profile.length - 1].timeNs;
      const stop = emu.now() >= explored ? Math.min(until, emu.now() + PROFILE_STEP_NS) : Math.min(until, explored);
      emu.runFor(stop - emu.now());
      this.sample(r);
    }
  }

  private advanceCounting(r: Replica, target: { event: number } | { activation: number }): void {
    const emu = r.emu,
      records = this.log.records;
    const reached = (): boolean => ('event' in target ? emu.kernel.eventsRecorded >= target.event : r.activations.count >= target.activation);
    while (!reached() && emu.now() < this.endNs) {
      const rec = records[r.next];
      if (rec && rec.timeNs <= emu.now()) {
        applyInputRecord(emu, rec);
        r.next++;
        continue;
      }
      const limit = Math.min(rec ? rec.timeNs : Infinity, this.endNs) - emu.now();
      if (!emu.stepEvent(Math.max(1, limit))) continue;
    }
  }
}

function isPast(r: Replica, target: MomentTarget): boolean {
  if ('timeNs' in target) return r.emu.now() > target.timeNs;
  if ('event' in target) return r.emu.kernel.eventsRecorded > target.event;
  return r.activations.count > target.activation;
}

function momentOf(r: Replica): Moment {
  return { timeNs: r.emu.now(), event: r.emu.kernel.eventsRecorded, activation: r.activations.count };
}

/** The last OUTPUT_KEEP_BYTES of an output stream, however it was cut into pieces. */
class OutputTail {
  private chunks: Uint8Array[] = [];
  private size = 0;
  push(bytes: Uint8Array): void {
    this.chunks.push(bytes.slice());
    this.size += bytes.length;
    while (this.size - this.chunks[0].length >= OUTPUT_KEEP_BYTES) this.size -= this.chunks.shift()!.length;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out.length > OUTPUT_KEEP_BYTES ? out.slice(out.length - OUTPUT_KEEP_BYTES) : out;
  }
}

/** Counts PD activations (handler turns), the unit of "step by activation", and every thread's activations (the replay work). */
export function activationCounter(into: ActivationCounts): KernelObserver {
  return {
    activationStart: (t: Thread, why: ActivationKind) => {
      into.work++;
      if (t instanceof PdThread && why !== 'init') into.count++;
    },
    activationEnd: () => undefined,
    notified: () => undefined,
    irq: () => undefined,
    virq: () => undefined,
  };
}
