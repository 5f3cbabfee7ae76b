// The Linux model's imx-uart driver (drivers/tty/serial/imx.c as of v6.1, the kernel of libvmm's
// MaaXBoard example) for an i.MX UART passed through to the guest, at the register level: probe
// masks the UART's interrupts and selects DCE mode; the console's setup and every open's termios
// program the reference divider, UBIR/UBMR and ONEMS for the baud rate and UCR2 for 8N1; startup
// sets the FIFO trigger levels (RX 1 for a console), soft-resets the state machines and enables the
// receiver, the transmitter and the RX-ready interrupt. Output goes as imx_uart_start_tx does it: the
// TX-ready interrupt is enabled and its handler fills the FIFO until UTS.TXFULL, then disables it.
// The boot console (earlycon ec_imx6q) polls UTS.TXFULL and writes UTXD, with the UART as the
// firmware left it.
import {
  UBIR,
  UBMR,
  UCR1,
  UCR2,
  UCR3,
  UCR4,
  UFCR,
  URXD,
  USR1,
  USR2,
  UTS,
  UTXD,
  ONEMS,
  UCR1_UARTEN,
  UCR1_RTSDEN,
  UCR1_RRDYEN,
  UCR1_IDEN,
  UCR1_TRDYEN,
  UCR1_ADEN,
  UCR2_SRST,
  UCR2_RXEN,
  UCR2_TXEN,
  UCR2_ATEN,
  UCR2_WS,
  UCR2_CTS,
  UCR2_IRTS,
  UCR3_RXDMUXSEL,
  UCR3_DTRDEN,
  UCR3_ADNIMP,
  UCR3_RI,
  UCR3_DCD,
  UCR3_DSR,
  UCR4_DREN,
  UCR4_OREN,
  UCR4_CTSTL_SHIFT,
  UFCR_RFDIV_SHIFT,
  UFCR_RFDIV_MASK,
  UFCR_DCEDTE,
  UFCR_TXTL_SHIFT,
  USR1_RRDY,
  USR1_TRDY,
  USR1_AGTIM,
  USR1_RTSD,
  USR1_DTRD,
  USR2_RDR,
  USR2_ORE,
  USR2_TXDC,
  UTS_TXFULL,
} from '../../devices/uart-imx';
import type { Mmio } from './mmio';
import { UartConsolePort } from './uart-console-driver';

/** v6.1's trigger levels: TX 2 (the reset value), RX 1 for a console (each character interrupts). */
export const IMX_TXTL_DEFAULT = 2,
  IMX_RXTL_CONSOLE = 1;
/** The CTS trigger level startup sets (CTSTL). */
const CTSTL = 16;
/** uart1's root clock as the emulator's board gives it (BoardUart.clockHz). */
const DEFAULT_UARTCLK_HZ = 24_000_000;

/** The baud-rate registers for a rate, as imx_uart_set_termios computes them. */
export interface ImxBaudSettings {
  /** The reference divider (1..7) and its UFCR.RFDIV encoding. */
  div: number;
  rfdiv: number;
  /** UBIR and UBMR: the numerator and denominator of 16 x div x baud / clock, each minus one. */
  ubir: number;
  ubmr: number;
  onems: number;
}

/**
 * imx_uart_set_termios's arithmetic: div = clock / (16 x baud) clamped to 1..7, then the best
 * fraction num/denom (both <= 65536) of 16 x div x baud / clock, as rational_best_approximation.
 */
export function imxBaudSettings(clockHz: number, baud: number): ImxBaudSettings {
  const div = Math.min(7, Math.max(1, Math.floor(clockHz / (baud * 16))));
  const [num, denom] = bestFraction(16 * div * baud, clockHz, 1 << 16, 1 << 16);
  return { div, rfdiv: div < 7 ? 6 - div : 6, ubir: num - 1, ubmr: denom - 1, onems: Math.floor(clockHz / div / 1000) };
}

