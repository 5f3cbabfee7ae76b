// The Amlogic Meson UART (the ODROID-C4's UART_AO_A at 0xff803000), as the S905X3 datasheet
// (section 13.5.4) lays it out and as sDDF's driver (drivers/serial/meson) and Linux's meson_uart
// use it: 64-entry RX and TX FIFOs behind the WFIFO and RFIFO registers, the control register's
// enables, resets and frame, the status register's FIFO counts and flags, the interrupt thresholds
// of the MISC register, and the baud rate of REG5: the crystal (24 MHz, divided by 3, 2 or 1) or
// clk81/4, divided by the REG5 count + 1, one character per frame (start, 5-8 data, parity, 1-2 stop bits).
//
// Departures from the pinned upstream (sDDF 650ace5, libvmm 7069ab9, Microkit cfd5216):
// - In fast mode bytes leave the TX FIFO at once and typed bytes enter the RX FIFO as soon as there
//   is room (no pacing, no overflow) (sddf drivers/serial/meson/uart.c:78-81).
// - The interrupt is the level of its conditions (RX count at or above the MISC threshold, TX count
//   below it), where the SoC's trees declare it edge-rising; for a driver that handles every condition
//   before it acknowledges, as sDDF's does, the two deliver the same interrupts (sddf drivers/serial/meson/uart.c:126-145).
// - No parity or framing error is ever raised, and the two-wire (CTS) mode is storage: the line's
//   other end is assumed to agree (sddf drivers/serial/meson/uart.c:138-141).
import { UartLineSide, type SerialDevice, type UartLineState } from './uart-line';

export const MESON_WFIFO = 0x00,
  MESON_RFIFO = 0x04,
  MESON_CONTROL = 0x08,
  MESON_STATUS = 0x0c,
  MESON_MISC = 0x10,
  MESON_REG5 = 0x14;
/** CONTROL bits. */
export const CTRL_OLD_BAUD_MASK = 0xfff,
  CTRL_TX_EN = 1 << 12,
  CTRL_RX_EN = 1 << 13,
  CTRL_TWO_WIRE = 1 << 15,
  CTRL_STOP_MASK = 3 << 16,
  CTRL_STOP_2 = 1 << 16,
  CTRL_PARITY_EN = 1 << 19,
  CTRL_DATA_LEN_SHIFT = 20,
  CTRL_DATA_LEN_MASK = 3 << 20,
  CTRL_TX_RST = 1 << 22,
  CTRL_RX_RST = 1 << 23,
  CTRL_CLEAR_ERR = 1 << 24,
  CTRL_RX_INT_EN = 1 << 27,
  CTRL_TX_INT_EN = 1 << 28;
/** STATUS bits. */
export const STAT_RX_COUNT_MASK = 0x7f,
  STAT_TX_COUNT_SHIFT = 8,
  STAT_PARITY_ERR = 1 << 16,
  STAT_FRAME_ERR = 1 << 17,
  STAT_TX_FIFO_WERR = 1 << 18,
  STAT_RX_FULL = 1 << 19,
  STAT_RX_EMPTY = 1 << 20,
  STAT_TX_FULL = 1 << 21,
  STAT_TX_EMPTY = 1 << 22,
  STAT_RX_OVERFLOW = 1 << 24,
  STAT_TX_BUSY = 1 << 25,
  STAT_RX_BUSY = 1 << 26;
/** MISC: the RX interrupt threshold (bits 7:0) and the TX one (bits 15:8). */
export const MISC_XMIT_SHIFT = 8;
/** REG5 bits. */
export const REG5_BAUD_MASK = 0x7fffff,
  REG5_USE = 1 << 23,
  REG5_XTAL = 1 << 24,
  REG5_XTAL_DIV1 = 1 << 26,
  REG5_XTAL_DIV2 = 1 << 27;
/** The SoC's fixed clk81 (166.67 MHz on G12A/SM1); without REG5_XTAL the UART counts clk81/4. */
const CLK81_HZ = 166_666_667;

