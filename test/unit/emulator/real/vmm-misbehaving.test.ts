// A misbehaving guest driver against the real libvmm (the example's vmm.c): malformed virtqueues
// are handled as libvmm handles them (its own messages, the vCPU's fate as libvmm decides it), and
// the other guest's output goes on through the serial subsystem.
import { strict as assert } from 'assert';
import { createEmulator } from '../../../../src/emulator/emulator';
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
