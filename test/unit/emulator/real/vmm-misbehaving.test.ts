// A misbehaving guest driver against the real libvmm (the example's vmm.c): malformed virtqueues
// are handled as libvmm handles them (its own messages, the vCPU's fate as libvmm decides it), and
// the other guest's output goes on through the serial subsystem.
import { strict as assert } from 'assert';
import { createEmulator, type Emulator } from '../../../../src/emulator/emulator';
import { exampleDualGuestConfig } from '../../../../src/emulator/example-system';
import { buildRealComponents } from '../../../../src/emulator/real/components';
import type { GuestMachine } from '../../../../src/emulator/guest/interface';
import type { ConsoleTestGuest } from '../../../../src/emulator/guest/console-test-guest';
import { NodeFileHost } from '../../../../src/node/file-host';
import { loadProject } from '../../../../src/system/index';
import { IdleGuest, driverInit, LAYOUT, RamWriter, RAM, V, Collector, testGuest, fillPattern, expectedPattern } from '../helpers';
import { EXAMPLE, EXAMPLE_VMMS_REAL, describeReal, sddf, toolchain } from './harness';

function setup(others: ConsoleTestGuest[]) {
  const idle = new IdleGuest();
  const config = exampleDualGuestConfig({ ramSize: 0x800000, programs: [() => idle, testGuest({ txTotal: 100_000, fill: fillPattern(1) }, others)] });
  const pdSources = loadProject(EXAMPLE, new NodeFileHost()).components.pdSources;
  const built = buildRealComponents(config, { components: EXAMPLE_VMMS_REAL, sddf: sddf!, pdSources }, toolchain);
  if (!built.real) throw new Error(built.diagnostics.map((d) => d.message).join('; '));
  const { emulator } = createEmulator({ ...config, real: built.real });
  const emu = emulator!;
  const logs: string[] = [];
  emu.onLog((r) => logs.push(r.text));
  const out = new Collector();
  emu.onUartOutput(out.push);
  emu.runFor(100_000);
  const m: GuestMachine = idle.machine;
  return { emu, m, logs, out, ram: new RamWriter(m) };
}

/** Run `action` inside the next slice of guest 0 (an idle guest, woken by its virtual timer). */
function inSlice(emu: Emulator, m: GuestMachine, action: () => void): void {
  const guest = emu.vcpu(0).program as IdleGuest;
  const run = guest.run.bind(guest);
  guest.run = (ns) => {
    guest.run = run;
    action();
    return run(ns);
  };
  m.setTimer(m.now());
  emu.runFor(10_000);
}

describeReal('real VMM: a misbehaving guest driver against libvmm', function () {
  this.timeout(300_000);
  const cases: [string, (ram: RamWriter) => void, RegExp][] = [
    [
      'a descriptor loop',
      (ram) => {
        ram.desc(LAYOUT.tx.desc, 0, RAM + 0x30000, 4, 1, 1);
        ram.desc(LAYOUT.tx.desc, 1, RAM + 0x30000, 4, 1, 0);
        ram.avail(LAYOUT.tx, 4, [0]);
      },
      /bad descriptor chain starting at 0/,
    ],
    [
      'an over-long chain (a length over the serial queue)',
      (ram) => {
        ram.desc(LAYOUT.tx.desc, 0, RAM + 0x30000, 0x100000, 0, 0);
        ram.avail(LAYOUT.tx, 4, [0]);
      },
      /larger than serial TX queue capacity/,
    ],
  ];
  it('a buffer outside guest RAM: libvmm copies through the NULL its gpa_to_hva gives, and the VMM faults as on the board; the other guest runs on', () => {
    const others: ConsoleTestGuest[] = [];
    const { emu, m, ram, logs, out } = setup(others);
    driverInit(m, 4, LAYOUT);
    const outside = 0x10000000;
    ram.desc(LAYOUT.tx.desc, 0, outside, 4, 0, 0);
    ram.avail(LAYOUT.tx, 4, [0]);
    const guard = new Uint8Array(emu.real!.space.memory.buffer, 0, 0x10000).slice();
    // The kick from inside a slice of the guest, as its driver makes it (the checker looks at each slice's end).
    inSlice(emu, m, () => m.mmioWrite(V + 0x050, 4, 1));
    assert.ok(logs.includes('MON|ERROR: faulting PD: CLIENT_VMM-1'), logs.join('\n'));
    assert.ok(logs.includes('MON|ERROR: VMFault: ip=0x0000000000000000  fault_addr=0x0000000000000000  fsr=0x0000000092000004  (data fault)'), logs.join('\n'));
    assert.equal(emu.vcpu(0).haltReason, "its VMM 'CLIENT_VMM-1' has faulted");
    assert.equal(emu.snapshot().guests[0].faults.length, 0, 'libvmm printed no fault block of its own');
    const findings = emu.findings().filter((f) => f.rule === 'protocol-virtq-descriptor');
    assert.match(findings[0]?.message ?? '', /outside guest RAM/, 'the protocol checker reports the descriptor');
    emu.runUntilIdle(5e9);
    assert.equal(others[0].txCompleted, 100_000, "the other guest's output all went through");
    const all = out.bytes();
    assert.deepEqual(all.subarray(all.length - 100_000), expectedPattern(1, 100_000));
    assert.deepEqual(new Uint8Array(emu.real!.space.memory.buffer, 0, 0x10000), guard, 'nothing was written at the null page');
  });

  it('a receive buffer outside guest RAM: libvmm writes a typed byte through NULL, and the VMM faults (write not read)', () => {
    const others: ConsoleTestGuest[] = [];
    const { emu, m, ram, logs } = setup(others);
    driverInit(m, 4, LAYOUT);
    ram.desc(LAYOUT.rx.desc, 0, 0x10000000, 16, 2, 0);
    ram.avail(LAYOUT.rx, 4, [0]);
    const guard = new Uint8Array(emu.real!.space.memory.buffer, 0, 0x10000).slice();
    emu.typeInput('x');
    emu.runUntilIdle(5e9);
    assert.ok(logs.includes('MON|ERROR: faulting PD: CLIENT_VMM-1'), logs.join('\n'));
    assert.ok(logs.includes('MON|ERROR:   dfsc = translation fault, level 0 (0x00000004) -- write not read'), logs.join('\n'));
    assert.deepEqual(new Uint8Array(emu.real!.space.memory.buffer, 0, 0x10000), guard, 'nothing was written at the null page');
    assert.equal(emu.vcpu(1).halted(), false, 'the other guest runs on');
  });

  for (const [name, mess, says] of cases) {
    it(`${name}: libvmm's own handling; the other guest runs on`, () => {
      const others: ConsoleTestGuest[] = [];
      const { emu, m, ram, logs, out } = setup(others);
      driverInit(m, 4, LAYOUT);
      mess(ram);
      m.mmioWrite(V + 0x050, 4, 1);
      assert.ok(
        logs.some((l) => says.test(l)),
        logs.join('\n'),
      );
      emu.runUntilIdle(5e9);
      assert.equal(others[0].txCompleted, 100_000, "the other guest's output all went through");
      const all = out.bytes();
      assert.deepEqual(all.subarray(all.length - 100_000), expectedPattern(1, 100_000));
    });
  }
});
