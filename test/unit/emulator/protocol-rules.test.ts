// Each protocol rule of src/emulator/protocol/rule-table.ts tripped by a deliberately broken PD,
// VMM or guest driver on the example system; and the working system, flooded, trips none.
import { strict as assert } from 'assert';
import type { Emulator } from '../../../src/emulator/emulator';
import type { PdContext, PdProgram, PdThread } from '../../../src/emulator/kernel';
import type { GuestMachine, GuestProgram, GuestRunResult } from '../../../src/emulator/guest/interface';
import { PROTOCOL_RULES, type ProtocolRuleCode } from '../../../src/emulator/protocol/rule-table';
import type { ProtocolFinding } from '../../../src/emulator/protocol/findings';
import type { SerialQueue } from '../../../src/emulator/queue';
import { Virtq } from '../../../src/emulator/virtio/virtq';
import { build, driverInit, fillPattern, IdleGuest, LAYOUT, RamWriter, RAM, testGuest, V } from './helpers';

const MS = 1_000_000;
const CHECKS = { stallNs: 50 * MS };

function system(programs: [() => GuestProgram, () => GuestProgram] = [() => new IdleGuest(), () => new IdleGuest()]): Emulator {
  return build({ programs }, (c) => {
    c.protocolChecks = CHECKS;
  });
}

function queue(emu: Emulator, name: string): SerialQueue {
  const w = emu.watched().queues.find((q) => q.name === name);
  assert.ok(w, name);
  return w.q;
}

function channelTo(from: PdThread, to: string): number {
  for (const [id, t] of from.channels) if (t.pd.name === to) return id;
  return -1;
}

interface Flaws {
  /** Notify the driver after moving bytes into its queue. */
  notifyDriver?: boolean;
  /** Answer a client's producer_signalled request after consuming. */
  answerClient?: boolean;
  /** Move nothing on a client's notification. */
  ignoreClients?: boolean;
  /** Leave the client's head past its tail. */
  headPastTail?: boolean;
  /** Fault on a client's notification. */
  faultOnClient?: boolean;
}

/** virt_tx with flaws: moves each client's bytes to the driver's queue as one transfer. */
class BrokenVirtTx implements PdProgram {
  private readonly clientChs: number[];
  private readonly driverCh: number;
  constructor(
    private readonly ctx: PdContext,
    pd: PdThread,
    private readonly clients: SerialQueue[],
    private readonly drv: SerialQueue,
    private readonly flaws: Flaws,
  ) {
    this.clientChs = ['CLIENT_VMM-1', 'CLIENT_VMM-2'].map((c) => channelTo(pd, c));
    this.driverCh = channelTo(pd, 'uart_driver');
  }
  notified(ch: number): void {
    const i = this.clientChs.indexOf(ch);
    if (i < 0) return;
    if (this.flaws.faultOnClient) throw new Error('broken virt_tx');
    if (this.flaws.ignoreClients) return;
    const q = this.clients[i];
    const moved = q.transferTo(this.drv);
    if (this.flaws.headPastTail) q.head = q.tail + 4;
    if (this.flaws.answerClient !== false && q.producerWantsSignal()) {
      q.cancelProducerSignal();
      this.ctx.notify(ch);
    }
    if (moved > 0 && this.flaws.notifyDriver !== false) this.ctx.notify(this.driverCh);
  }
}

function breakVirtTx(emu: Emulator, flaws: Flaws): void {
  const pd = emu.kernel.pds.get('serial_virt_tx')!;
  const clients = [queue(emu, 'CLIENT_VMM-1 -> serial_virt_tx'), queue(emu, 'CLIENT_VMM-2 -> serial_virt_tx')];
  pd.program = new BrokenVirtTx(emu.kernel.contextFor(pd), pd, clients, queue(emu, 'serial_virt_tx -> uart_driver'), flaws);
}

/** A guest whose first slice runs `script` (a broken driver), then idles. */
class ScriptGuest implements GuestProgram {
  private m!: GuestMachine;
  private done = false;
  constructor(private readonly script: (m: GuestMachine, w: RamWriter) => void) {}
  start(m: GuestMachine): void {
    this.m = m;
    m.enableInterrupt(74);
  }
  run(sliceNs: number): GuestRunResult {
    if (!this.done) {
      this.done = true;
      this.script(this.m, new RamWriter(this.m));
    }
    this.m.consume(Math.min(sliceNs, 1000));
    return 'idle';
  }
  onInterrupt(intid: number): void {
    this.m.endOfInterrupt(intid);
  }
  onTimer(): void {
    /* none */
  }
}

/** Up the console with queues of 8, TX chain `heads` made available and kicked. */
function txScript(setUp: (w: RamWriter) => number[], after?: (m: GuestMachine, w: RamWriter) => void): () => GuestProgram {
  return () =>
    new ScriptGuest((m, w) => {
      driverInit(m, 8, LAYOUT);
      const heads = setUp(w);
      w.avail(LAYOUT.tx, 8, heads);
      m.mmioWrite(V + 0x030, 4, 1);
      m.mmioWrite(V + 0x050, 4, 1);
      after?.(m, w);
    });
}