export interface MesonUartOptions {
  /** The crystal (24 MHz on the S905X3). */
  xtalHz: number;
  /** 64 on the AO UARTs. */
  fifoDepth: number;
}

export interface MesonUartState extends UartLineState {
  regs: number[];
  errors: number;
}

export class MesonUart extends UartLineSide implements SerialDevice {
  readonly name = 'uart';
  private control = 0;
  private misc = 0;
  private reg5 = 0;
  /** The sticky error bits of STATUS (cleared while CONTROL.CLEAR_ERR is set). */
  private errors = 0;

  constructor(
    fast: boolean,
    now: () => number,
    setIrq: (high: boolean) => void,
    private readonly options: MesonUartOptions = { xtalHz: 24_000_000, fifoDepth: 64 },
  ) {
    super(fast, now, setIrq, options.fifoDepth);
  }

  // ---- timing

  /** The clock REG5's count divides: the crystal by 3, 2 or 1 (REG5_XTAL), else clk81/4. */
  referenceHz(): number {
    if ((this.reg5 & REG5_XTAL) === 0) return CLK81_HZ / 4;
    const x = this.options.xtalHz;
    return this.reg5 & REG5_XTAL_DIV2 ? x / 2 : this.reg5 & REG5_XTAL_DIV1 ? x : x / 3;
  }

  /**
   * Baud = reference / (count + 1), the count from REG5 when REG5_USE is set, else CONTROL's old
   * 12-bit field; 115200 while neither is programmed (the boot firmware's rate).
   */
  baud(): number {
    const count = this.reg5 & REG5_USE ? this.reg5 & REG5_BAUD_MASK : this.control & CTRL_OLD_BAUD_MASK;
    if ((this.reg5 & REG5_USE) === 0 && count === 0) return 115200;
    return this.referenceHz() / (count + 1);
  }

  /** A start bit, 8-5 data bits (DATA_LEN 0-3), parity when enabled, 1 or 2 stop bits. */
  frameBits(): number {
    const c = this.control;
    return 1 + 8 - ((c >> CTRL_DATA_LEN_SHIFT) & 3) + (c & CTRL_PARITY_EN ? 1 : 0) + (c & CTRL_STOP_2 ? 2 : 1);
  }

  charTimeNs(): number {
    return (this.frameBits() * 1e9) / this.baud();
  }

  // ---- register interface (32-bit registers; sDDF's driver reaches WFIFO and RFIFO with byte accesses)

  read(offset: number): number {
    switch (offset) {
      case MESON_RFIFO:
        return this.readRfifo();
      case MESON_CONTROL:
        return this.control;
      case MESON_STATUS:
        return this.status();
      case MESON_MISC:
        return this.misc;
      case MESON_REG5:
        return this.reg5;
      default:
        return 0; // WFIFO reads as 0
    }
  }

  write(offset: number, value: number): void {
    value >>>= 0;
    switch (offset) {
      case MESON_WFIFO:
        this.transmit(value & 0xff);
        return;
      case MESON_CONTROL:
        this.writeControl(value);
        break;
      case MESON_MISC:
        this.misc = value;
        break;
      case MESON_REG5:
        this.reg5 = value;
        break;
      default:
        break; // RFIFO and STATUS are read-only
    }
    if (this.fast) this.fillRxFast();
    this.updateIrq();
  }

  /** One write of WFIFO: into the TX FIFO; a write to a full FIFO is lost and flags TX_FIFO_WERR. */
  transmit(byte: number): void {
    if (this.fast && this.transmitterRuns()) {
      this.sendByteNow(byte);
      return;
    }
    if (this.txFifo.isFull()) {
      this.flagError(STAT_TX_FIFO_WERR);
      this.updateIrq();
      return;
    }
    this.txFifo.push(byte);
    this.kickTx();
    this.updateIrq();
  }

