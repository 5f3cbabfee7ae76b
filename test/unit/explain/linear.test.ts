// The decoder stays linear on the shapes that could make it quadratic: one report that never closes
// (a register dump or an oops that goes on), a line full of fields, a line full of colour codes.
// CPU time of 4n against n, best of three, with room for noise; the 10 MB figure is in the bench.
import { strict as assert } from 'assert';
import { decodeLog } from '../../../src/explain';
import { cpuMillis } from '../../cpu-time';

function best(fn: () => unknown): number {
  let min = Infinity;
  for (let i = 0; i < 3; i++) min = Math.min(min, cpuMillis(fn));
  return min;
}

const SHAPES: [string, (n: number) => string][] = [
  [
    'a register dump that never ends',
    (n) =>
      'CLIENT_VMM-1|ERROR: unexpected memory fault on address: 0x303a0030, FSR: 0x92000046, IP: 0x0, is_prefetch: false, is_write: true\n' +
      '    x1: 0x0000000000000001\n'.repeat(n),
  ],
  ['an oops that never ends', (n) => 'Unable to handle kernel paging request at virtual address ffff80000a3a0030\n' + ' lr : irq_enable+0x44/0x90\n'.repeat(n)],
  ['one line of fields', (n) => 'CLIENT_VMM-1|ERROR: unexpected memory fault on address: 0x1, ' + 'FSR: 0x92000046, '.repeat(n)],
  ['one line of colour codes', (n) => '\x1b[31mMON|ERROR: received message 0x6\x1b[0m'.repeat(n)],
  ['monitor blocks back to back', (n) => 'MON|ERROR: received message 0x00000006  badge: 0x1  tcb cap: 0xca\nMON|ERROR: faulting PD: uart_driver\n'.repeat(n)],
];

describe('explain: linear in the log size', function () {
  this.timeout(60000);
  for (const [name, make] of SHAPES) {
    it(name, () => {
      const small = make(10_000),
        large = make(40_000);
      decodeLog(small);
      const t1 = Math.max(
        best(() => decodeLog(small)),
        1,
      );
      const t4 = best(() => decodeLog(large));
      assert.ok(t4 < 4 * t1 * 3, `4x input took ${t4.toFixed(1)} ms against ${t1.toFixed(1)} ms`);
    });
  }
});
