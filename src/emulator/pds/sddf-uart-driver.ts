// What sDDF's PL011 and Meson UART drivers share (drivers/serial/arm/uart.c and
// drivers/serial/meson/uart.c have the same shape): the channel dispatch, tx_provide (fill the TX
// FIFO from the TX queue, keep the TX interrupt on while the queue holds more) and rx_return (drain
// the RX FIFO into the RX queue; with the queue full, mask RX and ask virt_rx for a signal; look
// again in case room appeared). Each driver's file holds its register accesses and its IRQ loop.
import type { PdContext, PdProgram } from '../kernel';
import type { SerialQueue } from '../queue';
import { queueToTxFifo, type TxFifo } from '../devices/uart-line';
import type { UartDriverChannels } from './uart-driver';

const COST_PER_BYTE_NS = 2;

export abstract class SddfFifoUartDriver implements PdProgram {
  /** Times the RX queue was full with bytes left in the FIFO (RX interrupts then masked). */
  rxStalls = 0;

  constructor(
    protected readonly ctx: PdContext,
    private readonly txFifo: TxFifo,
    /** Absent when RX is disabled (sDDF's config.rx_enabled false). */
    protected readonly rxq: SerialQueue | undefined,
    private readonly txq: SerialQueue,
    protected readonly ch: UartDriverChannels,
  ) {}

  abstract init(): void;
  /** The driver's handle_irq: its loop over the UART's interrupt or status register. */
  protected abstract handleIrq(): void;
  protected abstract rxFifoEmpty(): boolean;
  /** One read of the RX data register (the byte). */
  protected abstract readRx(): number;
  protected abstract setRxInterrupts(on: boolean): void;
  protected abstract setTxInterrupt(on: boolean): void;

  notified(ch: number): void {
    if (ch === this.ch.irq) {
      this.handleIrq();
      this.ctx.irqAck(this.ch.irq);
    } else if (ch === this.ch.tx) {
      this.txProvide();
    } else if (ch === this.ch.rx) {
      this.setRxInterrupts(true);
      this.rxReturn();
    } else {
      this.ctx.log(`UART|LOG: received notification on unexpected channel: ${ch}`);
    }
  }

  protected txProvide(): void {
    const q = this.txq;
    const sent = queueToTxFifo(q, this.txFifo);
    this.setTxInterrupt(!q.isEmpty());
    if (sent > 0) {
      this.ctx.charge(sent * COST_PER_BYTE_NS);
      if (q.producerWantsSignal()) {
        q.cancelProducerSignal();
        this.ctx.notify(this.ch.tx);
      }
    }
  }

  protected rxReturn(): void {
    const q = this.rxq;
    if (!q) return;
    let enqueued = 0;
    for (let reprocess = true; reprocess;) {
      while (!this.rxFifoEmpty() && !q.isFull()) {
        q.enqueue(this.readRx());
        enqueued++;
      }
      if (!this.rxFifoEmpty() && q.isFull()) {
        // Mask RX until virt_rx has made room and signals.
        this.setRxInterrupts(false);
        q.requestProducerSignal();
        this.rxStalls++;
      }
      reprocess = false;
      if (!this.rxFifoEmpty() && !q.isFull()) {
        q.cancelProducerSignal();
        this.setRxInterrupts(true);
        reprocess = true;
      }
    }
    if (enqueued > 0) {
      this.ctx.charge(enqueued * COST_PER_BYTE_NS);
      this.ctx.notify(this.ch.rx);
    }
  }
}
