// A UART's hardware FIFO: a fixed ring of entries. Entries are 16 bits wide because some receive
// FIFOs store error flags beside each character (the PL011's RX FIFO holds 12-bit entries).

export class ByteFifo {
  private readonly buf: Uint16Array;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.buf = new Uint16Array(capacity);
  }

  /** Entries held. */
  get length(): number {
    return this.count;
  }

  isFull(): boolean {
    return this.count === this.capacity;
  }

  /** Append an entry; the caller checks for room (hardware differs in what a full FIFO does). */
  push(entry: number): void {
    let at = this.head + this.count;
    if (at >= this.capacity) at -= this.capacity;
    this.buf[at] = entry;
    this.count++;
  }

  /** The oldest entry, removed (call only when length > 0). */
  shift(): number {
    const v = this.buf[this.head];
    if (++this.head === this.capacity) this.head = 0;
    this.count--;
    return v;
  }

  /** The oldest entry, left in place (call only when length > 0). */
  peek(): number {
    return this.buf[this.head];
  }

  clear(): void {
    this.head = this.count = 0;
  }

  /** The entries, oldest first (saved state). */
  toArray(): number[] {
    const out: number[] = [];
    for (let i = 0, at = this.head; i < this.count; i++, at = at + 1 === this.capacity ? 0 : at + 1) out.push(this.buf[at]);
    return out;
  }

  /** Refill from saved state (as many entries as fit). */
  restore(entries: readonly number[]): void {
    this.head = 0;
    this.count = Math.min(entries.length, this.capacity);
    for (let i = 0; i < this.count; i++) this.buf[i] = entries[i];
  }
}
