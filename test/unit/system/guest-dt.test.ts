// Cross checks between a guest's device tree and the .system, on hand-built trees shaped like the
// MaaXBoard guest: one seeded mistake per check, asserting the message and the exact range.

import * as assert from 'assert';
import fc from 'fast-check';
import { readFileSync } from 'fs';
import * as path from 'path';
import type { Diagnostic, SourceRange } from '../../../src/common/diagnostics';
import { MemoryFileHost } from '../../../src/common/host';
import { compileFiles } from '../../../src/devicetree/compile';
import { getProperty, nodePath, type DtTree } from '../../../src/devicetree/tree';
import { checkGuestTree } from '../../../src/system/checks/run-rules';
import { resolveVirtioConsole, virtioKind } from '../../../src/system/virtio';
import { loadProject, type Project } from '../../../src/system/project';
import { buildTree, empty, labelled, n, nodeAt, ref, str, u32, type NodeSpec } from '../devicetree/tree-builder';
import { rangeOf } from './helpers';

const SYSTEM_TEXT = readFileSync(path.join(__dirname, '../../../examples/dual-guest/dual-guest.system'), 'utf8');
const SYS = '/p/dual-guest.system';

function project(systemText = SYSTEM_TEXT, json?: string): Project {
  const files: Record<string, string> = { [SYS]: systemText };
  if (json) files['/p/dual-guest.json'] = json;
  return loadProject(SYS, new MemoryFileHost(files));
}

interface GuestTreeOptions {
  rootProps?: Record<string, ReturnType<typeof u32>>;
  memory?: number[];
  virtio?: Record<string, ReturnType<typeof u32>> | null;
  chosen?: Record<string, ReturnType<typeof u32>>;
  extra?: NodeSpec[];
  gpcStatus?: string;
}

/** A guest tree like the MaaXBoard overlay's result: root routed through gpc, the GIC, the console. */
function guestTree(o: GuestTreeOptions = {}): DtTree {
  const gpcProps: Record<string, ReturnType<typeof u32>> = {
    compatible: str('fsl,imx8mq-gpc'),
    reg: u32(0, 0x303a0000, 0, 0x10000),
    'interrupt-controller': empty(),
    '#interrupt-cells': u32(3),
    'interrupt-parent': u32(ref('gic')),
  };
  if (o.gpcStatus) gpcProps.status = str(o.gpcStatus);
  return buildTree(
    n(
      '',
      { '#address-cells': u32(2), '#size-cells': u32(2), 'interrupt-parent': u32(ref('gpc')), ...o.rootProps },
      n('memory@40000000', { device_type: str('memory'), reg: u32(...(o.memory ?? [0, 0x40000000, 0, 0xf000000])) }),
      labelled(
        'gic',
        n('interrupt-controller@38800000', {
          compatible: str('arm,gic-v3'),
          'interrupt-controller': empty(),
          '#interrupt-cells': u32(3),
          reg: u32(0, 0x38800000, 0, 0x10000, 0, 0x31000000, 0, 0x2000),
        }),
      ),
      labelled('gpc', n('gpc@303a0000', gpcProps)),
      ...(o.virtio === null
        ? []
        : [n('virtio-console@150000', { compatible: str('virtio,mmio'), reg: u32(0, 0x150000, 0, 0x200), interrupts: u32(0, 42, 4), ...o.virtio })]),
      n('chosen', {
        'stdout-path': str('/virtio-console@150000'),
        bootargs: str('console=hvc0 earlycon=hvc0'),
        'linux,initrd-start': u32(0, 0x44500000),
        'linux,initrd-end': u32(0, 0x47000000),
        ...o.chosen,
      }),
      ...(o.extra ?? []),
    ),
  );
}

function run(tree: DtTree, p = project(), vm = 'client_linux-1', host?: MemoryFileHost): Diagnostic[] {
  const guest = p.guests.find((g) => g.vm === vm)!;
  return checkGuestTree(p, guest, tree, host);
}

