// Differential sessions: the default example run with the models and with sDDF's own i.MX UART
// driver, virt_rx and virt_tx (compiled from ../shared/upstream/sddf; the driver against the
// emulated UART through its device window) must put the same bytes on the serial line, end with the
// same indices in every queue, and log the same virtualiser lines.
import { strict as assert } from 'assert';
import { RealPd } from '../../../../src/emulator/real/real-pd';
import { createEmulator } from '../../../../src/emulator/emulator';
import { exampleDualGuestConfig } from '../../../../src/emulator/example-system';
import { ConsoleTestGuest } from '../../../../src/emulator/guest/console-test-guest';
import { buildRealComponents } from '../../../../src/emulator/real/components';
import { describeReal, runSession, sddf, toolchain, type SessionOptions, type Step } from './harness';

const line = (s: string): Step => ({ type: `${s}\r` });
const ms = (n: number): number => n * 1e6;
const long = (n: number): string => Array.from({ length: n }, (_, i) => String.fromCharCode(0x61 + (i % 26))).join('');

/**
 * Unpaced input longer than the driver's RX queue: sDDF's driver loops in handle_irq while the
 * status register shows RX data (sddf drivers/serial/imx/uart.c:95-114), and with its queue full
 * that loop never ends, so the emulator stops it (on the board a paste arrives at the baud rate and
 * the queue never fills; see the paced sessions). The model takes one pass per IRQ (its listed
 * departure) and goes on. These sessions compare the virtualisers alone; the test below pins the
 * driver's behaviour.
 */
const VIRTUALISERS_ONLY: SessionOptions = { request: { components: { serial_virt_rx: 'real', serial_virt_tx: 'real' } } };

const SESSIONS: [string, Step[], SessionOptions?][] = [
  ['boot only', []],
  ['log in to client 0', [line('root'), line('uname -a')]],
  ['switch to client 1 and log in', [line('@1'), line('root'), line('pwd')]],
  ['switch back and forth', [line('root'), line('@1'), line('root'), line('@0'), line('echo zero'), line('@1'), line('echo one')]],
  ['@@ sends one @ to the current client', [line('root'), line('echo @@ two'), line('@@@@')]],
  ['@@ then a switch in the same chunk', [line('root'), { type: '@@x\r@1\rroot\r' }]],
  ['invalid client number', [line('@9'), line('root')]],
  ['invalid client then valid', [line('@7'), line('@1'), line('root')]],
  ['invalid digit after the switch character', [line('@x'), line('root')]],
  ['too many digits', [line('@12345'), line('root')]],
  ['leading zeros select client 1', [line('@0001'), line('root')]],
  ['switch character alone at the end of a line', [line('root'), line('echo a@'), line('ls')]],
  ['typing split across chunks', [{ type: 'ro' }, { type: 'ot\r@' }, { type: '1\r' }, line('root')]],
  ['flood from client 0 then Ctrl-C', [line('root'), { type: 'yes\r', runNs: ms(20) }, { type: '\x03' }]],
  ['flood from client 1 then Ctrl-C', [line('@1'), line('root'), { type: 'yes hello\r', runNs: ms(20) }, { type: '\x03' }]],
  [
    'floods from both guests while typing',
    [
      line('root'),
      { type: 'yes A\r', runNs: ms(5) },
      { type: '@1\r', runNs: ms(2) },
      { type: 'root\r', runNs: ms(5) },
      { type: 'yes B\r', runNs: ms(10) },
      { type: 'echo typed', runNs: ms(3) },
      { type: '\x03', runNs: ms(5) },
      { type: '@0\r', runNs: ms(2) },
      { type: '\x03' },
    ],
  ],
  [
    'switching during a flood',
    [line('root'), { type: 'yes\r', runNs: ms(5) }, { type: '@1\r', runNs: ms(5) }, { type: '@0\r', runNs: ms(5) }, { type: '\x03' }],
  ],
  ['a line longer than a queue (9000 bytes), virtualisers only', [line('root'), { type: `echo ${long(9000)}\r` }], VIRTUALISERS_ONLY],
  ['a line longer than a queue to client 1, virtualisers only', [line('@1'), line('root'), { type: `${long(10000)}\r` }], VIRTUALISERS_ONLY],
  ['a burst of switches in one chunk', [{ type: '@1\r@0\r@1\r@0\r@1\rroot\r' }]],
  ['hexdump and cat', [line('root'), line('cat /proc/cpuinfo'), line('@1'), line('root'), line('dmesg')]],
  ['Ctrl-C and empty lines', [line(''), line(''), { type: '\x03' }, line('root')]],
  // Paced at 115,200 baud: the TX queues fill and the producers wait for signals.
  [
    'paced: flood from client 0 while typing to client 1',
    [
      line('root'),
      { type: 'yes\r', runNs: ms(30) },
      { type: '@1\r', runNs: ms(20) },
      { type: 'root\r', runNs: ms(30) },
      { type: '@0\r', runNs: ms(5) },
      { type: '\x03' },
    ],
    { paced: true },
  ],
  [
    'paced: floods from both guests',
    [
      line('root'),
      { type: 'yes A\r', runNs: ms(10) },
      { type: '@1\r', runNs: ms(10) },
      { type: 'root\r', runNs: ms(10) },
      { type: 'yes B\r', runNs: ms(50) },
      { type: '\x03', runNs: ms(10) },
      { type: '@0\r', runNs: ms(10) },
      { type: '\x03' },
    ],
    { paced: true },
  ],
  ['paced: a line longer than a queue', [line('root'), { type: `echo ${long(9000)}\r` }], { paced: true }],
  ['paced: a line longer than a queue to client 1', [line('@1'), line('root'), { type: `${long(10000)}\r` }], { paced: true }],
];

