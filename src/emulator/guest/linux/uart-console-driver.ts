// The Linux model's own serial driver for a UART passed through to the guest (amba-pl011's
// behaviour at the register level): startup programs the divisor, the frame, the FIFOs and the
// receive interrupts; output fills the TX FIFO while it has room and, with bytes left over, waits
// for the TX interrupt; the interrupt handler drains the RX FIFO and clears what it handled.
// The same port interface as the virtio console (ConsolePort), so the tty above does not care.
import {
  CR_RXE,
  CR_TXE,
  CR_UARTEN,
  FR_BUSY,
  FR_RXFE,
  FR_TXFF,
  INT_RT,
  INT_RX,
  INT_TX,
  LCR_FEN,
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
} from '../../devices/uart-pl011';
import type { Mmio } from './mmio';

/** A console device as the tty layer uses it (the virtio console and the UART drivers). */
export interface ConsolePort {
  readonly ready: boolean;
  /** Output handed to the device and not yet taken: the writer waits. */
  readonly txInFlight: boolean;
  /** Hand bytes to the device; `fill` copies up to `max` into dst at offset and returns the count. */
  transmit(fill: (dst: Uint8Array, offset: number, max: number) => number): number;
  handleInterrupt(receive: (bytes: Uint8Array) => void): void;
}

const PENDING_MAX = 4096;
/** The UART clock the guest's tree gives the PL011 ("apb-pclk", 24 MHz on QEMU virt). */
const DEFAULT_UARTCLK_HZ = 24_000_000;
/** IFLS reset value: RX and TX at 1/2, as amba-pl011 leaves them. */
const IFLS_HALF = 0x12;

/**
 * What the serial drivers share: the tty's output waits in the driver until the UART takes it; a
 * boot console (polled) instead writes the data register a byte at a time while the TX FIFO has
 * room, so nothing waits in the driver when the tty port takes over.
 */
export abstract class UartConsolePort implements ConsolePort {
  private readonly pending = new Uint8Array(PENDING_MAX);
  private pendingHead = 0;
  private pendingLen = 0;
  private readonly one = new Uint8Array(1);
  ready = false;
  /** A boot console: it polls the UART's status and never takes its interrupts. */
  polled = false;

  constructor(
    protected readonly mmio: Mmio,
    readonly base: number,
  ) {}

  /** The TX FIFO is full (UARTFR.TXFF, UTS.TXFULL). */
  protected abstract txFull(): boolean;
  /** The UART is still sending (UARTFR.BUSY, USR2.TXDC clear). */
  protected abstract txBusy(): boolean;
  protected abstract writeData(byte: number): void;
  /** The tty has output for the UART: the driver's start_tx. */
  protected abstract startTx(): void;
  /** The tty's first open: the driver's startup and line settings. */
  abstract startup(): void;
  /** The driver's probe, before the port is registered (none beyond the bus's, by default). */
  probe(): void {}
  /** The console's setup when it registers (imx_uart_console_setup's uart_set_options); none by default. */
  consoleSetup(): void {}
  abstract handleInterrupt(receive: (bytes: Uint8Array) => void): void;

  /** Output not yet gone: bytes the driver holds or, for a boot console, the UART still sending. */
  get txInFlight(): boolean {
    return this.polled ? this.txBusy() : this.pendingLen > 0;
  }

  transmit(fill: (dst: Uint8Array, offset: number, max: number) => number): number {
    if (!this.ready) return 0;
    if (this.polled) {
      let n = 0;
      while (!this.txFull() && fill(this.one, 0, 1) === 1) {
        this.writeData(this.one[0]);
        n++;
      }
      return n;
    }
    if (this.pendingLen > 0) return 0;
    const n = fill(this.pending, 0, PENDING_MAX);
    this.pendingHead = 0;
    this.pendingLen = n;
    if (n > 0) this.startTx();
    return n;
  }

  /** Write what the driver holds while the TX FIFO has room; true when nothing is left. */
  protected fillTxFifo(): boolean {
    while (this.pendingLen > 0 && !this.txFull()) {
      this.writeData(this.pending[this.pendingHead++]);
      this.pendingLen--;
    }
    return this.pendingLen === 0;
  }
}

export class Pl011ConsoleDriver extends UartConsolePort {
  /** The revision in UARTPeriphID2 (amba-pl011 prints "PL011 rev<n>"). */
  revision = 0;

  constructor(
    mmio: Mmio,
    base: number,
    private readonly baud = 115200,
    private readonly clockHz = DEFAULT_UARTCLK_HZ,
  ) {
    super(mmio, base);
  }

  protected txFull(): boolean {
    return (this.mmio.read32(this.base + PL011_FR) & FR_TXFF) !== 0;
  }

  protected txBusy(): boolean {
    return (this.mmio.read32(this.base + PL011_FR) & FR_BUSY) !== 0;
  }

  protected writeData(byte: number): void {
    this.mmio.write32(this.base + PL011_DR, byte);
  }

  /** pl011_start_tx: fill the FIFO now, and take the TX interrupt for what is left. */
  protected startTx(): void {
    this.push();
  }

  /** pl011_startup + pl011_set_termios: 115200 8N1, FIFOs on, RX and RX-timeout interrupts. */
  startup(): void {
    const m = this.mmio,
      b = this.base;
    this.revision = (m.read32(b + PL011_PERIPH_ID0 + 8) >> 4) & 0xf;
    m.write32(b + PL011_CR, 0);
    const div = (this.clockHz * 4) / this.baud; // 64ths of the 16x divisor
    m.write32(b + PL011_IBRD, Math.floor(div / 64));
    m.write32(b + PL011_FBRD, Math.round(div) & 0x3f);
    m.write32(b + PL011_LCR_H, (3 << LCR_WLEN_SHIFT) | LCR_FEN);
    m.write32(b + PL011_IFLS, IFLS_HALF);
    m.write32(b + PL011_ICR, 0x7ff);
    m.write32(b + PL011_IMSC, INT_RX | INT_RT);
    m.write32(b + PL011_CR, CR_UARTEN | CR_TXE | CR_RXE);
    this.ready = true;
  }

  handleInterrupt(receive: (bytes: Uint8Array) => void): void {
    const m = this.mmio,
      b = this.base;
    const mis = m.read32(b + PL011_MIS);
    if (mis & (INT_RX | INT_RT)) {
      const got: number[] = [];
      while (!(m.read32(b + PL011_FR) & FR_RXFE)) got.push(m.read32(b + PL011_DR) & 0xff);
      m.write32(b + PL011_ICR, INT_RX | INT_RT);
      if (got.length > 0) receive(Uint8Array.from(got));
    }
    if (mis & INT_TX) {
      m.write32(b + PL011_ICR, INT_TX);
      this.push();
    }
  }

  /** Write while the TX FIFO has room; with bytes left, take the TX interrupt (pl011_tx_chars). */
  private push(): void {
    const left = !this.fillTxFifo();
    const m = this.mmio,
      b = this.base;
    const imsc = m.read32(b + PL011_IMSC);
    const want = left ? imsc | INT_TX : imsc & ~INT_TX;
    if (want !== imsc) m.write32(b + PL011_IMSC, want);
  }
}
