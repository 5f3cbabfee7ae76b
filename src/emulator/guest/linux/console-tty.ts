// The console tty: an output buffer in front of the hvc driver and n_tty's canonical line
// discipline with the default termios (ICRNL, ONLCR, ICANON, ECHO, ECHOE, ECHOCTL, ISIG). Input
// bytes come from the virtio receive queue; echo and program output go to the output buffer, which
// the kernel drains into virtio transmit buffers.

/** A fixed-capacity byte FIFO (no allocation per byte). */
export class ByteQueue {
  private readonly buf: Uint8Array;
  private head = 0;
  private count = 0;
  constructor(readonly capacity: number) {
    this.buf = new Uint8Array(capacity);
  }
  get length(): number {
    return this.count;
  }
  get room(): number {
    return this.capacity - this.count;
  }
  /** Appends as much of `bytes` as fits; returns how many were taken. */
  push(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.room);
    let tail = (this.head + this.count) % this.capacity;
    const first = Math.min(n, this.capacity - tail);
    this.buf.set(bytes.subarray(0, first), tail);
    if (n > first) this.buf.set(bytes.subarray(first, n), 0);
    tail = (tail + n) % this.capacity;
    this.count += n;
    return n;
  }
  /** Moves up to `max` bytes into `dst` at `dstOffset`; returns the count. */
  popInto(dst: Uint8Array, dstOffset: number, max: number): number {
    const n = Math.min(max, this.count);
    const first = Math.min(n, this.capacity - this.head);
    dst.set(this.buf.subarray(this.head, this.head + first), dstOffset);
    if (n > first) dst.set(this.buf.subarray(0, n - first), dstOffset + first);
    this.head = (this.head + n) % this.capacity;
    this.count -= n;
    return n;
  }
  clear(): void {
    this.head = 0;
    this.count = 0;
  }
}

const CR = 0x0d;
const LF = 0x0a;
const VINTR = 0x03; // Ctrl-C
const VEOF = 0x04; // Ctrl-D
const BS = 0x08;
const VKILL = 0x15; // Ctrl-U
const VERASE = 0x7f;
/** n_tty's canonical line limit. */
const MAX_CANON = 4095;

/** What a read on the tty returns: a line with its newline, text cut short by Ctrl-D, or end of file. */
export type TtyEvent = { kind: 'line'; text: string } | { kind: 'partial'; text: string } | { kind: 'eof' };

/** ONLCR: "\n" becomes "\r\n" on output. */
export function onlcr(text: string): Uint8Array {
  const src = new TextEncoder().encode(text);
  let lf = 0;
  for (const b of src) if (b === LF) lf++;
  if (lf === 0) return src;
  const out = new Uint8Array(src.length + lf);
  let j = 0;
  for (const b of src) {
    if (b === LF) out[j++] = CR;
    out[j++] = b;
  }
  return out;
}

/**
 * n_tty in canonical mode. `echo` writes to the terminal; `interrupt` delivers SIGINT to the
 * foreground job and discards output not yet handed to the device. Completed lines and EOFs queue
 * up for the reader.
 */
export class LineDiscipline {
  private line: number[] = [];
  private readonly ready: TtyEvent[] = [];
  /** Echo off (getty's password prompt). */
  echo = true;
  constructor(
    private readonly write: (bytes: Uint8Array) => void,
    private readonly interrupt: () => void,
  ) {}

  receive(bytes: Uint8Array): void {
    for (let b of bytes) {
      if (b === CR) b = LF; // ICRNL
      if (b === VINTR) {
        // ISIG without NOFLSH: the signal flushes what was typed ahead and (through `interrupt`) the
        // pending output, then "^C" is echoed.
        this.line = [];
        this.ready.length = 0;
        this.interrupt();
        this.echoBytes([0x5e, 0x43]);
      } else if (b === VERASE || b === BS) {
        if (this.line.length > 0) {
          const erased = this.line.pop()!;
          // ECHOCTL printed control characters as two columns; erase both.
          this.echoBytes(erased < 0x20 ? [BS, 0x20, BS, BS, 0x20, BS] : [BS, 0x20, BS]);
        }
      } else if (b === VKILL) {
        while (this.line.length > 0) {
          this.line.pop();
          this.echoBytes([BS, 0x20, BS]);
        }
      } else if (b === VEOF) {
        // At the start of a line it is end of file; otherwise it hands over the partial line.
        if (this.line.length === 0) this.ready.push({ kind: 'eof' });
        else this.pushLine('partial');
      } else if (b === LF) {
        this.echoBytes([CR, LF]);
        this.pushLine('line');
      } else if (this.line.length < MAX_CANON) {
        this.line.push(b);
        this.echoBytes(b < 0x20 ? [0x5e, b + 0x40] : [b]);
      }
    }
  }

  /** The next completed line or EOF, if any. */
  take(): TtyEvent | undefined {
    return this.ready.shift();
  }
  hasInput(): boolean {
    return this.ready.length > 0;
  }
  /** Drop typed-ahead input (a new login session starts clean). */
  flush(): void {
    this.line = [];
    this.ready.length = 0;
  }

  private pushLine(kind: 'line' | 'partial'): void {
    this.ready.push({ kind, text: new TextDecoder('latin1').decode(new Uint8Array(this.line)) });
    this.line = [];
  }
  private echoBytes(bytes: number[]): void {
    if (this.echo) this.write(new Uint8Array(bytes));
  }
}
