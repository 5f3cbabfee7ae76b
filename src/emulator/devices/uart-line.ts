// The outside of a UART: the RX wire the host types onto (bytes not yet received by the UART) and
// the TX line's capture (bytes that left, handed to the host in pieces), plus the interface every
// board's UART model gives the emulator and its hosts.
import type { Device } from '../kernel';
import type { RegisterDevice } from './bus';
import { ByteFifo } from './byte-fifo';

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

/** What every UART model saves of its line side: the FIFOs, the shift register, the wire and the pacing. */
export interface UartLineState {
  rx: number[];
  tx: number[];
  wire: number[];
  txShiftByte: number;
  txBusyUntil: number;
  nextRxArrival: number;
  overruns: number;
}

/**
 * The line side every UART model shares: the wire typed onto and the TX line's capture, the RX and
 * TX FIFOs, the transmit shift register paced at the character time, characters arriving from the
 * wire one character time apart, fast mode (no pacing: the TX FIFO empties at once, the RX FIFO
 * fills from the wire as it has room), and the interrupt line. A model adds its register map and
 * says, through the hooks below, when it receives, transmits and interrupts.
 */
export abstract class UartLineSide {
  /** Bytes typed by the host, not yet received by the UART. */
  protected readonly wire = new UartWire();
  /** Bytes that left on the TX line since the last drain. */
  protected readonly line = new UartCapture();
  protected readonly rxFifo: ByteFifo;
  protected readonly txFifo: ByteFifo;
  /** The character in the transmit shift register, or -1. */
  protected txShiftByte = -1;
  /** When the character being shifted out has left (Infinity: nothing shifting). */
  protected txBusyUntil = Infinity;
  /** When the next character on the wire has been received (Infinity: none due). */
  protected nextRxArrival = Infinity;
  overruns = 0;
  txBytes = 0;
  rxBytes = 0;
  private irqHigh = false;

  constructor(
    protected fast: boolean,
    protected readonly now: () => number,
    private readonly setIrq: (high: boolean) => void,
    fifoDepth: number,
  ) {
    this.rxFifo = new ByteFifo(fifoDepth);
    this.txFifo = new ByteFifo(fifoDepth);
  }

  // ---- what a model says

  /** Nanoseconds per character at the programmed rate and frame. */
  abstract charTimeNs(): number;
  /** Whether the model's interrupt conditions hold now. */
  protected abstract irqAsserted(): boolean;
  /** Whether the receiver takes characters from the wire. */
  protected abstract receiverOn(): boolean;
  /** A character arrived at `at`: into the RX FIFO, or lost (overrun, receiver off), as the model does. */
  protected abstract receive(byte: number, at: number): void;
  /** Entries the RX FIFO holds now (less than its depth when a model turns its FIFO off). */
  protected rxCapacity(): number {
    return this.rxFifo.capacity;
  }
  /** Whether the transmitter moves characters from the TX FIFO to the line. */
  protected transmitterRuns(): boolean {
    return true;
  }
  /** One write of the data register. */
  abstract transmit(byte: number): void;
  /** Whether a write of the data register finds room (the TX FIFO not full). */
  protected txRoom(): boolean {
    return !this.txFifo.isFull();
  }
  /** Characters left the TX FIFO for the line: its level went from `before` to `after`. */
  protected onTxDeparture(_before: number, _after: number): void {}
  /** In fast mode, what becomes of typing while the receiver is off (default: it waits on the wire). */
  protected receiverOffInFast(): void {}

  // ---- the line side

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

  /** Bytes arriving on the RX line from the host. */
  type(bytes: Uint8Array): void {
    this.wire.push(bytes);
    if (this.fast) {
      this.fillRxFast();
      this.updateIrq();
    } else if (this.nextRxArrival === Infinity && this.wire.length > 0) {
      this.nextRxArrival = this.now() + this.charTimeNs();
    }
  }

  busy(): boolean {
    return this.wire.length > 0 || this.txFifo.length > 0 || this.txShiftByte >= 0 || this.rxFifo.length > 0;
  }

  setFast(fast: boolean): void {
    this.fast = fast;
    if (fast) {
      this.flushTxFast();
      this.fillRxFast();
      this.nextRxArrival = Infinity;
    } else if (this.wire.length > 0 && this.nextRxArrival === Infinity) this.nextRxArrival = this.now() + this.charTimeNs();
    this.updateIrq();
  }