  txFifoFull(): boolean {
    return (this.status() & STAT_TX_FULL) !== 0;
  }

  getState(): MesonUartState {
    return { regs: [this.control, this.misc, this.reg5], ...this.lineState(), errors: this.errors };
  }

  setState(s: MesonUartState): void {
    [this.control, this.misc, this.reg5] = s.regs;
    this.restoreLine(s);
    this.errors = s.errors;
    this.updateIrq();
  }

  // ---- internals

  private status(): number {
    const rx = this.rxFifo.length,
      tx = this.txFifo.length;
    let sr = (rx & STAT_RX_COUNT_MASK) | ((tx & STAT_RX_COUNT_MASK) << STAT_TX_COUNT_SHIFT) | this.errors;
    if (rx === 0) sr |= STAT_RX_EMPTY;
    if (this.rxFifo.isFull()) sr |= STAT_RX_FULL;
    if (tx === 0) sr |= STAT_TX_EMPTY;
    if (this.txFifo.isFull()) sr |= STAT_TX_FULL;
    if (this.txShiftByte >= 0) sr |= STAT_TX_BUSY;
    // A character is on its way in while the receiver is on and the wire has one due.
    if (this.receiverOn() && this.nextRxArrival !== Infinity) sr |= STAT_RX_BUSY;
    return sr;
  }

  private readRfifo(): number {
    if (this.rxFifo.length === 0) return 0;
    const b = this.rxFifo.shift();
    this.rxBytes++;
    if (this.fast) this.fillRxFast();
    this.updateIrq();
    return b;
  }

  private writeControl(value: number): void {
    const txWas = this.transmitterRuns();
    this.control = value;
    // The resets hold their state machine (and empty its FIFO) while set; CLEAR_ERR holds the errors clear.
    if (value & CTRL_TX_RST) {
      this.txFifo.clear();
      this.txShiftByte = -1;
      this.txBusyUntil = Infinity;
    }
    if (value & CTRL_RX_RST) this.rxFifo.clear();
    if (value & CTRL_CLEAR_ERR) this.errors = 0;
    if (!txWas && this.transmitterRuns()) {
      if (this.fast) this.flushTxFast();
      else this.kickTx();
    }
  }

  /** An error latches in STATUS unless CONTROL.CLEAR_ERR holds the errors clear (it is not self-clearing). */
  private flagError(bit: number): void {
    if ((this.control & CTRL_CLEAR_ERR) === 0) this.errors |= bit;
  }

  private rxThreshold(): number {
    return Math.max(1, this.misc & 0xff);
  }

  private txThreshold(): number {
    return (this.misc >> MISC_XMIT_SHIFT) & 0xff;
  }

  protected irqAsserted(): boolean {
    const c = this.control;
    return ((c & CTRL_RX_INT_EN) !== 0 && this.rxFifo.length >= this.rxThreshold()) || ((c & CTRL_TX_INT_EN) !== 0 && this.txFifo.length < this.txThreshold());
  }

  protected override transmitterRuns(): boolean {
    return (this.control & (CTRL_TX_EN | CTRL_TX_RST)) === CTRL_TX_EN;
  }

  protected receiverOn(): boolean {
    return (this.control & (CTRL_RX_EN | CTRL_RX_RST)) === CTRL_RX_EN;
  }

  /** A character off the wire: lost with the receiver off; lost and flagged (RX_OVERFLOW) at a full FIFO. */
  protected receive(byte: number): void {
    if (!this.receiverOn()) {
      this.overruns++;
      return;
    }
    if (this.rxFifo.isFull()) {
      this.overruns++;
      this.flagError(STAT_RX_OVERFLOW);
      return;
    }
    this.rxFifo.push(byte);
  }

  /** A receiver that is off loses what arrives, in fast mode as in realtime mode. */
  protected override receiverOffInFast(): void {
    this.overruns += this.wire.length;
    this.wire.clear();
  }
}
