// Conservation through the full data path: both guests send 10 MB each while 10,000 keystrokes with
// client switches are typed. Every byte arrives once and in order per guest (or is counted where the
// real system drops it; with guests that read promptly nothing is dropped).
import { strict as assert } from 'assert';
import { build, testGuest, fillPattern, expectedPattern, Collector } from './helpers';
import type { ConsoleTestGuest } from '../../../src/emulator/guest/console-test-guest';
import { SeededRandom } from '../../../src/emulator/random';

const PER_GUEST = 10_000_000;
const KEYSTROKES = 10_000;

/** Keystrokes with valid switches ("@0\r", "@1\r") and literal "@@", and what each client must get. */
function keystrokes(seed: number): { typed: string; expected: [string, string] } {
  const rnd = new SeededRandom(seed);
  let typed = '';
  const expected: [string, string] = ['', ''];
  let current = 0;
  while (typed.length < KEYSTROKES) {
    const r = rnd.int(0, 99);
    if (r < 5) {
      const to = rnd.int(0, 1);
      typed += `@${to}\r`;
      current = to;
    } else if (r < 7) {
      typed += '@@';
      expected[current] += '@';
    } else {
      const code = rnd.int(0x20, 0x7e);
      const c = String.fromCharCode(code === 0x40 ? 0x41 : code);
      typed += c;
      expected[current] += c;
    }
  }
  return { typed, expected };
}

/** Split the multiplexed line into per-colour streams (client i is ESC[3(1+i)m). */
function demux(line: Uint8Array, start: number): Uint8Array[] {
  const parts: Uint8Array[][] = [[], []];
  let i = start;
  while (i < line.length) {
    assert.equal(line[i], 0x1b, `escape expected at ${i}`);
    const client = line[i + 3] - 0x31;
    assert.ok(client === 0 || client === 1, `colour at ${i}`);
    const end = line.indexOf(0x1b, i + 5);
    parts[client].push(line.subarray(i + 5, end));
    assert.deepEqual(Array.from(line.subarray(end, end + 4)), [0x1b, 0x5b, 0x30, 0x6d]);
    i = end + 4;
  }
  return parts.map((ps) => {
    const out = new Uint8Array(ps.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of ps) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  });
}

describe('emulator: conservation through the full data path', function () {
  this.timeout(60_000);

  it('delivers 2 x 10 MB of output and 10,000 keystrokes with switches, each byte once and in order', () => {
    const guests: ConsoleTestGuest[] = [];
    const emu = build({
      programs: [
        testGuest({ txTotal: PER_GUEST, queueSize: 128, fill: fillPattern(0) }, guests),
        testGuest({ txTotal: PER_GUEST, queueSize: 128, fill: fillPattern(1) }, guests),
      ],
      serial: { colour: true },
    });
    const line = new Collector();
    emu.onUartOutput(line.push);
    const perClient = [new Collector(), new Collector()];
    emu.onClientOutput((client, bytes) => perClient[client].push(bytes));
    const { typed, expected } = keystrokes(7);
    for (let i = 0; i < typed.length; i += 50) {
      emu.typeInput(typed.slice(i, i + 50));
      emu.runFor(1_000_000);
    }
    assert.ok(emu.runUntilIdle(10e9), 'the system goes idle');

    const snap = emu.snapshot();
    assert.deepEqual(snap.serial.rxDropped, [0, 0], 'nothing dropped by virt_rx');
    assert.equal(snap.serial.uartOverruns, 0);
    for (const c of [0, 1]) {
      const got = String.fromCharCode(...guests[c].receivedBytes());
      assert.ok(got === expected[c], `keystrokes for client ${c}: got ${got.length} bytes, want ${expected[c].length}`);
      assert.equal(guests[c].txCompleted, PER_GUEST);
      assert.ok(Buffer.from(perClient[c].bytes()).equals(Buffer.from(expectedPattern(c, PER_GUEST))), `virt_tx tap for client ${c}`);
    }
    const all = line.bytes();
    assert.equal(String.fromCharCode(...all.subarray(0, 13)), 'Begin input\r\n');
    const streams = demux(all, 13);
    for (const c of [0, 1]) assert.ok(Buffer.from(streams[c]).equals(Buffer.from(expectedPattern(c, PER_GUEST))), `line stream of client ${c}`);
    assert.ok(snap.guests.every((g) => g.virtio.stats.rxDiscarded === 0 && g.virtio.stats.errors === 0));
  });

  it('counts the bytes virt_rx drops when a guest does not read', () => {
    // Guest 0 never posts receive buffers after the first 16 x 256 bytes are used: its sDDF RX
    // queue (8 KiB) fills and virt_rx drops the rest, as on the real system.
    const guests: ConsoleTestGuest[] = [];
    const emu = build({ programs: [testGuest({ queueSize: 16 }, guests), testGuest({}, guests)] });
    (guests[0] as unknown as { takeRx: () => void }).takeRx = () => undefined;
    const n = 20_000;
    emu.typeInput(new Uint8Array(n).fill(0x61));
    emu.runUntilIdle(10e9);
    const snap = emu.snapshot();
    const delivered = snap.guests[0].virtio.stats.rxBytes;
    const queued = snap.queues.find((q) => q.name === 'serial_virt_rx -> CLIENT_VMM-1')!.bytes.length;
    assert.equal(delivered + queued + snap.serial.rxDropped[0], n);
    assert.ok(snap.serial.rxDropped[0] > 0);
  });

  it('loses nothing at 115200 baud when the queues fill and the VMMs must wait for virt_tx', () => {
    const guests: ConsoleTestGuest[] = [];
    const n = 30_000;
    const emu = build({
      programs: [testGuest({ txTotal: n, fill: fillPattern(0) }, guests), testGuest({ txTotal: n, fill: fillPattern(1) }, guests)],
      serial: { colour: true, fast: false },
    });
    const line = new Collector();
    emu.onUartOutput(line.push);
    // 2 x 30,000 bytes plus colour codes at 11,538 characters per second: about 5.5 s of virtual time.
    emu.runFor(7e9);
    assert.ok(emu.runUntilIdle(1e9));
    const snap = emu.snapshot();
    assert.ok(
      snap.guests.every((g) => g.virtio.stats.txBlocked > 0),
      'the VMMs waited on a full sDDF queue',
    );
    const streams = demux(line.bytes(), 13);
    for (const c of [0, 1]) {
      assert.equal(guests[c].txCompleted, n);
      assert.ok(Buffer.from(streams[c]).equals(Buffer.from(expectedPattern(c, n))), `client ${c}`);
    }
  });
});
