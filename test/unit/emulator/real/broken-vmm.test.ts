// A broken PD in real C code: the default example's vmm.c (libvmm as WebAssembly) changed to put
// bytes in its serial TX queue at init and return without notifying virt_tx. The protocol checker
// names the lost wake-up at that VMM; and time travel over that session (machines rebuilt from the
// same configuration, wasm PDs and all) shows at its end exactly what the live machine shows.
import { strict as assert } from 'assert';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { KernelObserver } from '../../../../src/emulator/kernel';
import { TimeMachine } from '../../../../src/emulator/time-travel';
import { recordInputLog } from '../../../../src/emulator/record';
import { picture } from '../time-travel-session';
import { describeReal, EXAMPLE, EXAMPLE_VMMS_REAL, runSession } from './harness';

function brokenExample(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'broken-vmm-'));
  cpSync(path.dirname(EXAMPLE), dir, { recursive: true });
  const file = path.join(dir, 'vmm.c');
  const start = '    guest_start(kernel_pc, GUEST_DTB_GPA, GUEST_INIT_RAM_DISK_GPA);';
  const src = readFileSync(file, 'utf8');
  assert.ok(src.includes(start));
  writeFileSync(file, src.replace(start, `    serial_enqueue_batch(&serial_tx_queue, 6, "early\\n");\n${start}`));
  return path.join(dir, 'dual-guest.json');
}

describeReal('emulator: a broken VMM in C, found by the protocol checker and replayed by time travel', function () {
  this.timeout(900_000);

  it('flags the lost wake-up at each VMM, and a replay to the end equals the live machine', () => {
    const { emulator: emu } = runSession('real', [{ type: 'root\r' }, { runNs: 200_000_000 }], {
      project: brokenExample(),
      request: { components: EXAMPLE_VMMS_REAL },
    });
    const lost = emu.findings().filter((f) => f.rule === 'protocol-lost-wakeup');
    assert.deepEqual(
      lost.map((f) => [f.pd, f.subject]),
      [
        ['CLIENT_VMM-1', 'CLIENT_VMM-1 -> serial_virt_tx'],
        ['CLIENT_VMM-2', 'CLIENT_VMM-2 -> serial_virt_tx'],
      ],
    );
    assert.match(lost[0].message, /produced 6 bytes .* without notifying serial_virt_tx/);
    const build = (onUartOutput: (b: Uint8Array) => void, observer: KernelObserver) => emu.powerOnCopy({ onUartOutput, observers: [observer] })!;
    const machine = new TimeMachine(build, recordInputLog(emu, 1), emu.now(), { checkpoints: 2 });
    const end = machine.jumpTo({ timeNs: emu.now() });
    assert.equal(end.moment.timeNs, emu.now());
    assert.deepEqual(picture(end.emulator), picture(emu));
  });
});