  /**
   * The driver writing the data register once per byte of src[from, to) while the TX FIFO has
   * room; returns how many were written. The same effect as that loop of register writes, done as
   * one copy when the line is unpaced.
   */
  writeTxFifo(src: Uint8Array, from: number, to: number): number {
    if (this.fast && this.transmitterRuns()) {
      this.sendNow(src, from, to);
      this.updateIrq();
      return to - from;
    }
    let n = 0;
    while (from + n < to && this.txRoom()) this.transmit(src[from + n++]);
    return n;
  }

  // ---- Device

  nextDeadline(): number {
    return Math.min(this.txBusyUntil, this.nextRxArrival);
  }

  advance(now: number): void {
    while (this.txBusyUntil <= now) {
      const done = this.txBusyUntil;
      this.line.push(this.txShiftByte, done);
      this.txBytes++;
      this.txShiftByte = -1;
      this.txBusyUntil = Infinity;
      if (this.txFifo.length > 0 && this.transmitterRuns()) this.startShift(done);
    }
    while (this.nextRxArrival <= now && this.wire.length > 0) {
      const at = this.nextRxArrival;
      this.receive(this.wire.shift(), at);
      this.nextRxArrival = this.wire.length > 0 ? at + this.charTimeNs() : Infinity;
    }
    this.timersDue(now);
    this.updateIrq();
  }

  /** A model's own timed events due by `now` (the PL011's receive timeout). */
  protected timersDue(_now: number): void {}

  // ---- for the models

  protected updateIrq(): void {
    const high = this.irqAsserted();
    if (high !== this.irqHigh) {
      this.irqHigh = high;
      this.setIrq(high);
    }
  }

  /** The oldest TX FIFO entry into the shift register; it is on the line one character time after `at`. */
  protected startShift(at: number): void {
    const before = this.txFifo.length;
    this.txShiftByte = this.txFifo.shift();
    this.onTxDeparture(before, before - 1);
    this.txBusyUntil = at + this.charTimeNs();
  }

  /** Start shifting if the transmitter is idle with characters waiting (after a byte is queued or TX enabled). */
  protected kickTx(): void {
    if (this.txShiftByte < 0 && this.txFifo.length > 0 && this.transmitterRuns()) this.startShift(this.now());
  }

  /** Fast mode: what is in the shift register and the TX FIFO leaves at once. */
  protected flushTxFast(): void {
    if (!this.transmitterRuns()) return;
    const at = this.now();
    if (this.txShiftByte >= 0) {
      this.line.push(this.txShiftByte, at);
      this.txBytes++;
      this.txShiftByte = -1;
      this.txBusyUntil = Infinity;
    }
    const before = this.txFifo.length;
    while (this.txFifo.length > 0) {
      this.line.push(this.txFifo.shift(), at);
      this.txBytes++;
    }
    this.onTxDeparture(before, 0);
  }

  /** Fast mode: bytes leave the wire for the RX FIFO as far as it has room. */
  protected fillRxFast(): void {
    if (!this.receiverOn()) {
      this.receiverOffInFast();
      return;
    }
    const at = this.now();
    while (this.wire.length > 0 && this.rxFifo.length < this.rxCapacity()) this.receive(this.wire.shift(), at);
  }

  /** Fast mode, transmitter running: one write of the data register leaves at once. */
  protected sendByteNow(byte: number): void {
    this.line.push(byte, this.now());
    this.txBytes++;
    this.onTxDeparture(1, 0);
  }

  /** Fast mode, transmitter running: src[from, to) leaves at once (a driver's bulk write of the data register). */
  protected sendNow(src: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    this.line.pushAll(src.subarray(from, to), this.now());
    this.txBytes += to - from;
    this.onTxDeparture(1, 0);
  }

  protected lineState(): UartLineState {
    return {
      rx: this.rxFifo.toArray(),
      tx: this.txFifo.toArray(),
      wire: this.wire.snapshot(),
      txShiftByte: this.txShiftByte,
      txBusyUntil: this.txBusyUntil,
      nextRxArrival: this.nextRxArrival,
      overruns: this.overruns,
    };
  }

  protected restoreLine(s: UartLineState): void {
    this.rxFifo.restore(s.rx);
    this.txFifo.restore(s.tx);
    this.wire.restore(s.wire);
    this.txShiftByte = s.txShiftByte;
    this.txBusyUntil = s.txBusyUntil;
    this.nextRxArrival = s.nextRxArrival;
    this.overruns = s.overruns;
  }
}
