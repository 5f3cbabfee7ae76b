// The Meson UART model against the S905X3 datasheet's UART chapter (13.5.4) and what sDDF's and
// Linux's drivers rely on: the STATUS counts and flags, 64-entry FIFOs, the MISC interrupt
// thresholds, the REG5 baud rate (the crystal divided by 3, 2 or 1, or clk81/4, over count + 1),
// the frame from CONTROL, TX_FIFO_WERR and RX overflow with CLEAR_ERR, the resets, and the enables.
import { strict as assert } from 'assert';
import {
  CTRL_CLEAR_ERR,
  CTRL_PARITY_EN,
  CTRL_RX_EN,
  CTRL_RX_INT_EN,
  CTRL_RX_RST,
  CTRL_STOP_2,
  CTRL_TX_EN,
  CTRL_TX_INT_EN,
  CTRL_TX_RST,
  MESON_CONTROL,
  MESON_MISC,
  MESON_REG5,
  MESON_RFIFO,
  MESON_STATUS,
  MESON_WFIFO,
  MesonUart,
  REG5_USE,
  REG5_XTAL,
  REG5_XTAL_DIV1,
  REG5_XTAL_DIV2,
  STAT_RX_BUSY,
  STAT_RX_EMPTY,
  STAT_RX_FULL,
  STAT_RX_OVERFLOW,
  STAT_TX_BUSY,
  STAT_TX_EMPTY,
  STAT_TX_FIFO_WERR,
  STAT_TX_FULL,
} from '../../../../src/emulator/devices/uart-meson';
import { text } from '../helpers';

const XTAL = 24_000_000;
const DEPTH = 64;
/** sDDF's programming for 115200 on the ODROID-C4: 24 MHz / 115200 = 208 ticks, even, so /2 and 104. */
const REG5_115200 = REG5_USE | REG5_XTAL | REG5_XTAL_DIV2 | 104;
const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const rxCount = (u: MesonUart): number => u.read(MESON_STATUS) & 0x7f;
const txCount = (u: MesonUart): number => (u.read(MESON_STATUS) >> 8) & 0x7f;

function meson(opts: { fast?: boolean; control?: number } = {}) {
  let now = 0;
  const irq: boolean[] = [];
  const u = new MesonUart(
    opts.fast ?? false,
    () => now,
    (h) => irq.push(h),
    { xtalHz: XTAL, fifoDepth: DEPTH },
  );
  u.write(MESON_REG5, REG5_115200);
  u.write(MESON_CONTROL, opts.control ?? CTRL_TX_EN | CTRL_RX_EN);
  const at = (t: number): void => {
    now = t;
    u.advance(t);
  };
  return { u, irq, at, now: () => now, high: () => irq.length > 0 && irq[irq.length - 1] };
}

