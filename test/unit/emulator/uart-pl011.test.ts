// The PL011 model against the PrimeCell UART (PL011) r1p5 technical reference manual (DDI 0183G):
// reset values, the baud divisor and its latching by UARTLCR_H, FIFO levels and flags, the
// trigger levels of UARTIFLS, the interrupt conditions and how each clears, the receive timeout,
// overrun, and the one-location holding registers when the FIFOs are off.
import { strict as assert } from 'assert';
import {
  CR_RXE,
  CR_TXE,
  CR_UARTEN,
  DR_OE,
  FR_BUSY,
  FR_RXFE,
  FR_RXFF,
  FR_TXFE,
  FR_TXFF,
  INT_OE,
  INT_RT,
  INT_RX,
  INT_TX,
  LCR_FEN,
  LCR_PEN,
  LCR_STP2,
  LCR_WLEN_SHIFT,
  PL011_CR,
  PL011_DR,
  PL011_FBRD,
  PL011_FR,
  PL011_IBRD,
  PL011_ICR,
  PL011_IFLS,
  PL011_IMSC,
  PL011_LCR_H,
  PL011_MIS,
  PL011_PERIPH_ID0,
  PL011_RIS,
  PL011_RSR,
  Pl011Uart,
  RSR_OE,
} from '../../../src/emulator/devices/uart-pl011';
import { text } from './helpers';

const CLOCK = 24_000_000;
const WLEN8 = 3 << LCR_WLEN_SHIFT;

