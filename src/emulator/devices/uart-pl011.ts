// The ARM PrimeCell UART (PL011), as its technical reference manual (r1p5, DDI 0183G, chapter 3)
// describes it and as sDDF's driver (drivers/serial/arm) and Linux's amba-pl011 use it: RX and TX
// FIFOs (12-bit RX entries carrying the error bits), one-location holding registers when the FIFOs
// are off, trigger levels, the raw/masked interrupt registers and their clearing rules, the receive
// timeout, overrun, the baud divisor latched by a UARTLCR_H write, and character pacing from the
// divisor and the frame (start, data, parity, stop bits).
//
// Departures from the pinned upstream (sDDF 650ace5, libvmm 7069ab9, Microkit cfd5216):
// - In fast mode bytes leave the TX FIFO at once and typed bytes enter the RX FIFO as soon as there
//   is room (no pacing, no overrun) (sddf drivers/serial/arm/uart.c:46-49).
// - No parity, framing or break error is ever raised: sDDF's driver turns parity on while meaning
//   to turn it off, and the line's other end is assumed to agree (sddf drivers/serial/arm/uart.c:128-129).
// - Modem lines (CTS, DCD, DSR, RI), IrDA, DMA and loopback are not modelled: their interrupts never
//   assert and UARTDMACR is storage (sddf drivers/serial/arm/include/uart.h:38).
import { UartLineSide, type SerialDevice, type UartLineState } from './uart-line';

export const PL011_DR = 0x000,
  PL011_RSR = 0x004,
  PL011_FR = 0x018,
  PL011_ILPR = 0x020,
  PL011_IBRD = 0x024,
  PL011_FBRD = 0x028,
  PL011_LCR_H = 0x02c,
  PL011_CR = 0x030,
  PL011_IFLS = 0x034,
  PL011_IMSC = 0x038,
  PL011_RIS = 0x03c,
  PL011_MIS = 0x040,
  PL011_ICR = 0x044,
  PL011_DMACR = 0x048,
  PL011_PERIPH_ID0 = 0xfe0;
export const DR_FE = 1 << 8,
  DR_PE = 1 << 9,
  DR_BE = 1 << 10,
  DR_OE = 1 << 11;
export const RSR_OE = 1 << 3;
export const FR_BUSY = 1 << 3,
  FR_RXFE = 1 << 4,
  FR_TXFF = 1 << 5,
  FR_RXFF = 1 << 6,
  FR_TXFE = 1 << 7;
export const LCR_BRK = 1 << 0,
  LCR_PEN = 1 << 1,
  LCR_STP2 = 1 << 3,
  LCR_FEN = 1 << 4,
  LCR_WLEN_SHIFT = 5;
export const CR_UARTEN = 1 << 0,
  CR_LBE = 1 << 7,
  CR_TXE = 1 << 8,
  CR_RXE = 1 << 9;
export const INT_RX = 1 << 4,
  INT_TX = 1 << 5,
  INT_RT = 1 << 6,
  INT_FE = 1 << 7,
  INT_PE = 1 << 8,
  INT_BE = 1 << 9,
  INT_OE = 1 << 10;
const INT_ALL = 0x7ff;
/** Reset values (TRM table 3-1). */
const CR_RESET = CR_TXE | CR_RXE,
  IFLS_RESET = 0x12;
