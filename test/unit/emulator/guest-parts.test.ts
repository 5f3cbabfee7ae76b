// The Linux model's pieces on their own: DT reading, driver matching, the line discipline, the
// shell's word splitting and formats, /proc/device-tree, and the byte FIFO.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { readFdt } from '../../../src/devicetree/fdt-reader';
import { findNodeByPath, type DtTree } from '../../../src/devicetree/tree';
import { ByteQueue, LineDiscipline, type TtyEvent } from '../../../src/emulator/guest/linux/console-tty';
import { regRanges, translateAddress } from '../../../src/devicetree/addresses';
import { chosenInfo, memoryWindows, parseBootargs, resolveInterrupt } from '../../../src/emulator/guest/linux/device-tree-view';
import { DEFAULT_LINUX_DRIVERS, driverList, driversForCompatibles, matchDriver, platformDeviceName } from '../../../src/emulator/guest/linux/drivers';
import { lookupPath, memoryFigures, type KernelFacts } from '../../../src/emulator/guest/linux/procfs';
import { formatDate, formatUptime, hexdumpCanonical, splitWords } from '../../../src/emulator/guest/linux/shell';
import { formatLogLine } from '../../../src/emulator/guest/linux';
import { defaultCheckConfig, runChecks } from '../../../src/devicetree/checks';
import { exampleCompile, exampleDtb } from './guest-harness';

function tree(guest: 1 | 2, extra?: string): DtTree {
  const r = readFdt(exampleDtb(guest, extra));
  if ('error' in r) assert.fail(r.error);
  return r.tree;
}

const kinds = (c: { name: string }): 'gic' | 'gpcv2' | undefined => {
  const role = matchDriver(DEFAULT_LINUX_DRIVERS, [
    c.name.startsWith('gpc') ? 'fsl,imx8mq-gpc' : c.name.startsWith('interrupt-controller') ? 'arm,gic-v3' : '',
  ])?.role;
  return role === 'irqchip-gic' ? 'gic' : role === 'irqchip-gpcv2' ? 'gpcv2' : undefined;
};

describe('the example device trees', () => {
  for (const guest of [1, 2] as const) {
    it(`board.dts + guest-${guest}.dts compile with no diagnostics and pass dtc's checks`, () => {
      const r = exampleCompile(guest);
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.fixupDiagnostics, []);
      assert.deepEqual(runChecks(r, defaultCheckConfig('dtc')), []);
    });
  }
});

describe('guest model: device tree view', () => {
  const t1 = tree(1);

  it('translates reg through the parents ranges', () => {
    const uart = findNodeByPath(t1, '/soc@0/bus@30800000/serial@30860000')!;
    assert.deepEqual(regRanges(uart), [{ base: 0x30860000, size: 0x10000 }]);
    assert.deepEqual(regRanges(findNodeByPath(t1, '/virtio-console@150000')!), [{ base: 0x150000, size: 0x200 }]);
    // Outside every ranges entry: not addressable.
    assert.equal(translateAddress(findNodeByPath(t1, '/soc@0/bus@30800000')!, 0x10, 1), undefined);
    // A bus without ranges is not memory-mapped.
    const t = tree(1, '/ { soc@0 { bus@30800000 { /delete-property/ ranges; }; }; };');
    assert.deepEqual(regRanges(findNodeByPath(t, '/soc@0/bus@30800000/serial@30860000')!), []);
    // A translated offset inside a non-identity window.
    const shifted = tree(1, '/ { soc@0 { ranges = <0x0 0xffffffff 0x0 0x3e000000>; }; };');
    assert.equal(regRanges(findNodeByPath(shifted, '/soc@0/bus@30800000/serial@30860000')!)[0]?.base, undefined, 'beyond 2^53 is refused, not wrapped');
    const moved = tree(1, '/ { soc@0 { ranges = <0x0 0x1 0x0 0x3e000000>; }; };');
    assert.equal(regRanges(findNodeByPath(moved, '/soc@0/bus@30800000/serial@30860000')!)[0].base, 0x1_30860000);
  });

  it('reads memory and /chosen', () => {
    assert.deepEqual(memoryWindows(t1), [{ base: 0x40000000, size: 0xf000000 }]);
    const c = chosenInfo(t1);
    assert.equal(c.bootargs, 'console=hvc0 earlycon=hvc0 nosmp clk_ignore_unused');
    assert.equal(c.stdoutPath, '/virtio-console@150000');
    assert.equal(c.stdoutNode?.name, 'virtio-console@150000');
    assert.deepEqual(c.initrd, { start: 0x44500000, end: 0x47000000 });
    assert.deepEqual(parseBootargs(' console=hvc0  quiet x="a b" '), [{ key: 'console', value: 'hvc0' }, { key: 'quiet' }, { key: 'x', value: 'a b' }]);
  });

  it('resolves interrupts through the interrupt-parent chain', () => {
    const virtio1 = findNodeByPath(t1, '/virtio-console@150000')!;
    const r1 = resolveInterrupt(t1, virtio1, kinds);
    assert.ok(!('reason' in r1));
    assert.equal(r1.intid, 74);
    assert.deepEqual(
      r1.chain.map((c) => c.name),
      ['gpc@303a0000', 'interrupt-controller@38800000'],
    );
    const t2 = tree(2);
    const r2 = resolveInterrupt(t2, findNodeByPath(t2, '/virtio-console@150000')!, kinds);
    assert.ok(!('reason' in r2));
    assert.deepEqual(
      r2.chain.map((c) => c.name),
      ['interrupt-controller@38800000'],
    );
    // The UART: SPI 26 = INTID 58, the .system file's irq.
    const uart = resolveInterrupt(t1, findNodeByPath(t1, '/soc@0/bus@30800000/serial@30860000')!, kinds);
    assert.ok(!('reason' in uart) && uart.intid === 58);
    // Guest 1 inherits the GPC; if it is disabled there is no way to the GIC.
    const off = tree(1, '&gpc { status = "disabled"; };');
    const r3 = resolveInterrupt(off, findNodeByPath(off, '/virtio-console@150000')!, kinds);
    assert.ok('reason' in r3 && /gpc@303a0000 is disabled/.test(r3.reason));
    // No irqchip driver for the controller.
    const r4 = resolveInterrupt(t1, virtio1, () => undefined);
    assert.ok('reason' in r4 && /no irqchip driver/.test(r4.reason));
  });
});

