// The protocol rules the live checker (checker.ts) holds every sDDF queue and virtqueue to: one
// record each, with the upstream rule it comes from and the test that trips it. The codes join the
// typed diagnostic codes, so a finding reaches the Problems panel like any other diagnostic.
import type { Severity } from '../../common/diagnostics';

export interface ProtocolRule {
  severity: Severity;
  /** What the rule says, in a sentence. */
  description: string;
  /** The upstream text the rule comes from (file:lines at the pinned commits, or the spec's section). */
  origin: string;
  /** The unit test whose deliberately broken PD trips it (test/unit/emulator/protocol-rules.test.ts). */
  test: string;
}

export const PROTOCOL_RULES = {
  'protocol-lost-wakeup': {
    severity: 'error',
    description:
      'a handler moved a queue and returned without the notification the other side waits for: data produced and the consumer not notified, or room made while producer_signalled asked for a signal and no signal sent',
    origin: 'sddf include/sddf/serial/queue.h:460-546 (serial_request_consumer_signal, serial_require_consumer_signal; the sc-fence handshake)',
    test: 'lost wake-up',
  },
  'protocol-signal-never-served': {
    severity: 'error',
    description:
      'a PD was signalled (a notification or IRQ is pending for it) and has not run for longer than the stall threshold: faulted, starved by higher priorities, or out of budget',
    origin: 'microkit docs/manual.md:178-189 (priorities, budgets, passive PDs); sddf serial queue.h:467-500 (the signalled side must run to make progress)',
    test: 'signalled PD never runs',
  },
  'protocol-queue-index': {
    severity: 'error',
    description: 'a queue index moved backwards, or head passed tail, or tail ran more than the capacity ahead of head',
    origin: 'sddf include/sddf/serial/queue.h:20-35, 60-120 (free-running u32 tail and head; length = tail - head <= capacity)',
    test: 'indices backwards',
  },
  'protocol-queue-stall': {
    severity: 'warning',
    description:
      'a queue stayed non-empty with its head still while its consumer did not run for longer than the stall threshold; the finding gives the chain of who waits for whom',
    origin: 'sddf serial docs (a wrong signalling protocol deadlocks), queue.h:467-500',
    test: 'stall',
  },
  'protocol-virtq-index': {
    severity: 'error',
    description: 'a virtqueue index did not move forward: avail.idx or used.idx stepped back or jumped more than the queue size, or used.idx passed avail.idx',
    origin: 'VirtIO 1.2 2.7.6 (avail.idx), 2.7.8 (used.idx): free-running, only incremented; libvmm src/virtio/virtq.h',
    test: 'virtq index',
  },
  'protocol-virtq-descriptor': {
    severity: 'error',
    description: 'an available descriptor chain names a descriptor beyond the queue size, a buffer outside guest RAM, or loops',
    origin: 'VirtIO 1.2 2.7.5 (descriptor table: next < queue size, chains end), 2.7.5.3.1 (no loops); libvmm src/virtio/console.c:149-150',
    test: 'virtq descriptors',
  },
  'protocol-virtq-used-len': {
    severity: 'error',
    description: 'a used element names a descriptor beyond the queue size, or its len exceeds the device-writable length of the chain',
    origin: 'VirtIO 1.2 2.7.8.1 (the device MUST NOT write more than the writable buffers; len is what it wrote)',
    test: 'virtq used len',
  },
  'protocol-virtq-notification': {
    severity: 'warning',
    description:
      'the device used buffers and did not interrupt the guest although avail.flags did not suppress it (a lost interrupt), or interrupted although VIRTQ_AVAIL_F_NO_INTERRUPT asked it not to',
    origin: 'VirtIO 1.2 2.7.10 and 2.7.7.2 (used buffer notification suppression without VIRTIO_F_EVENT_IDX); libvmm src/virtio/console.c:209-215',
    test: 'virtq notification suppression',
  },
  'protocol-notification-storm': {
    severity: 'warning',
    description: 'a channel carried more notifications than bytes moved on its queues (at least the storm count within one window)',
    origin:
      'sddf include/sddf/serial/queue.h:460-546 (signal only when the other side asked: producer_signalled), microkit docs/manual.md (notifications cost a kernel entry)',
    test: 'notification storm',
  },
} as const satisfies Record<string, ProtocolRule>;

export type ProtocolRuleCode = keyof typeof PROTOCOL_RULES;

declare module '../../common/diagnostics' {
  interface DiagnosticCodes extends Record<ProtocolRuleCode, true> {}
}
