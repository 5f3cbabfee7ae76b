// Property: whatever chains a well-behaved driver puts on transmitq (1-3 descriptors, lengths up to
// beyond the whole sDDF queue, any queue size, indices near the u16 wrap), the bytes reach the UART
// line once and in order, and every chain comes back on the used ring with length 0.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { IdleGuest, build, driverInit, LAYOUT, RamWriter, RAM, V, Collector } from './helpers';

describe('emulator: virtio transmitq property', () => {
  it('delivers every chain once and in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 16 }).chain((num) =>
          fc.record({
            num: fc.constant(num),
            chains: fc.array(fc.array(fc.integer({ min: 0, max: 12000 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 12 }),
            batch: fc.integer({ min: 1, max: num }),
          }),
        ),
        ({ num, chains, batch }) => {
          const idle = new IdleGuest();
          const emu = build({ programs: [() => idle, () => new IdleGuest()] });
          const out = new Collector();
          emu.onUartOutput(out.push);
          emu.runFor(10_000);
          const m = idle.machine,
            ram = new RamWriter(m);
          driverInit(m, num, LAYOUT);
          const expected: number[] = [];
          let seed = 1,
            next = 0,
            submitted = 0,
            usedSeen = 0;
          const free = Array.from({ length: num }, (_, i) => i);
          const chainIds = new Map<number, number[]>();
          let rounds = 0;
          const bufBase = RAM + 0x100000;
          let bufOff = 0;
          while (usedSeen < chains.length) {
            assert.ok(++rounds < 500, 'no progress');
            // Submit up to `batch` chains whose descriptors fit, then kick and let the system run.
            let added = 0;
            while (submitted < chains.length && added < batch && free.length >= chains[submitted].length) {
              const lens = chains[submitted];
              const ids = lens.map(() => free.shift()!);
              lens.forEach((len, j) => {
                const data = Uint8Array.from({ length: len }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
                const gpa = bufBase + bufOff;
                bufOff = (bufOff + len + 16) % 0x300000;
                if (bufOff + 13000 > 0x300000) bufOff = 0;
                ram.bytes(gpa, data);
                expected.push(...data);
                ram.desc(LAYOUT.tx.desc, ids[j], gpa, len, j + 1 < lens.length ? 1 : 0, j + 1 < lens.length ? ids[j + 1] : 0);
              });
              ram.avail(LAYOUT.tx, num, [ids[0]]);
              chainIds.set(ids[0], ids);
              submitted++;
              added++;
            }
            if (added > 0) assert.ok(m.mmioWrite(V + 0x050, 4, 1));
            emu.runFor(2_000_000);
            // Reclaim used chains.
            const used = ram.read(LAYOUT.tx.used + 2, 2);
            const usedIdx = used[0] | (used[1] << 8);
            while (next !== usedIdx) {
              const e = ram.read(LAYOUT.tx.used + 4 + 8 * (next % num), 8);
              const id = e[0] | (e[1] << 8),
                len = e[4] | (e[5] << 8) | (e[6] << 16) | (e[7] << 24);
              assert.equal(len, 0);
              free.push(...chainIds.get(id)!);
              next = (next + 1) & 0xffff;
              usedSeen++;
            }
            if (added === 0 && next === usedIdx && usedSeen < chains.length) assert.ok(m.mmioWrite(V + 0x050, 4, 1), 'kick again');
          }
          emu.runUntilIdle(1e9);
          const got = out.bytes().subarray(13);
          assert.equal(got.length, expected.length);
          assert.ok(Buffer.from(got).equals(Buffer.from(expected)));
          assert.equal(m.mmioRead(V + 0x070, 4)! & 64, 0, 'no DEVICE_NEEDS_RESET');
        },
      ),
      { numRuns: 25, seed: 4242 },
    );
  });
});
