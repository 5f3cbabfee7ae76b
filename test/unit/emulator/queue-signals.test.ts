// The sDDF signalling flag at power-on. The queue regions start zero-filled, so producer_signalled
// is 0 (sddf include/sddf/serial/queue.h:31 at 650ace5) and serial_require_consumer_signal
// (queue.h:539-546) is true for every queue until its consumer first cancels it: the first pass of
// each consumer signals its producer (virt_rx.c:95-99, the VMM's console.c:261-264, the driver's
// uart.c:59-62), and virt_rx logs the VMM's answer (virt_rx.c:123).
import { strict as assert } from 'assert';
import { createEmulator } from '../../../src/emulator/emulator';
import { exampleDualGuestConfig } from '../../../src/emulator/example-system';
import { IdleGuest } from './helpers';

const MS = 1_000_000;

function boot() {
  const config = exampleDualGuestConfig({ ramSize: 0x800000, programs: [() => new IdleGuest(), () => new IdleGuest()] });
  const { emulator } = createEmulator(config);
  assert.ok(emulator);
  return emulator;
}

describe('emulator: sDDF producer_signalled starts at 0 (zero-filled regions)', () => {
  it('has every queue not yet answered at 0, and the driver signalled virt_tx for the begin string', () => {
    const emu = boot();
    emu.runFor(MS);
    const snap = emu.snapshot();
    for (const q of snap.queues) {
      // virt_tx -> driver carried the begin string: the driver answered (cancelled) and notified.
      const expected = q.name === 'serial_virt_tx -> uart_driver' ? 1 : 0;
      assert.equal(q.producerSignalled, expected, q.name);
    }
    const pds = new Map(snap.pds.map((p) => [p.name, p.notifications]));
    assert.equal(pds.get('serial_virt_tx'), 1, 'uart.c:59-62 notifies virt_tx after its first transfer');
  });

  it("makes virt_rx's first pass signal the driver, and the VMM's first RX pass signal virt_rx", () => {
    const emu = boot();
    const logs: string[] = [];
    emu.onLog((r) => logs.push(`${r.source}: ${r.text}`));
    const before = new Map(emu.snapshot().pds.map((p) => [p.name, p.notifications]));
    emu.typeInput('x');
    emu.runFor(5 * MS);
    const after = new Map(emu.snapshot().pds.map((p) => [p.name, p.notifications]));
    const delta = (pd: string): number => after.get(pd)! - before.get(pd)!;
    assert.equal(delta('uart_driver'), 1, 'virt_rx.c:95-99: the driver is signalled once');
    assert.equal(delta('serial_virt_rx'), 2, 'the driver, then CLIENT_VMM-1 (console.c:237-240)');
    assert.ok(logs.includes('serial_virt_rx: VIRT_RX|LOG: received notification on unexpected channel: 1'), logs.join('\n'));
    const q = emu.snapshot().queues;
    assert.equal(q.find((x) => x.name === 'uart_driver -> serial_virt_rx')!.producerSignalled, 1);
    assert.equal(q.find((x) => x.name === 'serial_virt_rx -> CLIENT_VMM-1')!.producerSignalled, 1);
    assert.equal(q.find((x) => x.name === 'serial_virt_rx -> CLIENT_VMM-2')!.producerSignalled, 0);
  });
});
