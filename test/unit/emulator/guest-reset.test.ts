// Resetting one guest (Emulator.resetGuest, the VMM's restart): that guest boots again from its
// images while the other guest and the serial PDs run on. The Linux model on the example's system.
import { strict as assert } from 'assert';
import type { EmulatorSnapshot } from '../../../src/emulator/emulator';
import { recordInputLog, replayInputLog } from '../../../src/emulator/record';
import { IdleGuest, build, driverInit, LAYOUT, RamWriter, RAM, V } from './helpers';
import { bootBoth, DTB_GPA, dualSystem, INITRD_END, INITRD_GPA, RAM_GPA, runUntil, type DualSystem } from './guest-harness';
import { cpuTimeBudget } from '../../cpu-time';

const MS = 1_000_000;

function command(sys: DualSystem, g: 0 | 1, input: string, expect: string, maxNs = 200 * MS): string {
  const start = sys.output[g].length;
  sys.emulator.typeInput(input);
  const ok = runUntil(sys, () => sys.output[g].slice(start).includes(expect), maxNs, MS / 4);
  const got = sys.output[g].slice(start);
  assert.ok(ok, `guest ${g + 1} did not print ${JSON.stringify(expect)} after ${JSON.stringify(input)}; got ${JSON.stringify(got.slice(-400))}`);
  return got;
}

const count = (text: string, what: string): number => text.split(what).length - 1;

/** Whole-buffer comparison at memcmp speed (guest RAM is 240 MiB). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

function allZero(a: Uint8Array): boolean {
  return sameBytes(a, new Uint8Array(a.length));
}

function queues(s: EmulatorSnapshot): { name: string; head: number; tail: number; bytes: number[] }[] {
  return s.queues.map((q) => ({ name: q.name, head: q.head, tail: q.tail, bytes: Array.from(q.bytes) }));
}

/** Both guests logged in, guest 2 selected for input, then a long line typed to guest 1 is in flight. */
function loggedInBoth(): DualSystem {
  const sys = dualSystem();
  assert.ok(bootBoth(sys), 'no login prompts');
  command(sys, 0, 'root\r', '# ');
  command(sys, 0, '@1\r', '', MS);
  command(sys, 1, 'root\r', '# ');
  return sys;
}

