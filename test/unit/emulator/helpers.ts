// Shared helpers for the emulator's unit tests: a do-nothing guest, a pattern source, and a
// virtio-mmio driver's register steps driven from the test through the GuestMachine.
import type { GuestMachine, GuestProgram, GuestRunResult } from '../../../src/emulator/guest/interface';
import { createEmulator, type Emulator } from '../../../src/emulator/emulator';
import { exampleDualGuestConfig, type ExampleOptions, EXAMPLE_VIRTIO_BASE } from '../../../src/emulator/example-system';
import { ConsoleTestGuest, type ConsoleTestGuestOptions } from '../../../src/emulator/guest/console-test-guest';
import type { EmulatorConfig } from '../../../src/emulator/config';

/** A guest that does nothing on its own: tests drive its machine directly. */
export class IdleGuest implements GuestProgram {
  machine!: GuestMachine;
  interrupts: number[] = [];
  /** Enables the example console's INTID (74), as a guest's request_irq would. */
  start(m: GuestMachine): void {
    this.machine = m;
    m.enableInterrupt(74);
  }
  run(sliceNs: number): GuestRunResult {
    this.machine.consume(Math.min(sliceNs, 1000));
    return 'idle';
  }
  onInterrupt(intid: number): void {
    this.interrupts.push(intid);
    this.machine.endOfInterrupt(intid);
  }
  onTimer(): void {
    /* no timer */
  }
}

/** Printable stream bytes for guest `tag` (0x20..0x7e, never ESC), cheap to generate in bulk. */
const PERIOD = 65521;
const patterns = [0, 1, 2].map((tag) => {
  const p = new Uint8Array(PERIOD + 8192);
  for (let i = 0; i < p.length; i++) p[i] = 0x20 + (((i % PERIOD) * (tag + 1) + tag * 7) % 95);
  return p;
});
export function fillPattern(tag: number): (offset: number, dst: Uint8Array) => void {
  const p = patterns[tag];
  return (offset, dst) => {
    const s = offset % PERIOD;
    dst.set(p.subarray(s, s + dst.length));
  };
}
export function expectedPattern(tag: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const fill = fillPattern(tag);
  for (let off = 0; off < length; off += 8192) fill(off, out.subarray(off, Math.min(length, off + 8192)));
  return out;
}

export function testGuest(opts: Partial<ConsoleTestGuestOptions>, sink?: ConsoleTestGuest[]): () => ConsoleTestGuest {
  return () => {
    const g = new ConsoleTestGuest({ virtioBase: EXAMPLE_VIRTIO_BASE, ...opts });
    sink?.push(g);
    return g;
  };
}

export function build(opts: Partial<ExampleOptions> & Pick<ExampleOptions, 'programs'>, edit?: (c: EmulatorConfig) => void): Emulator {
  const config = exampleDualGuestConfig({ ramSize: 0x800000, ...opts });
  edit?.(config);
  const { emulator, diagnostics } = createEmulator(config);
  if (!emulator) throw new Error(`config rejected: ${diagnostics.map((d) => d.message).join('; ')}`);
  return emulator;
}

export const V = EXAMPLE_VIRTIO_BASE;
export const RAM = 0x40000000;

/** The register steps of a virtio-mmio driver bringing the console up with queues of `num`. */
export function driverInit(m: GuestMachine, num: number, layout: { rx: QueueLayout; tx: QueueLayout }): void {
  const w = (reg: number, v: number): void => {
    if (!m.mmioWrite(V + reg, 4, v)) throw new Error(`write 0x${reg.toString(16)} failed`);
  };
  w(0x070, 0);
  w(0x070, 1);
  w(0x070, 3);
  w(0x024, 0);
  w(0x020, 0);
  w(0x024, 1);
  w(0x020, 1);
  w(0x070, 0xb);
  for (const [sel, q] of [
    [0, layout.rx],
    [1, layout.tx],
  ] as const) {
    w(0x030, sel);
    w(0x038, num);
    w(0x080, q.desc);
    w(0x084, 0);
    w(0x090, q.avail);
    w(0x094, 0);
    w(0x0a0, q.used);
    w(0x0a4, 0);
    w(0x044, 1);
  }
  w(0x070, 0xf);
}

export interface QueueLayout {
  desc: number;
  avail: number;
  used: number;
}
export const LAYOUT = {
  rx: { desc: RAM + 0x10000, avail: RAM + 0x11000, used: RAM + 0x12000 },
  tx: { desc: RAM + 0x20000, avail: RAM + 0x21000, used: RAM + 0x22000 },
};

/** Little-endian writes into guest RAM, as the guest's driver would do. */
export class RamWriter {
  private readonly v: DataView;
  constructor(private readonly m: GuestMachine) {
    this.v = new DataView(m.ram.buffer, m.ram.byteOffset, m.ram.byteLength);
  }
  o(gpa: number): number {
    return gpa - this.m.ramBase;
  }
  desc(table: number, i: number, addr: number, len: number, flags: number, next: number): void {
    const d = this.o(table) + 16 * i;
    this.v.setUint32(d, addr % 0x100000000, true);
    this.v.setUint32(d + 4, Math.floor(addr / 0x100000000), true);
    this.v.setUint32(d + 8, len >>> 0, true);
    this.v.setUint16(d + 12, flags, true);
    this.v.setUint16(d + 14, next, true);
  }
  avail(q: QueueLayout, num: number, heads: number[]): void {
    let idx = this.v.getUint16(this.o(q.avail) + 2, true);
    for (const h of heads) {
      this.v.setUint16(this.o(q.avail) + 4 + 2 * (idx % num), h, true);
      idx = (idx + 1) & 0xffff;
    }
    this.v.setUint16(this.o(q.avail) + 2, idx, true);
  }
  setAvailIdx(q: QueueLayout, idx: number): void {
    this.v.setUint16(this.o(q.avail) + 2, idx, true);
  }
  bytes(gpa: number, data: Uint8Array | string): void {
    const b = typeof data === 'string' ? Uint8Array.from(data, (c) => c.charCodeAt(0)) : data;
    this.m.ram.set(b, this.o(gpa));
  }
  read(gpa: number, len: number): number[] {
    return Array.from(this.m.ram.subarray(this.o(gpa), this.o(gpa) + len));
  }
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export function text(b: Uint8Array): string {
  return String.fromCharCode(...b);
}

/** Concatenate output pieces. */
export class Collector {
  private parts: Uint8Array[] = [];
  length = 0;
  push = (b: Uint8Array): void => {
    this.parts.push(b);
    this.length += b.length;
  };
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}
