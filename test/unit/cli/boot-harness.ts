// Runs `dual-guest boot` in-process (runBoot, the CLI's own code path) with captured streams: a
// byte stream as standard input (script/pipe mode) or a fake terminal (interactive mode).
import { EventEmitter } from 'events';
import { Readable } from 'stream';
import { OverlayFileHost, MemoryFileHost } from '../../../src/common/host';
import { NodeFileHost } from '../../../src/node/file-host';
import { runBoot, type BootIo } from '../../../src/cli/boot';
import type { BootSession } from '../../../src/cli/boot-session';

export interface BootRun {
  code: number;
  /** The transcript (standard output) as latin1 text: one character per byte. */
  stdout: string;
  stderr: string;
  /** Files the CLI wrote (--record), by absolute path. */
  written: Map<string, string>;
  session?: BootSession;
}

export interface BootRunOptions {
  /** Extra or replaced files, over the real file system. */
  files?: Record<string, string>;
  cwd?: string;
}

function capture(opts: BootRunOptions): { io: Partial<BootIo>; run: Omit<BootRun, 'code'> } {
  const run: Omit<BootRun, 'code'> = { stdout: '', stderr: '', written: new Map() };
  const memory = new MemoryFileHost(opts.files ?? {});
  const io: Partial<BootIo> = {
    stdout: (d) => {
      run.stdout += typeof d === 'string' ? d : Buffer.from(d).toString('latin1');
    },
    stderr: (t) => {
      run.stderr += t;
    },
    host: new OverlayFileHost(memory, new NodeFileHost()),
    cwd: opts.cwd ?? '/',
    writeFile: (f, t) => {
      run.written.set(f, t);
      memory.set(f, t);
    },
    onSession: (s) => {
      run.session = s;
    },
  };
  return { io, run };
}

/** Boot with `input` piped to standard input (not a terminal). */
export async function bootPiped(args: string[], input: string, opts: BootRunOptions = {}): Promise<BootRun> {
  const { io, run } = capture(opts);
  const stdin = Object.assign(Readable.from([Buffer.from(input, 'latin1')]), { isTTY: false as const });
  const code = await runBoot(args, { ...io, stdin: stdin as unknown as BootIo['stdin'] });
  return { code, ...run };
}

/** A terminal on standard input: the test types with `type`, and sees raw-mode changes. */
export class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  readonly rawModes: boolean[] = [];
  setRawMode(raw: boolean): this {
    this.rawModes.push(raw);
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  type(text: string): void {
    this.emit('data', Buffer.from(text, 'latin1'));
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    // Interactive mode reads through 'data' events; nothing iterates a terminal.
  }
}

export interface InteractiveRun {
  terminal: FakeTerminal;
  run: Omit<BootRun, 'code'>;
  done: Promise<number>;
}

export function bootInteractive(args: string[], opts: BootRunOptions = {}): InteractiveRun {
  const { io, run } = capture(opts);
  const terminal = new FakeTerminal();
  const done = runBoot(args, { ...io, stdin: terminal as unknown as BootIo['stdin'] });
  return { terminal, run, done };
}

/** Wait (wall clock) until `pred` holds, polling; fails after `ms`. */
export async function waitFor(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}
