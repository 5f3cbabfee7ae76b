// Time travel over a recorded session: any moment (a virtual time, the Nth event, the Nth PD
// activation) rebuilt by deterministic replay of the session's input log from the nearest
// checkpoint at or before it. A checkpoint is a machine built from the same configuration and
// replayed to its moment (the emulator computes the same bytes however the host cuts time, so a
// machine replayed to t is the session at t). Jumping consumes the checkpoint it starts from: the
// machine moves on to the moment asked for and stays as a checkpoint there; `refill` (called when
// the host is idle) rebuilds the spacing the jumps used up, so that later jumps stay short.
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

/** A machine that has replayed the input log up to `next`, with what it printed on the UART line. */
interface Replica {
  emu: Emulator;
  next: number;
  activations: { count: number };
  output: Uint8Array[];
  outputBytes: number;
}

/** Line output kept per replica (the terminal shows the end of it). */
const OUTPUT_KEEP_BYTES = 256 * 1024;

export interface TimeMachineOptions {
  /** Machines kept as checkpoints at most (each is a whole emulator). */
  checkpoints?: number;
}

export class TimeMachine {
  private readonly replicas: Replica[] = [];
  private readonly capacity: number;

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
    this.capacity = Math.max(2, opts.checkpoints ?? 8);
  }

  /** The recorded session went on (the live machine ran): moments up to `endNs` can be asked for. */
  extend(endNs: number): void {
    this.endNs = Math.max(this.endNs, endNs);
  }

  get end(): number {
    return this.endNs;
  }

  /** The machine at the moment asked for (clamped to the session), and that moment. */
  jumpTo(target: MomentTarget): { emulator: Emulator; moment: Moment; output: Uint8Array } {
    const r = this.nearestBefore(target);
    this.advance(r, target);
    return { emulator: r.emu, moment: momentOf(r), output: tailOf(r) };
  }

  /**
   * One step from `from` by event or by PD activation. A kernel turn can record several events (a
   * handler that notifies twice): forward goes to the end of the next turn that records one, back
   * to the latest moment with fewer than `from` has.
   */
  step(from: Moment, unit: 'event' | 'activation', dir: 1 | -1): { emulator: Emulator; moment: Moment; output: Uint8Array } {
    const count = unit === 'event' ? from.event : from.activation;
    if (dir > 0) return this.jumpTo(unit === 'event' ? { event: count + 1 } : { activation: count + 1 });
    for (let back = 1; ; back++) {
      const k = Math.max(0, count - back);
      const r = this.jumpTo(unit === 'event' ? { event: k } : { activation: k });
      const reached = unit === 'event' ? r.moment.event : r.moment.activation;
      if (reached < count || k === 0) return r;
    }
  }

  /** Rebuild one missing checkpoint (evenly spaced over the session); false when none is missing. */
  refill(): boolean {
    const spacing = this.endNs / this.capacity;
    for (let i = 0; i < this.capacity; i++) {
      const at = Math.floor(i * spacing);
      const has = this.replicas.some((r) => r.emu.now() >= at && r.emu.now() < at + spacing);
      if (has) continue;
      // A machine cannot be copied: the new checkpoint is replayed from power-on.
      const r = this.fresh();
      this.advance(r, { timeNs: at });
      this.replicas.push(r);
      this.trim(r);
      return true;
    }
    return false;
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
    const activations = { count: 0 };
    const output: Uint8Array[] = [];
    const r: Replica = { emu: undefined as unknown as Emulator, next: 0, activations, output, outputBytes: 0 };
    r.emu = this.build((bytes) => {
      output.push(bytes.slice());
      r.outputBytes += bytes.length;
      while (r.outputBytes - output[0].length >= OUTPUT_KEEP_BYTES) r.outputBytes -= output.shift()!.length;
    }, activationCounter(activations));
    return r;
  }

  /**
   * Drop replicas beyond the capacity, never `keep`: first one that shares its slot of the even
   * spacing with another (the later of the two), else the latest, so refill's spacing survives.
   */
  private trim(keep: Replica): void {
    const spacing = this.endNs / this.capacity;
    while (this.replicas.length > this.capacity) {
      this.replicas.sort((a, b) => a.emu.now() - b.emu.now());
      const slot = (r: Replica): number => Math.floor(r.emu.now() / spacing);
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
    const emu = r.emu,
      records = this.log.records;
    if ('timeNs' in target) {
      const until = Math.min(target.timeNs, this.endNs);
      for (; r.next < records.length && records[r.next].timeNs < until; r.next++) {
        if (records[r.next].timeNs > emu.now()) emu.runFor(records[r.next].timeNs - emu.now());
        applyInputRecord(emu, records[r.next]);
      }
      if (until > emu.now()) emu.runFor(until - emu.now());
      return;
    }
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

/** The last OUTPUT_KEEP_BYTES of the line (however the output was cut into pieces). */
function tailOf(r: Replica): Uint8Array {
  const out = new Uint8Array(r.outputBytes);
  let o = 0;
  for (const c of r.output) {
    out.set(c, o);
    o += c.length;
  }
  return out.length > OUTPUT_KEEP_BYTES ? out.slice(out.length - OUTPUT_KEEP_BYTES) : out;
}

/** Counts PD activations (outermost handler turns), the unit of "step by activation". */
export function activationCounter(into: { count: number }): KernelObserver {
  return {
    activationStart: (t: Thread, why: ActivationKind) => {
      if (t instanceof PdThread && why !== 'init') into.count++;
    },
    activationEnd: () => undefined,
    notified: () => undefined,
    irq: () => undefined,
    virq: () => undefined,
  };
}
