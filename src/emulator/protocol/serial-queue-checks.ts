// The sDDF serial queue rules (rule-table.ts): index sanity, the producer_signalled handshake at the
// end of each handler, and stalls. Reads the queue's shared words only; changes nothing.
import type { PdThread } from '../kernel';
import type { SerialQueue } from '../queue';
import type { FindingList } from './findings';

export interface WatchedQueue {
  name: string;
  q: SerialQueue;
  producer: PdThread;
  consumer: PdThread;
}

export class SerialQueueWatch {
  /** Indices when the producer's / consumer's current activation began. */
  tailAtStart = 0;
  headAtStart = 0;
  /** Indices last seen by the index check. */
  private lastHead: number;
  private lastTail: number;
  /** Since when the head has stood still with bytes queued (-1: empty or moving). */
  private stillSince = -1;
  private stillHead = 0;
  private stallReported = false;
  consumerRanAt = 0;
  /** Tail at the start of the storm window. */
  tailAtWindow: number;

  constructor(readonly w: WatchedQueue) {
    this.lastHead = w.q.head;
    this.lastTail = w.q.tail;
    this.tailAtWindow = w.q.tail;
  }

  /** Indices only move forward and tail - head stays within the capacity. */
  checkIndices(findings: FindingList, now: number, actor: PdThread): void {
    const { q, name } = this.w;
    const head = q.head,
      tail = q.tail;
    const back =
      ((head - this.lastHead) | 0) < 0
        ? `head went back from ${this.lastHead} to ${head}`
        : ((tail - this.lastTail) | 0) < 0
          ? `tail went back from ${this.lastTail} to ${tail}`
          : ((tail - head) | 0) < 0
            ? `head ${head} passed tail ${tail}`
            : (tail - head) >>> 0 > q.capacity
              ? `tail ${tail} is ${(tail - head) >>> 0} bytes ahead of head ${head}, past the capacity ${q.capacity}`
              : undefined;
    this.lastHead = head;
    this.lastTail = tail;
    if (back)
      findings.report({ rule: 'protocol-queue-index', timeNs: now, pd: actor.name, subject: name, message: `${actor.name} moved queue ${name}: ${back}` });
  }

  /** Since when the head has stood still with bytes queued; the ends of both sides' activations call it. */
  track(now: number): void {
    const q = this.w.q,
      head = q.head;
    if (head === q.tail) this.stillSince = -1;
    else if (head !== this.stillHead || this.stillSince < 0) {
      this.stillSince = now;
      this.stallReported = false;
    }
    this.stillHead = head;
  }

  /** End of the producer's activation: bytes it produced must be followed by a notification. */
  producerDone(findings: FindingList, now: number, notified: ReadonlySet<PdThread>): void {
    const { q, name, producer, consumer } = this.w;
    this.track(now);
    const produced = (q.tail - this.tailAtStart) | 0;
    if (produced > 0 && !notified.has(consumer)) {
      findings.report({
        rule: 'protocol-lost-wakeup',
        timeNs: now,
        pd: producer.name,
        subject: name,
        message: `lost wake-up: ${producer.name} produced ${produced} byte${produced === 1 ? '' : 's'} into ${name} and returned without notifying ${consumer.name}, which waits for a signal`,
      });
    }
  }

  /** End of the consumer's activation: room made while the producer asked for a signal must be signalled. */
  consumerDone(findings: FindingList, now: number, notified: ReadonlySet<PdThread>): void {
    const { q, name, producer, consumer } = this.w;
    this.consumerRanAt = now;
    this.track(now);
    const consumed = (q.head - this.headAtStart) | 0;
    if (consumed > 0 && q.producerSignalled === 0 && !q.isFull() && !notified.has(producer)) {
      findings.report({
        rule: 'protocol-lost-wakeup',
        timeNs: now,
        pd: consumer.name,
        subject: name,
        message: `lost wake-up: ${consumer.name} consumed ${consumed} byte${consumed === 1 ? '' : 's'} of ${name} while producer_signalled asked for a signal, and returned without cancelling it and notifying ${producer.name}`,
      });
    }
  }

  /**
   * A stall: bytes queued, the head still and the consumer not run for stallNs. Reported once per
   * stretch, at the virtual time the threshold passed.
   */
  checkStall(findings: FindingList, now: number, stallNs: number, chain: (pd: PdThread) => string[]): void {
    const { q, name, consumer } = this.w;
    this.track(now);
    if (this.stillSince < 0) return;
    const since = Math.max(this.stillSince, this.consumerRanAt);
    if (this.stallReported || now - since <= stallNs) return;
    this.stallReported = true;
    const waitChain = [`${q.length()} byte${q.length() === 1 ? '' : 's'} in ${name} wait for ${consumer.name}`, ...chain(consumer)];
    findings.report({
      rule: 'protocol-queue-stall',
      timeNs: since + stallNs,
      pd: consumer.name,
      subject: name,
      message: `stall: ${name} has held ${q.length()} byte${q.length() === 1 ? '' : 's'} for over ${stallNs / 1e6} ms with ${consumer.name} not running: ${waitChain.join(' → ')}`,
      waitChain,
    });
  }
}
