// The UART driver PD (sDDF drivers/serial/imx/uart.c): owns the UART's
// registers and IRQ; drains the RX FIFO into the RX queue, fills the TX FIFO from the TX queue.
// With RX disabled (sDDF's config.rx_enabled false, a TX-only serial system) the receiver and its
// interrupt stay off and the RX queue is never touched, as the driver does.
//
// Departures from the pinned upstream (sDDF 650ace5, libvmm 7069ab9, Microkit cfd5216):
// - An IRQ runs one RX and one TX pass, where the driver loops while the status register shows work
//   (sddf drivers/serial/imx/uart.c:95-114).
import type { PdContext, PdProgram } from '../kernel';
import type { SerialQueue } from '../queue';
import { queueToTxFifo } from '../devices/uart-line';
import {
  type ImxUart,
  UBIR,
  UBMR,
  UCR1,
  UCR1_RRDYEN,
  UCR1_TRDYEN,
  UCR1_UARTEN,
  UCR2,
  UCR2_RXEN,
  UCR2_TXEN,
  UCR2_WS,
  UFCR,
  UFCR_RFDIV_SHIFT,
  UFCR_RXTL_MASK,
  UFCR_TXTL_SHIFT,
  URXD,
  URXD_CHARRDY,
  USR2,
  USR2_RDR,
} from '../devices/uart-imx';

const COST_PER_BYTE_NS = 2;
/** The module clock the driver assumes (sddf drivers/serial/imx/include/uart.h:89), not the device's. */
const UART_MOD_CLK = 24192000;
const RFDIV_BY_2 = 0b100;
const UCR2_IRTS = 1 << 14;

export interface UartDriverChannels {
  irq: number;
  /** To virt_tx (TX queue consumer side) and virt_rx (RX queue producer side). */
  tx: number;
  rx: number;
}

export class UartDriver implements PdProgram {
  /** Bytes left in the FIFO because the RX queue was full when the IRQ came. */
  rxStalls = 0;

  constructor(
    private readonly ctx: PdContext,
    private readonly uart: ImxUart,
    private readonly rxq: SerialQueue | undefined,
    private readonly txq: SerialQueue,
    private readonly ch: UartDriverChannels,
    private readonly baud: number,
    private rxEnabled = true,
  ) {
    if (!rxq) this.rxEnabled = false;
  }

  init(): void {
    const u = this.uart;
    // Baud = ref / RFDIV / (16 * (UBMR + 1) / (UBIR + 1)); with UBIR = 15: UBMR = ref / RFDIV / baud - 1,
    // in the driver's integer arithmetic over its assumed clock (sddf drivers/serial/imx/uart.c:37).
    // The RX threshold is set to 1 only with RX on; otherwise it keeps its reset value (sddf drivers/serial/imx/uart.c:145-148).
    u.write(UFCR, (RFDIV_BY_2 << UFCR_RFDIV_SHIFT) | (2 << UFCR_TXTL_SHIFT) | (this.rxEnabled ? 1 : u.read(UFCR) & UFCR_RXTL_MASK));
    u.write(UBIR, 0xf);
    u.write(UBMR, Math.max(0, Math.floor(UART_MOD_CLK / 2 / this.baud) - 1));
    u.write(UCR2, UCR2_WS | UCR2_IRTS | (this.rxEnabled ? UCR2_RXEN : 0) | UCR2_TXEN | 1);
    u.write(UCR1, UCR1_UARTEN | (this.rxEnabled ? UCR1_RRDYEN : 0));
  }

  notified(ch: number): void {
    if (ch === this.ch.irq) {
      if (this.rxEnabled) this.handleRx();
      this.handleTx();
      this.ctx.irqAck(this.ch.irq); // deferred ack, after handling
    } else if (ch === this.ch.tx) {
      this.handleTx();
    } else if (ch === this.ch.rx && this.rxEnabled) {
      // virt_rx made room: take the RX interrupt again.
      this.uart.write(UCR1, this.uart.read(UCR1) | UCR1_RRDYEN);
      this.handleRx();
    } else {
      this.ctx.log(`UART|LOG: received notification on unexpected channel ${ch}`);
    }
  }

  private handleRx(): void {
    const u = this.uart,
      q = this.rxq;
    if (!q) return;
    let produced = 0;
    while ((u.read(USR2) & USR2_RDR) !== 0) {
      if (q.isFull()) {
        q.requestProducerSignal();
        if (q.isFull()) {
          // Leave the rest in the FIFO and stop taking RX interrupts until virt_rx signals.
          u.write(UCR1, u.read(UCR1) & ~UCR1_RRDYEN);
          this.rxStalls++;
          break;
        }
        q.cancelProducerSignal();
      }
      const v = u.read(URXD);
      if ((v & URXD_CHARRDY) === 0) break;
      q.enqueue(v & 0xff);
      produced++;
    }
    if (produced > 0) {
      this.ctx.charge(produced * COST_PER_BYTE_NS);
      this.ctx.notify(this.ch.rx);
    }
  }

  private handleTx(): void {
    const u = this.uart,
      q = this.txq;
    const sent = queueToTxFifo(q, u);
    const cr1 = u.read(UCR1);
    const want = q.isEmpty() ? cr1 & ~UCR1_TRDYEN : cr1 | UCR1_TRDYEN;
    if (want !== cr1) u.write(UCR1, want);
    if (sent > 0) {
      this.ctx.charge(sent * COST_PER_BYTE_NS);
      if (q.producerWantsSignal()) {
        q.cancelProducerSignal();
        this.ctx.notify(this.ch.tx);
      }
    }
  }
}
