// Property: any bytes typed in any batches at any times reach the guests as a reference model of
// the switch protocol says (REFERENCE.md section 3), through driver, virt_rx, VMM and virtio; with
// guests that read promptly nothing is dropped, and the run never throws or stalls.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { build, testGuest } from './helpers';
import type { ConsoleTestGuest } from '../../../src/emulator/guest/console-test-guest';

/** The switch protocol written from the reference text, independently of pds/virt-rx.ts. */
function reference(bytes: number[], clients: number, switchChar: number): number[][] {
  const out: number[][] = Array.from({ length: clients }, () => []);
  let current = 0;
  let pending: number[] | undefined; // undefined: normal; []: after the switch char; digits: number mode
  for (const b of bytes) {
    const digit = b >= 0x30 && b <= 0x39;
    if (pending === undefined) {
      if (b === switchChar) pending = [];
      else out[current].push(b);
    } else if (pending.length === 0) {
      if (digit) pending.push(b);
      else {
        if (b === switchChar) out[current].push(b);
        pending = undefined;
      }
    } else if (b === 0x0d) {
      const n = Number(String.fromCharCode(...pending));
      if (n < clients) current = n;
      pending = undefined;
    } else if (digit && pending.length < 4) pending.push(b);
    else pending = undefined;
  }
  return out;
}

describe('emulator: typed input property', () => {
  it('delivers typed bytes as the reference switch protocol says', () => {
    const byte = fc.oneof(fc.constantFrom(0x40, 0x0d, 0x30, 0x31, 0x32), fc.integer({ min: 0, max: 255 }));
    fc.assert(
      fc.property(
        fc.array(fc.record({ bytes: fc.array(byte, { minLength: 1, maxLength: 40 }), waitUs: fc.integer({ min: 0, max: 300 }) }), {
          minLength: 1,
          maxLength: 25,
        }),
        fc.boolean(),
        (batches, fast) => {
          const guests: ConsoleTestGuest[] = [];
          const emu = build({ programs: [testGuest({}, guests), testGuest({}, guests)], serial: { fast } });
          emu.runFor(50_000);
          const typed: number[] = [];
          for (const b of batches) {
            emu.typeInput(Uint8Array.from(b.bytes));
            typed.push(...b.bytes);
            emu.runFor(b.waitUs * 1000 + 1);
          }
          assert.ok(emu.runUntilIdle(5e9), 'goes idle');
          const want = reference(typed, 2, 0x40);
          guests.forEach((g, i) => assert.deepEqual(Array.from(g.receivedBytes()), want[i], `client ${i}`));
          const snap = emu.snapshot();
          assert.deepEqual(snap.serial.rxDropped, [0, 0]);
          assert.equal(snap.serial.uartOverruns, 0);
        },
      ),
      { numRuns: 40, seed: 99 },
    );
  });
});
