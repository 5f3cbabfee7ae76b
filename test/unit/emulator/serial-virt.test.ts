// The RX virtualiser's switch semantics and the TX virtualiser's colour, table-driven, on the PDs
// alone with a recording kernel context.
import { strict as assert } from 'assert';
import type { PdContext } from '../../../src/emulator/kernel';
import { SerialQueue } from '../../../src/emulator/queue';
import { VirtRx } from '../../../src/emulator/pds/virt-rx';
import { VirtTx } from '../../../src/emulator/pds/virt-tx';
import { ascii, text } from './helpers';

function recordingContext(): PdContext & { notified: number[]; logs: string[] } {
  const notified: number[] = [],
    logs: string[] = [];
  return {
    name: 'pd',
    notified,
    logs,
    notify: (ch) => notified.push(ch),
    irqAck: () => undefined,
    ppcall: () => undefined,
    charge: () => undefined,
    log: (t) => logs.push(t),
    now: () => 0,
  };
}
const queue = (cap = 64): SerialQueue => {
  const q = new SerialQueue(new Uint8Array(12), new Uint8Array(cap), cap);
  q.cancelProducerSignal();
  return q;
};

interface RxCase {
  name: string;
  input: string;
  switchChar?: number;
  clientBase?: number;
  clients?: number;
  /** What each client receives. */
  expect: string[];
  logs: string[];
  current: number;
}

const AT = 0x40;
const rxCases: RxCase[] = [
  { name: 'normal bytes go to client 0 first', input: 'ls\r', expect: ['ls\r', ''], logs: [], current: 0 },
  { name: '"@1\\r" selects the second client (0-based)', input: 'a@1\rb', expect: ['a', 'b'], logs: ['VIRT_RX|LOG: switching to client 1'], current: 1 },
  {
    name: '"@2\\r" is rejected with two clients (the manual\'s bug)',
    input: '@2\rx',
    expect: ['x', ''],
    logs: ['VIRT_RX|LOG: User requested to switch to an invalid client 2'],
    current: 0,
  },
  { name: 'a doubled switch character sends one literal', input: 'a@@b', expect: ['a@b', ''], logs: [], current: 0 },
  {
    name: 'a bad byte after the switch character is rejected and dropped',
    input: '@x1',
    expect: ['1', ''],
    logs: ['VIRT_RX|LOG: User entered an invalid digit x'],
    current: 0,
  },
  {
    name: 'a bad byte among the digits resets',
    input: '@1y2',
    expect: ['2', ''],
    logs: ['VIRT_RX|LOG: User entered too many (2 < 4) or invalid digit (y)'],
    current: 0,
  },
  { name: 'at most 4 digits', input: '@00001\r', expect: ['\r', ''], logs: ['VIRT_RX|LOG: User entered too many (5 < 4) or invalid digit (1)'], current: 0 },
  { name: 'four digits with leading zeros are fine', input: '@0001\rz', expect: ['', 'z'], logs: ['VIRT_RX|LOG: switching to client 1'], current: 1 },
  {
    name: 'switch back and forth',
    input: '@1\rA@0\rB@1\rC',
    expect: ['B', 'AC'],
    logs: ['VIRT_RX|LOG: switching to client 1', 'VIRT_RX|LOG: switching to client 0', 'VIRT_RX|LOG: switching to client 1'],
    current: 1,
  },
  {
    name: "sdfgen's default switch character 0x1c",
    input: '\x1c1\rq@',
    switchChar: 0x1c,
    expect: ['', 'q@'],
    logs: ['VIRT_RX|LOG: switching to client 1'],
    current: 1,
  },
  {
    name: 'a 1-based client base maps "@1" to client 0',
    input: '@2\rk@0\r',
    clientBase: 1,
    expect: ['', 'k'],
    logs: ['VIRT_RX|LOG: switching to client 2', 'VIRT_RX|LOG: User requested to switch to an invalid client 0'],
    current: 1,
  },
  {
    name: 'a switch split across notifications keeps its state',
    input: '@|1|\r|w',
    expect: ['', 'w'],
    logs: ['VIRT_RX|LOG: switching to client 1'],
    current: 1,
  },
];

