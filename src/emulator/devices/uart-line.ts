// The outside of a UART: the RX wire the host types onto (bytes not yet received by the UART) and
// the TX line's capture (bytes that left, handed to the host in pieces), plus the interface every
// board's UART model gives the emulator and its hosts.
import type { Device } from '../kernel';
import type { RegisterDevice } from './bus';

/** A board's UART as the emulator, its hosts and the PDs or guests that own it see it. */
export interface SerialDevice extends Device, RegisterDevice {
  /** Bytes arriving on the RX line from the host. */
  type(bytes: Uint8Array): void;
  /** Bytes typed but not yet received by the UART. */
  wirePending(): number;
  /** When the oldest byte that drainOutput would return left the line (virtual ns). */
  outputStartTime(): number;
  /** Hand out (and forget) what left the TX line since the last call. */
  drainOutput(): Uint8Array | undefined;
  drainOutputIfAtLeast(min: number): Uint8Array | undefined;
  /** Bytes on the wire, in a FIFO or being shifted. */
  busy(): boolean;
  setFast(fast: boolean): void;
  /** Nanoseconds per character at the programmed rate and frame. */
  charTimeNs(): number;
  overruns: number;
  txBytes: number;
  rxBytes: number;
}

/** A UART's TX FIFO as a driver fills it: a bulk form of "write the data register while not full". */
export interface TxFifo {
  writeTxFifo(src: Uint8Array, from: number, to: number): number;
  txFifoFull(): boolean;
}

/**
 * A driver's TX loop: dequeue from an sDDF queue into the UART while its TX FIFO has room, reading
 * the shared indices once and publishing head once, as the C drivers' local head does. Returns how
 * many bytes went.
 */
export function queueToTxFifo(q: { head: number; tail: number; capacity: number; data: Uint8Array }, uart: TxFifo): number {
  let sent = 0;
  let head = q.head;
  const tail = q.tail,
    mask = q.capacity - 1;
  while (head !== tail && !uart.txFifoFull()) {
    // Up to the end of the ring or the tail, whichever is first.
    const start = head & mask;
    const n = Math.min((tail - head) >>> 0, q.capacity - start);
    const written = uart.writeTxFifo(q.data, start, start + n);
    head = (head + written) >>> 0;
    sent += written;
    if (written < n) break;
  }
  if (sent > 0) q.head = head;
  return sent;
}

export class UartWire {
  private buf = new Uint8Array(256);
  private head = 0;
  private len = 0;

  get length(): number {
    return this.len;
  }

  push(bytes: Uint8Array): void {
    if (this.head + this.len + bytes.length > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.len + bytes.length));
      bigger.set(this.buf.subarray(this.head, this.head + this.len));
      this.buf = bigger;
      this.head = 0;
    }
    this.buf.set(bytes, this.head + this.len);
    this.len += bytes.length;
  }

  /** The next byte typed (call only when length > 0). */
  shift(): number {
    const b = this.buf[this.head++];
    this.len--;
    if (this.len === 0) this.head = 0;
    return b;
  }

  snapshot(): number[] {
    return Array.from(this.buf.subarray(this.head, this.head + this.len));
  }

  /** Forget what is on the wire (a receiver that is off loses it). */
  clear(): void {
    this.head = this.len = 0;
  }

  restore(bytes: number[]): void {
    this.buf = new Uint8Array(Math.max(256, bytes.length));
    this.buf.set(bytes);
    this.head = 0;
    this.len = bytes.length;
  }
}

export class UartCapture {
  private out = new Uint8Array(1 << 16);
  private len = 0;
  /** Virtual time the oldest undrained byte left the line. */
  private start = 0;

  get length(): number {
    return this.len;
  }

  get startTime(): number {
    return this.start;
  }

  push(byte: number, at: number): void {
    if (this.len === this.out.length) this.grow(this.len + 1);
    if (this.len === 0) this.start = at;
    this.out[this.len++] = byte;
  }

  pushAll(bytes: Uint8Array, at: number): void {
    if (bytes.length === 0) return;
    if (this.len + bytes.length > this.out.length) this.grow(this.len + bytes.length);
    if (this.len === 0) this.start = at;
    this.out.set(bytes, this.len);
    this.len += bytes.length;
  }

  drain(): Uint8Array | undefined {
    if (this.len === 0) return undefined;
    const bytes = this.out.slice(0, this.len);
    this.len = 0;
    return bytes;
  }

  drainIfAtLeast(min: number): Uint8Array | undefined {
    return this.len >= min ? this.drain() : undefined;
  }

  private grow(need: number): void {
    let size = this.out.length * 2;
    while (size < need) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.out.subarray(0, this.len));
    this.out = bigger;
  }
}

/** The line side both UART models share: the wire typed onto and the TX line's capture. */
export abstract class UartLineSide {
  /** Bytes typed by the host, not yet received by the UART. */
  protected readonly wire = new UartWire();
  /** Bytes that left on the TX line since the last drain. */
  protected readonly line = new UartCapture();

  wirePending(): number {
    return this.wire.length;
  }

  outputStartTime(): number {
    return this.line.startTime;
  }

  drainOutput(): Uint8Array | undefined {
    return this.line.drain();
  }

  drainOutputIfAtLeast(min: number): Uint8Array | undefined {
    return this.line.drainIfAtLeast(min);
  }
}
