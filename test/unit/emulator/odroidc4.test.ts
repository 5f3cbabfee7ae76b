// The ODROID-C4 end to end on the project's own fixture (test/fixtures/odroidc4): two guests share
// UART_AO_A, the Meson UART, through the sDDF serial subsystem with the Meson driver; booted through
// the CLI to both shells, and paced at the programmed baud rate through the FIFOs and the UART's
// interrupt.
import { strict as assert } from 'assert';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { MemoryFileHost } from '../../../src/common/host';
import { createEmulator, type Emulator } from '../../../src/emulator/emulator';
import { emulatorConfigFromProject } from '../../../src/emulator/from-project';
import { MESON_CONTROL, MESON_MISC, MESON_REG5, CTRL_RX_EN, CTRL_RX_INT_EN, CTRL_TX_EN, MesonUart } from '../../../src/emulator/devices/uart-meson';
import { MesonDriver } from '../../../src/emulator/pds/meson-driver';
import { loadProject } from '../../../src/system';
import { bootPiped, count } from '../cli/boot-harness';

const DIR = path.resolve(__dirname, '..', '..', 'fixtures', 'odroidc4');

/** The answer to the command echoed as `cmd`, up to the next prompt. */
function answer(out: string, cmd: string): string {
  const i = out.lastIndexOf(`${cmd}\r\n`);
  assert.ok(i >= 0, `'${cmd}' not echoed: ${JSON.stringify(out.slice(-600))}`);
  const start = i + cmd.length + 2;
  const end = out.indexOf('# ', start);
  return out.slice(start, end < 0 ? undefined : end);
}

function boot(fast: boolean): Emulator {
  const files: Record<string, string> = {};
  for (const f of readdirSync(DIR)) files[`/o/${f}`] = readFileSync(path.join(DIR, f), 'utf8');
  const host = new MemoryFileHost(files);
  const { config, diagnostics } = emulatorConfigFromProject(loadProject('/o/dual-guest.json', host), { host, fast });
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  return createEmulator(config).emulator!;
}

describe('emulator: ODROID-C4 (Meson UART behind sDDF, GIC-400)', function () {
  this.timeout(60_000);

  it('`dual-guest boot` takes both guests to a shell through the Meson UART and its sDDF driver, switching with @1/@0', async () => {
    const r = await bootPiped([DIR], 'root\n@1\nroot\nuname -n\n@0\nuname -n\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(count(r.stdout, 'client_linux-1 login: '), 1);
    assert.equal(count(r.stdout, 'client_linux-2 login: '), 1);
    assert.equal(answer(r.stdout.slice(0, r.stdout.lastIndexOf('uname -n')), 'uname -n'), 'client_linux-2\r\n');
    assert.equal(answer(r.stdout, 'uname -n'), 'client_linux-1\r\n');
    const emu = r.session!.emulator;
    assert.equal(emu.board.name, 'odroidc4');
    assert.ok(emu.uart instanceof MesonUart);
    assert.ok(emu.kernel.pds.get('uart_driver')!.program instanceof MesonDriver);
    // uart_setup's programming for 115200 on the ODROID-C4: the crystal /2, 104 ticks; RX and TX on,
    // the RX interrupt per byte, the TX threshold 1.
    assert.equal(emu.uart.read(MESON_REG5), (1 << 23) | (1 << 24) | (1 << 27) | 104);
    assert.equal(emu.uart.read(MESON_MISC), 0x0101);
    const control = emu.uart.read(MESON_CONTROL);
    assert.equal(control & (CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INT_EN), CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INT_EN);
    assert.deepEqual(
      emu.snapshot().guests.map((g) => g.faults.length),
      [0, 0],
    );
  });

  it('paced at the programmed rate (12 MHz / 105, 10-bit frames) both guests answer with no overflow, through the TX interrupt', () => {
    const emu = boot(false);
    let out = '';
    const latin1 = new TextDecoder('latin1');
    emu.onUartOutput((b) => {
      out += latin1.decode(b);
    });
    const runUntil = (done: () => boolean, ns: number): boolean => {
      const end = emu.now() + ns;
      while (!done() && emu.now() < end) emu.runFor(5_000_000);
      return done();
    };
    assert.ok(
      runUntil(() => count(out, ' login: ') === 2, 20e9),
      out.slice(-300),
    );
    const charNs = emu.uart.charTimeNs();
    assert.ok(Math.abs(charNs - (10 * 1e9 * 105) / 12e6) < 1e-6);
    emu.typeInput('root\r');
    assert.ok(runUntil(() => out.endsWith('# '), 2e9));
    emu.typeInput('cat /proc/cpuinfo\r');
    assert.ok(
      runUntil(() => out.endsWith('# ') && out.includes('processor'), 5e9),
      out.slice(-300),
    );
    assert.equal(emu.uart.overruns, 0);
    // What left the line took at least a character time per byte.
    assert.ok(emu.now() >= emu.uart.txBytes * charNs, `${emu.now()} ns for ${emu.uart.txBytes} bytes`);
  });

  it('unpaced input longer than the RX queue: the driver masks RX until virt_rx makes room, and the guest gets the line', () => {
    const emu = boot(true);
    emu.runUntilIdle(30e9);
    emu.typeInput('root\r');
    emu.runUntilIdle(30e9);
    const line = 'x'.repeat(9000);
    emu.typeInput(`${line}\r`);
    emu.runUntilIdle(30e9);
    const driver = emu.kernel.pds.get('uart_driver')!.program as MesonDriver;
    assert.ok(driver.rxStalls > 0, 'the RX queue filled');
    assert.equal(emu.uart.wirePending(), 0);
    assert.equal(emu.uart.overruns, 0);
    assert.equal(emu.uart.rxBytes, 'root\r'.length + line.length + 1);
  });
});
