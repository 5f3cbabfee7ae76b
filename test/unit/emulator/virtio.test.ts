// The VMM's virtio-mmio console driven through its registers from the test, as a guest driver would.
import { strict as assert } from 'assert';
import { IdleGuest, build, driverInit, LAYOUT, RamWriter, RAM, V, text, Collector, testGuest, fillPattern, expectedPattern } from './helpers';
import type { ConsoleTestGuest } from '../../../src/emulator/guest/console-test-guest';
import { STATUS_DEVICE_NEEDS_RESET } from '../../../src/emulator/virtio/console';

const le = (n: number, bytes: number): number[] => Array.from({ length: bytes }, (_, i) => Math.floor(n / 2 ** (8 * i)) & 0xff);

function setup(second?: () => ConsoleTestGuest) {
  const idle = new IdleGuest();
  const emu = build({ programs: [() => idle, second ?? (() => new IdleGuest())] });
  const logs: string[] = [];
  emu.onLog((r) => logs.push(r.text));
  const out = new Collector();
  emu.onUartOutput(out.push);
  emu.runFor(100_000);
  return { emu, m: idle.machine, idle, logs, out, ram: new RamWriter(idle.machine) };
}

describe('emulator: virtio-mmio console registers and virtqueue bytes', () => {
  it('answers the identification registers and negotiates only VIRTIO_F_VERSION_1', () => {
    const { m } = setup();
    assert.equal(m.mmioRead(V + 0x000, 4), 0x74726976);
    assert.equal(m.mmioRead(V + 0x004, 4), 2);
    assert.equal(m.mmioRead(V + 0x008, 4), 3);
    assert.equal(m.mmioRead(V + 0x00c, 4), 0x344c6573);
    assert.ok(m.mmioWrite(V + 0x014, 4, 0));
    assert.equal(m.mmioRead(V + 0x010, 4), 0);
    assert.ok(m.mmioWrite(V + 0x014, 4, 1));
    assert.equal(m.mmioRead(V + 0x010, 4), 1);
    assert.equal(m.mmioRead(V + 0x034, 4), 128);
    m.mmioWrite(V + 0x070, 4, 1);
    m.mmioWrite(V + 0x070, 4, 3);
    m.mmioWrite(V + 0x024, 4, 1);
    assert.equal(m.mmioWrite(V + 0x020, 4, 1 | 2), false, 'an unoffered feature fails the access');
  });

  it('sets FEATURES_OK only after the driver accepted VERSION_1', () => {
    const { m } = setup();
    m.mmioWrite(V + 0x070, 4, 0);
    m.mmioWrite(V + 0x070, 4, 1);
    m.mmioWrite(V + 0x070, 4, 3);
    m.mmioWrite(V + 0x070, 4, 0xb);
    assert.equal(m.mmioRead(V + 0x070, 4), 3, 'no FEATURES_OK without negotiation');
    m.mmioWrite(V + 0x024, 4, 1);
    m.mmioWrite(V + 0x020, 4, 1);
    m.mmioWrite(V + 0x070, 4, 0xb);
    assert.equal(m.mmioRead(V + 0x070, 4), 0xb);
  });

  it('consumes a TX chain: used ring bytes, sDDF queue bytes, data region and the UART line', () => {
    const { emu, m, ram, out, idle } = setup();
    driverInit(m, 4, LAYOUT);
    const buf = RAM + 0x30000;
    ram.bytes(buf, 'hello ');
    ram.bytes(buf + 0x100, 'world');
    ram.desc(LAYOUT.tx.desc, 2, buf, 6, 1, 3); // NEXT -> 3
    ram.desc(LAYOUT.tx.desc, 3, buf + 0x100, 5, 0, 0);
    ram.avail(LAYOUT.tx, 4, [2]);
    assert.ok(m.mmioWrite(V + 0x050, 4, 1));
    // used: flags 0, idx 1, ring[0] = {id 2, len 0}
    assert.deepEqual(ram.read(LAYOUT.tx.used, 12), [0, 0, 1, 0, ...le(2, 4), ...le(0, 4)]);
    assert.equal(m.mmioRead(V + 0x060, 4), 1, 'InterruptStatus bit 0');
    emu.runFor(1_000_000);
    const snap = emu.snapshot();
    const q = snap.queues.find((x) => x.name === 'CLIENT_VMM-1 -> serial_virt_tx')!;
    assert.deepEqual([q.tail, q.head, q.producerSignalled], [11, 11, 1]);
    assert.equal(text(out.bytes()), 'Begin input\r\nhello world');
    assert.deepEqual(Array.from(emu.memoryRegion('tx_queue_serial_vmm_1')!.subarray(0, 12)), [...le(11, 4), ...le(11, 4), ...le(1, 4)]);
    assert.equal(text(emu.memoryRegion('tx_data_serial_vmm_1')!.subarray(0, 11)), 'hello world');
    assert.equal(text(emu.memoryRegion('tx_data_serial_driver')!.subarray(0, 24)), 'Begin input\r\nhello world');
    assert.deepEqual(Array.from(emu.memoryRegion('tx_queue_serial_driver')!.subarray(0, 12)), [...le(24, 4), ...le(24, 4), ...le(1, 4)]);
    assert.deepEqual(idle.interrupts, [74], 'SPI 42 is INTID 74');
    const g = snap.guests[0];
    assert.equal(g.irq.injected, 1);
    assert.equal(g.virtio.queues[1].lastSeen, 1);
    assert.deepEqual(g.virtio.queues[1].descriptors[2], { addr: buf, len: 6, flags: 1, next: 3 });
  });

  it('fills posted RX buffers and writes the used ring with the byte count', () => {
    const { emu, m, ram } = setup();
    driverInit(m, 4, LAYOUT);
    const buf = RAM + 0x40000;
    ram.desc(LAYOUT.rx.desc, 1, buf, 8, 2, 0);
    ram.avail(LAYOUT.rx, 4, [1]);
    m.mmioWrite(V + 0x050, 4, 0);
    emu.typeInput('hi');
    emu.runFor(1_000_000);
    assert.deepEqual(ram.read(LAYOUT.rx.used, 12), [0, 0, 1, 0, ...le(1, 4), ...le(2, 4)]);
    assert.equal(text(Uint8Array.from(ram.read(buf, 2))), 'hi');
    const rxq = emu.snapshot().queues.find((x) => x.name === 'serial_virt_rx -> CLIENT_VMM-1')!;
    assert.deepEqual([rxq.tail, rxq.head], [2, 2]);
  });

  it('discards input that arrives before receiveq is ready, and counts it', () => {
    const { emu } = setup();
    emu.typeInput('early');
    emu.runFor(1_000_000);
    assert.equal(emu.snapshot().guests[0].virtio.stats.rxDiscarded, 5);
  });

  it('reports unknown register reads as libvmm does and stops the vCPU', () => {
    const { emu, m, logs } = setup();
    assert.equal(m.mmioRead(V + 0x038, 4), undefined);
    assert.ok(logs.includes('CLIENT_VMM-1|ERROR: unknown virtIO MMIO register read at offset 0x38'));
    assert.ok(logs.includes('CLIENT_VMM-1|ERROR: Failed to handle virtual memory fault'));
    assert.equal(emu.vcpu(0).state, 'halted');
  });
});

