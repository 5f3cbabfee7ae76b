// Differential sessions on the ODROID-C4 fixture: the models against sDDF's own Meson UART driver
// (drivers/serial/meson/uart.c, built for the ODROID-C4), virt_rx and virt_tx, compiled from
// ../shared/upstream/sddf, the driver reaching the emulated Meson UART through its device window.
// Both must put the same bytes on the serial line, end with the same indices in every queue, log
// the same virtualiser lines, and leave the UART programmed the same way.
import { strict as assert } from 'assert';
import * as path from 'path';
import { MESON_CONTROL, MESON_MISC, MESON_REG5, MesonUart } from '../../../../src/emulator/devices/uart-meson';
import { RealPd } from '../../../../src/emulator/real/real-pd';
import { describeReal, runSession, type SessionOptions, type Step } from './harness';

const PROJECT = path.resolve(__dirname, '../../../fixtures/odroidc4/dual-guest.json');
const SERIAL_REAL = { uart_driver: 'real', serial_virt_rx: 'real', serial_virt_tx: 'real' } as const;
const line = (s: string): Step => ({ type: `${s}\r` });
const ms = (n: number): number => n * 1e6;
const long = (n: number): string => Array.from({ length: n }, (_, i) => String.fromCharCode(0x61 + (i % 26))).join('');

const SESSIONS: [string, Step[], { paced?: boolean }?][] = [
  ['boot only', []],
  ['log in to client 0', [line('root'), line('uname -a')]],
  ['switch to client 1 and log in', [line('@1'), line('root'), line('pwd')]],
  ['flood from client 1 then Ctrl-C', [line('@1'), line('root'), { type: 'yes hello\r', runNs: ms(20) }, { type: '\x03' }]],
  [
    'paced: floods from both guests while switching',
    [
      line('root'),
      { type: 'yes A\r', runNs: ms(10) },
      { type: '@1\r', runNs: ms(10) },
      { type: 'root\r', runNs: ms(10) },
      { type: 'yes B\r', runNs: ms(30) },
      { type: '\x03', runNs: ms(10) },
      { type: '@0\r', runNs: ms(10) },
      { type: '\x03' },
    ],
    { paced: true },
  ],
  ['paced: a line longer than a queue to client 1', [line('@1'), line('root'), { type: `${long(10000)}\r` }], { paced: true }],
];

describeReal("real components: sDDF's Meson UART driver on the ODROID-C4 against the models", function () {
  this.timeout(180_000);
  for (const [name, steps, o] of SESSIONS) {
    it(name, () => {
      const opts: SessionOptions = { project: PROJECT, request: { components: SERIAL_REAL }, paced: o?.paced };
      const model = runSession('model', steps, opts);
      const real = runSession('real', steps, opts);
      for (const pd of Object.keys(SERIAL_REAL)) assert.ok(real.emulator.kernel.pds.get(pd)!.program instanceof RealPd, `${pd} runs its C code`);
      assert.ok(real.emulator.uart instanceof MesonUart);
      assert.equal(real.transcript.length, model.transcript.length, 'transcript length');
      assert.ok(real.transcript === model.transcript, 'the serial transcripts differ');
      assert.deepEqual(real.queues, model.queues);
      const virt = (logs: string[]): string[] => logs.filter((l) => l.startsWith('serial_virt'));
      assert.deepEqual(virt(real.logs), virt(model.logs));
      for (const reg of [MESON_CONTROL, MESON_MISC, MESON_REG5]) assert.equal(real.emulator.uart.read(reg), model.emulator.uart.read(reg), `register ${reg}`);
      assert.deepEqual(
        real.logs.filter((l) => l.startsWith('MON') || l.includes('ERROR')),
        [],
      );
      assert.ok(model.transcript.length > 0);
    });
  }
});

describeReal("real components: sDDF's Meson driver with its RX queue full", function () {
  this.timeout(180_000);
  it("spins in handle_irq on unpaced input longer than the queue (its loop reads STATUS, not the masked interrupt), and the emulator stops it with the monitor's report; the model goes on", () => {
    const steps = [line('root'), { type: `echo ${long(9000)}\r` }];
    const opts: SessionOptions = { project: PROJECT, request: { components: SERIAL_REAL } };
    const real = runSession('real', steps, opts);
    const mon = real.logs.filter((l) => l.startsWith('MON'));
    assert.ok(mon.includes('MON: MON|ERROR: faulting PD: uart_driver'), mon.join('\n'));
    assert.ok(
      mon.some((l) => l.includes("'uart_driver' spun for 64 timeslices")),
      mon.join('\n'),
    );
    const model = runSession('model', steps, opts);
    assert.deepEqual(
      model.logs.filter((l) => l.startsWith('MON')),
      [],
    );
    // The guest's line discipline echoes what it takes of the line (n_tty keeps 4095 characters).
    assert.ok(model.transcript.includes(long(4000)), model.transcript.slice(-300));
  });
});
