// The real .system files of the corpus: each loads with zero errors, and every warning it gets is
// listed here (and was checked by hand against the file). The guests' real device trees are
// compiled and cross-checked; the same checks on dtc's DTB of the same sources must agree.

import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { formatRangeDtc, type Diagnostic } from '../../src/common/diagnostics';
import { MemoryFileHost, OverlayFileHost } from '../../src/common/host';
import { readFdt } from '../../src/devicetree/fdt-reader';
import { NodeFileHost } from '../../src/node/file-host';
import { compileGuestTrees, crossCheck, lintSystemFile, loadProject, parseSystem, resolveVirtioConsole } from '../../src/system';
import { corpusPath } from './corpus';

const host = new NodeFileHost();

function summary(diags: Diagnostic[]): string[] {
  return diags
    .map((d) => `${d.severity} ${d.code} ${d.range ? `${path.basename(d.range.file)}:${d.range.start.line + 1}` : '-'} ${d.subject ?? ''}`.trim())
    .sort();
}

/**
 * Enabled MaaXBoard devices the real guest overlay leaves on without mapping them (both guests see
 * the same tree). The guest kernel has no driver for any of them, so the real system boots: each is
 * an information hint, not a warning. (The CAAM job rings under crypto@30900000 are not platform
 * devices of their own: the CAAM driver would create them.)
 */
const MAAXBOARD_UNMAPPED = [
  '/gpu3d@38000000',
  '/soc@0/bus@30000000/caam-snvs@30370000',
  '/soc@0/bus@30000000/dma-controller@302c0000',
  '/soc@0/bus@30000000/reset-controller@30390000',
  '/soc@0/bus@30000000/snvs@30370000',
  '/soc@0/bus@30000000/syscon@30340000',
  '/soc@0/bus@30000000/tmu@30260000',
  '/soc@0/bus@30400000/pwm@30660000',
  '/soc@0/bus@30800000/dma-controller@30bd0000',
  '/soc@0/bus@30800000/dphy@30a00300',
  '/soc@0/caam-sm@100000',
  '/soc@0/ddr-pmu@3d800000',
  '/soc@0/dma-apbh@33000000',
  '/soc@0/vpu@38300000',
];

