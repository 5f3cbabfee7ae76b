// The QEMU virt board end to end on the project's own fixture (test/fixtures/qemu-virt): a guest
// that owns the passed-through PL011 boots to a shell on ttyAMA0 and answers what is typed on the
// line, paced or not; its GIC driver programs libvmm's emulated GICv2 distributor through faults
// and the CPU interface through the gic_vcpu map; the board comes from the project file, the tree
// or the UART's address.
import { strict as assert } from 'assert';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { MemoryFileHost } from '../../../src/common/host';
import { compileFiles } from '../../../src/devicetree/compile';
import { boardByName, chooseBoard, type UartModel } from '../../../src/emulator/boards';
import { createEmulator, type Emulator } from '../../../src/emulator/emulator';
import { emulatorConfigFromProject } from '../../../src/emulator/from-project';
import { loadProject } from '../../../src/system';

const DIR = path.resolve(__dirname, '..', '..', 'fixtures', 'qemu-virt');

function host(edit: (files: Record<string, string>) => void = () => undefined): MemoryFileHost {
  const files: Record<string, string> = {};
  for (const f of readdirSync(DIR)) files[`/q/${f}`] = readFileSync(path.join(DIR, f), 'utf8');
  edit(files);
  return new MemoryFileHost(files);
}

function boot(h: MemoryFileHost, fast = true): { emu: Emulator; out: () => string } {
  const { config, diagnostics } = emulatorConfigFromProject(loadProject('/q/dual-guest.json', h), { host: h, fast });
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  const emu = createEmulator(config).emulator!;
  let text = '';
  const latin1 = new TextDecoder('latin1');
  emu.onClientOutput((client, b) => {
    if (client === 0) text += latin1.decode(b);
  });
  return { emu, out: () => text };
}

function runUntil(emu: Emulator, done: () => boolean, maxNs = 2e9): boolean {
  while (!done() && emu.now() < maxNs) emu.runFor(5_000_000);
  return done();
}

describe('emulator: QEMU virt (PL011 passed through, GICv2)', function () {
  this.timeout(60_000);

  it('the guest that owns the UART boots to a shell on ttyAMA0; typed bytes reach it with no switch sequence', () => {
    const { emu, out } = boot(host());
    assert.equal(emu.uartOwner, 'linux');
    assert.ok(
      runUntil(emu, () => out().includes('linux login: ')),
      out().slice(-400),
    );
    assert.match(out(), /ttyAMA0 at MMIO 0x9000000 \(irq = 13, base_baud = 0\) is a PL011 rev1/);
    emu.typeInput('root\n');
    assert.ok(runUntil(emu, () => out().includes('# '), emu.now() + 1e9));
    emu.typeInput('uname -n\n');
    assert.ok(
      runUntil(emu, () => out().endsWith('uname -n\r\nlinux\r\n# '), emu.now() + 1e9),
      out().slice(-200),
    );
    // The guest enabled INTID 33 at the emulated distributor (a trapped GICD_ISENABLER write).
    const vgic = emu.vcpu(0).vgic;
    assert.ok(vgic.isEnabled(33));
    assert.ok(emu.vcpu(0).mmioExits > 0);
  });

  it('paced at 115200 baud the same shell answers, through the FIFOs and the TX interrupt', () => {
    const { emu, out } = boot(host(), false);
    assert.ok(
      runUntil(emu, () => out().includes('linux login: '), 20e9),
      out().slice(-300),
    );
    // The boot console's bytes all leave the UART before the tty port takes it over: none lost.
    assert.match(out(), /^\[ +0\.\d+\] Booting Linux[^\n]*\r\n(\[ +\d+\.\d{6}\] [^\n]*\r\n)+Starting syslogd/);
    assert.match(
      out(),
      /\] Memory: \d+K\/\d+K available \(\d+K reserved, 0K cma-reserved\)\r\n\[ +[\d.]+\] Kernel command line: earlycon=pl011,0x9000000 loglevel=8\r\n/,
    );
    emu.typeInput('root\n');
    assert.ok(runUntil(emu, () => out().endsWith('# '), emu.now() + 2e9));
    emu.typeInput('uname -m\n');
    assert.ok(
      runUntil(emu, () => out().endsWith('aarch64\r\n# '), emu.now() + 2e9),
      out().slice(-200),
    );
    assert.equal(emu.uart.overruns, 0);
  });

  it('without the gic_vcpu map the GIC driver faults at the CPU interface, naming the intc node', () => {
    const { emu } = boot(
      host((f) => {
        f['/q/simple.system'] = f['/q/simple.system'].replace(/<map mr="gic_vcpu"[^>]*>/, '');
      }),
    );
    runUntil(emu, () => emu.snapshot().guests[0].haltReason !== undefined);
    const fault = emu.lastFault(0);
    assert.equal(fault?.gpa, 0x8010004);
    assert.equal(fault?.owner?.path, '/intc@8000000');
    assert.equal(fault?.owner?.driver, 'GIC');
  });

  it("the board: the project file names it; else the guest tree's root compatible; else the UART's address; else the MaaXBoard", () => {
    const tree = compileFiles(['/q/qemu-virt.dts'], { host: host() }).tree;
    assert.equal(chooseBoard(undefined, [tree], []).board.name, 'qemu_virt_aarch64');
    assert.equal(chooseBoard(undefined, [tree], []).origin, 'tree');
    assert.equal(chooseBoard(boardByName('odroidc4'), [tree], []).board.name, 'odroidc4');
    assert.deepEqual(chooseBoard(undefined, [undefined], [0x9000000]), { board: boardByName('qemu_virt_aarch64'), origin: 'uart-address' });
    assert.equal(chooseBoard(undefined, [], [0x1234000]).origin, 'default');
  });

  it('a Microkit board the emulator does not model lints as that board and is refused at boot, naming the boards it models', () => {
    const h = host((f) => {
      f['/q/dual-guest.json'] = f['/q/dual-guest.json'].replace('"qemu_virt_aarch64"', '"rpi4b_4gb"');
    });
    const project = loadProject('/q/dual-guest.json', h);
    assert.deepEqual(
      project.diagnostics.filter((x) => x.severity === 'error'),
      [],
    );
    const { config, diagnostics } = emulatorConfigFromProject(project, { host: h });
    assert.equal(config, undefined);
    assert.match(
      diagnostics.map((d) => d.message).join('\n'),
      /^cannot boot: the emulator has no model of board 'rpi4b_4gb' \(it models maaxboard, qemu_virt_aarch64, odroidc4\)$/m,
    );
  });

  it('a board whose UART has no model is refused at boot by validation with a message, not a crash', () => {
    const qemu = emulatorConfigFromProject(loadProject('/q/dual-guest.json', host()), { host: host() }).config!;
    const board = boardByName('qemu_virt_aarch64')!;
    const created = createEmulator({ ...qemu, board: { ...board, uart: { ...board.uart, model: 'ns16550a' as UartModel } } });
    assert.equal(created.emulator, undefined);
    assert.match(
      created.diagnostics.map((d) => d.message).join('\n'),
      /the QEMU virt \(AArch64\)'s UART \(ns16550a\) has no model in this emulator \(it models: imx, pl011, meson\)/,
    );
  });
});
