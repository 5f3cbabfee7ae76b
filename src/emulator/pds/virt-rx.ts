// The RX virtualiser PD (sDDF serial/components/virt_rx.c):
// forwards received bytes to the current client; the switch character, up to 4 decimal digits and
// '\r' select another client (numbered from the configured base, 0 on the real system). Bytes for
// a client whose queue is full are dropped, as on the real system, and counted here.
//
// Departures from the pinned upstream (sDDF 650ace5, libvmm 7069ab9, Microkit cfd5216):
// - Clients can be numbered from 1 (serial.clientBase); virt_rx counts from 0
//   (sddf serial/components/virt_rx.c:68-69).
import type { PdContext, PdProgram } from '../kernel';
import type { SerialQueue } from '../queue';

const MAX_CLIENT_DIGITS = 4;
/** sdfgen's default terminate_num_char. */
/** sdfgen's default terminate_num_char, '\r'. */
export const DEFAULT_TERMINATOR = 0x0d;
const COST_PER_BYTE_NS = 2;

const enum Mode {
  Normal,
  Switched,
  Number,
}

export interface VirtRxOptions {
  switchChar: number;
  clientBase: number;
  /** config.terminate_num_char (virt_rx.c:67). */
  terminateNumChar?: number;
}

export class VirtRx implements PdProgram {
  private mode = Mode.Normal;
  private digits = '';
  current = 0;
  /** Bytes dropped per client because its RX queue was full. */
  readonly dropped: number[];
  switches = 0;

  constructor(
    private readonly ctx: PdContext,
    private readonly drv: SerialQueue,
    private readonly clients: SerialQueue[],
    private readonly driverCh: number,
    /** Channel id of each client, by client index. */
    private readonly clientChs: number[],
    private readonly opts: VirtRxOptions,
  ) {
    this.dropped = clients.map(() => 0);
  }

  notified(ch: number): void {
    // virt_rx never waits on a client queue, so a client's signal (it consumed, answering the zeroed
    // flag) is "unexpected" too, as virt_rx.c:120-124 says in its debug log.
    if (ch === this.driverCh) this.rxReturn();
    else this.ctx.log(`VIRT_RX|LOG: received notification on unexpected channel: ${ch}`);
  }

  private rxReturn(): void {
    const drv = this.drv;
    let consumed = 0;
    let transferred = false;
    for (;;) {
      const c = drv.dequeue();
      if (c < 0) break;
      consumed++;
      switch (this.mode) {
        case Mode.Normal:
          if (c === this.opts.switchChar) this.mode = Mode.Switched;
          else transferred = this.deliver(c) || transferred;
          break;
        case Mode.Switched:
          if (isDigit(c)) {
            this.digits = String.fromCharCode(c);
            this.mode = Mode.Number;
          } else {
            if (c === this.opts.switchChar) transferred = this.deliver(c) || transferred;
            else this.ctx.log(`VIRT_RX|LOG: User entered an invalid digit ${String.fromCharCode(c)}`);
            this.resetState();
          }
          break;
        case Mode.Number:
          if (c === (this.opts.terminateNumChar ?? DEFAULT_TERMINATOR)) {
            const input = parseInt(this.digits, 10);
            const client = input - this.opts.clientBase;
            if (client >= 0 && client < this.clients.length) {
              if (transferred) this.ctx.notify(this.clientChs[this.current]);
              transferred = false;
              this.current = client;
              this.switches++;
              this.ctx.log(`VIRT_RX|LOG: switching to client ${input}`);
            } else {
              this.ctx.log(`VIRT_RX|LOG: User requested to switch to an invalid client ${input}`);
            }
            this.resetState();
          } else if (this.digits.length < MAX_CLIENT_DIGITS && isDigit(c)) {
            this.digits += String.fromCharCode(c);
          } else {
            this.ctx.log(`VIRT_RX|LOG: User entered too many (${this.digits.length + 1} < ${MAX_CLIENT_DIGITS}) or invalid digit (${String.fromCharCode(c)})`);
            this.resetState();
          }
          break;
      }
    }
    if (consumed > 0) this.ctx.charge(consumed * COST_PER_BYTE_NS);
    // After every pass, as virt_rx.c:95-99 does: a driver that asked (or never cancelled the zeroed
    // flag) is signalled while its queue is not full.
    if (!drv.isFull() && drv.producerWantsSignal()) {
      drv.cancelProducerSignal();
      this.ctx.notify(this.driverCh);
    }
    if (transferred) this.ctx.notify(this.clientChs[this.current]);
  }

  private deliver(c: number): boolean {
    if (this.clients[this.current].enqueue(c)) return true;
    this.dropped[this.current]++;
    return false;
  }

  private resetState(): void {
    this.mode = Mode.Normal;
    this.digits = '';
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