describeReal('real components: sDDF virt_rx and virt_tx against the models', function () {
  this.timeout(120_000);
  for (const [name, steps, opts] of SESSIONS) {
    it(name, () => {
      const model = runSession('model', steps, opts);
      const real = runSession('real', steps, opts);
      const realPds = opts === VIRTUALISERS_ONLY ? ['serial_virt_rx', 'serial_virt_tx'] : ['uart_driver', 'serial_virt_rx', 'serial_virt_tx'];
      for (const pd of realPds) assert.ok(real.emulator.kernel.pds.get(pd)!.program instanceof RealPd, `${pd} runs its C code`);
      assert.equal(real.transcript.length, model.transcript.length, 'transcript length');
      assert.ok(real.transcript === model.transcript, 'the serial transcripts differ');
      assert.deepEqual(real.queues, model.queues);
      const virt = (logs: string[]): string[] => logs.filter((l) => l.startsWith('serial_virt'));
      assert.deepEqual(virt(real.logs), virt(model.logs));
      assert.ok(model.transcript.length > 0);
    });
  }
});

describeReal("real components: sDDF's i.MX driver with its RX queue full", function () {
  this.timeout(120_000);
  it("spins in handle_irq on unpaced input longer than the queue, and the emulator stops it with the monitor's report", () => {
    const real = runSession('real', [line('root'), { type: `echo ${long(9000)}\r` }]);
    const mon = real.logs.filter((l) => l.startsWith('MON'));
    assert.ok(mon.includes('MON: MON|ERROR: faulting PD: uart_driver'), mon.join('\n'));
    assert.ok(
      mon.some((l) => l.includes("'uart_driver' spun for 64 timeslices")),
      mon.join('\n'),
    );
    const rxq = real.queues.find((q) => q.startsWith('uart_driver -> serial_virt_rx'))!;
    // The driver had filled its queue (8192 bytes) when virt_rx last ran.
    assert.match(rxq, /head (\d+) tail \1 /);
  });
});

describeReal('real components: equal priorities', function () {
  this.timeout(120_000);
  it("virt_tx's debug-build wait for the driver in init() lets the not yet started driver run, and both floods get through", () => {
    const fill = (off: number, dst: Uint8Array): void => {
      for (let i = 0; i < dst.length; i++) dst[i] = 0x20 + ((off + i) % 95);
    };
    const mk = () => () => new ConsoleTestGuest({ virtioBase: 0x150000, txTotal: 100_000, queueSize: 128, fill });
    // The example config gives the virtualisers the driver's priority and lists virt_tx first.
    const config = exampleDualGuestConfig({ programs: [mk(), mk()], ramSize: 0x1000000 });
    config.real = buildRealComponents(config, { components: 'real', sddf: sddf! }, toolchain).real;
    assert.ok(config.real);
    const logs: string[] = [];
    const emu = createEmulator(config, { onLog: (r) => logs.push(r.text) }).emulator!;
    let out = 0;
    emu.onUartOutput((b) => {
      out += b.length;
    });
    emu.runUntilIdle(60e9);
    assert.deepEqual(
      logs.filter((l) => l.startsWith('MON')),
      [],
    );
    assert.equal(out, 'Begin input\r\n'.length + 200_000);
  });
});