/** The receive timeout: the RX FIFO not empty and nothing received for 32 bit periods. */
const TIMEOUT_BITS = 32;
/** UARTPeriphID0-3 for r1p5 and UARTPCellID0-3 (TRM 3.3.14-3.3.15). */
const ID_BYTES = [0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export interface Pl011Options {
  /** UARTCLK in Hz (QEMU virt's "apb-pclk" fixed clock: 24 MHz). */
  clockHz: number;
  /** 32 in the r1p5 TRM; QEMU's model has 16. */
  fifoDepth: number;
  /** UARTPeriphID2 (the revision nibble): 0x34 for r1p5, QEMU answers 0x14. */
  periphId2?: number;
  /**
   * QEMU's model transmits what is written to UARTDR with UARTEN or TXE clear (it only logs a guest
   * error, hw/char/pl011.c), which is why a boot console works on QEMU before any driver set it up.
   */
  transmitsWhileDisabled?: boolean;
}

export interface Pl011State extends UartLineState {
  regs: number[];
  latched: number[];
  ris: number;
  rxTimeoutAt: number;
  overrunPending: boolean;
}

export class Pl011Uart extends UartLineSide implements SerialDevice {
  readonly name = 'uart';
  private readonly depth: number;
  private readonly ids: number[];
  private rsr = 0;
  private ilpr = 0;
  private ibrd = 0;
  private fbrd = 0;
  private lcrH = 0;
  private cr = CR_RESET;
  private ifls = IFLS_RESET;
  private imsc = 0;
  private ris = 0;
  private dmacr = 0;
  /** The divisor and frame in use: UARTIBRD, UARTFBRD and UARTLCR_H take effect together on a UARTLCR_H write. */
  private latchedIbrd = 0;
  private latchedFbrd = 0;
  private latchedLcrH = 0;
  private rxTimeoutAt = Infinity;
  /** A character was lost to a full FIFO: the next one stored carries OE. */
  private overrunPending = false;

  constructor(
    fast: boolean,
    now: () => number,
    setIrq: (high: boolean) => void,
    private readonly options: Pl011Options = { clockHz: 24_000_000, fifoDepth: 32 },
  ) {
    super(fast, now, setIrq, options.fifoDepth);
    this.depth = options.fifoDepth;
    this.ids = ID_BYTES.slice();
    if (options.periphId2 !== undefined) this.ids[2] = options.periphId2;
  }

  // ---- timing

  /** The divisor in use (IBRD + FBRD/64); 0 when unprogrammed (IBRD 0 is invalid: the TRM's minimum is 1). */
  divisor(): number {
    return this.latchedIbrd === 0 ? 0 : this.latchedIbrd + this.latchedFbrd / 64;
  }

  /** Baud rate = UARTCLK / (16 x divisor); 115200 while no valid divisor is latched. */
  baud(): number {
    const d = this.divisor();
    return d === 0 ? 115200 : this.options.clockHz / (16 * d);
  }

  /** Bits per character: a start bit, 5-8 data bits, parity when enabled, 1 or 2 stop bits. */
  frameBits(): number {
    const l = this.latchedLcrH;
    return 1 + 5 + ((l >> LCR_WLEN_SHIFT) & 3) + (l & LCR_PEN ? 1 : 0) + (l & LCR_STP2 ? 2 : 1);
  }

  charTimeNs(): number {
    return (this.frameBits() * 1e9) / this.baud();
  }

  private bitTimeNs(): number {
    return 1e9 / this.baud();
  }

  // ---- register interface

  read(offset: number): number {
    switch (offset) {
      case PL011_DR:
        return this.readData();
      case PL011_RSR:
        return this.rsr;
      case PL011_FR:
        return this.flags();
      case PL011_ILPR:
        return this.ilpr;
      case PL011_IBRD:
        return this.ibrd;
      case PL011_FBRD:
        return this.fbrd;
      case PL011_LCR_H:
        return this.lcrH;
      case PL011_CR:
        return this.cr;
      case PL011_IFLS:
        return this.ifls;
      case PL011_IMSC:
        return this.imsc;
      case PL011_RIS:
        return this.ris;
      case PL011_MIS:
        return this.ris & this.imsc;
      case PL011_DMACR:
        return this.dmacr;
      default:
        if (offset >= PL011_PERIPH_ID0 && offset < PL011_PERIPH_ID0 + 0x20 && (offset & 3) === 0) return this.ids[(offset - PL011_PERIPH_ID0) >> 2];
        return 0;
    }
  }

  write(offset: number, value: number): void {
    value >>>= 0;
    switch (offset) {
      case PL011_DR:
        this.transmit(value & 0xff);
        return;
      case PL011_RSR:
        this.rsr = 0;
        break; // UARTECR: any write clears the errors
      case PL011_ILPR:
        this.ilpr = value & 0xff;
        break;
      case PL011_IBRD:
        this.ibrd = value & 0xffff;
        break;
      case PL011_FBRD:
        this.fbrd = value & 0x3f;
        break;
      case PL011_LCR_H:
        this.writeLcrH(value & 0xff);
        break;
      case PL011_CR:
        this.writeCr(value & 0xffff);
        break;
      case PL011_IFLS:
        this.ifls = value & 0x3f;
        break;
      case PL011_IMSC:
        this.imsc = value & INT_ALL;
        break;
      case PL011_ICR:
        this.ris &= ~value & INT_ALL;
        break;
      case PL011_DMACR:
        this.dmacr = value & 0x7;
        break;
      default:
        break;
    }
    this.updateIrq();
  }

  /** One write to UARTDR: into the TX FIFO (or holding register); a write to a full FIFO is lost. */
  transmit(byte: number): void {
    if (this.fast && this.txEnabled()) {
      this.sendByteNow(byte);
      return;
    }
    const before = this.txFifo.length;
    if (before >= this.txCapacity()) return;
    this.txFifo.push(byte);
    // Writing past the trigger level clears the transmit interrupt (TRM 3.4.3 UARTTXINTR).
    if (before <= this.txTrigger() && before + 1 > this.txTrigger()) this.ris &= ~INT_TX;
    this.kickTx();
    this.updateIrq();
  }

  txFifoFull(): boolean {
    return (this.read(PL011_FR) & FR_TXFF) !== 0;
  }

  // ---- Device

  override nextDeadline(): number {
    return Math.min(this.txBusyUntil, this.nextRxArrival, this.rxTimeoutAt);
  }

  protected override timersDue(now: number): void {
    if (this.rxTimeoutAt <= now) {
      this.rxTimeoutAt = Infinity;
      if (this.rxFifo.length > 0) this.ris |= INT_RT;
    }
  }

  getState(): Pl011State {
    return {
      regs: [this.rsr, this.ilpr, this.ibrd, this.fbrd, this.lcrH, this.cr, this.ifls, this.imsc, this.dmacr],
      latched: [this.latchedIbrd, this.latchedFbrd, this.latchedLcrH],
      ...this.lineState(),
      ris: this.ris,
      rxTimeoutAt: this.rxTimeoutAt,
      overrunPending: this.overrunPending,
    };
  }

  setState(s: Pl011State): void {
    [this.rsr, this.ilpr, this.ibrd, this.fbrd, this.lcrH, this.cr, this.ifls, this.imsc, this.dmacr] = s.regs;
    [this.latchedIbrd, this.latchedFbrd, this.latchedLcrH] = s.latched;
    this.restoreLine(s);
    this.ris = s.ris;
    this.rxTimeoutAt = s.rxTimeoutAt;
    this.overrunPending = s.overrunPending;
    this.updateIrq();
  }

  // ---- internals

  private fifosEnabled(): boolean {
    return (this.lcrH & LCR_FEN) !== 0;
  }
  /** With the FIFOs off each direction is a one-location holding register. */
  protected override rxCapacity(): number {
    return this.fifosEnabled() ? this.depth : 1;
  }
  private txCapacity(): number {
    return this.fifosEnabled() ? this.depth : 1;
  }
  protected override txRoom(): boolean {
    return this.txFifo.length < this.txCapacity();
  }
  private txEnabled(): boolean {
    return this.options.transmitsWhileDisabled === true || (this.cr & (CR_UARTEN | CR_TXE)) === (CR_UARTEN | CR_TXE);
  }
  protected override transmitterRuns(): boolean {
    return this.txEnabled();
  }
  protected receiverOn(): boolean {
    return (this.cr & (CR_UARTEN | CR_RXE)) === (CR_UARTEN | CR_RXE);
  }
  /** IFLS level select b000..b100 = 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO (higher codes are reserved; read as 7/8). */
  private level(select: number): number {
    const eighths = [1, 2, 4, 6, 7][Math.min(select, 4)];
    return (this.depth * eighths) / 8;
  }
  /** The RX interrupt asserts when the FIFO holds at least this many (1 with the FIFOs off). */
  private rxTrigger(): number {
    return this.fifosEnabled() ? this.level((this.ifls >> 3) & 7) : 1;
  }
  /** The TX interrupt asserts when the FIFO drains to this many or fewer (0 with the FIFOs off). */
  private txTrigger(): number {
    return this.fifosEnabled() ? this.level(this.ifls & 7) : 0;
  }

  private flags(): number {
    let fr = 0;
    const rx = this.rxFifo.length,
      tx = this.txFifo.length;
    if (rx === 0) fr |= FR_RXFE;
    if (rx >= this.rxCapacity()) fr |= FR_RXFF;
    if (tx >= this.txCapacity()) fr |= FR_TXFF;
    if (tx === 0) fr |= FR_TXFE;
    // BUSY: set as soon as the TX FIFO is non-empty, until the last stop bit has left.
    if (tx > 0 || this.txShiftByte >= 0) fr |= FR_BUSY;
    return fr;
  }

  private readData(): number {
    if (this.rxFifo.length === 0) return 0;
    const v = this.rxFifo.shift();
    this.rxBytes++;
    // The error bits of the character read also show in UARTRSR.
    this.rsr |= (v >> 8) & 0xf;
    if (this.rxFifo.length < this.rxTrigger()) this.ris &= ~INT_RX;
    if (this.rxFifo.length === 0) {
      this.ris &= ~INT_RT;
      this.rxTimeoutAt = Infinity;
    }
    if (this.fast) this.fillRxFast();
    this.updateIrq();
    return v;
  }

  private writeLcrH(value: number): void {
    const fifosWere = this.fifosEnabled();
    this.lcrH = value;
    this.latchedIbrd = this.ibrd;
    this.latchedFbrd = this.fbrd;
    this.latchedLcrH = value;
    // Turning the FIFOs off (or on) flushes them (TRM 3.3.7, FEN).
    if (fifosWere !== this.fifosEnabled()) {
      this.rxFifo.clear();
      this.txFifo.clear();
    }
  }

  private writeCr(value: number): void {
    const txWas = this.txEnabled();
    this.cr = value;
    if (!txWas && this.txEnabled()) {
      if (this.fast) this.flushTxFast();
      else this.kickTx();
    }
    if (this.fast) this.fillRxFast();
  }

  protected receive(byte: number, at: number): void {
    if (!this.receiverOn()) return;
    if (this.rxFifo.length >= this.rxCapacity()) {
      // The FIFO keeps its contents; the character in the shift register is lost (TRM 3.3.2, OE).
      this.overruns++;
      this.rsr |= RSR_OE;
      this.ris |= INT_OE;
      this.overrunPending = true;
      return;
    }
    const before = this.rxFifo.length;
    this.rxFifo.push(byte | (this.overrunPending ? DR_OE : 0));
    this.overrunPending = false;
    if (before < this.rxTrigger() && before + 1 >= this.rxTrigger()) this.ris |= INT_RX;
    // Each character received restarts the 32-bit-period timeout.
    this.rxTimeoutAt = at + TIMEOUT_BITS * this.bitTimeNs();
  }

  /** A byte left the TX FIFO: passing down through the trigger level raises the TX interrupt (TRM 3.4.3). */
  protected override onTxDeparture(before: number, after: number): void {
    if (before > this.txTrigger() && after <= this.txTrigger()) this.ris |= INT_TX;
  }

  protected irqAsserted(): boolean {
    return (this.ris & this.imsc) !== 0;
  }
}