/**
 * lib/math/rational.c: walk the continued fraction of given/givenDen; when a convergent no longer
 * fits the bounds, take the largest semi-convergent that does if it is the closer one.
 */
function bestFraction(given: number, givenDen: number, maxNum: number, maxDen: number): [number, number] {
  let num = given,
    den = givenDen;
  let [pNum, pDen] = [0, 1]; // the convergent before last
  let [cNum, cDen] = [1, 0]; // the last convergent
  while (den !== 0) {
    const term = Math.floor(num / den);
    const prevDen = den;
    [num, den] = [den, num - term * den];
    const [nNum, nDen] = [pNum + term * cNum, pDen + term * cDen];
    if (nNum > maxNum || nDen > maxDen) {
      let t = Infinity;
      if (cDen) t = Math.floor((maxDen - pDen) / cDen);
      if (cNum) t = Math.min(t, Math.floor((maxNum - pNum) / cNum));
      if (!cDen || 2 * t > term || (2 * t === term && pDen * prevDen > cDen * den)) [cNum, cDen] = [pNum + t * cNum, pDen + t * cDen];
      break;
    }
    [pNum, pDen, cNum, cDen] = [cNum, cDen, nNum, nDen];
  }
  return [cNum, cDen];
}

export class ImxConsoleDriver extends UartConsolePort {
  constructor(
    mmio: Mmio,
    base: number,
    private readonly baud = 115200,
    private readonly clockHz = DEFAULT_UARTCLK_HZ,
  ) {
    super(mmio, base);
  }

  protected txFull(): boolean {
    return (this.mmio.read32(this.base + UTS) & UTS_TXFULL) !== 0;
  }

  protected txBusy(): boolean {
    return (this.mmio.read32(this.base + USR2) & USR2_TXDC) === 0;
  }

  protected writeData(byte: number): void {
    this.mmio.write32(this.base + UTXD, byte);
  }

  /** imx_uart_start_tx: the TX-ready interrupt does the writing. */
  protected startTx(): void {
    this.setUcr1(UCR1_TRDYEN, true);
  }

  /** imx_uart_probe: interrupts off before requesting them; DCE mode, RXD muxed, autobaud off. */
  override probe(): void {
    const m = this.mmio,
      b = this.base;
    const ucr1 = m.read32(b + UCR1);
    m.write32(b + UCR1, ucr1 & ~(UCR1_ADEN | UCR1_TRDYEN | UCR1_IDEN | UCR1_RRDYEN | UCR1_RTSDEN));
    const ufcr = m.read32(b + UFCR);
    if (ufcr & UFCR_DCEDTE) m.write32(b + UFCR, ufcr & ~UFCR_DCEDTE);
    m.write32(b + UCR3, UCR3_DSR | UCR3_RXDMUXSEL | UCR3_ADNIMP);
  }

  /** imx_uart_set_termios for 8N1 at the driver's baud rate, no flow control. */
  setTermios(): void {
    const m = this.mmio,
      b = this.base;
    const oldUcr2 = m.read32(b + UCR2);
    const ucr2 = (oldUcr2 & (UCR2_TXEN | UCR2_RXEN | UCR2_ATEN | UCR2_CTS)) | UCR2_SRST | UCR2_IRTS | UCR2_WS;
    const s = imxBaudSettings(this.clockHz, this.baud);
    const ufcr = m.read32(b + UFCR);
    m.write32(b + UFCR, (ufcr & ~UFCR_RFDIV_MASK) | (s.rfdiv << UFCR_RFDIV_SHIFT));
    // Written only when they change, and UBIR before UBMR: writing them restarts the baud generator.
    if (m.read32(b + UBIR) !== s.ubir || m.read32(b + UBMR) !== s.ubmr) {
      m.write32(b + UBIR, s.ubir);
      m.write32(b + UBMR, s.ubmr);
    }
    m.write32(b + ONEMS, s.onems);
    m.write32(b + UCR2, ucr2);
  }

