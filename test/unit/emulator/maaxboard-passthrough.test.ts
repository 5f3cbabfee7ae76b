// The MaaXBoard with its i.MX UART passed through to one guest (test/fixtures/maaxboard-passthrough,
// laid out as libvmm's single-guest MaaXBoard example maps it): `dual-guest boot` reaches a shell on
// ttymxc0 driven by the Linux model's own imx-uart driver, after a boot console on the UART from
// `earlycon=ec_imx6q,...`; typing reaches the guest with no switch sequence. The registers the driver
// leaves are those Linux v6.1's imx.c computes for 115200 8N1 on a console.
import { strict as assert } from 'assert';
import * as path from 'path';
import { readFileSync } from 'fs';
import { bootPiped, count, type BootRun } from '../cli/boot-harness';
import { ImxUart, ONEMS, UBIR, UBMR, UCR1, UCR2, UCR3, UCR4, UFCR } from '../../../src/emulator/devices/uart-imx';
import { imxBaudSettings } from '../../../src/emulator/guest/linux/imx-uart-console-driver';
import { parseEarlycon } from '../../../src/emulator/guest/linux/serial-console';

const DIR = path.resolve(__dirname, '..', '..', 'fixtures', 'maaxboard-passthrough');
const UART = 0x30860000;

/** What the shell printed for `command`: the text between its echo and the next prompt. */
function answer(r: BootRun, command: string): string {
  const start = r.stdout.lastIndexOf(`# ${command}\r\n`);
  assert.ok(start >= 0, `no '${command}' in:\n${r.stdout.slice(-600)}`);
  const from = start + command.length + 4;
  return r.stdout.slice(from, r.stdout.indexOf('# ', from));
}

/** The fixture with the overlay's chosen node replaced. */
function withChosen(chosen: string): Record<string, string> {
  const overlay = readFileSync(path.join(DIR, 'overlay.dts'), 'utf8').replace(/chosen \{[\s\S]*?\};/, `chosen {\n${chosen}\n};`);
  return { [path.join(DIR, 'overlay.dts')]: overlay };
}

