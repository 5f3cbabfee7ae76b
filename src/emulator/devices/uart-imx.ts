// The i.MX UART (MaaXBoard's uart1 at 0x30860000) as the sDDF imx driver sees it: 32-byte RX and TX
// FIFOs, the RX-ready and TX-ready interrupts, status bits, and a baud rate from UBIR/UBMR.
// Register offsets and bits: i.MX 8M reference manual section 16.2, as in au-ts/sddf
// drivers/serial/imx/include/uart.h.
//
// Departures from the pinned upstream (sDDF 650ace5, libvmm 7069ab9, Microkit cfd5216):
// - In fast mode bytes leave the TX FIFO at once and typed bytes enter the RX FIFO as soon as
//   there is room (no pacing, no overrun); in realtime mode a character takes 10 bit times and a
//   byte arriving at a full RX FIFO is lost and counted (sddf drivers/serial/imx/uart.c:30-41).
// - Error, escape, aging and DMA features are not modelled, so the driver's ABNORMAL branch never
//   runs (sddf drivers/serial/imx/uart.c:107-110).
import { UartLineSide, type SerialDevice } from './uart-line';

export const URXD = 0x00,
  UTXD = 0x40,
  UCR1 = 0x80,
  UCR2 = 0x84,
  UCR3 = 0x88,
  UCR4 = 0x8c,
  UFCR = 0x90,
  USR1 = 0x94,
  USR2 = 0x98,
  UESC = 0x9c,
  UTIM = 0xa0,
  UBIR = 0xa4,
  UBMR = 0xa8,
  UBRC = 0xac,
  ONEMS = 0xb0,
  UTS = 0xb4;
export const URXD_CHARRDY = 1 << 15;
export const UCR1_UARTEN = 1 << 0,
  UCR1_RRDYEN = 1 << 9,
  UCR1_TRDYEN = 1 << 13;
export const UCR2_SRST = 1 << 0,
  UCR2_RXEN = 1 << 1,
  UCR2_TXEN = 1 << 2,
  UCR2_WS = 1 << 5;
export const USR1_RRDY = 1 << 9,
  USR1_TRDY = 1 << 13;
export const USR2_RDR = 1 << 0,
  USR2_TXDC = 1 << 3,
  USR2_TXFE = 1 << 14;
export const UTS_TXFULL = 1 << 4,
  UTS_RXEMPTY = 1 << 5;
export const UFCR_RXTL_MASK = 0x3f,
  UFCR_TXTL_SHIFT = 10,
  UFCR_RFDIV_SHIFT = 7;
export const UART_FIFO_SIZE = 32;
/** The UART's reference clock before the RFDIV divider. */
export const UART_REF_CLOCK_HZ = 24_000_000;
const RFDIV_DIVISOR = [6, 5, 4, 3, 2, 1, 7, 1];

export interface ImxUartState {
  regs: number[];
  rx: number[];
  tx: number[];
  wire: number[];
  txShiftByte: number;
  txBusyUntil: number;
  nextRxArrival: number;
  overruns: number;
}

export class ImxUart extends UartLineSide implements SerialDevice {
  readonly name = 'uart';
  private cr1 = 0;
  private cr2 = 1;
  private cr3 = 0x0700;
  private cr4 = 0x8000;
  private fcr = 0x0801;
  private esc = 0x2b;
  private tim = 0;
  private bir = 0;
  private bmr = 0;
  private onems = 0;
  private readonly rxFifo = new Uint8Array(UART_FIFO_SIZE);
  private rxHead = 0;
  private rxCount = 0;
  private readonly txFifo = new Uint8Array(UART_FIFO_SIZE);
  private txHead = 0;
  private txCount = 0;
  private txShiftByte = -1;
  private txBusyUntil = Infinity;
  private nextRxArrival = Infinity;
  overruns = 0;
  txBytes = 0;
  rxBytes = 0;
  private irqHigh = false;

  constructor(
    private fast: boolean,
    private readonly now: () => number,
    private readonly setIrq: (high: boolean) => void,
  ) {
    super();
  }

  setFast(fast: boolean): void {
    this.fast = fast;
    if (fast) {
      this.flushTxFast();
      this.fillRxFast();
      this.nextRxArrival = Infinity;
    } else if (this.wire.length > 0) this.nextRxArrival = this.now() + this.charTimeNs();
    this.updateIrq();
  }

  /** Nanoseconds per character at the programmed rate (8N1: 10 bit times); 115200 baud if unprogrammed. */
  charTimeNs(): number {
    return 1e10 / this.baud();
  }

  baud(): number {
    if (this.bmr === 0 && this.bir === 0) return 115200;
    const div = RFDIV_DIVISOR[(this.fcr >> UFCR_RFDIV_SHIFT) & 7];
    return UART_REF_CLOCK_HZ / div / ((16 * (this.bmr + 1)) / (this.bir + 1));
  }

