// Where the system view page draws things: columns by priority, strips of address ranges with gaps,
// and the numbers as the page prints them.
import * as assert from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { parseSystem } from '../../../src/system/parse';
import { systemView } from '../../../src/system/system-view';
import { GAP_ROW, RANGE_ROW, channelPorts, domainLayout, endLabel, formatBudget, formatSize, stripRows } from '../../../webview/src/system-view/layout';

const EXAMPLE = path.join(__dirname, '../../../examples/dual-guest/dual-guest.system');

describe('system view page layout', () => {
  it('puts each priority in a column, highest first, VMs after their VMMs, and links VMs and channels', () => {
    const v = systemView(parseSystem(EXAMPLE, readFileSync(EXAMPLE, 'utf8')).model);
    const { boxes, links, columns, rows, priorities } = domainLayout(v);
    assert.deepStrictEqual(priorities, [100, 99, 50]);
    assert.deepStrictEqual([columns, rows], [3, 4]);
    const at = (n: string) => {
      const b = boxes.find((x) => x.name === n)!;
      return [b.column, b.row];
    };
    assert.deepStrictEqual(
      [at('uart_driver'), at('serial_virt_tx'), at('serial_virt_rx'), at('CLIENT_VMM-1'), at('client_linux-1'), at('CLIENT_VMM-2'), at('client_linux-2')],
      [
        [0, 0],
        [1, 0],
        [1, 1],
        [2, 0],
        [2, 1],
        [2, 2],
        [2, 3],
      ],
    );
    assert.deepStrictEqual(
      links.filter((l) => l.kind === 'vm').map((l) => [l.from, l.to]),
      [
        ['client_linux-1', 'CLIENT_VMM-1'],
        ['client_linux-2', 'CLIENT_VMM-2'],
      ],
    );
    assert.deepStrictEqual(
      links.filter((l) => l.kind === 'channel').map((l) => l.channel),
      [0, 1, 2, 3, 4, 5],
    );
    // The driver's two channels leave its right side at two places, virt_tx's come in on its left
    // (from the driver) and leave on its right (to the VMMs), ordered by where the other end is.
    const ports = channelPorts(boxes, links);
    const port = (ch: number) => ports.get(links.find((l) => l.channel === ch)!)!;
    assert.deepStrictEqual(port(2), [
      { side: 'right', index: 0, count: 2 },
      { side: 'left', index: 0, count: 1 },
    ]);
    assert.deepStrictEqual(port(5), [
      { side: 'right', index: 1, count: 2 },
      { side: 'left', index: 0, count: 1 },
    ]);
    assert.deepStrictEqual(port(0), [
      { side: 'left', index: 0, count: 2 },
      { side: 'right', index: 0, count: 2 },
    ]);
    assert.deepStrictEqual(port(1)[1], { side: 'right', index: 1, count: 2 });
  });

  it('leaves out a channel to a PD the file does not declare, and ties a child to its parent', () => {
    const v = systemView(
      parseSystem(
        '/s.system',
        `<system>
      <protection_domain name="p" priority="9"><program_image path="p.elf"/>
        <protection_domain name="c" id="1" priority="3"><program_image path="c.elf"/></protection_domain>
      </protection_domain>
      <channel><end pd="p" id="0"/><end pd="ghost" id="0"/></channel>
    </system>`,
      ).model,
    );
    const { links, priorities } = domainLayout(v);
    assert.deepStrictEqual(priorities, [9, 3]);
    assert.deepStrictEqual(links, [{ kind: 'child', from: 'c', to: 'p' }]);
  });

  it('lists ranges from the lowest address with the gaps between, each row below the last', () => {
    const { rows } = stripRows([
      { kind: 'ipc', start: 0xfffffff000, end: 0x10000000000 },
      { kind: 'map', start: 0x4000000, end: 0x4001000 },
      { kind: 'map', start: 0x4000800, end: 0x4002000 },
    ]);
    assert.deepStrictEqual(
      rows.map((r) => [r.kind, r.start, r.end, r.segment]),
      [
        ['gap', 0, 0x4000000, undefined],
        ['map', 0x4000000, 0x4001000, 1],
        ['map', 0x4000800, 0x4002000, 2],
        ['gap', 0x4002000, 0xfffffff000, undefined],
        ['ipc', 0xfffffff000, 0x10000000000, 0],
      ],
    );
    assert.strictEqual(rows[0].height, GAP_ROW);
    assert.strictEqual(rows[1].height, RANGE_ROW);
    fc.assert(
      fc.property(fc.array(fc.record({ start: fc.nat(1 << 30), len: fc.integer({ min: 1, max: 1 << 30 }) }), { maxLength: 20 }), (specs) => {
        const segs = specs.map((s) => ({ kind: 'map' as const, start: s.start, end: s.start + s.len }));
        const r = stripRows(segs);
        assert.strictEqual(r.rows.filter((x) => x.segment !== undefined).length, segs.length);
        let y = 0;
        for (const row of r.rows) {
          assert.strictEqual(row.y, y);
          assert.ok(row.height >= GAP_ROW && row.height <= RANGE_ROW + 36);
          y += row.height;
        }
        assert.strictEqual(r.height, y);
      }),
    );
  });

  it('prints sizes, budgets and channel ends as people write them', () => {
    assert.deepStrictEqual([0x1000, 0x2000, 0xf000000, 0x60000000, 0x1000000000, 100, 0xffffff9000 - 0x4800000].map(formatSize), [
      '4 KiB',
      '8 KiB',
      '240 MiB',
      '1.5 GiB',
      '64 GiB',
      '100 B',
      '1023.9 GiB',
    ]);
    assert.strictEqual(formatBudget({ budget: 1000, period: 1000 }), '1000 µs (100%)');
    assert.strictEqual(formatBudget({ budget: 200, period: 800 }), '200/800 µs (25%)');
    assert.strictEqual(endLabel({ id: 3, pp: true, notify: false }), '3 pp no-notify');
    assert.strictEqual(endLabel({ id: 0, pp: false, notify: true }), '0');
  });
});
