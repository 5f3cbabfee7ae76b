// RX disabled (sDDF's serial config with rx_enabled false, as in a TX-only serial system): the
// driver leaves the receiver and its interrupt off, so typed bytes never reach a queue, and output
// goes out as before. The model is held to the upstream lines; sDDF's driver and virt_tx, compiled
// to WebAssembly, are the oracle for the same session.
import { strict as assert } from 'assert';
import * as path from 'path';
import { createEmulator, type Emulator } from '../../../../src/emulator/emulator';
import { UCR1, UCR1_RRDYEN, UCR2, UCR2_RXEN } from '../../../../src/emulator/devices/uart-imx';
import { exampleDualGuestConfig } from '../../../../src/emulator/example-system';
import { ConsoleTestGuest } from '../../../../src/emulator/guest/console-test-guest';
import { buildRealComponents } from '../../../../src/emulator/real/components';
import { RealPd } from '../../../../src/emulator/real/real-pd';
import { describeReal, runSession, sddf, toolchain } from './harness';

const fill = (off: number, dst: Uint8Array): void => {
  for (let i = 0; i < dst.length; i++) dst[i] = 0x41 + ((off + i) % 26);
};

function run(real: boolean): { out: string; queues: string[]; emu: Emulator } {
  const mk = () => () => new ConsoleTestGuest({ virtioBase: 0x150000, txTotal: 3000, queueSize: 64, fill, echo: true });
  const config = exampleDualGuestConfig({ programs: [mk(), mk()], ramSize: 0x1000000, serial: { rxEnabled: false } });
  if (real) {
    config.real = buildRealComponents(config, { components: { uart_driver: 'real', serial_virt_tx: 'real' }, sddf: sddf! }, toolchain).real;
    assert.ok(config.real);
  }
  const emu = createEmulator(config).emulator!;
  let out = '';
  emu.onUartOutput((b) => {
    out += Buffer.from(b).toString('latin1');
  });
  emu.runUntilIdle(30e9);
  emu.typeInput('typed while RX is off\r@1\rmore\r');
  emu.runUntilIdle(30e9);
  return { out, queues: emu.snapshot().queues.map((q) => `${q.name}: ${q.head} ${q.tail}`), emu };
}

describe('UART driver model with RX disabled (sddf drivers/serial/imx/uart.c:101, 125-127, 145-148, 169-171)', () => {
  it('keeps the receiver and its interrupt off; typed bytes reach no queue; output still goes out', () => {
    const { out, queues, emu } = run(false);
    assert.equal(emu.uart.read(UCR2) & UCR2_RXEN, 0);
    assert.equal(emu.uart.read(UCR1) & UCR1_RRDYEN, 0);
    assert.ok(
      queues.some((q) => q === 'uart_driver -> serial_virt_rx: 0 0'),
      queues.join('\n'),
    );
    // virt_tx prints no begin string with RX off (sddf serial/components/virt_tx.c:182).
    assert.ok(!out.includes('Begin input'));
    assert.equal(out.length, 6000);
  });
});

describeReal("real components: sDDF's driver and virt_tx with RX disabled against the models", function () {
  this.timeout(120_000);
  it('the same bytes on the line and the same queue indices', () => {
    const model = run(false),
      real = run(true);
    assert.ok(real.emu.kernel.pds.get('uart_driver')!.program instanceof RealPd);
    assert.equal(real.emu.uart.read(UCR2) & UCR2_RXEN, 0);
    assert.ok(real.out === model.out, 'the transcripts differ');
    assert.deepEqual(real.queues, model.queues);
  });
});

const TX_ONLY = path.resolve(__dirname, '../../../fixtures/tx-only/dual-guest.json');

describe('a TX-only serial system (no RX virtualiser, no RX queues)', () => {
  it('boots with RX disabled: both guests print, typed input is lost at the UART, the system settles', () => {
    const s = runSession('model', [{ type: 'xyzzy\r' }], { project: TX_ONLY });
    assert.equal(s.emulator.kernel.pds.has('serial_virt_rx'), false);
    assert.equal(s.emulator.uart.read(UCR2) & UCR2_RXEN, 0);
    assert.match(s.transcript, /client_linux-1 login:/);
    assert.match(s.transcript, /client_linux-2 login:/);
    assert.ok(!s.transcript.includes('Begin input'));
    assert.ok(!s.transcript.includes('xyzzy'), 'nothing typed reached a guest');
    assert.equal(s.queues.filter((q) => q.includes('serial_virt_rx')).length, 0, s.queues.join('\n'));
    assert.ok(s.emulator.uart.overruns >= 5, `${s.emulator.uart.overruns} bytes lost`);
  });
});

describeReal("real components: a TX-only system with sDDF's driver and virt_tx", function () {
  this.timeout(120_000);
  it('prints the same bytes and ends with the same queue indices as the models', () => {
    const opts = { project: TX_ONLY, request: { components: { uart_driver: 'real' as const, serial_virt_tx: 'real' as const } } };
    const model = runSession('model', [{ type: 'root\r' }], opts);
    const real = runSession('real', [{ type: 'root\r' }], opts);
    assert.ok(real.emulator.kernel.pds.get('uart_driver')!.program instanceof RealPd);
    assert.ok(real.emulator.kernel.pds.get('serial_virt_tx')!.program instanceof RealPd);
    assert.ok(real.transcript === model.transcript, 'the transcripts differ');
    assert.deepEqual(real.queues, model.queues);
  });
});