function rules(emu: Emulator): ProtocolRuleCode[] {
  return [...new Set(emu.findings().map((f) => f.rule))];
}

function only(emu: Emulator, rule: ProtocolRuleCode): ProtocolFinding[] {
  const found = emu.findings().filter((f) => f.rule === rule);
  assert.ok(found.length > 0, `no ${rule}; found ${JSON.stringify(emu.findings(), null, 1)}`);
  return found;
}

const floodGuests = (): [() => GuestProgram, () => GuestProgram] => [
  testGuest({ txTotal: 30_000, fill: fillPattern(0), queueSize: 16 }),
  testGuest({ txTotal: 30_000, fill: fillPattern(1), queueSize: 16 }),
];

/** Each rule's test, by the name the rule table gives. */
const TESTS: Record<string, () => void> = {
  'lost wake-up': () => {
    // virt_tx moves bytes into the driver's queue and never notifies the driver.
    const producer = system(floodGuests());
    breakVirtTx(producer, { notifyDriver: false });
    producer.runFor(20 * MS);
    const p = only(producer, 'protocol-lost-wakeup');
    assert.equal(p[0].pd, 'serial_virt_tx');
    assert.equal(p[0].subject, 'serial_virt_tx -> uart_driver');
    assert.match(p[0].message, /produced \d+ bytes? into serial_virt_tx -> uart_driver and returned without notifying uart_driver/);
    // virt_tx consumes a client's bytes while producer_signalled asks for a signal, and never answers.
    const consumer = system(floodGuests());
    breakVirtTx(consumer, { answerClient: false });
    consumer.runFor(20 * MS);
    const c = only(consumer, 'protocol-lost-wakeup');
    assert.equal(c[0].subject, 'CLIENT_VMM-1 -> serial_virt_tx');
    assert.match(c[0].message, /while producer_signalled asked for a signal/);
  },
  'signalled PD never runs': () => {
    const emu = system(floodGuests());
    breakVirtTx(emu, { faultOnClient: true });
    emu.runFor(200 * MS);
    const f = only(emu, 'protocol-signal-never-served');
    assert.equal(f[0].pd, 'serial_virt_tx');
    assert.match(f[0].message, /has not run for over 50 ms: it has faulted/);
  },
  'indices backwards': () => {
    const emu = system(floodGuests());
    breakVirtTx(emu, { headPastTail: true });
    emu.runFor(20 * MS);
    const f = only(emu, 'protocol-queue-index');
    assert.equal(f[0].pd, 'serial_virt_tx');
    assert.match(f[0].message, /head \d+ passed tail \d+/);
  },
  stall: () => {
    // The driver faults on its first notification: virt_tx fills its queue and waits for room, the
    // clients' queues fill behind it.
    const emu = system(floodGuests());
    const driver = emu.kernel.pds.get('uart_driver')!;
    driver.program = {
      notified: () => {
        throw new Error('broken driver');
      },
    };
    emu.runFor(300 * MS);
    const f = only(emu, 'protocol-queue-stall').find((x) => x.subject === 'CLIENT_VMM-1 -> serial_virt_tx');
    assert.ok(f, JSON.stringify(emu.findings(), null, 1));
    assert.deepEqual(f.waitChain?.slice(1), ['serial_virt_tx waits for room in serial_virt_tx -> uart_driver (8192/8192)', 'uart_driver has faulted']);
    assert.match(f.waitChain![0], /^\d+ bytes in CLIENT_VMM-1 -> serial_virt_tx wait for serial_virt_tx$/);
  },
  'virtq index': () => {
    // The driver: avail.idx jumps by more than the queue size.
    const driver = system([
      txScript(
        (w) => {
          w.desc(LAYOUT.tx.desc, 0, RAM + 0x30000, 4, 0, 0);
          return [0];
        },
        (_m, w) => w.setAvailIdx(LAYOUT.tx, 40),
      ),
      () => new IdleGuest(),
    ]);
    driver.runFor(5 * MS);
    const d = only(driver, 'protocol-virtq-index');
    assert.equal(d[0].pd, 'client_linux-1');
    assert.match(d[0].message, /avail\.idx from \d+ to 40/);
    // The device: used.idx bumped twice per chain.
    const push = Virtq.prototype.pushUsed;
    Virtq.prototype.pushUsed = function (id, len) {
      push.call(this, id, len);
      push.call(this, id, len);
    };
    try {
      const device = system([
        txScript((w) => {
          w.desc(LAYOUT.tx.desc, 0, RAM + 0x30000, 4, 0, 0);
          return [0];
        }),
        () => new IdleGuest(),
      ]);
      device.runFor(5 * MS);
      const f = only(device, 'protocol-virtq-index');
      assert.equal(f[0].pd, 'CLIENT_VMM-1');
      assert.match(f[0].message, /never past avail\.idx/);
    } finally {
      Virtq.prototype.pushUsed = push;
    }
  },
  'virtq descriptors': () => {
    const outside = system([
      txScript((w) => {
        w.desc(LAYOUT.tx.desc, 0, 0x10000000, 16, 0, 0);
        return [0];
      }),
      () => new IdleGuest(),
    ]);
    outside.runFor(5 * MS);
    assert.match(only(outside, 'protocol-virtq-descriptor')[0].message, /outside guest RAM/);
    const loop = system([
      txScript((w) => {
        w.desc(LAYOUT.tx.desc, 0, RAM + 0x30000, 4, 1, 1);
        w.desc(LAYOUT.tx.desc, 1, RAM + 0x30000, 4, 1, 0);
        return [0];
      }),
      () => new IdleGuest(),
    ]);
    loop.runFor(5 * MS);
    assert.match(only(loop, 'protocol-virtq-descriptor')[0].message, /loops/);
    const range = system([
      txScript((w) => {
        w.desc(LAYOUT.tx.desc, 0, RAM + 0x30000, 4, 1, 9);
        return [0];
      }),
      () => new IdleGuest(),
    ]);
    range.runFor(5 * MS);
    assert.match(only(range, 'protocol-virtq-descriptor')[0].message, /descriptor 9, beyond the queue size 8/);
    assert.equal(only(range, 'protocol-virtq-descriptor')[0].pd, 'client_linux-1');
  },
  'virtq used len': () => {
    const push = Virtq.prototype.pushUsed;
    Virtq.prototype.pushUsed = function (id, len) {
      push.call(this, id, len + 100);
    };
    try {
      const emu = system(floodGuests());
      emu.runFor(5 * MS);
      const f = only(emu, 'protocol-virtq-used-len');
      assert.equal(f[0].pd, 'CLIENT_VMM-1');
      assert.match(
        f[0].message,
        /reported 100 bytes written into the chain from descriptor \d+ on client_linux-1 transmitq0, which has 0 device-writable bytes/,
      );
    } finally {
      Virtq.prototype.pushUsed = push;
    }
  },
  'virtq notification suppression': () => {
    // A VMM that uses buffers and never interrupts.
    const silent = system(floodGuests());
    (silent.console(0) as unknown as { ports: { injectIrq: () => boolean } }).ports.injectIrq = () => true;
    silent.runFor(5 * MS);
    const f = only(silent, 'protocol-virtq-notification');
    assert.equal(f[0].pd, 'CLIENT_VMM-1');
    assert.match(f[0].message, /did not interrupt client_linux-1/);
    // A driver that suppresses interrupts (avail.flags = NO_INTERRUPT); libvmm's device ignores it.
    const suppressed = system([
      txScript((w) => {
        w.desc(LAYOUT.tx.desc, 0, RAM + 0x30000, 4, 0, 0);
        w.bytes(LAYOUT.tx.avail, Uint8Array.of(1, 0));
        return [0];
      }),
      () => new IdleGuest(),
    ]);
    suppressed.runFor(5 * MS);
    assert.match(only(suppressed, 'protocol-virtq-notification')[0].message, /although avail\.flags has VIRTQ_AVAIL_F_NO_INTERRUPT/);
  },
  'notification storm': () => {
    // virt_rx signals its client ten times per byte it forwards.
    const emu = system();
    const pd = emu.kernel.pds.get('serial_virt_rx')!;
    const ctx = emu.kernel.contextFor(pd);
    const drv = queue(emu, 'uart_driver -> serial_virt_rx'),
      client = queue(emu, 'serial_virt_rx -> CLIENT_VMM-1');
    const toClient = channelTo(pd, 'CLIENT_VMM-1');
    pd.program = {
      notified: () => {
        for (let c = drv.dequeue(); c >= 0; c = drv.dequeue()) {
          client.enqueue(c);
          for (let i = 0; i < 10; i++) ctx.notify(toClient);
        }
      },
    };
    for (let i = 0; i < 5; i++) {
      emu.typeInput('x'.repeat(60));
      emu.runFor(20 * MS);
    }
    emu.runFor(100 * MS);
    const f = only(emu, 'protocol-notification-storm');
    assert.equal(f[0].subject, 'serial_virt_rx -> CLIENT_VMM-1');
    assert.match(f[0].message, /notified CLIENT_VMM-1 \d+ times in 100 ms while \d+ bytes moved between them/);
  },
};

describe('emulator: protocol rules, each tripped by a broken PD', () => {
  it('has a test for every rule of the table, and a rule for every test', () => {
    assert.deepEqual(
      Object.values(PROTOCOL_RULES)
        .map((r) => r.test)
        .sort(),
      Object.keys(TESTS).sort(),
    );
  });
  for (const [code, rule] of Object.entries(PROTOCOL_RULES)) {
    it(`${code}: ${rule.test}`, function () {
      this.timeout(60_000);
      TESTS[rule.test]();
    });
  }

  it('finds nothing on the working system flooded by both guests, with echo', function () {
    this.timeout(60_000);
    const emu = system([testGuest({ txTotal: 200_000, fill: fillPattern(0), echo: true }), testGuest({ txTotal: 200_000, fill: fillPattern(1) })]);
    for (let i = 0; i < 20; i++) {
      emu.typeInput('abc'.repeat(100));
      emu.runFor(10 * MS);
    }
    emu.runFor(500 * MS);
    assert.deepEqual(rules(emu), []);
  });
});
