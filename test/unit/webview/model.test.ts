// What the page computes from snapshots, on real snapshots from the emulator where it matters.
import * as assert from 'assert';
import fc from 'fast-check';
import { toWireSnapshot } from '../../../src/extension/inspector-protocol';
import {
  descriptorFlags,
  diagramLayout,
  filterEvents,
  formatNs,
  hexRows,
  mentions,
  notificationDeltas,
  pendingAvail,
  queueFill,
} from '../../../webview/src/model';
import { echoSystem } from '../../webview/record';

describe('inspector page model', () => {
  it('queue fill wraps like the 32-bit sDDF counters', () => {
    assert.strictEqual(queueFill({ head: 3, tail: 10 }), 7);
    assert.strictEqual(queueFill({ head: 0xfffffffe, tail: 2 }), 4);
    fc.assert(
      fc.property(fc.nat(0xffffffff), fc.nat(4096), (head, n) => {
        assert.strictEqual(queueFill({ head, tail: (head + n) >>> 0 }), n);
      }),
    );
  });

  it('hex rows: offsets, hex pairs, printable text, and a limit', () => {
    const { rows, total } = hexRows('68690a7f41', 2, 4);
    assert.strictEqual(total, 5);
    assert.deepStrictEqual(rows, [
      { offset: 0, hex: '68 69', text: 'hi' },
      { offset: 2, hex: '0a 7f', text: '..' },
    ]);
    assert.deepStrictEqual(hexRows('', 8), { rows: [], total: 0 });
  });

  it('formats virtual time, descriptor flags and unseen avail entries', () => {
    assert.strictEqual(formatNs(0), '0.000000 s');
    assert.strictEqual(formatNs(1_234_567_890), '1.234568 s');
    assert.strictEqual(formatNs(NaN), '?');
    assert.strictEqual(descriptorFlags(0), '0');
    assert.strictEqual(descriptorFlags(3), 'NEXT|WRITE');
    assert.strictEqual(descriptorFlags(0x14), 'INDIRECT|0x10');
    assert.strictEqual(pendingAvail({ num: 8, lastSeen: 0xfffe, availIdx: 2 }), 4);
    assert.strictEqual(pendingAvail({ num: 8, lastSeen: 0, availIdx: undefined }), 0);
  });

  it('matches whole names only', () => {
    assert.ok(mentions('CLIENT_VMM-1 injects INTID 74 into client_linux-1', 'CLIENT_VMM-1'));
    assert.ok(!mentions('CLIENT_VMM-10 injects', 'CLIENT_VMM-1'));
    assert.ok(!mentions('xCLIENT_VMM-1', 'CLIENT_VMM-1'));
    assert.ok(mentions('to CLIENT_VMM-1: ok', 'CLIENT_VMM-1'));
    assert.ok(!mentions('anything', ''));
  });

  describe('on a real run', () => {
    const emu = echoSystem();
    emu.runUntilIdle(1e9);
    const before = toWireSnapshot(emu.snapshot());
    emu.typeInput('@1\rhi');
    emu.runUntilIdle(1e9);
    const after = toWireSnapshot(emu.snapshot());

    it('lays out guests, then VMMs, then the PDs by channel distance', () => {
      const { nodes, edges, columns } = diagramLayout(after);
      const col = (id: string) => nodes.find((n) => n.id === id)!.column;
      assert.strictEqual(columns, 4);
      assert.strictEqual(col('guest:client_linux-1'), 0);
      assert.strictEqual(col('CLIENT_VMM-1'), 1);
      assert.strictEqual(col('serial_virt_rx'), 2);
      assert.strictEqual(col('serial_virt_tx'), 2);
      assert.strictEqual(col('uart_driver'), 3);
      assert.strictEqual(nodes.length, after.pds.length + after.guests.length);
      assert.strictEqual(edges.length, after.channels.length + after.guests.length);
      assert.strictEqual(nodes.find((n) => n.id === 'serial_virt_tx')!.priority, 100);
    });

    it('counts notifications since the previous snapshot', () => {
      const d = notificationDeltas(before, after);
      for (const p of after.pds) assert.strictEqual(d.get(p.name), p.notifications - before.pds.find((x) => x.name === p.name)!.notifications);
      assert.ok(d.get('serial_virt_rx')! > 0);
      assert.ok([...notificationDeltas(undefined, after).values()].every((v) => v === 0));
    });

    it('filters the timeline to one guest', () => {
      const g2 = after.guests[1];
      const only2 = filterEvents(after.events, after.guests, g2.vm);
      assert.ok(only2.length > 0);
      assert.ok(only2.every((e) => mentions(e.detail, g2.vm) || mentions(e.detail, g2.vmm)));
      assert.ok(only2.some((e) => e.kind === 'virq'));
      assert.ok(filterEvents(after.events, after.guests, '').length > only2.length);
      assert.strictEqual(filterEvents(after.events, after.guests, '', 5).length, 5);
    });
  });
});