/** The sel4devkit-dual files copied to a temp folder, with edits of the .system and text appended to the overlay. */
function sel4devkitCopy(edit: { system?: (text: string) => string; overlay?: string }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'system-sel4devkit-'));
  for (const f of ['program.system', 'maaxboard.dts', 'maaxboard-overlay.dts']) {
    let text = readFileSync(corpusPath('sel4devkit-dual', f), 'utf8');
    if (f === 'program.system' && edit.system) text = edit.system(text);
    if (f === 'maaxboard-overlay.dts' && edit.overlay) text += edit.overlay;
    writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

describe('corpus .system files', function () {
  this.timeout(120000);

  const systemOnly: [string, string[]][] = [
    [
      'sel4devkit-dual/program.system',
      [
        // Microkit 1.4.1 wrote pp on the protection domain (virt_tx, virt_rx, uart_driver).
        'info sdf-legacy-form program.system:78',
        'info sdf-legacy-form program.system:89',
        'info sdf-legacy-form program.system:104',
        // Driver and virtualisers all at 100 in the real file: sDDF wants the driver strictly above.
        'warning sddf-priority-order program.system:104',
        'warning sddf-priority-order program.system:104',
      ],
    ],
    [
      'sel4devkit-single/program.system',
      [
        // Only the overlay is in that repository (the board tree comes from the kernel build).
        'info project-guest-files program.system:21 client_vmm_1',
      ],
    ],
    [
      'libvmm-virtio-two-clients/virtio.system',
      [
        // The 2023 libvmm file gives each virtual_machine an id instead of <vcpu> (Microkit 1.x).
        'info sdf-legacy-form virtio.system:31',
        'info sdf-legacy-form virtio.system:56',
        'info sdf-legacy-form virtio.system:192',
        // client_vm_2/dts has init.dts and virtio.dts but no linux.dts: client_vm_1's is taken, and said so.
        'info project-guest-files virtio.system:56 client_linux-2',
        // BLK_DRIVER_VMM is the third serial client (virt_tx channel 3) at priority 200, above both virtualisers.
        'warning sddf-priority-order virtio.system:183',
        // The block virtualiser is native code the emulator does not run.
        'warning sddf-native-pd-not-emulated virtio.system:211 BLK_VIRT',
      ],
    ],
    ['libvmm-simple-qemu/simple.system', []],
  ];

  for (const [file, expected] of systemOnly) {
    it(`${file}: zero errors, listed warnings (system and project checks)`, () => {
      const p = corpusPath(...file.split('/'));
      const parsed = parseSystem(p, readFileSync(p, 'utf8'));
      // The microkit tool's rules find nothing but notes on Microkit 1.x forms.
      assert.deepStrictEqual(
        parsed.diagnostics.filter((d) => d.code !== 'sdf-legacy-form'),
        [],
      );
      assert.deepStrictEqual(summary(lintSystemFile(p, host, { guests: false })), [...expected].sort());
    });
  }

  it('sel4devkit-dual: model facts match the real system', () => {
    const p = loadProject(corpusPath('sel4devkit-dual', 'program.system'), host);
    assert.deepStrictEqual(
      p.system.protectionDomains.map((x) => [x.name, x.priority]),
      [
        ['CLIENT_VMM-1', 50],
        ['CLIENT_VMM-2', 50],
        ['serial_virt_tx', 100],
        ['serial_virt_rx', 100],
        ['uart_driver', 100],
      ],
    );
    assert.deepStrictEqual([p.roles.driver, p.roles.virtTx, p.roles.virtRx], ['uart_driver', 'serial_virt_tx', 'serial_virt_rx']);
    assert.deepStrictEqual(p.serial.clients, ['client_linux-1', 'client_linux-2']);
    assert.deepStrictEqual(
      p.system.protectionDomains.find((x) => x.name === 'uart_driver')!.irqs.map((i) => [i.irq, i.id]),
      [[58, 0]],
    );
    assert.deepStrictEqual(
      p.guests.map((g) => [g.ramGpa, g.ramSize, g.dtFiles.map((f) => path.basename(f))]),
      [
        [0x40000000, 0xf000000, ['maaxboard.dts', 'maaxboard-overlay.dts']],
        [0x40000000, 0xf000000, ['maaxboard.dts', 'maaxboard-overlay.dts']],
      ],
    );
  });

  it('sel4devkit-dual with its guest trees: no errors, no warning for devices the guest kernel has no driver for, each finding once', () => {
    const diags = lintSystemFile(corpusPath('sel4devkit-dual', 'program.system'), host) as (Diagnostic & { guests?: string[] })[];
    assert.deepStrictEqual(
      diags.filter((d) => d.severity === 'error'),
      [],
    );
    const hints = diags.filter((d) => d.code === 'guest-dt-unmapped-no-driver');
    assert.deepStrictEqual(hints.map((d) => d.subject).sort(), [...MAAXBOARD_UNMAPPED].sort());
    for (const d of hints) {
      assert.strictEqual(d.severity, 'info');
      assert.deepStrictEqual(d.guests, ['client_linux-1', 'client_linux-2']);
      assert.ok(d.message.includes("not mapped into 'client_linux-1', 'client_linux-2'") && d.message.includes('guests.<vm>.kernelDrivers'), d.message);
    }
    // The rest: the legacy-pp notes and the two priority warnings. No virtio, memory, chosen or interrupt-route findings:
    // the overlay gets them right, and gpc (the root's interrupt parent) is mapped into both VMs.
    assert.deepStrictEqual(summary(diags.filter((d) => d.code !== 'guest-dt-unmapped-no-driver')), [
      'info sdf-legacy-form program.system:104',
      'info sdf-legacy-form program.system:78',
      'info sdf-legacy-form program.system:89',
      'warning sddf-priority-order program.system:104',
      'warning sddf-priority-order program.system:104',
    ]);
    // Each finding once: no two share a code, a place and a subject.
    const keys = diags.filter((d) => d.code?.startsWith('guest-')).map((d) => `${d.code} ${d.range && formatRangeDtc(d.range)} ${d.subject}`);
    assert.strictEqual(new Set(keys).size, keys.length);
  });

  it('sel4devkit-dual without the gpc map: the GPC the kernel programs is an error for both guests, with the interrupt-route warning', () => {
    const dir = sel4devkitCopy({
      system: (t) =>
        t
          .split('\n')
          .filter((l) => !l.includes('<map mr="gpc"'))
          .join('\n'),
    });
    const diags = lintSystemFile(path.join(dir, 'program.system'), host) as (Diagnostic & { guests?: string[] })[];
    const gpc = diags.filter((d) => d.code === 'guest-dt-unmapped-device');
    assert.deepStrictEqual(
      gpc.map((d) => [d.severity, d.subject, d.guests]),
      [['error', '/soc@0/bus@30000000/gpc@303a0000', ['client_linux-1', 'client_linux-2']]],
    );
    assert.match(
      gpc[0].message,
      /irqchip driver imx-gpcv2 programs it, but its registers \[0x303a0000\.\.0x303b0000\) are not mapped into 'client_linux-1', 'client_linux-2': the guest faults at boot/,
    );
    const route = diags.filter((d) => d.code === 'guest-dt-irq-route');
    assert.deepStrictEqual(
      route.map((d) => [d.severity, d.subject, d.range && path.basename(d.range.file)]),
      [['warning', '/virtio-console@150000', 'maaxboard-overlay.dts']],
    );
  });

  it("sel4devkit-dual with &usdhc1 enabled in the overlay: an error on the overlay's status line, the node in the base as related information", () => {
    const overlay = readFileSync(corpusPath('sel4devkit-dual', 'maaxboard-overlay.dts'), 'utf8');
    const dir = sel4devkitCopy({ overlay: '\n&usdhc1 {\n    status = "okay";\n};\n' });
    const diags = lintSystemFile(path.join(dir, 'program.system'), host).filter((d) => d.code === 'guest-dt-unmapped-device');
    assert.strictEqual(diags.length, 1, JSON.stringify(diags));
    const d = diags[0];
    assert.strictEqual(d.severity, 'error');
    assert.strictEqual(d.subject, '/soc@0/bus@30800000/mmc@30b40000');
    const statusLine = overlay.split('\n').length + 2; // 1-based: the appended blank line, the '&usdhc1 {' line, then status
    assert.deepStrictEqual([path.basename(d.range!.file), d.range!.start.line + 1], ['maaxboard-overlay.dts', statusLine]);
    assert.deepStrictEqual(
      d.related!.map((r) => [r.message, path.basename(r.range.file)]),
      [['/soc@0/bus@30800000/mmc@30b40000 is defined here', 'imx8mq.dtsi']],
    );
  });

  it('sel4devkit-single on the MaaXBoard tree: its passed-through devices, their providers and IRQ 58 check out', () => {
    const sys = corpusPath('sel4devkit-single', 'program.system');
    const json = JSON.stringify({
      guests: { client_vmm_1: { dts: [corpusPath('sel4devkit-dual', 'maaxboard.dts'), corpusPath('sel4devkit-single', 'maaxboard-overlay.dts')] } },
    });
    const h = new OverlayFileHost(new MemoryFileHost({ '/virtual/dual-guest.json': json }), host);
    const diags = lintSystemFile(sys, h, { project: '/virtual/dual-guest.json' });
    // The UART, clock controller, pinctrl, gpc, ... are mapped, and the VMM owns the UART's IRQ 58
    // (SPI 26): only the board devices the overlay leaves enabled without a mapping remain.
    assert.deepStrictEqual(
      diags.filter((d) => d.code !== 'guest-dt-unmapped-no-driver'),
      [],
    );
    assert.deepStrictEqual(diags.map((d) => d.subject).sort(), [...MAAXBOARD_UNMAPPED].sort());
  });

  it('libvmm-simple-qemu with its guest tree: clean (a passed-through PL011, no virtio console)', () => {
    assert.deepStrictEqual(summary(lintSystemFile(corpusPath('libvmm-simple-qemu', 'simple.system'), host)), []);
  });

  it('libvmm-virtio-two-clients with a project naming its trees: the disabled stdout-path is found', () => {
    const c = (...p: string[]) => corpusPath('libvmm-virtio-two-clients', ...p);
    const json = JSON.stringify({
      system: c('virtio.system'),
      guests: {
        'client_linux-1': {
          dts: [c('client_vm_1', 'dts', 'linux.dts'), c('client_vm_1', 'dts', 'init.dts'), c('client_vm_1', 'dts', 'virtio.dts')],
          virtio: { base: '0x130000' },
        },
        'client_linux-2': {
          dts: [c('client_vm_1', 'dts', 'linux.dts'), c('client_vm_2', 'dts', 'init.dts'), c('client_vm_2', 'dts', 'virtio.dts')],
          virtio: { base: '0x130000' },
        },
        // The corpus has no tree for the block driver's VM: left out.
        blk_driver_linux: { boot: false },
      },
    });
    const h = new OverlayFileHost(new MemoryFileHost({ '/virtual/dual-guest.json': json }), host);
    assert.deepStrictEqual(summary(lintSystemFile(c('virtio.system'), h, { project: '/virtual/dual-guest.json' })), [
      'info sdf-legacy-form virtio.system:192',
      'info sdf-legacy-form virtio.system:31',
      'info sdf-legacy-form virtio.system:56',
      // init.dts keeps stdout-path = "/pl011@9000000" while linux.dts disables that UART.
      'warning guest-dt-stdout init.dts:11 /chosen',
      'warning guest-dt-stdout init.dts:11 /chosen',
      'warning sddf-native-pd-not-emulated virtio.system:211 BLK_VIRT',
      'warning sddf-priority-order virtio.system:183',
    ]);
  });

  it('libvmm-virtio-two-clients as it is (no project file): its trees are found where they are, and no false error', () => {
    const c = (...p: string[]) => corpusPath('libvmm-virtio-two-clients', ...p);
    const project = loadProject(c('virtio.system'), host);
    // The real build appends init.dts and virtio.dts to linux.dts (dtscat); client 2 has no linux.dts of its own.
    assert.deepStrictEqual(
      project.guests.map((g) => [g.vm, g.dtFiles.map((f) => path.relative(c(), f))]),
      [
        ['client_linux-1', ['client_vm_1/dts/linux.dts', 'client_vm_1/dts/init.dts', 'client_vm_1/dts/virtio.dts']],
        ['client_linux-2', ['client_vm_1/dts/linux.dts', 'client_vm_2/dts/init.dts', 'client_vm_2/dts/virtio.dts']],
        ['blk_driver_linux', []],
      ],
    );
    // The console is virtio-console@0130000 with SPI 42; virtio_blk@0150000 (SPI 43) is a block device the VMM emulates.
    const trees = compileGuestTrees(project, host);
    for (const g of project.guests.slice(0, 2)) {
      const v = resolveVirtioConsole(g, trees.get(g.vm)!.tree);
      assert.deepStrictEqual(v.window, { base: 0x130000, size: 0x200, spi: 42 }, g.vm);
      assert.deepStrictEqual(
        v.others.map((d) => [d.node.name, d.kind]),
        [['virtio_blk@0150000', 'block']],
        g.vm,
      );
    }
    assert.deepStrictEqual(summary(lintSystemFile(c('virtio.system'), host)), [
      'info project-guest-files virtio.system:56 client_linux-2',
      'info sdf-legacy-form virtio.system:192',
      'info sdf-legacy-form virtio.system:31',
      'info sdf-legacy-form virtio.system:56',
      // Real findings: init.dts keeps stdout-path = "/pl011@9000000" while linux.dts disables that UART.
      'warning guest-dt-stdout init.dts:11 /chosen',
      'warning guest-dt-stdout init.dts:11 /chosen',
      // The corpus has no tree for the block driver's VM.
      'warning project-no-dts virtio.system:192 blk_driver_linux',
      'warning sddf-native-pd-not-emulated virtio.system:211 BLK_VIRT',
      'warning sddf-priority-order virtio.system:183',
    ]);
  });

  it("differential: the cross checks on our compiled tree and on dtc's DTB of the same sources agree", () => {
    const sys = corpusPath('sel4devkit-dual', 'program.system');
    const project = loadProject(sys, host);
    const ours = compileGuestTrees(project, host);
    const dir = mkdtempSync(path.join(tmpdir(), 'system-xcheck-'));
    const joined = path.join(dir, 'joined.dts');
    writeFileSync(joined, project.guests[0].dtFiles.map((f) => readFileSync(f, 'utf8')).join('\n'));
    const dtb = execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', joined]);
    const theirs = readFdt(new Uint8Array(dtb));
    assert.ok('tree' in theirs, 'dtc output reads back');
    const dtcTrees = new Map(project.guests.map((g) => [g.vm, { tree: theirs.tree, diagnostics: [] }]));
    const key = (d: Diagnostic) => `${d.code} ${d.message}`;
    assert.deepStrictEqual(crossCheck(project, ours, host).map(key).sort(), crossCheck(project, dtcTrees, host).map(key).sort());
  });
});
