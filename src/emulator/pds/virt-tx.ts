// The TX virtualiser PD (sDDF serial/components/virt_tx.c): moves
// each client's pending bytes to the driver's TX queue in one go, optionally wrapped in the
// client's ANSI colour; clients that do not fit wait in a FIFO and are retried when the driver
// signals. At start it queues the begin string (when RX is enabled) and logs each client's colour.
//
// Departures from the pinned upstream (sDDF 650ace5, libvmm 7069ab9, Microkit cfd5216):
// - A client backlog larger than the driver queue (possible with colour on) would wait for ever on
//   the board; here it goes out in queue-sized pieces, each wrapped in the colour (the lint rule
//   sddf-serial-colour-room warns of it) (sddf serial/components/virt_tx.c:86-102).
// - A client is drained again while bytes arrive during its transfer, and is signalled as soon as
//   its queue is moved, before the driver is notified (sddf serial/components/virt_tx.c:132-141).
// - The debug build's busy wait for the begin string to leave is not modelled
//   (sddf serial/components/virt_tx.c:188-196).
import type { PdContext, PdProgram } from '../kernel';
import type { SerialQueue } from '../queue';

/** Red, green, yellow, blue, magenta, cyan; client i uses i mod 6. */
export const CLIENT_COLOURS = ['\x1b[31m', '\x1b[32m', '\x1b[33m', '\x1b[34m', '\x1b[35m', '\x1b[36m'];
export const COLOUR_END = '\x1b[0m';
const COST_PER_BYTE_NS = 1;

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0) & 0xff);
const COLOUR_BYTES = CLIENT_COLOURS.map(ascii);
const COLOUR_END_BYTES = ascii(COLOUR_END);

export interface VirtTxOptions {
  colour: boolean;
  beginString: string;
  rxEnabled: boolean;
  clientNames: string[];
}

export class VirtTx implements PdProgram {
  private readonly pendingFifo: number[] = [];
  private readonly isPending: boolean[];
  /** Tap: bytes as taken from each client's queue (does not change the data path). */
  tap: ((client: number, bytes: Uint8Array) => void) | undefined;

  constructor(
    private readonly ctx: PdContext,
    private readonly drv: SerialQueue,
    private readonly clients: SerialQueue[],
    private readonly driverCh: number,
    private readonly clientChs: number[],
    private readonly opts: VirtTxOptions,
  ) {
    this.isPending = clients.map(() => false);
  }

  init(): void {
    if (this.opts.rxEnabled && this.opts.beginString.length > 0) {
      this.drv.enqueueBytes(ascii(this.opts.beginString));
      this.ctx.notify(this.driverCh);
    }
    if (this.opts.colour) {
      this.opts.clientNames.forEach((name, i) => {
        this.ctx.log(`${CLIENT_COLOURS[i % CLIENT_COLOURS.length]}'${name}' is client ${i}${COLOUR_END}`);
      });
    }
  }

  notified(ch: number): void {
    if (ch === this.driverCh) {
      this.txReturn();
      return;
    }
    const client = this.clientChs.indexOf(ch);
    if (client < 0) {
      this.ctx.log(`VIRT_TX|LOG: Received notification from unknown channel ${ch}`);
      return;
    }
    if (this.drainClient(client)) this.ctx.notify(this.driverCh);
  }

  pendingClients(): number[] {
    return this.pendingFifo.slice();
  }

  /** The driver consumed: retry the clients that were waiting, in FIFO order. */
  private txReturn(): void {
    const n = this.pendingFifo.length;
    let transferred = false;
    for (let i = 0; i < n; i++) {
      const client = this.pendingFifo.shift()!;
      this.isPending[client] = false;
      transferred = this.drainClient(client) || transferred;
    }
    if (transferred) this.ctx.notify(this.driverCh);
  }

  /** Move everything the client has queued, re-checking for bytes that arrive meanwhile. */
  private drainClient(client: number): boolean {
    let transferred = false;
    while (!this.clients[client].isEmpty() && !this.isPending[client]) {
      if (!this.processClient(client)) break;
      transferred = true;
    }
    return transferred;
  }

  private processClient(client: number): boolean {
    const q = this.clients[client],
      drv = this.drv;
    const colour = this.opts.colour;
    const start = COLOUR_BYTES[client % COLOUR_BYTES.length];
    const overhead = colour ? start.length + COLOUR_END_BYTES.length : 0;
    // The real code waits for room for everything; more than the driver queue can ever hold would
    // wait forever, so that much is sent in queue-sized pieces.
    const take = Math.min(q.length(), drv.capacity - overhead);
    const length = take + overhead;
    if (length > drv.free()) {
      drv.requestProducerSignal();
      if (length > drv.free()) {
        if (!this.isPending[client]) {
          this.isPending[client] = true;
          this.pendingFifo.push(client);
        }
        return false;
      }
      drv.cancelProducerSignal();
    }
    if (this.tap) this.tap(client, q.peekAll().subarray(0, take));
    if (colour) drv.enqueueBytes(start);
    const moved = q.transferTo(drv, take);
    if (colour) drv.enqueueBytes(COLOUR_END_BYTES);
    this.ctx.charge(moved * COST_PER_BYTE_NS);
    if (q.producerWantsSignal()) {
      q.cancelProducerSignal();
      this.ctx.notify(this.clientChs[client]);
    }
    return true;
  }
}