  // ---- register interface (32-bit accesses at the offsets above)

  read(offset: number): number {
    switch (offset) {
      case URXD: {
        if (this.rxCount === 0) return 0;
        const b = this.rxFifo[this.rxHead];
        this.rxHead = (this.rxHead + 1) % UART_FIFO_SIZE;
        this.rxCount--;
        this.rxBytes++;
        if (this.fast) this.fillRxFast();
        this.updateIrq();
        return b | URXD_CHARRDY;
      }
      case UTXD:
        return 0;
      case UCR1:
        return this.cr1;
      case UCR2:
        return this.cr2;
      case UCR3:
        return this.cr3;
      case UCR4:
        return this.cr4;
      case UFCR:
        return this.fcr;
      case USR1:
        return (this.rxReady() ? USR1_RRDY : 0) | (this.txCount < this.txThreshold() ? USR1_TRDY : 0);
      case USR2:
        return (this.rxCount > 0 ? USR2_RDR : 0) | (this.txCount === 0 ? USR2_TXFE : 0) | (this.txCount === 0 && this.txShiftByte < 0 ? USR2_TXDC : 0);
      case UESC:
        return this.esc;
      case UTIM:
        return this.tim;
      case UBIR:
        return this.bir;
      case UBMR:
        return this.bmr;
      case UBRC:
        return 4;
      case ONEMS:
        return this.onems;
      case UTS:
        return (this.txCount === UART_FIFO_SIZE ? UTS_TXFULL : 0) | (this.rxCount === 0 ? UTS_RXEMPTY : 0);
      default:
        return 0;
    }
  }

  write(offset: number, value: number): void {
    value >>>= 0;
    switch (offset) {
      case UTXD:
        this.transmit(value & 0xff);
        return;
      case UCR1:
        this.cr1 = value & 0xffff;
        break;
      case UCR2:
        this.cr2 = (value & 0xffff) | UCR2_SRST;
        if ((value & UCR2_SRST) === 0) this.softReset();
        break;
      case UCR3:
        this.cr3 = value & 0xffff;
        break;
      case UCR4:
        this.cr4 = value & 0xffff;
        break;
      case UFCR:
        this.fcr = value & 0xffff;
        break;
      case UESC:
        this.esc = value & 0xff;
        break;
      case UTIM:
        this.tim = value & 0xfff;
        break;
      case UBIR:
        this.bir = value & 0xffff;
        break;
      case UBMR:
        this.bmr = value & 0xffff;
        break;
      case ONEMS:
        this.onems = value & 0xffffff;
        break;
      default:
        break;
    }
    if (this.fast) this.fillRxFast();
    this.updateIrq();
  }

  /** The hot path of the driver: one byte into UTXD. */
  transmit(byte: number): void {
    if ((this.cr1 & UCR1_UARTEN) === 0 || (this.cr2 & UCR2_TXEN) === 0) return;
    if (this.fast) {
      this.line.push(byte, this.now());
      this.txBytes++;
      return;
    }
    if (this.txCount === UART_FIFO_SIZE) return; // the hardware drops a write to a full FIFO
    this.txFifo[(this.txHead + this.txCount) % UART_FIFO_SIZE] = byte;
    this.txCount++;
    if (this.txShiftByte < 0) this.startShift(this.now());
    this.updateIrq();
  }

  /**
   * The driver writing UTXD once per byte of src[from, to) while the TX FIFO has room (UTS.TXFULL
   * clear); returns how many bytes were written. Same effect as that loop of register writes, done
   * as one copy when the line is unpaced.
   */
  writeTxFifo(src: Uint8Array, from: number, to: number): number {
    if (!this.fast) {
      let n = 0;
      while (from + n < to && this.txCount < UART_FIFO_SIZE) this.transmit(src[from + n++]);
      return n;
    }
    if ((this.cr1 & UCR1_UARTEN) === 0 || (this.cr2 & UCR2_TXEN) === 0) return to - from;
    const n = to - from;
    this.line.pushAll(src.subarray(from, to), this.now());
    this.txBytes += n;
    return n;
  }

  txFifoFull(): boolean {
    return !this.fast && this.txCount === UART_FIFO_SIZE;
  }

  // ---- the line side

  /** Bytes arriving on the RX line from the host. */
  type(bytes: Uint8Array): void {
    this.wire.push(bytes);
    if (this.fast) {
      this.fillRxFast();
      this.updateIrq();
    } else if (this.nextRxArrival === Infinity && this.wire.length > 0) {
      this.nextRxArrival = this.now() + this.charTimeNs();
    }
  }

  busy(): boolean {
    return this.wire.length > 0 || this.txCount > 0 || this.txShiftByte >= 0 || this.rxCount > 0;
  }