describe('emulator: resetting one guest', function () {
  cpuTimeBudget(this, 30_000);

  it('boots the reset guest to its login prompt again while the other guest keeps answering', () => {
    const sys = loggedInBoth();
    const kernels = count(sys.output[0], 'Run /init as init process');
    const otherBefore = sys.output[1].length;
    sys.emulator.resetGuest(0);
    assert.match(sys.logs().join('\n'), /CLIENT_VMM-1: CLIENT_VMM-1\|INFO: Attempting to restart guest$/m);
    // During guest 1's boot: guest 2 (input still routed to it) answers.
    const atReset = sys.output[0].length;
    assert.match(command(sys, 1, 'echo during\r', '# ', 50 * MS), /\r\nduring\r\n# $/);
    assert.ok(!sys.output[0].slice(atReset).includes('login: '), 'the command should have run while guest 1 was still booting');
    assert.ok(
      runUntil(sys, () => sys.output[0].slice(atReset).includes('login: '), 2_000 * MS, MS),
      'guest 1 did not reach login again',
    );
    assert.equal(count(sys.output[0], 'Run /init as init process'), kernels + 1);
    assert.match(sys.output[0].slice(atReset), /^\[ +0\.0\d+\] Booting Linux/, 'a fresh kernel, its clock from zero');
    // After: guest 2 still answers, never rebooted; guest 1 takes a login.
    assert.match(command(sys, 1, 'echo after\r', '# '), /\r\nafter\r\n# $/);
    assert.ok(!sys.output[1].slice(otherBefore).includes('Booting Linux'));
    command(sys, 1, '@0\r', '', MS);
    assert.match(command(sys, 0, 'root\r', '# '), /# $/);
    assert.match(command(sys, 0, 'echo back\r', '# '), /\r\nback\r\n# $/);
    assert.equal(sys.emulator.vcpu(0).halted(), false);
    assert.equal(sys.emulator.vcpu(1).halted(), false);
  });

  it('leaves the sDDF queues and the other guest alone, and puts the device and vGIC back to power-on', () => {
    const sys = loggedInBoth();
    // Bytes in flight: guest 2 prints a long line; stop when some sDDF queue holds bytes.
    sys.emulator.typeInput(`echo ${'y'.repeat(3000)}\r`);
    assert.ok(
      runUntil(sys, () => sys.emulator.snapshot().queues.some((q) => q.tail !== q.head), 100 * MS, 1000),
      'no bytes in flight',
    );
    const before = sys.emulator.snapshot();
    const otherRam = sys.emulator.vcpu(1).ram.slice();
    const time = sys.emulator.now();
    assert.ok(before.guests[0].virtio.status !== 0 && before.guests[0].irq.delivered > 0);

    sys.emulator.resetGuest(0);

    const after = sys.emulator.snapshot();
    assert.equal(after.timeNs, time, 'a reset takes no virtual time here');
    assert.deepEqual(queues(after), queues(before));
    assert.ok(queues(before).some((q) => q.bytes.length > 0));
    assert.ok(sameBytes(sys.emulator.vcpu(1).ram, otherRam), "the other guest's RAM changed");
    assert.deepEqual(after.guests[1], before.guests[1]);
    assert.deepEqual(after.serial, before.serial);
    const g = after.guests[0];
    assert.equal(g.vcpu, 'running');
    assert.equal(g.haltReason, undefined);
    assert.equal(g.virtio.status, 0);
    assert.equal(g.virtio.interruptStatus, 0);
    assert.deepEqual(
      g.virtio.queues.map((q) => [q.ready, q.num, q.descGpa, q.availGpa, q.usedGpa]),
      [
        [false, 0, 0, 0, 0],
        [false, 0, 0, 0, 0],
      ],
    );
    assert.equal(g.virtio.stats.resets, before.guests[0].virtio.stats.resets + 1);
    assert.equal(g.virtio.stats.txBytes, before.guests[0].virtio.stats.txBytes, 'the device stats go on');
    assert.deepEqual(g.irq, { intid: before.guests[0].irq.intid, injected: 0, alreadyPending: 0, notEnabled: 0, delivered: 0, acked: 0, pending: [] });
    assert.deepEqual(
      sys.emulator
        .vcpu(0)
        .vgic.listRegisters()
        .map((l) => l.state),
      ['empty', 'empty', 'empty', 'empty'],
    );
    assert.equal(sys.emulator.vcpu(0).timer.getState().fired, false);

    // RAM: the images again, everything else zero.
    const ram = sys.emulator.vcpu(0).ram;
    const dtb = sys.emulator.vcpu(0).ram.subarray(DTB_GPA - RAM_GPA, DTB_GPA - RAM_GPA + 8);
    assert.deepEqual(Array.from(dtb.subarray(0, 4)), [0xd0, 0x0d, 0xfe, 0xed]);
    const dtbSize = new DataView(dtb.buffer, dtb.byteOffset).getUint32(4);
    assert.ok(allZero(ram.subarray(0, DTB_GPA - RAM_GPA)));
    assert.ok(allZero(ram.subarray(DTB_GPA - RAM_GPA + dtbSize, INITRD_GPA - RAM_GPA)));
    assert.ok(allZero(ram.subarray(INITRD_END - RAM_GPA)));

    // The in-flight bytes of guest 2 still come out whole, and guest 1's counts match its new kernel.
    assert.ok(runUntil(sys, () => sys.output[1].includes(`\r\n${'y'.repeat(3000)}\r\n# `) && sys.output[0].endsWith('login: '), 2_000 * MS, MS));
    assert.equal(sys.guests[0].consoleInterrupts, sys.emulator.snapshot().guests[0].irq.delivered);
  });

  it('is deterministic: the same reset at the same moment gives the same bytes', () => {
    const run = (): { out: [string, string]; uart: string; timeNs: number; logs: string[] } => {
      const sys = loggedInBoth();
      sys.emulator.typeInput('echo before reset\r');
      sys.emulator.runFor(3 * MS);
      sys.emulator.resetGuest(0);
      runUntil(sys, () => count(sys.output[0], 'Booting Linux') === 2, 500 * MS, MS / 4);
      sys.emulator.resetGuest(0); // again, mid-boot
      runUntil(sys, () => sys.output[0].endsWith('login: '), 2_000 * MS, MS);
      command(sys, 1, 'echo done\r', '# ');
      return { out: [...sys.output], uart: sys.uart(), timeNs: sys.emulator.now(), logs: sys.logs() };
    };
    const a = run(),
      b = run();
    assert.equal(count(a.out[0], 'Booting Linux'), 3);
    assert.deepEqual(b, a);
  });

  it('is recorded in the input log, and a replay resets at the same moment', () => {
    const sys = loggedInBoth();
    sys.emulator.typeInput('echo one\r');
    sys.emulator.runFor(2 * MS);
    sys.emulator.resetGuest(1);
    runUntil(sys, () => sys.output[1].endsWith('login: '), 2_000 * MS, MS);
    command(sys, 1, 'root\r', '# ');
    const log = recordInputLog(sys.emulator, 1);
    assert.deepEqual(
      log.records.filter((r) => r.resetGuest !== undefined).map((r) => [r.resetGuest, r.bytes.length]),
      [[1, 0]],
    );
    const replayed = dualSystem();
    replayInputLog(replayed.emulator, JSON.parse(JSON.stringify(log)), sys.emulator.now());
    // printk stamps may differ by microseconds: how a run is cut into runFor calls moves vCPU slice
    // boundaries (so does a replay without resets). The text, and where the reset falls, must match.
    const unstamped = (t: string): string => t.replace(/\[ *\d+\.\d{6}\] /g, '');
    assert.deepEqual(replayed.output.map(unstamped), sys.output.map(unstamped));
    assert.equal(count(replayed.output[1], 'Booting Linux'), 2);
    assert.match(unstamped(replayed.output[1]), /# echo one\r\none\r\n# Booting Linux/);
  });

  it('withdraws a blocked TX chain: the new device sees no stale kick when virt_tx catches up', () => {
    const idles: IdleGuest[] = [];
    const emu = build({
      programs: [
        () => {
          const g = new IdleGuest();
          idles.push(g);
          return g;
        },
        () => new IdleGuest(),
      ],
    });
    emu.runFor(100_000);
    const m = idles[0].machine,
      ram = new RamWriter(m);
    driverInit(m, 4, LAYOUT);
    // Two chains of 3/4 of the 8 KiB sDDF TX queue: the second waits for virt_tx's signal.
    ram.desc(LAYOUT.tx.desc, 0, RAM + 0x30000, 0x1800, 0, 0);
    ram.desc(LAYOUT.tx.desc, 1, RAM + 0x40000, 0x1800, 0, 0);
    ram.avail(LAYOUT.tx, 4, [0, 1]);
    assert.ok(m.mmioWrite(V + 0x050, 4, 1));
    const blocked = emu.snapshot().guests[0].virtio.stats;
    assert.equal(blocked.txBlocked, 1);
    emu.resetGuest(0);
    emu.runFor(50_000_000);
    const g = emu.snapshot().guests[0];
    assert.equal(idles.length, 2, 'a fresh program was started');
    assert.equal(g.virtio.stats.errors, 0, g.virtio.lastError);
    assert.equal(g.virtio.status, 0);
    assert.equal(g.virtio.stats.txBytes, 0x1800, 'only the chain that was in the queue went out');
    // The new driver brings the device up as at boot.
    driverInit(idles[1].machine, 4, LAYOUT);
    assert.equal(emu.snapshot().guests[0].virtio.status, 0xf);
  });

  it('ignores an index that names no guest', () => {
    const sys = dualSystem();
    assert.ok(bootBoth(sys));
    const before = sys.emulator.snapshot();
    for (const i of [-1, 2, 0.5, NaN, Infinity]) sys.emulator.resetGuest(i);
    assert.deepEqual(sys.emulator.snapshot(), before);
    assert.equal(sys.emulator.inputLog.length, 0);
  });
});
