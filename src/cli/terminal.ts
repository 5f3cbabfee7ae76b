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
  const clock = opts.now ?? (() => performance.now());
  return new Promise<InteractiveEnd>((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let immediate: ReturnType<typeof setImmediate> | undefined;
    let finished = false;
    // Wall time up to which virtual time has been brought (realtime always; fast only while idle).
    let wallMark: number | undefined = opts.realtime ? clock() : undefined;

    const cancel = (): void => {
      if (timer) clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      timer = immediate = undefined;
    };
    const sleepUntilDeadline = (): void => {
      const next = session.nextDeadlineNs();
      if (next === Infinity) return; // only input can wake the guests
      const ms = Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil((next - session.emulator.now()) / 1e6)));
      timer = setTimeout(step, ms);
    };
    // Bring virtual time up to the wall clock (realtime, or fast mode's idle stretches).
    const catchUp = (): void => {
      if (wallMark === undefined) return;
      const t = clock();
      const dueNs = (t - wallMark) * 1e6;
      wallMark = t;
      if (dueNs <= 0) return;
      // Busy in realtime: a bounded step (a slow host slows virtual time rather than stalling keys).
      // Idle: the whole stretch at once, since nothing runs until a deadline inside it.
      session.runFor(opts.realtime && !session.isIdle() ? Math.min(dueNs, REALTIME_MAX_STEP_NS) : dueNs);
    };
    // Every entry from the event loop goes through here: a throw ends the session, never the process.
    const guarded = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A): void => {
      try {
        fn(...args);
      } catch (error) {
        finish({ reason: 'error', error });
      }
    };
    const step = guarded(stepUnguarded);
    function stepUnguarded(): void {
      cancel();
      if (finished) return;
      catchUp();
      if (opts.realtime) {
        if (session.isIdle()) sleepUntilDeadline();
        else timer = setTimeout(step, REALTIME_TICK_MS);
        return;
      }
      wallMark = undefined;
      const idle = session.emulator.runUntilIdle(FAST_SLICE_NS);
      if (!idle) {
        immediate = setImmediate(step);
        return;
      }
      wallMark = clock();
      sleepUntilDeadline();
    }

    const finish = (end: InteractiveEnd): void => {
      if (finished) return;
      finished = true;
      cancel();
      opts.input.removeListener('data', onData);
      opts.input.removeListener('end', onEnd);
      for (const s of SIGNALS) process.removeListener(s, onSignal);
      opts.input.pause();
      resolve(end);
    };
    const onData = guarded((chunk: Uint8Array | string): void => {
      const bytes = typeof chunk === 'string' ? Uint8Array.from(chunk, (c) => c.charCodeAt(0) & 0xff) : chunk;
      const q = bytes.indexOf(opts.quitKey);
      const toGuest = q >= 0 ? bytes.subarray(0, q) : bytes;
      cancel();
      catchUp();
      if (toGuest.length > 0) session.type(toGuest);
      if (q >= 0) {
        // Let the guests take what was typed before the quit key, then stop.
        session.emulator.runUntilIdle(FAST_SLICE_NS);
        finish({ reason: 'quit' });
        return;
      }
      step();
    });
    const onEnd = (): void => finish({ reason: 'end-of-input' });
    const onSignal = (signal: NodeJS.Signals): void => finish({ reason: 'signal', signal });

    opts.input.on('data', onData);
    opts.input.on('end', onEnd);
    for (const s of SIGNALS) process.on(s, onSignal);
    opts.input.resume();
    step();
  });
}

/** Signals from outside that end the session (raw mode turns the terminal's Ctrl-C into a byte). */
export const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The conventional exit status for a signal (128 + its number). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : signal === 'SIGHUP' ? 129 : 1;
}
