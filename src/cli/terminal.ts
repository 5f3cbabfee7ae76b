// The interactive side of `dual-guest boot`: the user's terminal as the board's serial port. Raw
// mode (every key is a byte for the guest, Ctrl-C included), the quit key filtered out, and virtual
// time paced against the wall clock without busy-waiting: while the guests are idle we sleep until
// the next input or the next device deadline (a guest timer, the UART).
import type { BootSession } from './boot-session';

export { describeKey } from '../system/index';

/** Ctrl-], telnet's escape key; Ctrl-^ when the system's switch character is Ctrl-] itself. */
export const DEFAULT_QUIT_KEY = 0x1d;
const FALLBACK_QUIT_KEY = 0x1e;

export function quitKeyFor(switchChar: number): number {
  return switchChar === DEFAULT_QUIT_KEY ? FALLBACK_QUIT_KEY : DEFAULT_QUIT_KEY;
}

/** Fast mode: virtual time one step may run before the event loop gets a turn (keys, signals). */
const FAST_SLICE_NS = 20e6;
/** Realtime mode: how often we catch up with the wall clock while something is happening. */
const REALTIME_TICK_MS = 10;
/** Realtime mode: at most this much virtual time per tick; a slower machine slows virtual time down. */
const REALTIME_MAX_STEP_NS = 100e6;
/** setTimeout's largest delay. */
const MAX_TIMER_MS = 0x7fffffff;

export interface TerminalInput {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  on(event: 'data', cb: (chunk: Uint8Array | string) => void): unknown;
  on(event: 'end', cb: () => void): unknown;
  removeListener(event: string, cb: (...args: never[]) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** Put the input in raw mode; the returned function restores it (safe to call more than once). */
export function enterRawMode(input: TerminalInput): () => void {
  if (!input.isTTY || !input.setRawMode) return () => {};
  input.setRawMode(true);
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    try {
      input.setRawMode!(false);
    } catch {
      // The terminal may already be gone (hang-up); nothing left to restore.
    }
  };
}

export interface InteractiveOptions {
  realtime: boolean;
  quitKey: number;
  input: TerminalInput;
  /** Milliseconds, monotonic (performance.now in the CLI; a fake clock in tests). */
  now?: () => number;
}

export type InteractiveEnd =
  | { reason: 'quit' | 'end-of-input' }
  | { reason: 'signal'; signal: NodeJS.Signals }
  /** The emulator threw (a bug): the session ends so that the caller can restore the terminal. */
  | { reason: 'error'; error: unknown };

/**
 * Run the session against the terminal until the quit key, the end of input or a signal. The
 * caller restores the terminal (enterRawMode) and writes any recording afterwards.
 */
export function runInteractive(session: BootSession, opts: InteractiveOptions): Promise<InteractiveEnd> {
  return new Promise<InteractiveEnd>((resolve) => new InteractiveRun(session, opts, resolve).start());
}

/**
 * One interactive session: at most one pending wake-up (a timer or an immediate) at a time, and
 * every entry from the event loop (a step, a key, a signal, the end of input) goes through a
 * handler that ends the session, never the process, if the emulator throws.
 */
class InteractiveRun {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private finished = false;
  private readonly clock: () => number;
  /** Wall time up to which virtual time has been brought (realtime always; fast only while idle). */
  private wallMark: number | undefined;

  constructor(
    private readonly session: BootSession,
    private readonly opts: InteractiveOptions,
    private readonly resolve: (end: InteractiveEnd) => void,
  ) {
    this.clock = opts.now ?? (() => performance.now());
    this.wallMark = opts.realtime ? this.clock() : undefined;
  }

  start(): void {
    this.opts.input.on('data', this.onData);
    this.opts.input.on('end', this.onEnd);
    for (const s of SIGNALS) process.on(s, this.onSignal);
    this.opts.input.resume();
    this.step();
  }

  private guarded<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args: A): void => {
      try {
        fn(...args);
      } catch (error) {
        this.finish({ reason: 'error', error });
      }
    };
  }

  private readonly step = this.guarded((): void => this.advance());
  private readonly onData = this.guarded((chunk: Uint8Array | string): void => this.typed(chunk));
  private readonly onEnd = (): void => this.finish({ reason: 'end-of-input' });
  private readonly onSignal = (signal: NodeJS.Signals): void => this.finish({ reason: 'signal', signal });

  /** Run the guests, then arrange the next wake-up: a tick, an immediate or the next deadline. */
  private advance(): void {
    this.cancel();
    if (this.finished) return;
    this.catchUp();
    if (this.opts.realtime) {
      if (this.session.isIdle()) this.sleepUntilDeadline();
      else this.timer = setTimeout(this.step, REALTIME_TICK_MS);
      return;
    }
    this.wallMark = undefined;
    const idle = this.session.emulator.runUntilIdle(FAST_SLICE_NS);
    if (!idle) {
      this.immediate = setImmediate(this.step);
      return;
    }
    this.wallMark = this.clock();
    this.sleepUntilDeadline();
  }

  /** Keys from the terminal: bytes for the guest up to the quit key. */
  private typed(chunk: Uint8Array | string): void {
    const bytes = typeof chunk === 'string' ? Uint8Array.from(chunk, (c) => c.charCodeAt(0) & 0xff) : chunk;
    const q = bytes.indexOf(this.opts.quitKey);
    const toGuest = q >= 0 ? bytes.subarray(0, q) : bytes;
    this.cancel();
    this.catchUp();
    if (toGuest.length > 0) this.session.type(toGuest);
    if (q >= 0) {
      // Let the guests take what was typed before the quit key, then stop.
      this.session.emulator.runUntilIdle(FAST_SLICE_NS);
      this.finish({ reason: 'quit' });
      return;
    }
    this.step();
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
  }

  private sleepUntilDeadline(): void {
    const next = this.session.nextDeadlineNs();
    if (next === Infinity) return; // only input can wake the guests
    const ms = Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil((next - this.session.emulator.now()) / 1e6)));
    this.timer = setTimeout(this.step, ms);
  }

  /** Bring virtual time up to the wall clock (realtime, or fast mode's idle stretches). */
  private catchUp(): void {
    if (this.wallMark === undefined) return;
    const t = this.clock();
    const dueNs = (t - this.wallMark) * 1e6;
    this.wallMark = t;
    if (dueNs <= 0) return;
    // Busy in realtime: a bounded step (a slow host slows virtual time rather than stalling keys).
    // Idle: the whole stretch at once, since nothing runs until a deadline inside it.
    this.session.runFor(this.opts.realtime && !this.session.isIdle() ? Math.min(dueNs, REALTIME_MAX_STEP_NS) : dueNs);
  }

  private finish(end: InteractiveEnd): void {
    if (this.finished) return;
    this.finished = true;
    this.cancel();
    this.opts.input.removeListener('data', this.onData);
    this.opts.input.removeListener('end', this.onEnd);
    for (const s of SIGNALS) process.removeListener(s, this.onSignal);
    this.opts.input.pause();
    this.resolve(end);
  }
}

/** Signals from outside that end the session (raw mode turns the terminal's Ctrl-C into a byte). */
export const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The conventional exit status for a signal (128 + its number). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : signal === 'SIGHUP' ? 129 : 1;
}
