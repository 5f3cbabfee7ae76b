import { strict as assert } from 'assert';
import fc from 'fast-check';
import { SerialQueue } from '../../../src/emulator/queue';

const le32 = (...ws: number[]): number[] => ws.flatMap((w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff]);
const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('emulator: sDDF serial queue byte layout', () => {
  it('keeps tail, head, producer_signalled as LE u32 at 0, 4, 8 and data at index % capacity', () => {
    const qr = new Uint8Array(0x1000),
      dr = new Uint8Array(16);
    const q = new SerialQueue(qr, dr, 16);
    assert.equal(q.enqueueBytes(bytes('abcdefghij')), 10);
    const out = new Uint8Array(6);
    assert.equal(q.dequeueBytes(out, 0, 6), 6);
    assert.equal(String.fromCharCode(...out), 'abcdef');
    assert.equal(q.enqueueBytes(bytes('KLMNOPQRST')), 10);
    assert.deepEqual(Array.from(qr.subarray(0, 12)), le32(20, 6, 0));
    assert.equal(String.fromCharCode(...dr), 'QRSTefghijKLMNOP');
    q.cancelProducerSignal();
    assert.deepEqual(Array.from(qr.subarray(8, 12)), le32(1));
    q.requestProducerSignal();
    assert.deepEqual(Array.from(qr.subarray(8, 12)), le32(0));
    assert.ok(
      qr.subarray(12).every((b) => b === 0),
      'nothing written past the three fields',
    );
  });

  // The emulator's regions start 4-byte aligned; a queue region may also sit at any offset of a
  // larger buffer (an odd one here), and both must give the same bytes in memory.
  for (const offset of [0, 4, 1, 7]) {
    it(`keeps the header little-endian and shared through memory with the region at offset ${offset} of its buffer`, () => {
      const buf = new Uint8Array(offset + 12 + 8).fill(0xee);
      const qr = buf.subarray(offset, offset + 12);
      qr.fill(0);
      const producer = new SerialQueue(qr, new Uint8Array(8), 8);
      // The consumer end is a second handle over the same bytes, as in two protection domains.
      const consumer = new SerialQueue(buf.subarray(offset, offset + 12), producer.data, 8);
      producer.tail = producer.head = 0x01020304;
      assert.equal(producer.enqueueBytes(bytes('abc')), 3);
      assert.deepEqual(Array.from(qr), le32(0x01020307, 0x01020304, 0));
      assert.equal(consumer.length(), 3, "the consumer sees the producer's tail");
      assert.equal(consumer.dequeue(), 0x61);
      assert.equal(producer.free(), 6, "the producer sees the consumer's head");
      // A write straight into memory (another party, a restored snapshot) is seen at once.
      qr.set(le32(0x01020308, 0x01020305, 1));
      assert.equal(consumer.length(), 3);
      assert.equal(consumer.producerSignalled, 1);
      consumer.requestProducerSignal();
      assert.ok(producer.producerWantsSignal());
      assert.deepEqual(Array.from(qr.subarray(8)), le32(0));
      assert.ok(
        buf.subarray(0, offset).every((b) => b === 0xee) && buf.subarray(offset + 12).every((b) => b === 0xee),
        'nothing written outside the 12 header bytes',
      );
    });
  }

  it('uses free-running indices that wrap at 2^32', () => {
    const qr = new Uint8Array(12),
      dr = new Uint8Array(8);
    const q = new SerialQueue(qr, dr, 8);
    q.tail = 0xfffffffe;
    q.head = 0xfffffffe;
    for (const c of 'wxyz') assert.ok(q.enqueue(c.charCodeAt(0)));
    assert.deepEqual(Array.from(qr), le32(2, 0xfffffffe, 0));
    assert.equal(q.length(), 4);
    // 0xfffffffe % 8 = 6: w at 6, x at 7, y at 0, z at 1.
    assert.deepEqual(Array.from(dr), [0x79, 0x7a, 0, 0, 0, 0, 0x77, 0x78]);
    assert.equal(String.fromCharCode(q.dequeue(), q.dequeue(), q.dequeue(), q.dequeue()), 'wxyz');
    assert.equal(q.dequeue(), -1);
  });

  it('is full at tail - head == capacity and refuses more', () => {
    const q = new SerialQueue(new Uint8Array(12), new Uint8Array(4), 4);
    assert.equal(q.enqueueBytes(bytes('abcdef')), 4);
    assert.ok(q.isFull());
    assert.equal(q.enqueue(1), false);
    assert.equal(q.free(), 0);
  });

  it('behaves like a FIFO model under random operations (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.oneof(fc.record({ put: fc.uint8Array({ maxLength: 20 }) }), fc.record({ take: fc.integer({ min: 0, max: 20 }) })), { maxLength: 60 }),
        (start, ops) => {
          const q = new SerialQueue(new Uint8Array(12), new Uint8Array(16), 16);
          q.tail = start;
          q.head = start;
          const model: number[] = [];
          for (const op of ops) {
            if ('put' in op) {
              const n = q.enqueueBytes(op.put);
              assert.equal(n, Math.min(op.put.length, 16 - model.length));
              model.push(...op.put.subarray(0, n));
            } else {
              const out = new Uint8Array(op.take);
              const n = q.dequeueBytes(out, 0, op.take);
              assert.deepEqual(Array.from(out.subarray(0, n)), model.splice(0, n));
            }
            assert.equal(q.length(), model.length);
            assert.deepEqual(Array.from(q.peekAll()), model);
          }
        },
      ),
    );
  });

  it('transfers between queues in bulk without losing order', () => {
    const a = new SerialQueue(new Uint8Array(12), new Uint8Array(8), 8);
    const b = new SerialQueue(new Uint8Array(12), new Uint8Array(16), 16);
    a.tail = a.head = 5;
    a.enqueueBytes(bytes('12345678'));
    assert.equal(a.transferTo(b, 5), 5);
    assert.equal(String.fromCharCode(...b.peekAll()), '12345');
    assert.equal(a.transferTo(b), 3);
    assert.equal(String.fromCharCode(...b.peekAll()), '12345678');
    assert.ok(a.isEmpty());
  });
});