describe('guest model: drivers', () => {
  it('matches the most specific compatible first and names devices as Linux does', () => {
    assert.equal(matchDriver(DEFAULT_LINUX_DRIVERS, ['fsl,imx8mq-uart', 'fsl,imx6q-uart'])?.name, 'imx-uart');
    assert.equal(matchDriver(DEFAULT_LINUX_DRIVERS, ['fsl,imx8mq-iomuxc-gpr', 'syscon']), undefined);
    assert.equal(matchDriver(DEFAULT_LINUX_DRIVERS, ['virtio,mmio'])?.role, 'virtio-mmio');
    assert.equal(platformDeviceName('serial@30860000', 0x30860000), '30860000.serial');
    const custom = [...DEFAULT_LINUX_DRIVERS, { name: 'x', compatibles: ['vendor,x'], role: 'device' as const, probe: [] }];
    assert.equal(matchDriver(custom, ['vendor,x'])?.name, 'x');
  });

  it('lets a project extend or replace the list', () => {
    const mine = { name: 'imx-uart', compatibles: ['fsl,imx6q-uart'], role: 'device' as const, probe: [{ op: 'read' as const, offset: 0x94 }] };
    const extended = driverList({ mode: 'extend', drivers: [mine] });
    assert.equal(extended.length, DEFAULT_LINUX_DRIVERS.length);
    assert.deepEqual(matchDriver(extended, ['fsl,imx8mq-uart', 'fsl,imx6q-uart'])?.probe, mine.probe);
    assert.deepEqual(driverList({ mode: 'replace', drivers: [mine] }), [mine]);
    assert.equal(driverList(), DEFAULT_LINUX_DRIVERS);
  });

  it("follows a project's kernelDrivers list of compatibles", () => {
    const list = driversForCompatibles(['fsl,imx6q-uart', 'vendor,thing']);
    const names = list.map((d) => d.name);
    assert.ok(['GICv3', 'virtio-mmio', 'arch_timer', 'imx-uart', 'vendor,thing'].every((n) => names.includes(n)));
    assert.ok(!names.includes('imx-gpcv2') && !names.includes('fec'));
    // Only the listed compatible binds: the i.MX8MQ-specific string alone finds no driver.
    assert.equal(matchDriver(list, ['fsl,imx8mq-uart']), undefined);
    assert.equal(matchDriver(list, ['fsl,imx8mq-uart', 'fsl,imx6q-uart'])?.name, 'imx-uart');
    assert.deepEqual(matchDriver(list, ['vendor,thing'])?.probe, [{ op: 'read', offset: 0 }]);
  });
});