function expectOne(diags: Diagnostic[], code: string, message: string, range: SourceRange | undefined, severity: Diagnostic['severity'] = 'error'): void {
  const shown = diags.map((d) => `${d.severity} ${d.code} ${d.message}`).join('\n');
  assert.strictEqual(diags.length, 1, `expected one diagnostic, got:\n${shown}`);
  assert.strictEqual(diags[0].code, code, shown);
  assert.strictEqual(diags[0].severity, severity, shown);
  assert.ok(diags[0].message.includes(message), `'${diags[0].message}' lacks '${message}'`);
  assert.deepStrictEqual(diags[0].range, range);
}

describe('system cross checks against the guest device tree', () => {
  it('the example system with a MaaXBoard-shaped guest tree is clean', () => {
    assert.deepStrictEqual(run(guestTree()), []);
  });

  it('a memory node beyond the VM RAM map is an error: Linux would use memory that is not mapped', () => {
    const t = guestTree({ memory: [0, 0x40000000, 0, 0x10000000] });
    expectOne(
      run(t),
      'guest-dt-memory',
      "describes [0x40000000..0x50000000), outside the RAM 'client_vm_ram_1' that 'client_linux-1' maps at [0x40000000..0x4f000000): Linux would use memory that is not mapped",
      getProperty(nodeAt(t, '/memory@40000000'), 'reg')!.range,
    );
    const below = guestTree({ memory: [0, 0x3fe00000, 0, 0x1000000] });
    expectOne(
      run(below).filter((d) => d.code === 'guest-dt-memory'),
      'guest-dt-memory',
      'describes [0x3fe00000..0x40e00000), outside the RAM',
      getProperty(nodeAt(below, '/memory@40000000'), 'reg')!.range,
    );
  });

  it('a memory node smaller than the VM RAM map is a warning: Linux leaves the rest unused (libvmm zcu102)', () => {
    const t = guestTree({ memory: [0, 0x40000000, 0, 0x8000000] });
    expectOne(
      run(t),
      'guest-dt-memory',
      "memory node /memory@40000000 describes 0x8000000 bytes of the 0xf000000 bytes of RAM 'client_vm_ram_1' that 'client_linux-1' maps at [0x40000000..0x4f000000): Linux leaves the rest unused",
      getProperty(nodeAt(t, '/memory@40000000'), 'reg')!.range,
      'warning',
    );
    // Smaller and without the start of the RAM, where the kernel runs, or without the initrd: errors.
    const high = guestTree({ memory: [0, 0x48000000, 0, 0x7000000] });
    expectOne(
      run(high).filter((d) => d.code === 'guest-dt-memory'),
      'guest-dt-memory',
      'without its start 0x40000000 where the kernel runs',
      getProperty(nodeAt(high, '/memory@40000000'), 'reg')!.range,
    );
    const low = guestTree({ memory: [0, 0x40000000, 0, 0x4000000] });
    const initrd = run(low).filter((d) => d.code === 'guest-dt-initrd');
    expectOne(
      initrd,
      'guest-dt-initrd',
      'the initrd window [0x44500000..0x47000000) lies outside the memory the memory nodes describe',
      getProperty(nodeAt(low, '/chosen'), 'linux,initrd-start')!.range,
    );
  });

  it('virtio node missing', () => {
    const t = guestTree({ virtio: null, chosen: { 'stdout-path': str('/gpc@303a0000') } });
    expectOne(run(t), 'guest-dt-virtio', `no enabled "virtio,mmio" console node in the device tree of 'client_linux-1'`, t.root.nameRange, 'warning');
    const json = JSON.stringify({ guests: { 'client_linux-1': { virtio: { base: '0x160000' } } } });
    const p = project(SYSTEM_TEXT, json);
    expectOne(
      run(guestTree(), p).filter((d) => d.code === 'guest-dt-virtio'),
      'guest-dt-virtio',
      `no enabled "virtio,mmio" console node at 0x160000 (the project file's virtio console)`,
      p.guests[0].ranges.virtio!,
      'warning',
    );
  });

  it("virtio SPI differs from the project file's", () => {
    const json = JSON.stringify({ guests: { 'client_linux-1': { virtio: { spi: 42 } } } });
    const t = guestTree({ virtio: { interrupts: u32(0, 43, 4) } });
    expectOne(
      run(t, project(SYSTEM_TEXT, json)),
      'guest-dt-virtio',
      'interrupts gives SPI 43 (INTID 75), but the VMM injects SPI 42 (INTID 74)',
      getProperty(nodeAt(t, '/virtio-console@150000'), 'interrupts')!.range,
    );
  });

  it("without a project file the console window and SPI are the console node's own, and other virtio kinds are not checked against it", () => {
    // libvmm's virtio example: the console at 0x130000 with SPI 42, the block device at 0x150000 with SPI 43.
    const t = guestTree({
      virtio: { reg: u32(0, 0x130000, 0, 0x200) },
      chosen: { 'stdout-path': str('/virtio-console@150000') },
      extra: [n('virtio_blk@150000', { compatible: str('virtio,mmio'), reg: u32(0, 0x150000, 0, 0x10000), interrupts: u32(0, 43, 4) })],
    });
    assert.deepStrictEqual(run(t), []);
    const console = resolveVirtioConsole(project().guests[0], t);
    assert.deepStrictEqual(console.window, { base: 0x130000, size: 0x200, spi: 42 });
    assert.deepStrictEqual(
      console.others.map((d) => [nodePath(d.node), d.kind, d.base, d.size]),
      [['/virtio_blk@150000', 'block', 0x150000, 0x10000]],
    );
  });

  it('virtio kinds come from node names and labels; unnamed nodes are the console only when one can tell', () => {
    const kinds = [
      'virtio-console@1',
      'virtio_console@1',
      'console@1',
      'hvc0@1',
      'virtio_blk@1',
      'virtio-block@1',
      'virtio_net@1',
      'virtio_sound@1',
      'virtio_snd@1',
      'virtio-vsock@1',
      'virtio@1',
      'virtio_mmio@1',
    ].map((name) => virtioKind(buildTree(n('', {}, n(name, {}))).root.children[0]));
    assert.deepStrictEqual(kinds, ['console', 'console', 'console', 'console', 'block', 'block', 'net', 'sound', 'sound', 'vsock', undefined, undefined]);
    assert.strictEqual(virtioKind(buildTree(n('', {}, labelled('blk0', n('virtio@1', {})))).root.children[0]), 'block');
    const mmio = (name: string, base: number, spi: number) =>
      n(name, { compatible: str('virtio,mmio'), reg: u32(0, base, 0, 0x200), interrupts: u32(0, spi, 4) });
    const g = project().guests[0];
    // Two unnamed: the one at libvmm's default base is the console.
    const two = buildTree(n('', { '#address-cells': u32(2), '#size-cells': u32(2) }, mmio('virtio@140000', 0x140000, 41), mmio('virtio@150000', 0x150000, 44)));
    assert.deepStrictEqual(resolveVirtioConsole(g, two).window, { base: 0x150000, size: 0x200, spi: 44 });
    // Two unnamed, neither at the default: ambiguous, and the check says how to settle it.
    const neither = guestTree({ virtio: null, extra: [mmio('virtio@140000', 0x140000, 41), mmio('virtio@160000', 0x160000, 44)] });
    expectOne(
      run(neither).filter((d) => d.code === 'guest-dt-virtio'),
      'guest-dt-virtio',
      `cannot tell which "virtio,mmio" node is the console of 'client_linux-1' (/virtio@140000, /virtio@160000)`,
      neither.root.nameRange,
      'warning',
    );
  });

  it('virtio reg inside another VM mapping', () => {
    const json = JSON.stringify({ guests: { 'client_linux-1': { virtio: { base: '0x303a0000' } } } });
    const t = guestTree({
      virtio: { reg: u32(0, 0x303a0000, 0, 0x200) },
      chosen: { 'stdout-path': str('/gpc@303a0000') },
    });
    // The virtio node sits on gpc's registers: the console window is inside the 'gpc' mapping.
    const diags = run(t, project(SYSTEM_TEXT, json)).filter((d) => d.code === 'guest-dt-virtio');
    expectOne(
      diags,
      'guest-dt-virtio',
      "lies inside the mapping of 'gpc' [0x303a0000..0x303b0000)",
      getProperty(nodeAt(t, '/virtio-console@150000'), 'reg')!.range,
    );
  });

  it('stdout-path to a disabled node', () => {
    const t = guestTree({
      chosen: { 'stdout-path': str('/uart@30860000') },
      extra: [n('uart@30860000', { reg: u32(0, 0x30860000, 0, 0x1000), status: str('disabled') })],
    });
    expectOne(
      run(t),
      'guest-dt-stdout',
      "stdout-path '/uart@30860000' points at a disabled node",
      getProperty(nodeAt(t, '/chosen'), 'stdout-path')!.range,
      'warning',
    );
  });

  it('stdout-path that does not resolve', () => {
    const t = guestTree({ chosen: { 'stdout-path': str('serial0:115200n8') } });
    expectOne(run(t), 'guest-dt-stdout', "stdout-path 'serial0:115200n8' does not resolve", getProperty(nodeAt(t, '/chosen'), 'stdout-path')!.range, 'warning');
  });

  it('virtio console without console=hvc0', () => {
    const t = guestTree({ chosen: { bootargs: str('console=ttymxc0,115200 earlycon') } });
    expectOne(run(t), 'guest-dt-bootargs', "no 'console=hvc0'", getProperty(nodeAt(t, '/chosen'), 'bootargs')!.range, 'warning');
  });

  it('initrd window outside guest RAM', () => {
    const t = guestTree({ chosen: { 'linux,initrd-start': u32(0, 0x4e000000), 'linux,initrd-end': u32(0, 0x50000000) } });
    expectOne(
      run(t),
      'guest-dt-initrd',
      'Initrd copy destination [0x4e000000..0x50000000) not in valid guest RAM [0x40000000..0x4f000000)',
      getProperty(nodeAt(t, '/chosen'), 'linux,initrd-start')!.range,
    );
  });

  it('DTB overlapping the initrd window', () => {
    const t = guestTree({ chosen: { 'linux,initrd-start': u32(0, 0x43f00000), 'linux,initrd-end': u32(0, 0x44100000) } });
    expectOne(
      run(t),
      'guest-dt-initrd',
      'DTB at 0x44000000 overlaps with the destination of the initial RAM disk [0x43f00000..0x44100000)',
      getProperty(nodeAt(t, '/chosen'), 'linux,initrd-start')!.range,
    );
  });

  it('DTB address outside guest RAM (project file dtbAddr)', () => {
    const json = '{ "guests": { "client_linux-1": { "dtbAddr": "0x60000000" } } }';
    const diags = run(guestTree(), project(SYSTEM_TEXT, json));
    expectOne(
      diags,
      'guest-dt-initrd',
      'DTB address 0x60000000 is not in guest RAM [0x40000000..0x4f000000)',
      rangeOf('/p/dual-guest.json', json, '"0x60000000"'),
    );
  });

  it('virtio window size different from the node, and a virtio node without interrupts', () => {
    const t1 = guestTree({ virtio: { reg: u32(0, 0x150000, 0, 0x1000) } });
    const sized = project(SYSTEM_TEXT, JSON.stringify({ guests: { 'client_linux-1': { virtio: { size: '0x200' } } } }));
    expectOne(
      run(t1, sized),
      'guest-dt-virtio',
      "reg size 0x1000 differs from the VMM's virtio window size 0x200",
      getProperty(nodeAt(t1, '/virtio-console@150000'), 'reg')!.range,
      'warning',
    );
    const t2 = buildTree(
      n(
        '',
        { '#address-cells': u32(2), '#size-cells': u32(2) },
        n('memory@40000000', { device_type: str('memory'), reg: u32(0, 0x40000000, 0, 0xf000000) }),
        labelled(
          'gic',
          n('interrupt-controller@38800000', {
            compatible: str('arm,gic-v3'),
            'interrupt-controller': empty(),
            '#interrupt-cells': u32(3),
            reg: u32(0, 0x38800000, 0, 0x10000, 0, 0x31000000, 0, 0x2000),
          }),
        ),
        labelled(
          'gpc',
          n('gpc@303a0000', {
            compatible: str('fsl,imx8mq-gpc'),
            reg: u32(0, 0x303a0000, 0, 0x10000),
            'interrupt-controller': empty(),
            '#interrupt-cells': u32(3),
            'interrupt-parent': u32(ref('gic')),
          }),
        ),
        n('virtio-console@150000', { compatible: str('virtio,mmio'), reg: u32(0, 0x150000, 0, 0x200) }),
      ),
    );
    const diags = run(t2);
    assert.deepStrictEqual(diags.map((d) => d.code).sort(), ['guest-dt-irq-route', 'guest-dt-virtio']);
    const noIrq = diags.find((d) => d.code === 'guest-dt-virtio')!;
    assert.ok(noIrq.message.includes("has no 'interrupts' = <0 42 4> (SPI 42, INTID 74)"), noIrq.message);
    assert.deepStrictEqual(noIrq.range, nodeAt(t2, '/virtio-console@150000').nameRange);
    const route = diags.find((d) => d.code === 'guest-dt-irq-route')!;
    assert.ok(route.message.includes('has no interrupt parent (none on it or its ancestors): add interrupt-parent = <&gic>'), route.message);
  });

  it('initrd image larger than the window (project names the image)', () => {
    const json = JSON.stringify({ guests: { 'client_linux-1': { initrd: 'rootfs.cpio.gz' } } });
    const host = new MemoryFileHost({ [SYS]: SYSTEM_TEXT, '/p/dual-guest.json': json, '/p/rootfs.cpio.gz': new Uint8Array(0x100001) });
    const p = loadProject(SYS, host);
    const t = guestTree({ chosen: { 'linux,initrd-start': u32(0, 0x44500000), 'linux,initrd-end': u32(0, 0x44600000) } });
    expectOne(
      run(t, p, 'client_linux-1', host),
      'guest-dt-initrd',
      'initrd image is 0x100001 bytes, larger than the linux,initrd-start/end window (0x100000)',
      getProperty(nodeAt(t, '/chosen'), 'linux,initrd-end')!.range,
    );
  });

  it('initrd-start different from the project file initrdAddr', () => {
    const json = JSON.stringify({ guests: { 'client_linux-1': { initrdAddr: '0x45000000' } } });
    const t = guestTree();
    expectOne(
      run(t, project(SYSTEM_TEXT, json)),
      'guest-dt-initrd',
      'linux,initrd-start 0x44500000 differs from where the VMM copies the initrd (0x45000000',
      getProperty(nodeAt(t, '/chosen'), 'linux,initrd-start')!.range,
      'warning',
    );
  });

  it('an enabled device the guest kernel has a driver for, not mapped into the VM: the guest faults at boot (error)', () => {
    const t = guestTree({ extra: [n('serial@30860000', { compatible: str('fsl,imx8mq-uart'), reg: u32(0, 0x30860000, 0, 0x10000) })] });
    expectOne(
      run(t),
      'guest-dt-unmapped-device',
      "/serial@30860000 is enabled and the guest kernel's driver imx-uart probes it, but its registers [0x30860000..0x30870000) are not mapped into 'client_linux-1': the guest faults at boot",
      nodeAt(t, '/serial@30860000').nameRange,
    );
    assert.ok(run(t)[0].message.includes('leave "fsl,imx8mq-uart" out of guests.<vm>.kernelDrivers'), run(t)[0].message);
  });

  it("the GPC, programmed by the kernel's irqchip driver, faults when not mapped", () => {
    const noGpc = SYSTEM_TEXT.replace(/\s*<map mr="gpc" vaddr="0x303a0000" perms="rw" cached="false" \/>/g, '').replace(
      '<memory_region name="gpc" size="0x10000" phys_addr="0x303a0000" />',
      '',
    );
    const t = guestTree();
    const diags = run(t, project(noGpc)).filter((d) => d.code === 'guest-dt-unmapped-device');
    expectOne(
      diags,
      'guest-dt-unmapped-device',
      "/gpc@303a0000 is enabled and the guest kernel's irqchip driver imx-gpcv2 programs it, but its registers [0x303a0000..0x303b0000) are not mapped into 'client_linux-1'",
      nodeAt(t, '/gpc@303a0000').nameRange,
    );
  });

  it('an enabled device no driver binds is an information hint pointing at kernelDrivers', () => {
    const t = guestTree({ extra: [n('tmu@30260000', { compatible: str('fsl,imx8mq-tmu'), reg: u32(0, 0x30260000, 0, 0x10000) })] });
    expectOne(
      run(t),
      'guest-dt-unmapped-no-driver',
      `/tmu@30260000 is enabled but not mapped into 'client_linux-1': the guest kernel's driver list has no driver for "fsl,imx8mq-tmu", so nothing probes it (if your kernel has one, add "fsl,imx8mq-tmu" to guests.<vm>.kernelDrivers`,
      nodeAt(t, '/tmu@30260000').nameRange,
      'info',
    );
  });

  it('kernelDrivers decides which devices fault, as it decides what the emulated kernel probes', () => {
    const disabled = guestTree({ extra: [n('serial@30860000', { reg: u32(0, 0x30860000, 0, 0x10000), status: str('disabled') })] });
    assert.deepStrictEqual(run(disabled), []);
    const uart = [n('serial@30860000', { compatible: str('fsl,imx8mq-uart'), reg: u32(0, 0x30860000, 0, 0x10000) })];
    const without = JSON.stringify({ guests: { 'client_linux-1': { kernelDrivers: ['fsl,imx8mq-gpc'] } } });
    assert.deepStrictEqual(
      run(guestTree({ extra: uart }), project(SYSTEM_TEXT, without)).map((d) => [d.severity, d.code]),
      [['info', 'guest-dt-unmapped-no-driver']],
    );
    // A compatible the defaults lack, once listed, is probed (a generic driver) and faults.
    const tmu = [n('tmu@30260000', { compatible: str('fsl,imx8mq-tmu'), reg: u32(0, 0x30260000, 0, 0x10000) })];
    const withTmu = JSON.stringify({ guests: { 'client_linux-1': { kernelDrivers: ['fsl,imx8mq-gpc', 'fsl,imx8mq-tmu'] } } });
    assert.deepStrictEqual(
      run(guestTree({ extra: tmu }), project(SYSTEM_TEXT, withTmu)).map((d) => [d.severity, d.code]),
      [['error', 'guest-dt-unmapped-device']],
    );
  });

  it('a device enabled by a later status assignment is reported at that assignment, the node as related information', () => {
    const host = new MemoryFileHost({
      '/p/base.dts':
        '/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n\tmemory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0xf000000>; };\n\tusdhc1: mmc@30b40000 {\n\t\tcompatible = "fsl,imx8mq-usdhc";\n\t\treg = <0 0x30b40000 0 0x10000>;\n\t\tstatus = "disabled";\n\t};\n};\n',
      '/p/overlay.dts': '&usdhc1 {\n\tstatus = "okay";\n};\n',
    });
    const compiled = compileFiles(['/p/base.dts', '/p/overlay.dts'], { host });
    assert.deepStrictEqual(
      compiled.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const diags = run(compiled.tree).filter((d) => d.subject === '/mmc@30b40000');
    expectOne(diags, 'guest-dt-unmapped-device', '/mmc@30b40000 is enabled', { file: '/p/overlay.dts', start: { line: 1, col: 1 }, end: { line: 1, col: 17 } });
    assert.deepStrictEqual(diags[0].related, [{ message: '/mmc@30b40000 is defined here', range: nodeAt(compiled.tree, '/mmc@30b40000').nameRange }]);
    assert.equal(diags[0].related![0].range.file, '/p/base.dts');
  });

  it('VM mapping with no enabled device-tree node', () => {
    const t = guestTree({ gpcStatus: 'disabled', rootProps: { 'interrupt-parent': u32(ref('gic')) } });
    const diags = run(t);
    expectOne(
      diags,
      'guest-map-no-device',
      "'client_linux-1' maps 'gpc' at [0x303a0000..0x303b0000) but no enabled device-tree node has registers there",
      rangeOf(SYS, SYSTEM_TEXT, 'map', 1, '<map mr="gpc"', 1),
      'warning',
    );
  });

  it('virtio interrupt-parent chain through an unmapped controller', () => {
    const noGpc = SYSTEM_TEXT.replace(/\s*<map mr="gpc" vaddr="0x303a0000" perms="rw" cached="false" \/>/g, '').replace(
      '<memory_region name="gpc" size="0x10000" phys_addr="0x303a0000" />',
      '',
    );
    const t = guestTree();
    const diags = run(t, project(noGpc)).filter((d) => d.code === 'guest-dt-irq-route');
    expectOne(
      diags,
      'guest-dt-irq-route',
      'interrupts go through /gpc@303a0000 (inherited from /), which is not mapped into the VM; add interrupt-parent = <&gic>',
      nodeAt(t, '/virtio-console@150000').nameRange,
      'warning',
    );
  });

  it('an explicit interrupt-parent to the GIC fixes the route', () => {
    const noGpc = SYSTEM_TEXT.replace(/\s*<map mr="gpc" vaddr="0x303a0000" perms="rw" cached="false" \/>/g, '').replace(
      '<memory_region name="gpc" size="0x10000" phys_addr="0x303a0000" />',
      '',
    );
    const t = guestTree({ virtio: { 'interrupt-parent': u32(ref('gic')) } });
    assert.deepStrictEqual(
      run(t, project(noGpc)).filter((d) => d.code === 'guest-dt-irq-route'),
      [],
    );
  });

  it('passed-through device whose clock provider is neither mapped nor disabled', () => {
    const t = guestTree({
      extra: [
        labelled('clk', n('clock-controller@30380000', { reg: u32(0, 0x30380000, 0, 0x10000), '#clock-cells': u32(1) })),
        n('pwm@303a8000', { compatible: str('fsl,imx-pwm'), reg: u32(0, 0x303a8000, 0, 0x1000), clocks: u32(ref('clk'), 7) }),
      ],
    });
    const diags = run(t).filter((d) => d.code === 'guest-dt-dependency');
    expectOne(
      diags,
      'guest-dt-dependency',
      "/pwm@303a8000 -> clocks -> /clock-controller@30380000: the provider is enabled but not mapped into 'client_linux-1'",
      getProperty(nodeAt(t, '/pwm@303a8000'), 'clocks')!.range,
      'warning',
    );
  });

  it('the chain is followed through mapped providers (pin group -> controller -> its power domain)', () => {
    // The pin controller sits inside the mapped gpc window; it needs a power domain that is not mapped.
    const t = guestTree({
      extra: [
        labelled('pd', n('power-controller@30390000', { reg: u32(0, 0x30390000, 0, 0x1000), '#power-domain-cells': u32(1) })),
        n(
          'pinctrl@303a2000',
          { reg: u32(0, 0x303a2000, 0, 0x100), 'power-domains': u32(ref('pd'), 3) },
          labelled('uartpins', n('uart1grp', { 'fsl,pins': u32(1, 2, 3) })),
        ),
        n('pwm@303a8000', { compatible: str('fsl,imx-pwm'), reg: u32(0, 0x303a8000, 0, 0x1000), 'pinctrl-0': u32(ref('uartpins')) }),
      ],
    });
    // The pin controller is itself passed through and gets its own, shorter chain.
    const all = run(t).filter((d) => d.code === 'guest-dt-dependency');
    assert.deepStrictEqual(all.map((d) => d.subject).sort(), ['/pinctrl@303a2000', '/pwm@303a8000']);
    const diags = all.filter((d) => d.subject === '/pwm@303a8000');
    expectOne(
      diags,
      'guest-dt-dependency',
      '/pwm@303a8000 -> pinctrl-0 -> /pinctrl@303a2000 -> power-domains -> /power-controller@30390000: the provider is enabled but not mapped',
      getProperty(nodeAt(t, '/pwm@303a8000'), 'pinctrl-0')!.range,
      'warning',
    );
  });

  it('a disabled provider is fine', () => {
    const t = guestTree({
      extra: [
        labelled('clk', n('clock-controller@30380000', { reg: u32(0, 0x30380000, 0, 0x10000), '#clock-cells': u32(1), status: str('disabled') })),
        n('pwm@303a8000', { compatible: str('fsl,imx-pwm'), reg: u32(0, 0x303a8000, 0, 0x1000), clocks: u32(ref('clk'), 7) }),
      ],
    });
    assert.deepStrictEqual(
      run(t).filter((d) => d.code === 'guest-dt-dependency'),
      [],
    );
  });

  it('one hardware IRQ given to a PD and, through a passed-through device, to a guest', () => {
    // The UART is mapped into the VM here, while uart_driver owns its IRQ 58 (SPI 26).
    const sys = SYSTEM_TEXT.replace(
      '<map mr="gpc" vaddr="0x303a0000" perms="rw" cached="false" />',
      '<map mr="gpc" vaddr="0x303a0000" perms="rw" cached="false" />\n            <map mr="uart" vaddr="0x30860000" perms="rw" cached="false" />',
    );
    const t = guestTree({
      extra: [n('serial@30860000', { compatible: str('fsl,imx8mq-uart'), reg: u32(0, 0x30860000, 0, 0x1000), interrupts: u32(0, 26, 4) })],
    });
    const diags = run(t, project(sys)).filter((d) => d.code === 'guest-irq-two-owners');
    expectOne(
      diags,
      'guest-irq-two-owners',
      "/serial@30860000 is passed through to 'client_linux-1' with interrupt 58 (GIC INTID), which is also given to protection domain 'uart_driver'",
      rangeOf(SYS, sys, '58', 1, '<irq irq="58"'),
      'warning',
    );
  });

  it('DMA-capable device passed through while guest RAM is not 1:1', () => {
    const t = guestTree({ extra: [n('mmc@303a4000', { compatible: str('fsl,imx8mq-usdhc'), reg: u32(0, 0x303a4000, 0, 0x1000) })] });
    const diags = run(t).filter((d) => d.code === 'guest-dma-not-1to1');
    expectOne(
      diags,
      'guest-dma-not-1to1',
      "/mmc@303a4000 can do DMA, but guest RAM 'client_vm_ram_1' is not mapped 1:1 (phys_addr unset, guest base 0x40000000)",
      rangeOf(SYS, SYSTEM_TEXT, 'memory_region', 1, '<memory_region name="client_vm_ram_1"'),
      'warning',
    );
  });
});

describe('cross checks on arbitrary trees (fast-check)', function () {
  this.timeout(20000);
  const p = project();
  const cellsArb = fc.array(fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 42, 0x150000, 0x40000000, 0xffffffff), fc.nat()), { maxLength: 9 });
  const propArb = fc.tuple(
    fc.constantFrom(
      'reg',
      'ranges',
      '#address-cells',
      '#size-cells',
      'interrupts',
      'interrupt-parent',
      'clocks',
      '#clock-cells',
      'pinctrl-0',
      'power-domains',
      '#interrupt-cells',
      'interrupt-controller',
      'status',
      'compatible',
      'device_type',
      'stdout-path',
      'linux,initrd-start',
      'bootargs',
    ),
    fc.oneof(
      cellsArb.map((c) => u32(...c)),
      fc.constantFrom(str('okay'), str('disabled'), str('virtio,mmio'), str('arm,gic-v3'), str('memory'), str('/virtio@150000'), empty()),
    ),
    fc.constantFrom(...['a', 'b', 'c', 'd']),
  );
  const refProps = ['interrupt-parent', 'clocks', 'pinctrl-0', 'power-domains'];
  // Three levels deep at most: enough for buses with children with children.
  const level = (children: fc.Arbitrary<NodeSpec[]>): fc.Arbitrary<NodeSpec> =>
    fc
      .tuple(
        fc.constantFrom('virtio@150000', 'memory@40000000', 'chosen', 'gic@38800000', 'bus@30000000', 'dev@1', 'x'),
        fc.array(propArb, { maxLength: 5 }),
        children,
        fc.constantFrom('a', 'b', 'c', 'd'),
      )
      .map(([name, props, kids, label]) =>
        labelled(
          label,
          n(
            name,
            props.map(([k, v, r]) => [k, refProps.includes(k) ? u32(ref(r), 1) : v] as [string, ReturnType<typeof u32>]),
            ...kids,
          ),
        ),
      );
  const leaf = level(fc.constant([]));
  const nodeArb = level(fc.array(level(fc.array(leaf, { maxLength: 3 })), { maxLength: 3 }));

  it('never throw and never hang, whatever the reg cells, ranges and phandle cycles', () => {
    let built = 0,
      refused = 0;
    fc.assert(
      fc.property(fc.array(nodeArb, { maxLength: 6 }), (kids) => {
        let tree: DtTree;
        try {
          tree = buildTree(n('', { '#address-cells': u32(2), '#size-cells': u32(2) }, ...kids));
        } catch {
          refused++;
          return; // the builder refuses some label combinations; not what is under test
        }
        built++;
        for (const g of p.guests) checkGuestTree(p, g, tree);
      }),
      { numRuns: 200 },
    );
    // Most generated trees must reach the checks, or the property says little.
    assert.ok(built > refused, `built ${built}, refused ${refused}`);
  });
});