  /** imx_uart_console_setup: the options become line settings through set_termios. */
  override consoleSetup(): void {
    this.setTermios();
  }

  /** The tty's first open: imx_uart_startup, without DMA (a console never uses it), then set_termios. */
  startup(): void {
    this.startupRegisters();
    this.setTermios();
    this.ready = true;
  }

  private startupRegisters(): void {
    const m = this.mmio,
      b = this.base;
    const keep = m.read32(b + UFCR) & (UFCR_RFDIV_MASK | UFCR_DCEDTE);
    m.write32(b + UFCR, keep | (IMX_TXTL_DEFAULT << UFCR_TXTL_SHIFT) | IMX_RXTL_CONSOLE);
    const ucr4 = (m.read32(b + UCR4) & ~(0x3f << UCR4_CTSTL_SHIFT)) | (CTSTL << UCR4_CTSTL_SHIFT);
    m.write32(b + UCR4, ucr4 & ~UCR4_DREN);
    this.softReset();
    m.write32(b + USR1, USR1_RTSD | USR1_DTRD);
    m.write32(b + USR2, USR2_ORE);
    m.write32(b + UCR1, (m.read32(b + UCR1) & ~UCR1_RRDYEN) | UCR1_UARTEN);
    m.write32(b + UCR4, m.read32(b + UCR4) | UCR4_OREN);
    m.write32(b + UCR3, m.read32(b + UCR3) | UCR3_DTRDEN | UCR3_RI | UCR3_DCD);
    m.write32(b + UCR2, (m.read32(b + UCR2) & ~UCR2_ATEN) | UCR2_RXEN | UCR2_TXEN | UCR2_IRTS);
    m.write32(b + UCR1, m.read32(b + UCR1) | UCR1_RRDYEN);
    m.write32(b + UCR2, m.read32(b + UCR2) | UCR2_ATEN);
  }

  /** SRST resets the FIFOs and, with them, UBIR, UBMR and UTS: the driver saves and restores those. */
  private softReset(): void {
    const m = this.mmio,
      b = this.base;
    const ubir = m.read32(b + UBIR),
      ubmr = m.read32(b + UBMR),
      uts = m.read32(b + UTS);
    const ucr2 = m.read32(b + UCR2);
    m.write32(b + UCR2, ucr2 & ~UCR2_SRST);
    for (let i = 0; i < 10 && !(m.read32(b + UCR2) & UCR2_SRST); i++);
    m.write32(b + UBIR, ubir);
    m.write32(b + UBMR, ubmr);
    m.write32(b + UTS, uts);
  }

  /** imx_uart_int: RX-ready (or aging) drains the RX FIFO; TX-ready refills the TX FIFO. */
  handleInterrupt(receive: (bytes: Uint8Array) => void): void {
    const m = this.mmio,
      b = this.base;
    const usr1 = m.read32(b + USR1);
    const ucr1 = m.read32(b + UCR1);
    if (usr1 & (USR1_RRDY | USR1_AGTIM)) {
      m.write32(b + USR1, USR1_AGTIM);
      const got: number[] = [];
      while (m.read32(b + USR2) & USR2_RDR) got.push(m.read32(b + URXD) & 0xff);
      if (got.length > 0) receive(Uint8Array.from(got));
    }
    if (usr1 & USR1_TRDY && ucr1 & UCR1_TRDYEN) this.transmitBuffer();
  }

  /** imx_uart_transmit_buffer: write while UTS.TXFULL is clear; with nothing left, imx_uart_stop_tx. */
  private transmitBuffer(): void {
    if (this.fillTxFifo()) this.setUcr1(UCR1_TRDYEN, false);
  }

  private setUcr1(bit: number, on: boolean): void {
    const m = this.mmio,
      b = this.base;
    const v = m.read32(b + UCR1);
    const want = on ? v | bit : v & ~bit;
    if (want !== v) m.write32(b + UCR1, want);
  }
}
