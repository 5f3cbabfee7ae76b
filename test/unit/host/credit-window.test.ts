// The credit window against the real worker, speaking the protocol by hand: while the extension
// side does not acknowledge output, the worker stops advancing virtual time (a flooding guest
// cannot grow memory); acknowledging lets it run on. (The 10 s flood is test/conformance/emulator-flood.test.ts.)
import { strict as assert } from 'assert';
import { Worker } from 'worker_threads';
import { CREDIT_WINDOW_BYTES, type FromWorker, type ToWorker } from '../../../src/host/protocol';
import { EXAMPLE, waitFor, workerBundle } from './worker-harness';

describe('host: credit window (real worker, raw protocol)', function () {
  this.timeout(20_000);
  let worker: Worker;
  after(async () => {
    await worker?.terminate();
  });

  it('a guest running `yes` stops virtual time while output is unacknowledged, and goes on once acknowledged', async () => {
    worker = new Worker(workerBundle());
    const received: FromWorker[] = [];
    let acking = true,
      unackedHere = 0,
      text = '';
    worker.on('message', (m: FromWorker) => {
      received.push(m);
      if (m.type !== 'output') return;
      const n = m.line.length + m.clients.reduce((a, c) => a + c.bytes.length, 0);
      for (const c of m.clients) if (c.client === 0) text = (text + new TextDecoder().decode(c.bytes)).slice(-4096);
      if (acking) send({ type: 'ack', bytes: n });
      else unackedHere += n;
    });
    const send = (m: ToWorker): void => worker.postMessage(m);
    const type = (s: string): void => send({ type: 'input', target: 0, bytes: new TextEncoder().encode(s) });
    const last = <K extends FromWorker['type']>(type: K): Extract<FromWorker, { type: K }> | undefined =>
      received.filter((m) => m.type === type).pop() as Extract<FromWorker, { type: K }> | undefined;
    let nextId = 1;
    const timeNow = async (): Promise<number> => {
      const id = nextId++;
      send({ type: 'snapshot', requestId: id });
      await waitFor('the snapshot', () => received.some((m) => m.type === 'snapshot' && m.requestId === id));
      const m = received.find((x) => x.type === 'snapshot' && x.requestId === id) as Extract<FromWorker, { type: 'snapshot' }>;
      return m.snapshot!.timeNs;
    };

    send({ type: 'boot', projectFile: EXAMPLE, fast: true });
    await waitFor('booted', () => last('booted') !== undefined);
    await waitFor('login prompt', () => text.includes('login: '));
    type('root\r');
    await waitFor('shell', () => text.endsWith('# '));
    type('yes\r');
    await waitFor('the flood', () => text.endsWith('y\r\ny\r\n'));

    acking = false;
    await waitFor('throttled', () => last('status')?.state === 'throttled', 10_000);
    // A frame may end on its compute budget with credit left (a busy machine): time then stops at a
    // later frame, once the window is used up. It must stop, and stay stopped.
    let t1 = await timeNow(),
      t2 = -1;
    for (let i = 0; i < 20 && t2 !== t1; i++) {
      if (i > 0) t1 = t2;
      await new Promise((r) => setTimeout(r, 300));
      t2 = await timeNow();
    }
    assert.equal(t2, t1, 'virtual time kept moving without credit');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await timeNow(), t2, 'virtual time moved again without credit');
    assert.ok(unackedHere <= CREDIT_WINDOW_BYTES + 64 * 1024, `${unackedHere} bytes sent beyond the window`);
    assert.ok(unackedHere >= CREDIT_WINDOW_BYTES / 2, `only ${unackedHere} bytes before throttling`);

    acking = true;
    send({ type: 'ack', bytes: unackedHere });
    await waitFor('running again', () => last('status')?.state === 'running', 10_000);
    assert.ok((await timeNow()) > t2);
  });
});
