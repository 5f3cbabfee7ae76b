// From a project (in-memory files) to a booted emulator; errors in the files stop the boot with
// positioned diagnostics.
import { describePlace, PhysicalLinesHost } from '../../../src/devicetree/physical-lines';
import { strict as assert } from 'assert';
import { MemoryFileHost } from '../../../src/common/host';
import { loadProject } from '../../../src/system/index';
import { emulatorConfigFromProject } from '../../../src/emulator/from-project';
import { createEmulator } from '../../../src/emulator/emulator';
import { ConsoleTestGuest } from '../../../src/emulator/guest/console-test-guest';
import { IdleGuest } from './helpers';

const mr = (name: string, size: string, extra = ''): string => `<memory_region name="${name}" size="${size}" ${extra}/>`;
function system(extraChannel = ''): string {
  const vmm = (i: number): string => `
  <protection_domain name="VMM-${i}" priority="50">
    <program_image path="vmm_${i}.elf" />
    <map mr="ram_${i}" vaddr="0x40000000" perms="rw" />
    <map mr="tx_queue_vmm_${i}" vaddr="0x6000000" perms="rw" />
    <map mr="rx_queue_vmm_${i}" vaddr="0x6001000" perms="rw" />
    <map mr="tx_data_vmm_${i}" vaddr="0x6002000" perms="rw" />
    <map mr="rx_data_vmm_${i}" vaddr="0x6004000" perms="rw" />
    <virtual_machine name="linux-${i}" priority="50">
      <vcpu id="0"/>
      <map mr="ram_${i}" vaddr="0x40000000" perms="rwx" />
    </virtual_machine>
  </protection_domain>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<system>
  ${mr('ram_1', '0x8000000', 'page_size="0x200000"')}
  ${mr('ram_2', '0x8000000', 'page_size="0x200000"')}
  ${mr('uart', '0x1000', 'phys_addr="0x30860000"')}
  ${['tx_data_driver', 'rx_data_driver', 'tx_data_vmm_1', 'rx_data_vmm_1', 'tx_data_vmm_2', 'rx_data_vmm_2'].map((n) => mr(n, '0x2000')).join('\n  ')}
  ${['tx_queue_driver', 'rx_queue_driver', 'tx_queue_vmm_1', 'rx_queue_vmm_1', 'tx_queue_vmm_2', 'rx_queue_vmm_2'].map((n) => mr(n, '0x1000')).join('\n  ')}
  ${vmm(1)}
  ${vmm(2)}
  <protection_domain name="serial_virt_tx" priority="100">
    <program_image path="serial_virt_tx.elf" />
    <map mr="tx_queue_driver" vaddr="0x4000000" perms="rw" />
    <map mr="tx_queue_vmm_1" vaddr="0x4001000" perms="rw" />
    <map mr="tx_queue_vmm_2" vaddr="0x4002000" perms="rw" />
    <map mr="tx_data_driver" vaddr="0x4004000" perms="rw" />
    <map mr="tx_data_vmm_1" vaddr="0x4006000" perms="r" />
    <map mr="tx_data_vmm_2" vaddr="0x4008000" perms="r" />
  </protection_domain>
  <protection_domain name="serial_virt_rx" priority="100">
    <program_image path="serial_virt_rx.elf" />
    <map mr="rx_queue_driver" vaddr="0x4000000" perms="rw" />
    <map mr="rx_queue_vmm_1" vaddr="0x4001000" perms="rw" />
    <map mr="rx_queue_vmm_2" vaddr="0x4002000" perms="rw" />
    <map mr="rx_data_driver" vaddr="0x4004000" perms="r" />
    <map mr="rx_data_vmm_1" vaddr="0x4006000" perms="rw" />
    <map mr="rx_data_vmm_2" vaddr="0x4008000" perms="rw" />
  </protection_domain>
  <protection_domain name="uart_driver" priority="100">
    <program_image path="uart_driver.elf" />
    <map mr="uart" vaddr="0x5000000" perms="rw" cached="false" />
    <map mr="rx_queue_driver" vaddr="0x4000000" perms="rw" />
    <map mr="tx_queue_driver" vaddr="0x4001000" perms="rw" />
    <map mr="rx_data_driver" vaddr="0x4002000" perms="rw" />
    <map mr="tx_data_driver" vaddr="0x4004000" perms="rw" />
    <irq irq="58" id="0"/>
  </protection_domain>
  <channel><end pd="VMM-1" id="1"/><end pd="serial_virt_tx" id="1"/></channel>
  <channel><end pd="VMM-2" id="1"/><end pd="serial_virt_tx" id="2"/></channel>
  <channel><end pd="uart_driver" id="1"/><end pd="serial_virt_tx" id="0"/></channel>
  <channel><end pd="VMM-1" id="2"/><end pd="serial_virt_rx" id="1"/></channel>
  <channel><end pd="VMM-2" id="2"/><end pd="serial_virt_rx" id="2"/></channel>
  <channel><end pd="uart_driver" id="2"/><end pd="serial_virt_rx" id="0"/></channel>
  ${extraChannel}
</system>
`;
}
const BOARD = `/dts-v1/;
/ {
  #address-cells = <2>;
  #size-cells = <2>;
  memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x8000000>; };
  serial@30860000 { compatible = "fsl,imx8mq-uart"; reg = <0x0 0x30860000 0x0 0x10000>; status = "disabled"; };
};
`;
const GUEST = `/ {
  chosen { stdout-path = "/virtio-console@150000"; bootargs = "console=hvc0"; };
  virtio-console@150000 { compatible = "virtio,mmio"; reg = <0x0 0x150000 0x0 0x200>; interrupts = <0x0 42 0x4>; };
};
`;

