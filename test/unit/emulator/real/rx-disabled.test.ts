// RX disabled (sDDF's serial config with rx_enabled false, as in a TX-only serial system): the
// driver leaves the receiver and its interrupt off, so typed bytes never reach a queue, and output
// goes out as before. The model is held to the upstream lines; sDDF's driver and virt_tx, compiled
// to WebAssembly, are the oracle for the same session.
import { strict as assert } from 'assert';
import { createEmulator, type Emulator } from '../../../../src/emulator/emulator';
import { UCR1, UCR1_RRDYEN, UCR2, UCR2_RXEN } from '../../../../src/emulator/devices/uart-imx';
import { exampleDualGuestConfig } from '../../../../src/emulator/example-system';
import { ConsoleTestGuest } from '../../../../src/emulator/guest/console-test-guest';
import { buildRealComponents } from '../../../../src/emulator/real/components';
import { RealPd } from '../../../../src/emulator/real/real-pd';
import { describeReal, sddf, toolchain } from './harness';

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
  emu.onUartOutput((b) => { out += Buffer.from(b).toString('latin1'); });
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
    assert.ok(queues.some((q) => q === 'uart_driver -> serial_virt_rx: 0 0'), queues.join('\n'));
    // virt_tx prints no begin string with RX off (sddf serial/components/virt_tx.c:182).
    assert.ok(!out.includes('Begin input'));
    assert.equal(out.length, 6000);
  });
});

describeReal("real components: sDDF's driver and virt_tx with RX disabled against the models", function () {
  this.timeout(120_000);
  it('the same bytes on the line and the same queue indices', () => {
    const model = run(false), real = run(true);
    assert.ok(real.emu.kernel.pds.get('uart_driver')!.program instanceof RealPd);
    assert.equal(real.emu.uart.read(UCR2) & UCR2_RXEN, 0);
    assert.ok(real.out === model.out, 'the transcripts differ');
    assert.deepEqual(real.queues, model.queues);
  });
});