describe('emulator: RX virtualiser switch semantics', () => {
  for (const c of rxCases) {
    it(c.name, () => {
      const ctx = recordingContext();
      const drv = queue();
      const clients = Array.from({ length: c.clients ?? 2 }, () => queue());
      const rx = new VirtRx(
        ctx,
        drv,
        clients,
        0,
        clients.map((_, i) => i + 1),
        { switchChar: c.switchChar ?? AT, clientBase: c.clientBase ?? 0 },
      );
      for (const piece of c.input.split('|')) {
        drv.enqueueBytes(ascii(piece));
        rx.notified(0);
      }
      assert.deepEqual(
        clients.map((q) => text(q.peekAll())),
        c.expect,
      );
      assert.deepEqual(ctx.logs, c.logs);
      assert.equal(rx.current, c.current);
      assert.ok(drv.isEmpty());
    });
  }

  it('drops and counts bytes for a client whose queue is full', () => {
    const ctx = recordingContext();
    const drv = queue();
    const clients = [queue(4), queue(4)];
    const rx = new VirtRx(ctx, drv, clients, 0, [1, 2], { switchChar: AT, clientBase: 0 });
    drv.enqueueBytes(ascii('abcdefg'));
    rx.notified(0);
    assert.equal(text(clients[0].peekAll()), 'abcd');
    assert.deepEqual(rx.dropped, [3, 0]);
    assert.deepEqual(ctx.notified, [1]);
  });

  it('notifies the driver when it asked for a signal, and logs unexpected channels', () => {
    const ctx = recordingContext();
    const drv = queue();
    const rx = new VirtRx(ctx, drv, [queue()], 0, [1], { switchChar: AT, clientBase: 0 });
    drv.enqueueBytes(ascii('x'));
    drv.requestProducerSignal();
    rx.notified(0);
    assert.deepEqual(ctx.notified, [0, 1]);
    assert.equal(drv.producerSignalled, 1);
    rx.notified(7);
    assert.deepEqual(ctx.logs, ['VIRT_RX|LOG: received notification on unexpected channel: 7']);
  });
});

describe('emulator: TX virtualiser', () => {
  const colours = ['\x1b[31m', '\x1b[32m', '\x1b[33m', '\x1b[34m', '\x1b[35m', '\x1b[36m'];
  for (let i = 0; i < 7; i++) {
    it(`wraps client ${i}'s output in ${JSON.stringify(colours[i % 6])} ... ESC[0m`, () => {
      const ctx = recordingContext();
      const drv = queue(256);
      const clients = Array.from({ length: 7 }, () => queue());
      const tx = new VirtTx(
        ctx,
        drv,
        clients,
        0,
        clients.map((_, k) => k + 1),
        { colour: true, beginString: '', rxEnabled: false, clientNames: [] },
      );
      clients[i].enqueueBytes(ascii('out'));
      tx.notified(i + 1);
      assert.equal(text(drv.peekAll()), `${colours[i % 6]}out\x1b[0m`);
      assert.deepEqual(ctx.notified, [0]);
    });
  }

  it('prints the begin string through the driver queue and names the clients in colour', () => {
    const ctx = recordingContext();
    const drv = queue(256);
    const tx = new VirtTx(ctx, drv, [queue(), queue()], 0, [1, 2], {
      colour: true,
      beginString: 'Begin input\r\n',
      rxEnabled: true,
      clientNames: ['CLIENT_VMM-1', 'CLIENT_VMM-2'],
    });
    tx.init();
    assert.equal(text(drv.peekAll()), 'Begin input\r\n');
    assert.deepEqual(ctx.logs, ["\x1b[31m'CLIENT_VMM-1' is client 0\x1b[0m", "\x1b[32m'CLIENT_VMM-2' is client 1\x1b[0m"]);
  });

  it('without colour copies bytes as they are; a client that does not fit waits in FIFO order', () => {
    const ctx = recordingContext();
    const drv = queue(8);
    const clients = [queue(), queue()];
    const tx = new VirtTx(ctx, drv, clients, 0, [1, 2], { colour: false, beginString: '', rxEnabled: false, clientNames: [] });
    clients[0].enqueueBytes(ascii('123456'));
    tx.notified(1);
    clients[1].enqueueBytes(ascii('abcd'));
    tx.notified(2);
    assert.equal(text(drv.peekAll()), '123456');
    assert.deepEqual(tx.pendingClients(), [1]);
    assert.equal(drv.producerSignalled, 0, 'asked the driver for a signal');
    drv.dequeueBytes(new Uint8Array(8), 0, 6);
    tx.notified(0);
    assert.equal(text(drv.peekAll()), 'abcd');
    assert.deepEqual(tx.pendingClients(), []);
  });
});