describe('emulator: Meson UART (S905X3 datasheet 13.5.4)', () => {
  it('out of reset: both FIFOs empty (counts 0, RX_EMPTY and TX_EMPTY), nothing busy, no interrupt', () => {
    const u = new MesonUart(
      false,
      () => 0,
      () => undefined,
    );
    assert.equal(u.read(MESON_STATUS), STAT_RX_EMPTY | STAT_TX_EMPTY);
    assert.equal(u.read(MESON_CONTROL), 0);
    assert.equal(u.read(MESON_RFIFO), 0);
    assert.equal(u.read(MESON_WFIFO), 0);
  });

  it('baud = reference / (count + 1): the crystal divided by 3, 2 or 1 with REG5_XTAL, else clk81/4; the old CONTROL field without REG5_USE', () => {
    const { u } = meson();
    assert.ok(Math.abs(u.baud() - 12e6 / 105) < 1e-6);
    u.write(MESON_REG5, REG5_USE | REG5_XTAL | 68); // /3: 8 MHz / 69
    assert.ok(Math.abs(u.baud() - 8e6 / 69) < 1e-6);
    u.write(MESON_REG5, REG5_USE | REG5_XTAL | REG5_XTAL_DIV1 | 207);
    assert.ok(Math.abs(u.baud() - 24e6 / 208) < 1e-6);
    u.write(MESON_REG5, REG5_USE | 360); // clk81 / 4 / 361
    assert.ok(Math.abs(u.baud() - 166_666_667 / 4 / 361) < 1e-3);
    u.write(MESON_REG5, 0);
    u.write(MESON_CONTROL, CTRL_TX_EN | 360); // the old 12-bit count, clk81/4
    assert.ok(Math.abs(u.baud() - 166_666_667 / 4 / 361) < 1e-3);
  });

  it('a character takes its frame: start, 8-5 data bits, parity when enabled, 1 or 2 stop bits', () => {
    const { u } = meson();
    assert.equal(u.frameBits(), 10);
    assert.ok(Math.abs(u.charTimeNs() - (10 * 1e9 * 105) / 12e6) < 1e-6);
    u.write(MESON_CONTROL, CTRL_TX_EN | CTRL_PARITY_EN | CTRL_STOP_2 | (3 << 20));
    assert.equal(u.frameBits(), 1 + 5 + 1 + 2);
  });

  it('TX: one character per frame time; STATUS counts the FIFO, TX_FULL at 64, TX_BUSY while shifting, TX_EMPTY once drained', () => {
    const { u, at } = meson();
    for (let i = 0; i < DEPTH + 1; i++) u.write(MESON_WFIFO, 0x41 + (i % 26));
    // The first went straight to the shift register.
    assert.equal(txCount(u), DEPTH);
    assert.ok(u.read(MESON_STATUS) & STAT_TX_FULL);
    assert.ok(u.read(MESON_STATUS) & STAT_TX_BUSY);
    const t = u.charTimeNs();
    at(3 * t + 1);
    assert.equal(text(u.drainOutput()!), 'ABC');
    assert.equal(txCount(u), DEPTH - 3);
    assert.equal(u.read(MESON_STATUS) & STAT_TX_FULL, 0);
    at(66 * t);
    assert.equal(u.drainOutput()!.length, DEPTH + 1 - 3);
    assert.equal(u.read(MESON_STATUS) & (STAT_TX_EMPTY | STAT_TX_BUSY), STAT_TX_EMPTY);
    assert.equal(u.busy(), false);
  });

  it('a write to a full TX FIFO is lost and sets TX_FIFO_WERR, which CLEAR_ERR clears and holds clear until it is written 0', () => {
    const { u } = meson({ control: CTRL_RX_EN }); // TX off: nothing leaves the FIFO
    for (let i = 0; i < DEPTH; i++) u.write(MESON_WFIFO, 0x30);
    assert.equal(u.read(MESON_STATUS) & STAT_TX_FIFO_WERR, 0);
    u.write(MESON_WFIFO, 0x31);
    assert.equal(txCount(u), DEPTH);
    assert.ok(u.read(MESON_STATUS) & STAT_TX_FIFO_WERR);
    u.write(MESON_CONTROL, CTRL_RX_EN | CTRL_CLEAR_ERR);
    assert.equal(u.read(MESON_STATUS) & STAT_TX_FIFO_WERR, 0);
    u.write(MESON_WFIFO, 0x31);
    assert.equal(u.read(MESON_STATUS) & STAT_TX_FIFO_WERR, 0, 'held clear while CLEAR_ERR is set');
    u.write(MESON_CONTROL, CTRL_RX_EN);
    u.write(MESON_WFIFO, 0x31);
    assert.ok(u.read(MESON_STATUS) & STAT_TX_FIFO_WERR);
  });

  it('TX_EN: the FIFO fills while the transmitter is off and drains once it is on', () => {
    const { u, at } = meson({ control: 0 });
    u.write(MESON_WFIFO, 0x68);
    u.write(MESON_WFIFO, 0x69);
    at(1e6);
    assert.equal(u.drainOutput(), undefined);
    assert.equal(txCount(u), 2);
    u.write(MESON_CONTROL, CTRL_TX_EN);
    at(1e6 + 2 * u.charTimeNs());
    assert.equal(text(u.drainOutput()!), 'hi');
  });

  it('RX: characters arrive a frame apart; STATUS counts them; RFIFO pops the oldest; RX_BUSY while one is on its way', () => {
    const { u, at } = meson();
    u.type(bytes('abc'));
    assert.ok(u.read(MESON_STATUS) & STAT_RX_BUSY);
    const t = u.charTimeNs();
    at(t);
    assert.equal(rxCount(u), 1);
    at(3 * t);
    assert.equal(rxCount(u), 3);
    assert.equal(u.read(MESON_STATUS) & (STAT_RX_EMPTY | STAT_RX_BUSY), 0);
    assert.equal(u.read(MESON_RFIFO), 0x61);
    assert.equal(u.read(MESON_RFIFO), 0x62);
    assert.equal(u.read(MESON_RFIFO), 0x63);
    assert.ok(u.read(MESON_STATUS) & STAT_RX_EMPTY);
    assert.equal(u.rxBytes, 3);
  });

  it('RX overflow: at 64 RX_FULL; the next character is lost, counted and flags RX_OVERFLOW; the FIFO keeps its contents', () => {
    const { u, at } = meson();
    u.type(new Uint8Array(DEPTH + 2).map((_, i) => 0x20 + i));
    at((DEPTH + 2) * u.charTimeNs());
    assert.equal(rxCount(u), DEPTH);
    assert.ok(u.read(MESON_STATUS) & STAT_RX_FULL);
    assert.ok(u.read(MESON_STATUS) & STAT_RX_OVERFLOW);
    assert.equal(u.overruns, 2);
    assert.equal(u.read(MESON_RFIFO), 0x20);
    u.write(MESON_CONTROL, CTRL_TX_EN | CTRL_RX_EN | CTRL_CLEAR_ERR);
    assert.equal(u.read(MESON_STATUS) & STAT_RX_OVERFLOW, 0);
  });

  it('with RX_EN clear, arriving characters are lost (and counted), paced or fast', () => {
    const paced = meson({ control: CTRL_TX_EN });
    paced.u.type(bytes('xy'));
    paced.at(2 * paced.u.charTimeNs());
    assert.equal(rxCount(paced.u), 0);
    assert.equal(paced.u.overruns, 2);
    const fast = meson({ fast: true, control: CTRL_TX_EN });
    fast.u.type(bytes('xyz'));
    assert.equal(fast.u.wirePending(), 0);
    assert.equal(fast.u.overruns, 3);
  });

  it('the RX interrupt: RX_INT_EN and at least MISC[7:0] characters (at least 1) in the FIFO', () => {
    const { u, at, high } = meson();
    u.write(MESON_MISC, 3);
    u.write(MESON_CONTROL, CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INT_EN);
    u.type(bytes('abcd'));
    at(2 * u.charTimeNs());
    assert.equal(high(), false);
    at(3 * u.charTimeNs());
    assert.equal(high(), true);
    u.read(MESON_RFIFO);
    assert.equal(high(), false);
    u.write(MESON_MISC, 0);
    assert.equal(high(), true, 'a threshold of 0 acts as 1');
    u.write(MESON_CONTROL, CTRL_TX_EN | CTRL_RX_EN);
    assert.equal(high(), false);
  });

  it('the TX interrupt: TX_INT_EN and fewer than MISC[15:8] characters in the TX FIFO', () => {
    const { u, at, high } = meson();
    u.write(MESON_MISC, 4 << 8);
    for (let i = 0; i < 10; i++) u.write(MESON_WFIFO, 0x61);
    u.write(MESON_CONTROL, CTRL_TX_EN | CTRL_RX_EN | CTRL_TX_INT_EN);
    assert.equal(high(), false);
    const t = u.charTimeNs();
    at(5 * t + 1); // 9 - 5 = 4 left
    assert.equal(txCount(u), 4);
    assert.equal(high(), false);
    at(6 * t + 1);
    assert.equal(high(), true);
    u.write(MESON_CONTROL, CTRL_TX_EN | CTRL_RX_EN);
    assert.equal(high(), false);
  });

  it('TX_RST and RX_RST empty their FIFOs and hold their state machines while set', () => {
    const { u, at } = meson();
    u.type(bytes('ab'));
    at(2 * u.charTimeNs());
    for (let i = 0; i < 5; i++) u.write(MESON_WFIFO, 0x61);
    u.write(MESON_CONTROL, CTRL_TX_EN | CTRL_RX_EN | CTRL_TX_RST | CTRL_RX_RST);
    assert.equal(u.read(MESON_STATUS), STAT_RX_EMPTY | STAT_TX_EMPTY);
    u.write(MESON_WFIFO, 0x62);
    at(10 * u.charTimeNs());
    assert.equal(u.drainOutput(), undefined, 'no transmission while TX_RST is set');
    u.write(MESON_CONTROL, CTRL_TX_EN | CTRL_RX_EN);
    at(12 * u.charTimeNs());
    assert.equal(text(u.drainOutput()!), 'b');
  });

  it('fast mode: writes leave at once; typing fills the RX FIFO up to 64 and the rest waits on the wire', () => {
    const { u } = meson({ fast: true });
    const out = bytes('hello');
    assert.equal(u.writeTxFifo(out, 0, out.length), 5);
    assert.equal(text(u.drainOutput()!), 'hello');
    u.type(new Uint8Array(100).fill(0x41));
    assert.equal(rxCount(u), DEPTH);
    assert.equal(u.wirePending(), 100 - DEPTH);
    u.read(MESON_RFIFO);
    assert.equal(rxCount(u), DEPTH);
    assert.equal(u.overruns, 0);
  });

  it('saved state restores registers, FIFOs, errors and pacing', () => {
    const a = meson();
    a.u.write(MESON_MISC, 0x0201);
    a.u.type(bytes('qr'));
    a.at(a.u.charTimeNs());
    for (let i = 0; i < 3; i++) a.u.write(MESON_WFIFO, 0x7a);
    const b = meson();
    b.u.setState(
      JSON.parse(
        JSON.stringify(a.u.getState(), (_k, v) => (v === Infinity ? 'Infinity' : v)),
        (_k, v) => (v === 'Infinity' ? Infinity : v),
      ),
    );
    assert.deepEqual(b.u.getState(), a.u.getState());
    assert.equal(b.u.read(MESON_STATUS), a.u.read(MESON_STATUS));
  });
});
