// The i.MX UART model: pacing at the programmed baud rate, FIFO status bits, interrupts.
import { strict as assert } from 'assert';
import {
  ImxUart,
  UCR1,
  UCR1_RRDYEN,
  UCR1_TRDYEN,
  UCR1_UARTEN,
  UCR2,
  UCR2_RXEN,
  UCR2_TXEN,
  UTS,
  UTS_TXFULL,
  URXD,
  USR2,
  USR2_RDR,
  USR2_TXFE,
  UFCR,
  UBIR,
  UBMR,
} from '../../../src/emulator/devices/uart-imx';
import { build, testGuest, Collector, text } from './helpers';

function uart(fast: boolean) {
  let now = 0;
  const irq: boolean[] = [];
  const u = new ImxUart(
    fast,
    () => now,
    (h) => irq.push(h),
  );
  u.write(UCR2, UCR2_RXEN | UCR2_TXEN | 1);
  u.write(UCR1, UCR1_UARTEN);
  return {
    u,
    irq,
    setNow: (t: number) => {
      now = t;
    },
  };
}

describe('emulator: i.MX UART', () => {
  it('derives the baud rate from UFCR.RFDIV, UBIR and UBMR', () => {
    const { u } = uart(false);
    u.write(UFCR, (0b100 << 7) | (2 << 10) | 1);
    u.write(UBIR, 0xf);
    u.write(UBMR, 103);
    assert.ok(Math.abs(u.baud() - 115384.6) < 1);
    assert.ok(Math.abs(u.charTimeNs() - 86_667) < 10);
  });

  it('paces TX at one character per 10 bit times and reports FIFO full', () => {
    const { u, setNow } = uart(false);
    for (let i = 0; i < 40; i++) u.transmit(0x41 + (i % 26));
    // 1 in the shift register + 32 in the FIFO; the rest were dropped by the hardware.
    assert.equal(u.read(UTS) & UTS_TXFULL, UTS_TXFULL);
    assert.equal(u.read(USR2) & USR2_TXFE, 0);
    const t = u.charTimeNs();
    setNow(t * 3 + 1);
    u.advance(t * 3 + 1);
    assert.equal(text(u.drainOutput()!), 'ABC');
    assert.equal(u.read(UTS) & UTS_TXFULL, 0);
  });

  it('raises RX and TX interrupts as enabled and as the FIFOs say', () => {
    const { u, irq, setNow } = uart(false);
    u.write(UCR1, UCR1_UARTEN | UCR1_RRDYEN);
    u.type(Uint8Array.of(0x61, 0x62));
    const t = u.charTimeNs();
    setNow(t);
    u.advance(t);
    assert.deepEqual(irq, [true]);
    assert.equal(u.read(USR2) & USR2_RDR, USR2_RDR);
    assert.equal(u.read(URXD), 0x8061);
    assert.deepEqual(irq, [true, false]);
    u.write(UCR1, UCR1_UARTEN | UCR1_TRDYEN);
    assert.deepEqual(irq, [true, false, true], 'an empty TX FIFO below the threshold raises TX ready');
  });

  it('counts an overrun when the RX FIFO is full in realtime mode', () => {
    const { u, setNow } = uart(false);
    u.type(new Uint8Array(40).fill(0x30));
    const t = u.charTimeNs();
    setNow(t * 40);
    u.advance(t * 40);
    assert.equal(u.overruns, 8);
  });

  it('carries console output at 115200 baud through the whole system in realtime mode', () => {
    const emu = build({ programs: [testGuest({ txTotal: 1000, fill: (_o, d) => d.fill(0x2e) }), testGuest({})], serial: { fast: false } });
    const out = new Collector();
    emu.onUartOutput(out.push);
    emu.runFor(50_000_000);
    // 13 + 1000 bytes at 11,538 chars/s need about 88 ms; after 50 ms about 577 have gone.
    assert.ok(out.length > 540 && out.length < 600, `${out.length}`);
    emu.runFor(50_000_000);
    assert.equal(out.length, 1013);
    assert.equal(text(out.bytes().subarray(0, 13)), 'Begin input\r\n');
  });

  it('registers its range on the physical bus, where tools can read its registers', () => {
    const emu = build({ programs: [testGuest({}), testGuest({})] });
    assert.deepEqual(emu.bus.list(), [{ name: 'uart', base: 0x30860000, size: 0x1000 }]);
    assert.equal(emu.bus.read(0x30860000 + UCR1)! & UCR1_UARTEN, UCR1_UARTEN, 'the driver enabled it');
    assert.equal(emu.bus.read(0x30860000 + UTS)! & 0x20, 0x20, 'RX FIFO empty');
    assert.equal(emu.bus.read(0x20000000), undefined);
    const dev = emu.snapshot().devices[0];
    assert.equal(dev.name, 'uart');
    assert.ok(dev.state && typeof dev.state === 'object' && 'regs' in dev.state);
  });
});
