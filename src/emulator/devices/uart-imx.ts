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
import { UartLineSide, type SerialDevice, type UartLineState } from './uart-line';

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
/** Register bits (i.MX 8M reference manual 16.2.8; Linux's names). */
export const UCR1_UARTEN = 1 << 0,
  UCR1_RTSDEN = 1 << 5,
  UCR1_RRDYEN = 1 << 9,
  UCR1_IDEN = 1 << 12,
  UCR1_TRDYEN = 1 << 13,
  UCR1_ADEN = 1 << 15;
export const UCR2_SRST = 1 << 0,
  UCR2_RXEN = 1 << 1,
  UCR2_TXEN = 1 << 2,
  UCR2_ATEN = 1 << 3,
  UCR2_WS = 1 << 5,
  UCR2_CTS = 1 << 12,
  UCR2_IRTS = 1 << 14;
export const UCR3_RXDMUXSEL = 1 << 2,
  UCR3_DTRDEN = 1 << 3,
  UCR3_ADNIMP = 1 << 7,
  UCR3_RI = 1 << 8,
  UCR3_DCD = 1 << 9,
  UCR3_DSR = 1 << 10;
export const UCR4_DREN = 1 << 0,
  UCR4_OREN = 1 << 1,
  UCR4_CTSTL_SHIFT = 10;
export const USR1_DTRD = 1 << 7,
  USR1_AGTIM = 1 << 8,
  USR1_RRDY = 1 << 9,
  USR1_RTSD = 1 << 12,
  USR1_TRDY = 1 << 13;
export const USR2_RDR = 1 << 0,
  USR2_ORE = 1 << 1,
  USR2_TXDC = 1 << 3,
  USR2_TXFE = 1 << 14;
export const UTS_TXFULL = 1 << 4,
  UTS_RXEMPTY = 1 << 5;
export const UFCR_RXTL_MASK = 0x3f,
  UFCR_DCEDTE = 1 << 6,
  UFCR_RFDIV_SHIFT = 7,
  UFCR_RFDIV_MASK = 7 << 7,
  UFCR_TXTL_SHIFT = 10;
export const UART_FIFO_SIZE = 32;
/** The UART's reference clock before the RFDIV divider. */
export const UART_REF_CLOCK_HZ = 24_000_000;
const RFDIV_DIVISOR = [6, 5, 4, 3, 2, 1, 7, 1];

export interface ImxUartState extends UartLineState {
  regs: number[];
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

  constructor(fast: boolean, now: () => number, setIrq: (high: boolean) => void) {
    super(fast, now, setIrq, UART_FIFO_SIZE);
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
        if (this.rxFifo.length === 0) return 0;
        const b = this.rxFifo.shift();
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
        return (this.rxReady() ? USR1_RRDY : 0) | (this.txFifo.length < this.txThreshold() ? USR1_TRDY : 0);
      case USR2:
        return (
          (this.rxFifo.length > 0 ? USR2_RDR : 0) |
          (this.txFifo.length === 0 ? USR2_TXFE : 0) |
          (this.txFifo.length === 0 && this.txShiftByte < 0 ? USR2_TXDC : 0)
        );
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
        return (this.txFifo.isFull() ? UTS_TXFULL : 0) | (this.rxFifo.length === 0 ? UTS_RXEMPTY : 0);
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
    if (!this.txEnabled()) return;
    if (this.fast) {
      this.sendByteNow(byte);
      return;
    }
    if (this.txFifo.isFull()) return; // the hardware drops a write to a full FIFO
    this.txFifo.push(byte);
    this.kickTx();
    this.updateIrq();
  }

  /**
   * The driver writing UTXD once per byte of src[from, to) while the TX FIFO has room (UTS.TXFULL
   * clear); returns how many bytes were written. Same effect as that loop of register writes, done
   * as one copy when the line is unpaced.
   */
  override writeTxFifo(src: Uint8Array, from: number, to: number): number {
    if (!this.fast) {
      let n = 0;
      while (from + n < to && !this.txFifo.isFull()) this.transmit(src[from + n++]);
      return n;
    }
    if (this.txEnabled()) this.sendNow(src, from, to);
    return to - from;
  }

  txFifoFull(): boolean {
    return !this.fast && this.txFifo.isFull();
  }

  getState(): ImxUartState {
    return { regs: [this.cr1, this.cr2, this.cr3, this.cr4, this.fcr, this.esc, this.tim, this.bir, this.bmr, this.onems], ...this.lineState() };
  }

  setState(s: ImxUartState): void {
    [this.cr1, this.cr2, this.cr3, this.cr4, this.fcr, this.esc, this.tim, this.bir, this.bmr, this.onems] = s.regs;
    this.restoreLine(s);
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
    return this.rxFifo.length >= this.rxThreshold();
  }

  protected irqAsserted(): boolean {
    return ((this.cr1 & UCR1_RRDYEN) !== 0 && this.rxReady()) || ((this.cr1 & UCR1_TRDYEN) !== 0 && this.txFifo.length < this.txThreshold());
  }

  private txEnabled(): boolean {
    return (this.cr2 & UCR2_TXEN) !== 0 && (this.cr1 & UCR1_UARTEN) !== 0;
  }

  protected receiverOn(): boolean {
    return (this.cr2 & UCR2_RXEN) !== 0 && (this.cr1 & UCR1_UARTEN) !== 0;
  }

  /** A character off the wire: lost and counted with the receiver off or the FIFO full. */
  protected receive(byte: number): void {
    if (!this.receiverOn() || this.rxFifo.isFull()) this.overruns++;
    else this.rxFifo.push(byte);
  }

  /** A receiver that is off loses what arrives, in fast mode as in realtime mode. */
  protected override receiverOffInFast(): void {
    this.overruns += this.wire.length;
    this.wire.clear();
  }

  private softReset(): void {
    this.rxFifo.clear();
    this.txFifo.clear();
    this.txShiftByte = -1;
    this.txBusyUntil = Infinity;
  }
}