  // ---- Device

  nextDeadline(): number {
    return Math.min(this.txBusyUntil, this.nextRxArrival);
  }

  advance(now: number): void {
    while (this.txBusyUntil <= now) {
      const done = this.txBusyUntil;
      this.line.push(this.txShiftByte, done);
      this.txBytes++;
      this.txShiftByte = -1;
      this.txBusyUntil = Infinity;
      if (this.txCount > 0) this.startShift(done);
    }
    while (this.nextRxArrival <= now && this.wire.length > 0) {
      const b = this.wire.shift();
      if ((this.cr2 & UCR2_RXEN) === 0 || (this.cr1 & UCR1_UARTEN) === 0 || this.rxCount === UART_FIFO_SIZE) this.overruns++;
      else {
        this.rxFifo[(this.rxHead + this.rxCount) % UART_FIFO_SIZE] = b;
        this.rxCount++;
      }
      this.nextRxArrival = this.wire.length > 0 ? this.nextRxArrival + this.charTimeNs() : Infinity;
    }
    this.updateIrq();
  }

  getState(): ImxUartState {
    const rx: number[] = [],
      tx: number[] = [];
    for (let i = 0; i < this.rxCount; i++) rx.push(this.rxFifo[(this.rxHead + i) % UART_FIFO_SIZE]);
    for (let i = 0; i < this.txCount; i++) tx.push(this.txFifo[(this.txHead + i) % UART_FIFO_SIZE]);
    return {
      regs: [this.cr1, this.cr2, this.cr3, this.cr4, this.fcr, this.esc, this.tim, this.bir, this.bmr, this.onems],
      rx,
      tx,
      wire: this.wire.snapshot(),
      txShiftByte: this.txShiftByte,
      txBusyUntil: this.txBusyUntil,
      nextRxArrival: this.nextRxArrival,
      overruns: this.overruns,
    };
  }

  setState(s: ImxUartState): void {
    [this.cr1, this.cr2, this.cr3, this.cr4, this.fcr, this.esc, this.tim, this.bir, this.bmr, this.onems] = s.regs;
    this.rxFifo.set(s.rx);
    this.rxHead = 0;
    this.rxCount = s.rx.length;
    this.txFifo.set(s.tx);
    this.txHead = 0;
    this.txCount = s.tx.length;
    this.wire.restore(s.wire);
    this.txShiftByte = s.txShiftByte;
    this.txBusyUntil = s.txBusyUntil;
    this.nextRxArrival = s.nextRxArrival;
    this.overruns = s.overruns;
    this.updateIrq();
  }

  // ---- internals

  private rxThreshold(): number {
    return Math.max(1, this.fcr & UFCR_RXTL_MASK);
  }
  private txThreshold(): number {
    return (this.fcr >> UFCR_TXTL_SHIFT) & 0x3f;
  }
  private rxReady(): boolean {
    return this.rxCount >= this.rxThreshold();
  }

  private updateIrq(): void {
    const high = ((this.cr1 & UCR1_RRDYEN) !== 0 && this.rxReady()) || ((this.cr1 & UCR1_TRDYEN) !== 0 && this.txCount < this.txThreshold());
    if (high !== this.irqHigh) {
      this.irqHigh = high;
      this.setIrq(high);
    }
  }

  private startShift(at: number): void {
    this.txShiftByte = this.txFifo[this.txHead];
    this.txHead = (this.txHead + 1) % UART_FIFO_SIZE;
    this.txCount--;
    this.txBusyUntil = at + this.charTimeNs();
  }

  private flushTxFast(): void {
    const at = this.now();
    if (this.txShiftByte >= 0) {
      this.line.push(this.txShiftByte, at);
      this.txShiftByte = -1;
      this.txBusyUntil = Infinity;
    }
    while (this.txCount > 0) {
      this.line.push(this.txFifo[this.txHead], at);
      this.txHead = (this.txHead + 1) % UART_FIFO_SIZE;
      this.txCount--;
    }
  }

  private fillRxFast(): void {
    if ((this.cr2 & UCR2_RXEN) === 0 || (this.cr1 & UCR1_UARTEN) === 0) {
      // A receiver that is off loses what arrives, as in realtime mode (advance).
      this.overruns += this.wire.length;
      this.wire.clear();
      return;
    }
    while (this.wire.length > 0 && this.rxCount < UART_FIFO_SIZE) {
      this.rxFifo[(this.rxHead + this.rxCount) % UART_FIFO_SIZE] = this.wire.shift();
      this.rxCount++;
    }
  }

  private softReset(): void {
    this.rxHead = this.rxCount = 0;
    this.txHead = this.txCount = 0;
    this.txShiftByte = -1;
    this.txBusyUntil = Infinity;
  }
}
