// The UART driver PD for the PL011 (sDDF drivers/serial/arm/uart.c): programs the UART as
// uart_setup does, drains the RX FIFO into the RX queue and fills the TX FIFO from the TX queue on
// its interrupt and on the virtualisers' signals, with the driver's interrupt-mask protocol.
//
// Departures from the pinned upstream (sDDF 650ace5, libvmm 7069ab9, Microkit cfd5216):
// - RX is always enabled: a TX-only configuration (config.rx_enabled false) is not modelled
//   (sddf drivers/serial/arm/uart.c:98, 132-135, 148-150).
import type { PdContext } from '../kernel';
import type { SerialQueue } from '../queue';
import {
  type Pl011Uart,
  CR_RXE,
  CR_TXE,
  CR_UARTEN,
  FR_BUSY,
  FR_RXFE,
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
  PL011_IFLS,
  PL011_IMSC,
  PL011_LCR_H,
  PL011_MIS,
} from '../devices/uart-pl011';
import type { UartDriverChannels } from './uart-driver';
import { SddfFifoUartDriver } from './sddf-uart-driver';

/** sDDF's PL011_UART_REF_CLOCK (0x16E3600). */
const SDDF_PL011_REF_CLOCK = 24_000_000;
const IFLS_RX_SHIFT = 3,
  IFLS_MASK = 7;

export class Pl011Driver extends SddfFifoUartDriver {
  constructor(
    ctx: PdContext,
    private readonly uart: Pl011Uart,
    rxq: SerialQueue,
    txq: SerialQueue,
    ch: UartDriverChannels,
    private readonly baud: number,
  ) {
    super(ctx, uart, rxq, txq, ch);
  }

  /** uart_setup (uart.c:117-166), in its order. */
  init(): void {
    const u = this.uart;
    const set = (reg: number, bits: number): void => u.write(reg, u.read(reg) | bits);
    const clear = (reg: number, bits: number): void => u.write(reg, u.read(reg) & ~bits);
    // The spin on BUSY ends at once here: nothing transmits before the driver starts.
    if (u.read(PL011_FR) & FR_BUSY) this.ctx.log('UART|LOG: PL011 busy at init');
    clear(PL011_CR, CR_RXE | CR_TXE | CR_UARTEN);
    clear(PL011_LCR_H, LCR_STP2);
    set(PL011_LCR_H, 3 << LCR_WLEN_SHIFT);
    this.setBaud();
    set(PL011_LCR_H, LCR_FEN);
    // The driver's "disable parity checking" sets PEN: parity is on, 11-bit frames.
    set(PL011_LCR_H, LCR_PEN);
    clear(PL011_IFLS, IFLS_MASK << IFLS_RX_SHIFT);
    set(PL011_IMSC, INT_RT | INT_RX);
    clear(PL011_IFLS, IFLS_MASK);
    set(PL011_IMSC, INT_TX);
    set(PL011_CR, CR_UARTEN);
    set(PL011_CR, CR_TXE);
    set(PL011_CR, CR_RXE);
  }

  /**
   * set_baud (uart.c:27-41): the C divides two integers before converting to float, so the divisor
   * is whole, and it writes divisor x 64 (rounded) to UARTFBRD, which keeps only its low 6 bits.
   */
  private setBaud(): void {
    const div = Math.floor(SDDF_PL011_REF_CLOCK / (16 * this.baud));
    this.uart.write(PL011_IBRD, div);
    this.uart.write(PL011_FBRD, Math.floor(div * 64 + 0.5));
  }

  protected handleIrq(): void {
    for (let mis = this.uart.read(PL011_MIS); mis & (INT_RT | INT_RX | INT_TX); mis = this.uart.read(PL011_MIS)) {
      if (mis & (INT_RT | INT_RX)) this.rxReturn();
      if (mis & INT_TX) this.txProvide();
    }
  }

  protected rxFifoEmpty(): boolean {
    return (this.uart.read(PL011_FR) & FR_RXFE) !== 0;
  }

  protected readRx(): number {
    return this.uart.read(PL011_DR) & 0xff;
  }

  protected setRxInterrupts(on: boolean): void {
    const imsc = this.uart.read(PL011_IMSC);
    this.uart.write(PL011_IMSC, on ? imsc | INT_RT | INT_RX : imsc & ~(INT_RT | INT_RX));
  }

  protected setTxInterrupt(on: boolean): void {
    const imsc = this.uart.read(PL011_IMSC);
    this.uart.write(PL011_IMSC, on ? imsc | INT_TX : imsc & ~INT_TX);
  }
}
