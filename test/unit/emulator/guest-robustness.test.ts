// The Linux model against hostile inputs, without the emulator: mutated DTBs, and a device that
// answers every register read with arbitrary values and fills the used rings with garbage. The
// guest must never throw and every run() must return.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import type { GuestMachine, GuestRunResult } from '../../../src/emulator/guest/interface';
import { LinuxGuest } from '../../../src/emulator/guest/linux';
import { DTB_GPA, exampleDtb, RAM_GPA } from './guest-harness';
import { cpuTimeBudget } from '../../cpu-time';

/** Enough RAM for the DTB at 0x44000000 and the kernel's buffers; shared by all runs (cleared each time). */
const RAM_BYTES = 0x0500_0000;
const ram = new Uint8Array(RAM_BYTES);
/** Clear what a run can have touched: the kernel's buffers (from 32 MiB) and the DTB area. */
function resetRam(): void {
  ram.fill(0, 0x0200_0000, 0x0240_0000);
  ram.fill(0, DTB_GPA - RAM_GPA, DTB_GPA - RAM_GPA + 0x10000);
}

class ChaosMachine implements GuestMachine {
  readonly ramBase = RAM_GPA;
  readonly ram = ram;
  time = 0n;
  private state: number;
  psciCalls: number[] = [];
  constructor(
    seed: number,
    private readonly faultAt?: number,
  ) {
    this.state = seed >>> 0 || 1;
  }
  private next(): number {
    // xorshift32: deterministic noise for register answers.
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  mmioRead(gpa: number): number | undefined {
    if (gpa === this.faultAt) return undefined;
    const r = this.next();
    // Mostly plausible virtio answers so that the driver gets deep, sometimes pure noise.
    if ((r & 7) !== 0) {
      switch (gpa & 0xfff) {
        case 0x000:
          return 0x74726976;
        case 0x004:
          return 2;
        case 0x008:
          return 3;
        case 0x010:
          return 1;
        case 0x034:
          return r & 0x1ff;
        case 0x044:
          return 0;
        case 0x070:
          return r & 0x8 ? 0x0f : 0;
      }
    }
    return r;
  }
  mmioWrite(gpa: number): boolean {
    return gpa !== this.faultAt;
  }
  now(): bigint {
    return this.time;
  }
  consume(ns: number): void {
    this.time += BigInt(Math.round(ns));
  }
  setTimer(): void {}
  enableInterrupt(): void {}
  endOfInterrupt(): void {}
  psci(id: number): void {
    this.psciCalls.push(id);
  }
  log(): void {}
  /** Scribble over a used ring the way a broken device might. */
  scribble(): void {
    const base = 0x0200_0000;
    for (let i = 0; i < 64; i++) ram[base + ((this.next() % 0x10000) & ~1)] = this.next() & 0xff;
  }
}

function drive(guest: LinuxGuest, m: ChaosMachine, steps: number): GuestRunResult {
  let r: GuestRunResult = 'preempted';
  for (let i = 0; i < steps && r !== 'halted'; i++) {
    r = guest.run(1_000_000);
    if (r === 'idle') {
      m.time += 1_000_000n;
      guest.onTimer();
    }
    if (i % 3 === 0) {
      m.scribble();
      guest.onInterrupt(74);
    }
  }
  return r;
}

describe('Linux guest model: robustness', function () {
  cpuTimeBudget(this, 20_000);
  const good = exampleDtb(1);

  it('survives mutated DTBs: never throws, always returns', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.integer(),
        (edits, seed) => {
          resetRam();
          const dtb = good.slice();
          for (const [i, v] of edits) dtb[i] = v;
          ram.set(dtb, DTB_GPA - RAM_GPA);
          const m = new ChaosMachine(seed);
          const g = new LinuxGuest();
          g.start(m, DTB_GPA);
          drive(g, m, 300);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('survives a device that answers with noise, and stops cleanly on a fault', () => {
    fc.assert(
      fc.property(fc.integer(), fc.option(fc.constantFrom(0x150000, 0x150070, 0x150050, 0x303a0034), { nil: undefined }), (seed, faultAt) => {
        resetRam();
        ram.set(good, DTB_GPA - RAM_GPA);
        const m = new ChaosMachine(seed, faultAt);
        const g = new LinuxGuest();
        g.start(m, DTB_GPA);
        const r = drive(g, m, 300);
        if (faultAt === 0x150000 || faultAt === 0x303a0034) assert.equal(r, 'halted');
      }),
      { numRuns: 60 },
    );
  });

  it('halts when the DTB address is outside RAM', () => {
    const m = new ChaosMachine(1);
    const g = new LinuxGuest();
    g.start(m, 0x10);
    assert.equal(g.run(1_000_000), 'halted');
    assert.equal(g.currentPhase, 'halted');
  });
});