describe('emulator: the MaaXBoard with its i.MX UART passed through (imx-uart, ttymxc0)', function () {
  this.timeout(60_000);

  it('`dual-guest boot`: earlycon on the UART, then ttymxc0 by the stdout-path; a typed command runs with no switch sequence', async () => {
    const r = await bootPiped([DIR, '--logs'], 'root\nuname -n\ncat /proc/interrupts\n');
    assert.equal(r.code, 0, r.stderr);
    const emu = r.session!.emulator;
    assert.equal(emu.board.name, 'maaxboard');
    assert.equal(emu.uartOwner, 'linux');
    assert.ok(emu.uart instanceof ImxUart);
    assert.equal(count(r.stdout, 'Booting Linux on physical CPU'), 1, 'the tty takes over without repeating the boot console');
    assert.match(r.stdout, /earlycon: ec_imx6q0 at MMIO 0x0000000030860000 \(options '115200'\)\r\n[^\n]*printk: bootconsole \[ec_imx6q0\] enabled\r\n/);
    assert.match(
      r.stdout,
      /30860000\.serial: ttymxc0 at MMIO 0x30860000 \(irq = 13, base_baud = 1500000\) is a IMX\r\n[^\n]*printk: console \[ttymxc0\] enabled\r\n[^\n]*printk: bootconsole \[ec_imx6q0\] disabled/,
    );
    assert.equal(count(r.stdout, 'linux login: '), 1);
    assert.match(answer(r, 'uname -n'), /^linux\r\n$/);
    // The UART's SPI 26 (INTID 58) reaches the guest through the VMM's passthrough IRQ, on the GICv3.
    assert.match(answer(r, 'cat /proc/interrupts'), /^ *13: +[1-9]\d* +GICv3 +58 Level +30860000\.serial\r$/m);
    const g = emu.snapshot().guests[0];
    assert.equal(g.irq.intid, 58);
    assert.deepEqual(g.faults, []);
    assert.ok(!r.stdout.includes('Begin input'), 'no sDDF on the line');
    assert.ok(!/ERROR/.test(r.stderr), r.stderr);
  });

  it("the driver leaves the registers as Linux's imx.c does for a 115200 8N1 console (24 MHz reference clock)", async () => {
    const r = await bootPiped([DIR], 'root\n');
    assert.equal(r.code, 0, r.stderr);
    const emu = r.session!.emulator;
    const reg = (offset: number): number => emu.bus.read(UART + offset)!;
    // UARTEN and the RX-ready interrupt; TRDYEN is clear again once the TX buffer drained (stop_tx).
    assert.equal(reg(UCR1), 0x0201);
    // SRST (no reset) | RXEN | TXEN | ATEN | WS (8 bits) | IRTS (ignore RTS): set_termios over startup.
    assert.equal(reg(UCR2), 0x402f);
    // probe's DSR | RXDMUXSEL | ADNIMP, then startup's DTRDEN | RI | DCD.
    assert.equal(reg(UCR3), 0x078c);
    // CTS trigger level 16, overrun interrupt on, the data-ready interrupt off.
    assert.equal(reg(UCR4), 0x4002);
    // RFDIV /7 (24 MHz / (16 x 115200) = 13, capped at 7), TX trigger 2, RX trigger 1 (a console).
    assert.equal(reg(UFCR), 0x0b01);
    // 16 x 7 x 115200 / 24 MHz = 336/625: UBIR 335, UBMR 624, exactly 115200 baud.
    assert.equal(reg(UBIR), 335);
    assert.equal(reg(UBMR), 624);
    assert.equal(reg(ONEMS), 3428);
    assert.equal((emu.uart as ImxUart).baud(), 115200);
  });

  it('console=ttymxc0 on the command line picks the same port without a stdout-path; console=ttymxc1 (a disabled UART) leaves no console', async () => {
    const named = await bootPiped([DIR], 'root\necho named\n', {
      files: withChosen(
        'bootargs = "console=ttymxc0,115200 earlycon=ec_imx6q,0x30860000";\nlinux,initrd-start = <0x4d000000>;\nlinux,initrd-end = <0x4e000000>;',
      ),
    });
    assert.equal(named.code, 0, named.stderr);
    assert.match(named.stdout, /earlycon: ec_imx6q0 at MMIO 0x0000000030860000 \(options ''\)/);
    assert.match(named.stdout, /printk: console \[ttymxc0\] enabled/);
    assert.match(answer(named, 'echo named'), /^named\r\n$/);

    const other = await bootPiped([DIR, '--logs'], '', {
      files: withChosen(
        'bootargs = "console=ttymxc1,115200 earlycon=ec_imx6q,0x30860000";\nlinux,initrd-start = <0x4d000000>;\nlinux,initrd-end = <0x4e000000>;',
      ),
    });
    assert.match(other.stdout, /30860000\.serial: ttymxc0 at MMIO 0x30860000 \(irq = 13, base_baud = 1500000\) is a IMX\r\n/);
    assert.match(other.stdout, /printk: bootconsole \[ec_imx6q0\] disabled\r\n/);
    assert.doesNotMatch(other.stdout, /console \[ttymxc/);
    assert.doesNotMatch(other.stdout, /login:/);
    assert.match(other.stderr, /Warning: unable to open an initial console/);
  });

  it('paced at 115200 baud: every boot-console line leaves the UART before the tty resets it, and the shell answers', async () => {
    const r = await bootPiped([DIR, '--realtime'], 'root\necho paced\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\[ +0\.\d+\] Booting Linux[^\n]*\r\n(\[ +\d+\.\d{6}\] [^\n]*\r\n)+Starting syslogd/);
    assert.match(r.stdout, /\] pid_max: default: 32768 minimum: 301\r\n\[ +[\d.]+\] 30860000\.serial: ttymxc0 at MMIO/);
    assert.match(answer(r, 'echo paced'), /^paced\r\n$/);
    assert.equal(r.session!.emulator.uart.overruns, 0);
  });

  it("set_termios's divisors: the reference divider capped at 7 and the best 16-bit fraction (lib/math/rational.c)", () => {
    assert.deepEqual(imxBaudSettings(24_000_000, 115200), { div: 7, rfdiv: 6, ubir: 335, ubmr: 624, onems: 3428 });
    // The i.MX8MQ's own 25 MHz oscillator: 16 x 7 x 115200 / 25 MHz = 8064/15625.
    assert.deepEqual(imxBaudSettings(25_000_000, 115200), { div: 7, rfdiv: 6, ubir: 8063, ubmr: 15624, onems: 3571 });
    // Fast rates use a smaller divider: 1.5 Mbaud at 24 MHz is divider 1, ratio 1/1.
    assert.deepEqual(imxBaudSettings(24_000_000, 1_500_000), { div: 1, rfdiv: 5, ubir: 0, ubmr: 0, onems: 24000 });
    // A ratio with no exact 16-bit fraction: the approximation stays in range and within 10 ppm.
    const s = imxBaudSettings(24_000_000, 115_201);
    assert.ok(s.ubir <= 0xffff && s.ubmr <= 0xffff, JSON.stringify(s));
    const baud = (24_000_000 / s.div / 16) * ((s.ubir + 1) / (s.ubmr + 1));
    assert.ok(Math.abs(baud - 115_201) / 115_201 < 1e-5, String(baud));
  });

  it('earlycon= values: the i.MX and PL011 matches, an optional iotype, options after the address; others are not a UART boot console', () => {
    assert.deepEqual(parseEarlycon('ec_imx6q,0x30860000,115200'), { kind: 'imx', name: 'ec_imx6q0', base: 0x30860000, options: '115200' });
    assert.deepEqual(parseEarlycon('ec_imx21,mmio32,0x30890000'), { kind: 'imx', name: 'ec_imx21', base: 0x30890000, options: '' });
    assert.deepEqual(parseEarlycon('pl011,mmio32,0x9000000,115200n8'), { kind: 'pl011', name: 'pl11', base: 0x9000000, options: '115200n8' });
    assert.equal(parseEarlycon('hvc0'), undefined);
    assert.equal(parseEarlycon(undefined), undefined);
    assert.equal(parseEarlycon('ec_imx6q,nowhere'), undefined);
  });
});