function host(files: Record<string, string>): MemoryFileHost {
  return new MemoryFileHost({ '/p/program.system': system(), '/p/board.dts': BOARD, '/p/guest-1.dts': GUEST, '/p/guest-2.dts': GUEST, ...files });
}

describe('emulator: configuration from a project', () => {
  it('boots a project whose files are clean and carries a guest console to the UART', () => {
    const h = host({});
    const project = loadProject('/p/program.system', h);
    const { config, diagnostics } = emulatorConfigFromProject(project, {
      host: h,
      programFor: (g) => () =>
        g.vm === 'linux-1'
          ? new ConsoleTestGuest({ virtioBase: g.virtio.base, txTotal: 5, fill: (_o, d) => d.set([0x68, 0x65, 0x6c, 0x6c, 0x6f]) })
          : new IdleGuest(),
    });
    assert.ok(config?.roles, diagnostics.map((d) => d.message).join('\n'));
    assert.deepEqual(
      config.roles.clients.map((c) => c.pd),
      ['VMM-1', 'VMM-2'],
    );
    assert.equal(config.guests[0].dtbGpa, 0x44000000);
    const owner = config.describeAddress!('linux-1', 0x30860004);
    assert.equal(owner?.path, '/serial@30860000');
    assert.match(owner?.where ?? '', /^\/p\/board\.dts:6:\d+$/);
    const emu = createEmulator(config).emulator!;
    let out = '';
    emu.onUartOutput((b) => {
      out += String.fromCharCode(...b);
    });
    emu.runUntilIdle(1e9);
    assert.equal(out, 'Begin input\r\nhello');
  });

  it('names the owner of an address at the line of the cpp output the user has, and says which missing file the markers name', () => {
    // The board as the sel4devkit build leaves it: cpp output whose markers name the kernel tree's files.
    const board = BOARD.replace('/dts-v1/;\n', '# 1 "tmp/linux-imx/maaxboard.dts"\n/dts-v1/;\n# 960 "tmp/linux-imx/imx8mq.dtsi" 1\n').replace(
      '  serial@30860000 { compatible = "fsl,imx8mq-uart"; reg = <0x0 0x30860000 0x0 0x10000>; status = "disabled"; };',
      '  serial@30860000 { compatible = "fsl,imx8mq-uart"; reg = <0x0 0x30860000 0x0 0x10000>;\n# 12 "tmp/linux-imx/maaxboard.dts" 2\n  status = "okay"; };',
    );
    const h = new PhysicalLinesHost(host({ '/p/board.dts': board }));
    const project = loadProject('/p/program.system', h);
    const { config } = emulatorConfigFromProject(project, { host: h, origins: h, programFor: () => () => new IdleGuest() });
    const owner = config!.describeAddress!('linux-1', 0x30860004)!;
    const lines = board.split('\n');
    const nodeLine = lines.findIndex((l) => l.includes('serial@30860000'));
    const statusLine = lines.findIndex((l) => l.includes('status = "okay"'));
    assert.deepEqual([owner.defined.file, owner.defined.start.line, owner.enabledAt?.start.line], ['/p/board.dts', nodeLine, statusLine]);
    assert.equal(owner.driver, 'imx-uart');
    // The node is the 5th line after `# 960 "...imx8mq.dtsi"`: line 964 there.
    assert.equal(owner.where, `/p/board.dts:${nodeLine + 1}:3 (cpp output of tmp/linux-imx/imx8mq.dtsi:964, which is not in this workspace)`);
    assert.equal(owner.enabledWhere, `/p/board.dts:${statusLine + 1}:3 (cpp output of tmp/linux-imx/maaxboard.dts:12, which is not in this workspace)`);
    // Without the markers' files missing, nothing is said of them.
    assert.equal(describePlace(owner.defined), `/p/board.dts:${nodeLine + 1}:3`);
  });

  it('stops at a device-tree syntax error with its position', () => {
    const h = host({ '/p/guest-2.dts': '/ { virtio-console@150000 { reg = <0x0 0x150000 0x0 0x200> } };\n' });
    const { config, diagnostics } = emulatorConfigFromProject(loadProject('/p/program.system', h), { host: h, programFor: () => () => new IdleGuest() });
    assert.equal(config, undefined);
    const e = diagnostics.find((d) => d.severity === 'error' && d.range?.file === '/p/guest-2.dts');
    assert.ok(e, JSON.stringify(diagnostics));
    assert.equal(e.range!.start.line, 0);
  });

  it('stops at an error in the .system with its position', () => {
    const h = host({ '/p/program.system': system('<channel><end pd="VMM-1" id="1"/><end pd="nobody" id="3"/></channel>') });
    const { config, diagnostics } = emulatorConfigFromProject(loadProject('/p/program.system', h), { host: h, programFor: () => () => new IdleGuest() });
    assert.equal(config, undefined);
    assert.ok(
      diagnostics.some((d) => d.severity === 'error' && d.range?.file === '/p/program.system'),
      JSON.stringify(diagnostics.map((d) => d.message)),
    );
  });

  describe("libvmm's virtio layout: a console and a block device, no project file", () => {
    // A QEMU-virt-like guest: GICv3 at the root, the console at 0x130000 (SPI 42) and a block device
    // at 0x150000 (SPI 43), as libvmm's virtio example has them.
    const board = `/dts-v1/;
/ {
  #address-cells = <2>;
  #size-cells = <2>;
  interrupt-parent = <&gic>;
  memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x8000000>; };
  gic: intc@8000000 { compatible = "arm,gic-v3"; interrupt-controller; #interrupt-cells = <3>; reg = <0x0 0x8000000 0x0 0x10000 0x0 0x80a0000 0x0 0xf60000>; };
  timer { compatible = "arm,armv8-timer"; interrupts = <1 13 0xf08>, <1 14 0xf08>, <1 11 0xf08>, <1 10 0xf08>; };
  chosen { stdout-path = "/virtio-console@130000"; bootargs = "console=hvc0"; linux,initrd-start = <0x0 0x44500000>; linux,initrd-end = <0x0 0x44600000>; };
  virtio-console@130000 { compatible = "virtio,mmio"; reg = <0x0 0x130000 0x0 0x200>; interrupts = <0x0 42 0x4>; };
  virtio_blk@150000 { compatible = "virtio,mmio"; reg = <0x0 0x150000 0x0 0x10000>; interrupts = <0x0 43 0x4>; };
};
`;
    const files = {
      '/p/board.dts': undefined,
      '/p/guest-1.dts': undefined,
      '/p/guest-2.dts': undefined,
      '/p/vm_1/dts/linux.dts': board,
      '/p/vm_2/dts/linux.dts': board,
    };
    const h = (): MemoryFileHost =>
      new MemoryFileHost(
        Object.fromEntries(Object.entries({ '/p/program.system': system(), ...files }).filter(([, v]) => v !== undefined)) as Record<string, string>,
      );

    it('the VMM serves the console where the tree has it; the block device answers as an empty transport, which Linux skips', () => {
      const fh = h();
      const project = loadProject('/p/program.system', fh);
      assert.deepEqual(
        project.guests.map((g) => g.dtFiles),
        [['/p/vm_1/dts/linux.dts'], ['/p/vm_2/dts/linux.dts']],
      );
      const { config, diagnostics } = emulatorConfigFromProject(project, { host: fh });
      assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
      assert.deepEqual(config.guests[0].virtio, { base: 0x130000, size: 0x200, spi: 42 });
      assert.deepEqual(config.guests[0].virtioPlaceholders, [{ base: 0x150000, size: 0x10000, kind: 'block' }]);
      const emu = createEmulator(config).emulator!;
      let out = '';
      emu.onClientOutput((client, b) => {
        if (client === 0) out += String.fromCharCode(...b);
      });
      emu.runFor(500_000_000);
      assert.match(out, /ttyHVC0 at MMIO 0x130000 \(irq = 74\) is a virtio console/);
      assert.match(out, /login: $/);
      assert.doesNotMatch(out, /150000/, 'the empty slot is skipped without a word');
      assert.deepEqual(
        emu.snapshot().guests.map((g) => g.faults),
        [[], []],
      );
    });

    it('a VM left out ("boot": false) is not booted; a VM no file names trees for and none were found is left out with a warning while another boots', () => {
      const fh = h();
      fh.set('/p/program.json', JSON.stringify({ guests: { 'linux-2': { boot: false } } }));
      const { config } = emulatorConfigFromProject(loadProject('/p/program.system', fh), { host: fh, programFor: () => () => new IdleGuest() });
      assert.deepEqual(
        config?.guests.map((g) => g.name),
        ['linux-1'],
      );

      const missing = new MemoryFileHost({ '/p/program.system': system(), '/p/vm_1/dts/linux.dts': board });
      const { config: one, diagnostics } = emulatorConfigFromProject(loadProject('/p/program.system', missing), { host: missing });
      assert.deepEqual(
        one?.guests.map((g) => g.name),
        ['linux-1'],
      );
      const e = diagnostics.find((d) => d.code === 'emulator-boot')!;
      assert.equal(e.severity, 'warning');
      assert.equal(
        e.message,
        `'linux-2' is not booted: no device tree is named or found for it, so its VMM 'VMM-2' stays idle while the other VMs boot; to boot it, name its files in a dual-guest.json beside the .system ("guests": {"linux-2": {"dts": [...]}})`,
      );
      assert.equal(system().split('\n')[e.range!.start.line].trim(), '<virtual_machine name="linux-2" priority="50">');

      // With no VM to boot, the boot stops at them; a tree a project file names and that is not there is an error.
      const none = new MemoryFileHost({ '/p/program.system': system() });
      const nothing = emulatorConfigFromProject(loadProject('/p/program.system', none), { host: none });
      assert.equal(nothing.config, undefined);
      assert.match(
        nothing.diagnostics.find((d) => d.severity === 'error')!.message,
        /^cannot boot 'linux-1': its device tree files are missing or not named \(none found\)/,
      );
      missing.set('/p/program.json', JSON.stringify({ guests: { 'linux-2': { dts: ['gone.dts'] } } }));
      const named = emulatorConfigFromProject(loadProject('/p/program.system', missing), { host: missing });
      assert.equal(named.config, undefined);
      assert.ok(
        named.diagnostics.some((d) => d.severity === 'error' && d.message === "device-tree file 'gone.dts' not found"),
        JSON.stringify(named.diagnostics),
      );
    });
  });
});
