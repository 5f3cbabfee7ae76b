// The UART driver PD for the Amlogic Meson UART (sDDF drivers/serial/meson/uart.c) on the
// ODROID-C4: programs the UART as uart_setup does (the baud rate from the 24 MHz crystal, divided
// as the ODROID-C4 build divides it), drains the RX FIFO into the RX queue and fills the TX FIFO
// from the TX queue on its interrupt and on the virtualisers' signals. With RX disabled
// (config.rx_enabled false) the receiver and its interrupt stay off.
//
// Departures from the pinned upstream (sDDF 650ace5, libvmm 7069ab9, Microkit cfd5216):
// - handle_irq stops when the RX queue is full and nothing else is pending, where the driver loops
//   on the status register's RX data for as long as the queue stays full (sddf drivers/serial/meson/uart.c:130-131).
import type { PdContext } from '../kernel';
import type { SerialQueue } from '../queue';
import {
  type MesonUart,
  CTRL_CLEAR_ERR,
  CTRL_DATA_LEN_MASK,
  CTRL_RX_EN,
  CTRL_RX_INT_EN,
  CTRL_RX_RST,
  CTRL_STOP_MASK,
  CTRL_TX_EN,
  CTRL_TX_INT_EN,
  CTRL_TX_RST,
  MESON_CONTROL,
  MESON_MISC,
  MESON_REG5,
  MESON_RFIFO,
  MESON_STATUS,
  MISC_XMIT_SHIFT,
  REG5_BAUD_MASK,
  REG5_USE,
  REG5_XTAL,
  REG5_XTAL_DIV1,
  REG5_XTAL_DIV2,
  STAT_FRAME_ERR,
  STAT_PARITY_ERR,
  STAT_RX_BUSY,
  STAT_RX_EMPTY,
  STAT_TX_BUSY,
  STAT_TX_FIFO_WERR,
  STAT_TX_FULL,
} from '../devices/uart-meson';
import { SddfFifoUartDriver } from './sddf-uart-driver';
import type { UartDriverChannels } from './uart-driver';

/** sDDF's UART_XTAL_REF_CLK. */
const XTAL_HZ = 24_000_000;
/** The errors the driver's handle_irq reports (UART_INTR_ABNORMAL). */
const ABNORMAL = STAT_PARITY_ERR | STAT_FRAME_ERR | STAT_TX_FIFO_WERR;

export class MesonDriver extends SddfFifoUartDriver {
  constructor(
    ctx: PdContext,
    private readonly uart: MesonUart,
    rxq: SerialQueue | undefined,
    txq: SerialQueue,
    ch: UartDriverChannels,
    private readonly baud: number,
  ) {
    super(ctx, uart, rxq, txq, ch);
  }

  /** uart_setup, in its order. */
  init(): void {
    const u = this.uart;
    const cr = (): number => u.read(MESON_CONTROL);
    // The spin on the busy bits ends at once here: nothing moves before the driver starts.
    if (u.read(MESON_STATUS) & (STAT_TX_BUSY | STAT_RX_BUSY)) this.ctx.log('UART|LOG: Meson UART busy at init');
    u.write(MESON_CONTROL, cr() & ~(CTRL_TX_EN | CTRL_RX_EN));
    u.write(MESON_CONTROL, cr() | CTRL_TX_RST | CTRL_RX_RST | CTRL_CLEAR_ERR);
    u.write(MESON_CONTROL, cr() & ~(CTRL_TX_RST | CTRL_RX_RST | CTRL_CLEAR_ERR));
    // One stop bit, 8 data bits; written with the enables at the end.
    let control = cr() & ~CTRL_STOP_MASK & ~CTRL_DATA_LEN_MASK;
    u.write(MESON_REG5, this.reg5ForBaud());
    let misc = u.read(MESON_MISC);
    if (this.rxq) {
      misc = (misc & ~0xff) | 1;
      control |= CTRL_RX_INT_EN | CTRL_RX_EN;
    }
    misc = (misc & ~(0xff << MISC_XMIT_SHIFT)) | (1 << MISC_XMIT_SHIFT);
    control |= CTRL_TX_EN;
    u.write(MESON_MISC, misc);
    u.write(MESON_CONTROL, control);
  }

  /**
   * set_baud on the ODROID-C4: crystal ticks per symbol (integer division), divided by 3 when that
   * is exact, else by 2 when that is, else counted at the crystal's rate. The count is written as it
   * is, where the UART divides by count + 1.
   */
  private reg5ForBaud(): number {
    let ticks = Math.floor(XTAL_HZ / this.baud);
    let reg = REG5_USE | REG5_XTAL;
    if (ticks % 3 === 0) ticks /= 3;
    else if (ticks % 2 === 0) {
      ticks /= 2;
      reg |= REG5_XTAL_DIV2;
    } else reg |= REG5_XTAL_DIV1;
    return (reg | (ticks & REG5_BAUD_MASK)) >>> 0;
  }

  protected handleIrq(): void {
    const u = this.uart;
    let sr = u.read(MESON_STATUS),
      cr = u.read(MESON_CONTROL);
    const txWanted = (): boolean => (cr & CTRL_TX_INT_EN) !== 0 && (sr & STAT_TX_FULL) === 0;
    // The driver loops while STATUS shows RX data, even with its RX queue full and RX masked: it
    // would spin until virt_rx, which it starves, made room. The model leaves then instead.
    const rxStuck = (): boolean => !(sr & STAT_RX_EMPTY) && (!this.rxq || this.rxq.isFull()) && !(sr & ABNORMAL) && !txWanted();
    while ((sr & ABNORMAL || !(sr & STAT_RX_EMPTY) || txWanted()) && !rxStuck()) {
      if (this.rxq && !(sr & STAT_RX_EMPTY)) this.rxReturn();
      if (txWanted()) this.txProvide();
      if (sr & ABNORMAL) {
        this.ctx.log(`UART|ERROR: Uart device encountered an error with status register ${sr >>> 0}`);
        u.write(MESON_CONTROL, u.read(MESON_CONTROL) | CTRL_CLEAR_ERR);
      }
      sr = u.read(MESON_STATUS);
      cr = u.read(MESON_CONTROL);
    }
  }

  protected rxFifoEmpty(): boolean {
    return (this.uart.read(MESON_STATUS) & STAT_RX_EMPTY) !== 0;
  }

  protected readRx(): number {
    return this.uart.read(MESON_RFIFO) & 0xff;
  }

  protected setRxInterrupts(on: boolean): void {
    const cr = this.uart.read(MESON_CONTROL);
    this.uart.write(MESON_CONTROL, on ? cr | CTRL_RX_INT_EN : cr & ~CTRL_RX_INT_EN);
  }

  protected setTxInterrupt(on: boolean): void {
    const cr = this.uart.read(MESON_CONTROL);
    this.uart.write(MESON_CONTROL, on ? cr | CTRL_TX_INT_EN : cr & ~CTRL_TX_INT_EN);
  }
}