function pl011(opts: { fast?: boolean; depth?: number; fifos?: boolean } = {}) {
  let now = 0;
  const irq: boolean[] = [];
  const u = new Pl011Uart(
    opts.fast ?? false,
    () => now,
    (h) => irq.push(h),
    { clockHz: CLOCK, fifoDepth: opts.depth ?? 32 },
  );
  // 115200 baud: 24 MHz / (16 x 115200) = 13.0208 -> IBRD 13, FBRD round(0.0208 x 64) = 1.
  u.write(PL011_IBRD, 13);
  u.write(PL011_FBRD, 1);
  u.write(PL011_LCR_H, WLEN8 | (opts.fifos === false ? 0 : LCR_FEN));
  u.write(PL011_CR, CR_UARTEN | CR_TXE | CR_RXE);
  const at = (t: number): void => {
    now = t;
    u.advance(t);
  };
  return { u, irq, at, now: () => now };
}

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('emulator: PL011 UART (TRM r1p5)', () => {
  it('comes out of reset as table 3-1 says: TXE and RXE set, UARTEN clear, IFLS 1/2, no interrupts; FIFOs empty; the PrimeCell IDs', () => {
    const u = new Pl011Uart(
      false,
      () => 0,
      () => undefined,
      { clockHz: CLOCK, fifoDepth: 32 },
    );
    assert.equal(u.read(PL011_CR), CR_TXE | CR_RXE);
    assert.equal(u.read(PL011_IFLS), 0x12);
    assert.equal(u.read(PL011_IMSC), 0);
    assert.equal(u.read(PL011_RIS), 0);
    assert.equal(u.read(PL011_FR) & (FR_TXFE | FR_RXFE | FR_TXFF | FR_RXFF | FR_BUSY), FR_TXFE | FR_RXFE);
    const ids = Array.from({ length: 8 }, (_, i) => u.read(PL011_PERIPH_ID0 + 4 * i));
    assert.deepEqual(ids, [0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  });

  describe('baud divisor', () => {
    it('BAUDDIV = UARTCLK / (16 x baud) = IBRD + FBRD/64; a frame of start + 8 data + 1 stop bits', () => {
      const { u } = pl011();
      assert.ok(Math.abs(u.divisor() - (13 + 1 / 64)) < 1e-9);
      assert.ok(Math.abs(u.baud() - 115_246.1) < 0.1, String(u.baud()));
      assert.equal(u.frameBits(), 10);
      assert.ok(Math.abs(u.charTimeNs() - (10 * 1e9) / u.baud()) < 1e-6);
    });

    it('UARTIBRD and UARTFBRD take effect only on the UARTLCR_H write that follows (one 30-bit register)', () => {
      const { u } = pl011();
      u.write(PL011_IBRD, 26);
      u.write(PL011_FBRD, 2);
      assert.equal(u.read(PL011_IBRD), 26);
      assert.ok(Math.abs(u.divisor() - (13 + 1 / 64)) < 1e-9, 'not latched yet');
      u.write(PL011_LCR_H, WLEN8 | LCR_FEN);
      assert.ok(Math.abs(u.divisor() - (26 + 2 / 64)) < 1e-9);
    });

    it('FBRD holds 6 bits and IBRD 16; IBRD 0 is invalid (no divisor)', () => {
      const { u } = pl011();
      u.write(PL011_FBRD, 832); // sDDF's set_baud writes (int)(13 x 64 + 0.5): only the low 6 bits stay
      u.write(PL011_IBRD, 0x1_0005);
      assert.equal(u.read(PL011_FBRD), 0);
      assert.equal(u.read(PL011_IBRD), 5);
      u.write(PL011_IBRD, 0);
      u.write(PL011_LCR_H, WLEN8 | LCR_FEN);
      assert.equal(u.divisor(), 0);
    });

    it('the frame counts word length, parity and stop bits: 7 data + parity + 2 stop = 11 bits', () => {
      const { u } = pl011();
      u.write(PL011_LCR_H, (2 << LCR_WLEN_SHIFT) | LCR_PEN | LCR_STP2 | LCR_FEN);
      assert.equal(u.frameBits(), 11);
    });
  });

  describe('FIFOs and flags', () => {
    it('TX: the FIFO holds 32; TXFF when full; a write to a full FIFO is lost; BUSY until the last stop bit', () => {
      const { u, at } = pl011();
      for (let i = 0; i < 40; i++) u.write(PL011_DR, 0x41 + (i % 26));
      // One character went straight to the shift register; 32 wait in the FIFO.
      assert.equal(u.read(PL011_FR) & (FR_TXFF | FR_BUSY | FR_TXFE), FR_TXFF | FR_BUSY);
      const t = u.charTimeNs();
      at(t * 33 + 1);
      assert.equal(text(u.drainOutput()!), 'ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG');
      assert.equal(u.read(PL011_FR) & (FR_TXFE | FR_BUSY), FR_TXFE);
    });

    it('paces TX at one frame per character', () => {
      const { u, at } = pl011();
      u.write(PL011_DR, 0x61);
      u.write(PL011_DR, 0x62);
      const t = u.charTimeNs();
      at(t - 1);
      assert.equal(u.drainOutput(), undefined);
      at(t);
      assert.equal(text(u.drainOutput()!), 'a');
      at(2 * t);
      assert.equal(text(u.drainOutput()!), 'b');
    });

    it('RX: RXFE until a character arrives, RXFF at 32; the data register returns the oldest', () => {
      const { u, at } = pl011();
      assert.equal(u.read(PL011_FR) & FR_RXFE, FR_RXFE);
      u.type(bytes('x'.repeat(31) + 'yz'));
      const t = u.charTimeNs();
      at(t * 32 + 1);
      assert.equal(u.read(PL011_FR) & (FR_RXFF | FR_RXFE), FR_RXFF);
      assert.equal(u.read(PL011_DR), 0x78);
      assert.equal(u.read(PL011_FR) & FR_RXFF, 0);
    });

    it("a 16-deep FIFO (QEMU's) fills at 16", () => {
      const { u, at } = pl011({ depth: 16 });
      for (let i = 0; i < 20; i++) u.write(PL011_DR, 0x30);
      assert.equal(u.read(PL011_FR) & FR_TXFF, FR_TXFF);
      u.type(new Uint8Array(16).fill(0x31));
      at(u.charTimeNs() * 16 + 1);
      assert.equal(u.read(PL011_FR) & FR_RXFF, FR_RXFF);
    });

    it('with the FIFOs off each direction is a one-location holding register', () => {
      const { u, at } = pl011({ fifos: false });
      u.write(PL011_DR, 0x41); // into the shift register
      u.write(PL011_DR, 0x42); // the holding register
      assert.equal(u.read(PL011_FR) & FR_TXFF, FR_TXFF);
      u.write(PL011_DR, 0x43); // lost
      u.type(bytes('pq'));
      at(u.charTimeNs() * 3 + 1);
      assert.equal(text(u.drainOutput()!), 'AB');
      assert.equal(u.read(PL011_FR) & FR_RXFF, FR_RXFF);
      assert.equal(u.read(PL011_DR) & 0xff, 0x70);
    });

    it('TX and RX move nothing while the UART, TXE or RXE is off; enabling TX sends what waited', () => {
      const { u, at } = pl011();
      u.write(PL011_CR, CR_UARTEN | CR_RXE);
      u.write(PL011_DR, 0x41);
      at(u.charTimeNs() * 4);
      assert.equal(u.drainOutput(), undefined);
      u.write(PL011_CR, CR_UARTEN | CR_TXE);
      u.type(bytes('z'));
      at(u.charTimeNs() * 8);
      assert.equal(text(u.drainOutput()!), 'A');
      assert.equal(u.read(PL011_FR) & FR_RXFE, FR_RXFE, 'received while RXE was off: not stored');
    });
  });

  describe('interrupts', () => {
    it('RX: raised when the FIFO reaches the IFLS level (1/8 of 32 = 4), cleared by reading below it', () => {
      const { u, at } = pl011();
      u.write(PL011_IFLS, 0); // RX 1/8, TX 1/8
      u.write(PL011_IMSC, INT_RX);
      u.type(bytes('abcd'));
      const t = u.charTimeNs();
      at(t * 3 + 1);
      assert.equal(u.read(PL011_RIS) & INT_RX, 0, 'three characters are below the level');
      at(t * 4 + 1);
      assert.equal(u.read(PL011_MIS), INT_RX);
      u.read(PL011_DR);
      assert.equal(u.read(PL011_RIS) & INT_RX, 0);
    });

    it('RX levels 1/4, 1/2, 3/4, 7/8 of a 32-deep FIFO are 8, 16, 24, 28 characters', () => {
      for (const [sel, level] of [
        [1, 8],
        [2, 16],
        [3, 24],
        [4, 28],
      ]) {
        const { u, at } = pl011();
        u.write(PL011_IFLS, sel << 3);
        u.type(new Uint8Array(level).fill(0x41));
        const t = u.charTimeNs();
        at(t * (level - 1) + 1);
        assert.equal(u.read(PL011_RIS) & INT_RX, 0, `sel ${sel}: below`);
        at(t * level + 1);
        assert.equal(u.read(PL011_RIS) & INT_RX, INT_RX, `sel ${sel}: at ${level}`);
      }
    });

    it('RX: ICR clears the raw status even while the FIFO stays at the level', () => {
      const { u, at } = pl011();
      u.write(PL011_IFLS, 0);
      u.type(bytes('abcd'));
      at(u.charTimeNs() * 4 + 1);
      u.write(PL011_ICR, INT_RX);
      assert.equal(u.read(PL011_RIS) & INT_RX, 0);
    });

    it('receive timeout: below the level, asserted 32 bit periods after the last character; cleared when the FIFO empties', () => {
      const { u, at } = pl011();
      u.write(PL011_IFLS, 0);
      u.write(PL011_IMSC, INT_RT | INT_RX);
      u.type(bytes('ab'));
      const t = u.charTimeNs(),
        bit = t / 10;
      at(2 * t + 32 * bit - 1);
      assert.equal(u.read(PL011_RIS) & INT_RT, 0);
      at(2 * t + 32 * bit + 1);
      assert.equal(u.read(PL011_MIS), INT_RT);
      u.read(PL011_DR);
      assert.equal(u.read(PL011_RIS) & INT_RT, INT_RT, 'one character left');
      u.read(PL011_DR);
      assert.equal(u.read(PL011_RIS) & INT_RT, 0);
    });

    it('TX: not raised by enabling with an empty FIFO; raised when the FIFO drains through the level; cleared by writing above it', () => {
      const { u, at } = pl011();
      u.write(PL011_IFLS, 0); // TX at <= 4
      u.write(PL011_IMSC, INT_TX);
      assert.equal(u.read(PL011_RIS) & INT_TX, 0, 'the interrupt is a transition, not a level (TRM 3.4.3)');
      for (let i = 0; i < 10; i++) u.write(PL011_DR, 0x41);
      // One shifting, 9 in the FIFO: after 5 more leave, 4 remain.
      const t = u.charTimeNs();
      at(t * 4 + 1);
      assert.equal(u.read(PL011_RIS) & INT_TX, 0);
      at(t * 5 + 1);
      assert.equal(u.read(PL011_MIS), INT_TX);
      u.write(PL011_DR, 0x42);
      assert.equal(u.read(PL011_RIS) & INT_TX, 0, 'five in the FIFO, above the level: cleared');
    });

    it('overrun: a character arriving at a full FIFO is lost, sets OE in RSR and RIS, and marks the next character stored', () => {
      const { u, at } = pl011();
      u.write(PL011_IMSC, INT_OE);
      u.type(bytes('A'.repeat(32) + 'BC'));
      const t = u.charTimeNs();
      at(t * 33 + 1);
      assert.equal(u.overruns, 1);
      assert.equal(u.read(PL011_MIS), INT_OE);
      assert.equal(u.read(PL011_RSR) & RSR_OE, RSR_OE);
      u.read(PL011_DR); // room for one
      at(t * 34 + 1);
      for (let i = 0; i < 31; i++) assert.equal(u.read(PL011_DR), 0x41);
      assert.equal(u.read(PL011_DR), 0x43 | DR_OE, 'B was lost; C carries the overrun');
      u.write(PL011_RSR, 0);
      assert.equal(u.read(PL011_RSR), 0);
      u.write(PL011_ICR, INT_OE);
      assert.equal(u.read(PL011_MIS), 0);
    });

    it('the interrupt line follows RIS & IMSC', () => {
      const { u, irq, at } = pl011();
      u.write(PL011_IFLS, 0);
      u.type(bytes('abcd'));
      at(u.charTimeNs() * 4 + 1);
      assert.deepEqual(irq, []);
      u.write(PL011_IMSC, INT_RX);
      assert.deepEqual(irq, [true]);
      u.write(PL011_IMSC, 0);
      assert.deepEqual(irq, [true, false]);
    });
  });

  it('fast mode: bytes leave at once and typed bytes wait on the wire without overrun', () => {
    const { u } = pl011({ fast: true });
    for (const b of bytes('hello')) u.write(PL011_DR, b);
    assert.equal(text(u.drainOutput()!), 'hello');
    u.type(new Uint8Array(40).fill(0x41));
    assert.equal(u.wirePending(), 8);
    for (let i = 0; i < 40; i++) assert.equal(u.read(PL011_DR), 0x41);
    assert.equal(u.overruns, 0);
  });

  it('state round-trips through getState/setState', () => {
    const { u, at } = pl011();
    u.write(PL011_IFLS, 0);
    u.type(bytes('abc'));
    for (const b of bytes('xyz')) u.write(PL011_DR, b);
    at(u.charTimeNs() + 1);
    const s = u.getState();
    const v = new Pl011Uart(
      false,
      () => u.charTimeNs() + 1,
      () => undefined,
      { clockHz: CLOCK, fifoDepth: 32 },
    );
    v.setState(s);
    assert.deepEqual(v.getState(), s);
    assert.equal(v.read(PL011_FR), u.read(PL011_FR));
  });
});
