// The extension side of the worker protocol: sends requests, routes the worker's messages to
// listeners, and acknowledges output once the listeners (the terminals) have taken it, which is what
// keeps the worker inside its credit window. A worker that dies, throws or exits unasked is reported
// once through onCrash; the extension host itself never sees the exception.
import type { EmulatorSnapshot } from '../emulator/emulator';
import type { InputLog } from '../emulator/record';
import type { BootRequest, FromWorker, ToWorker, TravelTarget } from './protocol';

/** What the client needs of a worker thread (node's Worker fits; tests may wrap one). */
export interface WorkerLike {
  postMessage(message: ToWorker, transfer?: ArrayBuffer[]): void;
  on(event: 'message', cb: (m: FromWorker) => void): unknown;
  on(event: 'error', cb: (e: Error) => void): unknown;
  on(event: 'exit', cb: (code: number) => void): unknown;
  terminate(): Promise<number>;
}

type Msg<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>;
export type BootOutcome = Msg<'booted'> | Msg<'bootFailed'>;

export class EmulatorClient {
  private readonly listeners: { [K in FromWorker['type']]?: ((m: Msg<K>) => void)[] } = {};
  private readonly crashListeners: ((message: string) => void)[] = [];
  private readonly pending = new Map<number, (m: FromWorker) => void>();
  private bootWaiter: ((m: BootOutcome) => void) | undefined;
  private nextRequest = 1;
  private ended = false;
  private terminating = false;

  constructor(private readonly worker: WorkerLike) {
    worker.on('message', (m) => this.receive(m));
    worker.on('error', (e) => this.crash(`the emulator worker failed: ${e.message}`));
    worker.on('exit', (code) => {
      if (!this.terminating) this.crash(`the emulator worker exited unexpectedly (code ${code})`);
      this.ended = true;
    });
  }

  on<K extends FromWorker['type']>(type: K, cb: (m: Msg<K>) => void): () => void {
    const list = (this.listeners[type] ??= []) as ((m: Msg<K>) => void)[];
    list.push(cb);
    return () => {
      const i = list.indexOf(cb);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** The worker died or its loop threw: the emulator is gone and a new worker is needed. */
  onCrash(cb: (message: string) => void): void {
    this.crashListeners.push(cb);
  }

  get alive(): boolean {
    return !this.ended;
  }

  boot(req: Omit<BootRequest, 'type'>): Promise<BootOutcome> {
    return new Promise((resolve) => {
      this.bootWaiter = resolve;
      this.send({ type: 'boot', ...req });
    });
  }

  type(target: number | 'line', data: string | Uint8Array): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.send({ type: 'input', target, bytes });
  }

  pause(): void {
    this.send({ type: 'pause' });
  }
  resume(): void {
    this.send({ type: 'resume' });
  }
  reset(guest: number): void {
    this.send({ type: 'reset', guest });
  }
  resize(target: number | 'line', cols: number, rows: number): void {
    this.send({ type: 'resize', target, cols, rows });
  }
  streamSnapshots(enabled: boolean, maxPerSecond: number): void {
    this.send({ type: 'streamSnapshots', enabled, maxPerSecond });
  }
  step(): void {
    this.send({ type: 'step' });
  }
  setSpeed(factor: number): void {
    this.send({ type: 'setSpeed', factor });
  }
  travel(to: TravelTarget): void {
    this.send({ type: 'travel', to });
  }
  returnToLive(): void {
    this.send({ type: 'returnToLive' });
  }
  simulateCrash(message: string): void {
    this.send({ type: 'crash', message });
  }

  snapshot(): Promise<EmulatorSnapshot | undefined> {
    return this.request<'snapshot'>((requestId) => ({ type: 'snapshot', requestId })).then((m) => m?.snapshot);
  }

  /** The session as a Chrome/Perfetto trace (JSON text), or why not. */
  trace(): Promise<{ json: string | undefined; error?: string }> {
    return this.request<'trace'>((requestId) => ({ type: 'exportTrace', requestId })).then((m) =>
      m ? { json: m.json, error: m.error } : { json: undefined, error: 'the emulator stopped' },
    );
  }

  recording(): Promise<InputLog | undefined> {
    return this.request<'recording'>((requestId) => ({ type: 'getRecording', requestId })).then((m) => m?.log);
  }

  /** Stop the emulator and end the worker. */
  async dispose(): Promise<void> {
    if (this.ended) return;
    this.send({ type: 'stop' });
    this.terminating = true;
    this.ended = true;
    // A boot still waiting for its answer ends here: a caller awaiting it must not wait forever.
    this.bootWaiter?.({ type: 'bootFailed', diagnostics: [], summary: 'the emulator was stopped before it booted' });
    this.bootWaiter = undefined;
    for (const resolve of this.pending.values()) resolve({ type: 'snapshot', requestId: 0, snapshot: undefined });
    this.pending.clear();
    await this.worker.terminate();
  }

  private request<K extends 'snapshot' | 'recording' | 'trace'>(make: (id: number) => ToWorker): Promise<Msg<K> | undefined> {
    if (this.ended) return Promise.resolve(undefined);
    const id = this.nextRequest++;
    return new Promise((resolve) => {
      this.pending.set(id, (m) => resolve(m.type === 'snapshot' || m.type === 'recording' || m.type === 'trace' ? (m as Msg<K>) : undefined));
      this.send(make(id));
    });
  }

  private send(m: ToWorker): void {
    if (this.ended) return;
    this.worker.postMessage(m);
  }

  private receive(m: FromWorker): void {
    if ((m.type === 'booted' || m.type === 'bootFailed') && this.bootWaiter) {
      const w = this.bootWaiter;
      this.bootWaiter = undefined;
      w(m);
    }
    if (m.type === 'snapshot' || m.type === 'recording' || m.type === 'trace') {
      const r = this.pending.get(m.requestId);
      this.pending.delete(m.requestId);
      r?.(m);
    }
    const list = this.listeners[m.type] as ((x: FromWorker) => void)[] | undefined;
    for (const cb of list ?? []) {
      try {
        cb(m);
      } catch {
        // A listener's bug must not stop the others or the acknowledgement below.
      }
    }
    if (m.type === 'output') {
      let n = m.line.length;
      for (const c of m.clients) n += c.bytes.length;
      this.send({ type: 'ack', bytes: n });
    }
    if (m.type === 'crashed') this.crash(`the emulator stopped with an internal error: ${m.message}`);
  }

  private crash(message: string): void {
    if (this.ended) return;
    this.ended = true;
    this.bootWaiter?.({ type: 'bootFailed', diagnostics: [], summary: message });
    this.bootWaiter = undefined;
    for (const resolve of this.pending.values()) resolve({ type: 'snapshot', requestId: 0, snapshot: undefined });
    this.pending.clear();
    for (const cb of this.crashListeners) cb(message);
    // The thread may still be alive (its loop threw): end it, it holds the old machine's memory.
    this.terminating = true;
    void this.worker.terminate().catch(() => undefined);
  }
}