describe('emulator: a misbehaving guest driver', () => {
  const cases: [string, (ram: RamWriter, m: import('../../../src/emulator/guest/interface').GuestMachine) => void, RegExp][] = [
    [
      'a descriptor loop',
      (ram) => {
        ram.desc(LAYOUT.tx.desc, 0, RAM + 0x30000, 4, 1, 1);
        ram.desc(LAYOUT.tx.desc, 1, RAM + 0x30000, 4, 1, 0);
        ram.avail(LAYOUT.tx, 4, [0]);
      },
      /loops/,
    ],
    [
      'a buffer outside RAM',
      (ram) => {
        ram.desc(LAYOUT.tx.desc, 0, 0x1000, 4, 0, 0);
        ram.avail(LAYOUT.tx, 4, [0]);
      },
      /outside guest RAM/,
    ],
    [
      'a length over 4 GB in a chain',
      (ram) => {
        ram.desc(LAYOUT.tx.desc, 0, RAM, 0xfffffff0, 1, 1);
        ram.desc(LAYOUT.tx.desc, 1, RAM, 0xfffffff0, 0, 0);
        ram.avail(LAYOUT.tx, 4, [0]);
      },
      /outside guest RAM|4 GiB/,
    ],
    [
      'an avail index jump beyond the ring size',
      (ram) => {
        ram.setAvailIdx(LAYOUT.tx, 1000);
      },
      /jumped/,
    ],
    [
      'a head index beyond the queue size',
      (ram) => {
        ram.avail(LAYOUT.tx, 4, [9]);
      },
      /beyond the queue size/,
    ],
    [
      'an INDIRECT descriptor',
      (ram) => {
        ram.desc(LAYOUT.tx.desc, 0, RAM + 0x30000, 16, 4, 0);
        ram.avail(LAYOUT.tx, 4, [0]);
      },
      /INDIRECT/,
    ],
  ];

  for (const [name, mess, why] of cases) {
    it(`sets DEVICE_NEEDS_RESET on ${name}; the other guest runs on`, () => {
      const others: ConsoleTestGuest[] = [];
      const { emu, m, ram, logs, out } = setup(testGuest({ txTotal: 100_000, fill: fillPattern(1) }, others));
      driverInit(m, 4, LAYOUT);
      mess(ram, m);
      assert.ok(m.mmioWrite(V + 0x050, 4, 1), 'the fault itself is handled');
      const status = m.mmioRead(V + 0x070, 4)!;
      assert.equal(status & STATUS_DEVICE_NEEDS_RESET, STATUS_DEVICE_NEEDS_RESET);
      assert.ok(
        logs.some((l) => l.startsWith('VIRTIO(CONSOLE)|ERROR') && why.test(l)),
        logs.join('\n'),
      );
      assert.ok(emu.runUntilIdle(5e9));
      assert.equal(others[0].txCompleted, 100_000);
      const all = out.bytes();
      assert.equal(all.length, 'Begin input\r\n'.length + 100_000);
      assert.deepEqual(all.subarray(13), expectedPattern(1, 100_000));
      // A reset brings the device back.
      m.mmioWrite(V + 0x070, 4, 0);
      assert.equal(m.mmioRead(V + 0x070, 4), 0);
    });
  }

  // libvmm's QueueNotify (console.c:277-283, 133-141 at 7069ab9): the value is not looked at; every
  // kick is an RX pass, and a TX pass only when the last QueueSel write selected transmitq (1).
  describe('QueueNotify as libvmm handles it', () => {
    function txReady() {
      const s = setup();
      driverInit(s.m, 4, LAYOUT); // leaves QueueSel at 1, as Linux's virtio_mmio does
      s.ram.bytes(RAM + 0x30000, 'hi');
      s.ram.desc(LAYOUT.tx.desc, 0, RAM + 0x30000, 2, 0, 0);
      s.ram.avail(LAYOUT.tx, 4, [0]);
      return s;
    }
    const txUsed = (ram: RamWriter): number => ram.read(LAYOUT.tx.used + 2, 1)[0];

    it('transmits on a kick of any value while QueueSel selects transmitq', () => {
      for (const value of [0, 1, 7, 0xffffffff]) {
        const { m, ram } = txReady();
        assert.ok(m.mmioWrite(V + 0x050, 4, value));
        assert.equal(txUsed(ram), 1, `value ${value}`);
        assert.equal(m.mmioRead(V + 0x070, 4)! & STATUS_DEVICE_NEEDS_RESET, 0, `value ${value}`);
      }
    });

    it('does not transmit on a kick of 1 after QueueSel selected receiveq', () => {
      const { m, ram } = txReady();
      m.mmioWrite(V + 0x030, 4, 0);
      assert.ok(m.mmioWrite(V + 0x050, 4, 1));
      assert.equal(txUsed(ram), 0);
      m.mmioWrite(V + 0x030, 4, 1);
      assert.ok(m.mmioWrite(V + 0x050, 4, 0));
      assert.equal(txUsed(ram), 1);
    });

    it('fills receive buffers on a kick of the TX queue index', () => {
      const { emu, m, ram } = setup();
      driverInit(m, 4, LAYOUT);
      emu.typeInput('ab');
      emu.runFor(2_000_000); // bytes wait in the VMM's RX queue: no buffer posted yet
      ram.desc(LAYOUT.rx.desc, 0, RAM + 0x40000, 16, 2, 0);
      ram.avail(LAYOUT.rx, 4, [0]);
      assert.ok(m.mmioWrite(V + 0x050, 4, 1));
      assert.deepEqual(ram.read(LAYOUT.rx.used + 2, 1), [1]);
      assert.equal(text(Uint8Array.from(ram.read(RAM + 0x40000, 2))), 'ab');
    });

    it('logs "virtio console TX vq not ready!" for a TX kick before the queue is ready, and sets no DEVICE_NEEDS_RESET', () => {
      const { m, logs } = setup();
      m.mmioWrite(V + 0x070, 4, 1);
      m.mmioWrite(V + 0x030, 4, 1);
      assert.ok(m.mmioWrite(V + 0x050, 4, 1));
      assert.equal(m.mmioRead(V + 0x070, 4)! & STATUS_DEVICE_NEEDS_RESET, 0);
      assert.ok(
        logs.some((l) => l.endsWith('virtio console TX vq not ready!')),
        logs.join('\n'),
      );
    });
  });

  it('survives random register and ring garbage without throwing or hanging', () => {
    const { emu, m, ram } = setup();
    driverInit(m, 8, LAYOUT);
    let x = 12345;
    const rnd = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 300; i++) {
      ram.bytes(LAYOUT.tx.desc + (rnd() % 128), Uint8Array.of(rnd() & 0xff, rnd() & 0xff));
      ram.bytes(LAYOUT.tx.avail + (rnd() % 20), Uint8Array.of(rnd() & 0xff));
      if (emu.vcpu(0).state !== 'halted') m.mmioWrite(V + 0x050, 4, rnd() % 3);
    }
    emu.runFor(10_000_000);
    assert.ok(emu.now() >= 10_000_000);
  });
});