describe('guest model: line discipline', () => {
  function feed(input: string, echo = true): { out: string; events: TtyEvent[]; sigints: number } {
    let out = '';
    let sigints = 0;
    const ld = new LineDiscipline(
      (b) => (out += new TextDecoder('latin1').decode(b)),
      () => sigints++,
    );
    ld.echo = echo;
    ld.receive(Uint8Array.from(input, (c) => c.charCodeAt(0)));
    const events: TtyEvent[] = [];
    for (let e = ld.take(); e; e = ld.take()) events.push(e);
    return { out, events, sigints };
  }
  const check = (input: string, out: string, events: TtyEvent[], sigints = 0, echo = true): void => {
    assert.deepEqual(feed(input, echo), { out, events, sigints });
  };

  it('edits and delivers lines as n_tty in canonical mode', () => {
    check('ls\r', 'ls\r\n', [{ kind: 'line', text: 'ls' }]);
    check('lx\x7fs\n', 'lx\b \bs\r\n', [{ kind: 'line', text: 'ls' }]);
    check('\x7f\x08a\r', 'a\r\n', [{ kind: 'line', text: 'a' }]);
    check('abc\x15d\r', 'abc\b \b\b \b\b \bd\r\n', [{ kind: 'line', text: 'd' }]);
    check('a\x01\x7f\r', 'a^A\b \b\b \b\r\n', [{ kind: 'line', text: 'a' }]);
    check('\x04', '', [{ kind: 'eof' }]);
    check('ab\x04', 'ab', [{ kind: 'partial', text: 'ab' }]);
    check('one\rtw\x03', 'one\r\ntw^C', [], 1);
    check('secret\r', '', [{ kind: 'line', text: 'secret' }], 0, false);
  });
});

describe('guest model: shell helpers and /proc', () => {
  it('splits words with quotes and escapes', () => {
    assert.deepEqual(splitWords(`echo  a "b  c" 'd"e' f\\ g # comment`), ['echo', 'a', 'b  c', 'd"e', 'f g']);
    assert.deepEqual(splitWords('   '), []);
    assert.deepEqual(splitWords('x ""'), ['x', '']);
  });

  it('formats time as BusyBox and printk do', () => {
    assert.equal(formatDate(5_000_000_000n), 'Thu Jan  1 00:00:05 UTC 1970');
    assert.equal(formatDate(86_400_000_000_000n + 3_600_000_000_000n), 'Fri Jan  2 01:00:00 UTC 1970');
    assert.equal(formatUptime(125_000_000_000n), ' 00:02:05 up 2 min,  load average: 0.00, 0.00, 0.00');
    assert.equal(formatUptime(3_725_000_000_000n), ' 01:02:05 up  1:02,  load average: 0.00, 0.00, 0.00');
    assert.equal(formatLogLine(1_234_567_891n, 'x'), '[    1.234567] x');
    assert.equal(
      hexdumpCanonical(new TextEncoder().encode('virtio,mmio\0ABCDEFGHIJ')),
      '00000000  76 69 72 74 69 6f 2c 6d  6d 69 6f 00 41 42 43 44  |virtio,mmio.ABCD|\n' +
        '00000010  45 46 47 48 49 4a                                 |EFGHIJ|\n00000016\n',
    );
    assert.equal(hexdumpCanonical(new Uint8Array(0)), '');
  });

  it('serves /proc/device-tree from the DTB and memory figures from the DT size', () => {
    const t = tree(1);
    const facts: KernelFacts = {
      tree: t,
      memoryBytes: 0xf000000,
      bootargs: '',
      release: 'r',
      version: 'v',
      cpuPart: 0xd03,
      uptimeNs: () => 0n,
      interrupts: () => [],
      spuriousInterrupts: () => 0,
    };
    const reg = lookupPath(facts, 'h', '/proc/device-tree/memory@40000000/reg');
    assert.deepEqual(reg, { kind: 'file', bytes: Uint8Array.from([0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x0f, 0, 0, 0]) });
    const name = lookupPath(facts, 'h', '/proc/device-tree/virtio-console@150000/name');
    assert.deepEqual(name, { kind: 'file', bytes: new TextEncoder().encode('virtio-console\0') });
    const dir = lookupPath(facts, 'h', '/proc/device-tree/chosen');
    assert.ok(dir?.kind === 'dir' && dir.entries.includes('bootargs') && dir.entries.includes('linux,initrd-start'));
    assert.equal(lookupPath(facts, 'h', '/proc/device-tree/nope'), undefined);
    assert.equal(lookupPath(facts, 'h', '/proc/device-tree/chosen/bootargs/x'), undefined);
    const m = memoryFigures(0xf000000);
    assert.equal(m.totalKiB, m.usedKiB + m.freeKiB + m.cacheKiB);
    assert.equal(memoryFigures(0).totalKiB, 0);
  });
});

describe('guest model: byte queue', () => {
  it('keeps order across wrap-around and never exceeds capacity', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 })), { maxLength: 60 }), (ops) => {
        const q = new ByteQueue(32);
        const model: number[] = [];
        let next = 0;
        for (const [isPush, n] of ops) {
          if (isPush) {
            const bytes = Uint8Array.from({ length: n }, () => next++ & 0xff);
            const taken = q.push(bytes);
            assert.equal(taken, Math.min(n, 32 - model.length));
            model.push(...bytes.subarray(0, taken));
          } else {
            const dst = new Uint8Array(n);
            const got = q.popInto(dst, 0, n);
            assert.deepEqual([...dst.subarray(0, got)], model.splice(0, got));
          }
          assert.equal(q.length, model.length);
        }
      }),
    );
  });
});
