// The Microkit kernel model on its own: notifications and immediate preemption, protected
// procedure calls, passive PDs, PD faults (MON|ERROR), and the vGIC.
import { strict as assert } from 'assert';
import { Kernel, MAX_VCPU_SLICE_NS, type PdContext, type PdProgram } from '../../../src/emulator/kernel';
import { Vgic } from '../../../src/emulator/devices/gic';
import { build, driverInit, IdleGuest, LAYOUT, RAM, RamWriter, testGuest, fillPattern, V } from './helpers';
import type { GuestMachine, GuestProgram, GuestRunResult } from '../../../src/emulator/guest/interface';

const sched = (priority: number, passive = false) => ({ priority, budgetNs: 1_000_000, periodNs: 1_000_000, passive });

function kernelWith(pds: [string, number, boolean?][], channels: [string, number, string, number, boolean?][]) {
  const k = new Kernel();
  const trace: string[] = [];
  const ctx: Record<string, PdContext> = {};
  for (const [name, prio, passive] of pds) ctx[name] = k.contextFor(k.addPd(name, sched(prio, passive)));
  for (const [a, ia, b, ib, pp] of channels) k.connect({ pd: a, id: ia, pp }, { pd: b, id: ib });
  const program = (name: string, p: Partial<PdProgram>): void => {
    k.pds.get(name)!.program = { notified: (ch) => trace.push(`${name}:${ch}`), ...p };
  };
  return { k, trace, ctx, program };
}

describe('emulator: Microkit kernel model', () => {
  it('runs a higher-priority PD at once when notified, an equal one after the notifier', () => {
    const { k, trace, ctx, program } = kernelWith(
      [
        ['low', 10],
        ['high', 100],
        ['peer', 10],
      ],
      [
        ['low', 1, 'high', 5],
        ['low', 2, 'peer', 6],
      ],
    );
    program('low', {
      notified: () => {
        ctx.low.notify(2);
        ctx.low.notify(1);
        trace.push('low done');
      },
    });
    program('high', {});
    program('peer', {});
    k.pds.get('low')!.setPending(0);
    k.runUntil(1_000_000);
    assert.deepEqual(trace, ['high:5', 'low done', 'peer:6']);
  });

  it('delivers all pending channels of one badge lowest first', () => {
    const { k, trace, program } = kernelWith([['a', 10]], []);
    program('a', {});
    for (const ch of [7, 3, 61]) k.pds.get('a')!.setPending(ch);
    k.runUntil(1_000_000);
    assert.deepEqual(trace, ['a:3', 'a:7', 'a:61']);
  });

  it('makes protected procedure calls only to a higher priority over a pp channel, on the caller budget', () => {
    const { k, ctx, program } = kernelWith(
      [
        ['client', 10],
        ['server', 100, true],
        ['lower', 5],
      ],
      [
        ['client', 1, 'server', 2, true],
        ['client', 3, 'lower', 4, true],
      ],
    );
    const logs: string[] = [];
    k.onLog((r) => logs.push(r.text));
    let reply: number[] | undefined;
    program('server', {
      protectedCall: (ch, msg) => {
        ctx.server.charge(3000);
        return [ch, msg[0] * 2];
      },
    });
    program('lower', { protectedCall: () => [0] });
    program('client', {
      notified: () => {
        reply = ctx.client.ppcall(1, [21]);
        ctx.client.ppcall(3, [1]);
      },
    });
    k.pds.get('client')!.setPending(0);
    k.runUntil(1_000_000);
    assert.deepEqual(reply, [2, 42]);
    assert.deepEqual(logs, ["protected procedure call to 'lower', which does not have a higher priority"]);
    assert.equal(k.pds.get('server')!.cpuNs, 0, 'the passive server spent the caller budget');
    assert.ok(k.pds.get('client')!.cpuNs >= 4000, 'the call and the work it charged are on the caller');
  });

  // seL4 MCS: a server with its own scheduling context runs on it; only a passive one borrows the
  // caller's (manual.md:189, "the passive PD will run on the scheduling context of the callee[r]").
  it("runs an active callee of a protected call on the callee's own context", () => {
    const { k, ctx, program } = kernelWith(
      [
        ['client', 10],
        ['server', 100],
      ],
      [['client', 1, 'server', 2, true]],
    );
    program('server', {
      protectedCall: () => {
        ctx.server.charge(3000);
        return [1];
      },
    });
    program('client', {
      notified: () => {
        ctx.client.ppcall(1, []);
      },
    });
    k.pds.get('client')!.setPending(0);
    k.runUntil(1_000_000);
    assert.ok(k.pds.get('server')!.cpuNs >= 4000, `server ${k.pds.get('server')!.cpuNs}`);
    assert.ok(k.pds.get('client')!.cpuNs < 2000, `client ${k.pds.get('client')!.cpuNs}`);
  });

  // Microkit binds a passive PD's scheduling context to its notification (manual.md:189; the monitor's
  // seL4_SchedContext_Bind in monitor/src/main.c:741 at cfd5216): a notification or IRQ runs it.
  it('runs a passive PD on a notification and on an IRQ, on its own context, after the monitor says so', () => {
    const { k, trace, ctx, program } = kernelWith(
      [
        ['a', 10],
        ['p', 100, true],
      ],
      [['a', 1, 'p', 2]],
    );
    const logs: string[] = [];
    k.onLog((r) => logs.push(`${r.level} ${r.text}`));
    k.bindIrq('p', 58, 7);
    program('a', { notified: () => ctx.a.notify(1) });
    program('p', {
      notified: (ch) => {
        trace.push(`p:${ch}`);
        ctx.p.charge(5000);
        if (ch === 7) ctx.p.irqAck(7);
      },
    });
    k.initPds([k.pds.get('p')!, k.pds.get('a')!]);
    assert.deepEqual(logs, ["info MON|INFO: PD 'p' is now passive!"]);
    k.pds.get('a')!.setPending(0);
    k.raiseIrq(58);
    k.runUntil(1_000_000);
    assert.deepEqual(trace, ['p:7', 'p:2']);
    assert.equal(k.pds.get('p')!.pendingCount, 0);
    assert.ok(k.pds.get('p')!.cpuNs >= 10_000, 'the passive PD ran on its own context');
  });

  it("stops a PD whose handler fails with the monitor's messages; the others run on", () => {
    const { k, trace, program } = kernelWith(
      [
        ['bad', 10],
        ['good', 10],
      ],
      [],
    );
    const logs: string[] = [];
    k.onLog((r) => logs.push(r.text));
    program('bad', {
      notified: () => {
        throw new Error('null pointer');
      },
    });
    program('good', {});
    k.pds.get('bad')!.setPending(0);
    k.pds.get('good')!.setPending(1);
    k.runUntil(1_000_000);
    assert.ok(logs.some((l) => l.startsWith('MON|ERROR: received message')));
    assert.ok(logs.includes('MON|ERROR: faulting PD: bad'));
    assert.deepEqual(trace, ['good:1']);
    k.pds.get('bad')!.setPending(0);
    k.runUntil(2_000_000);
    assert.equal(k.pds.get('bad')!.faulted, true);
  });

  it('delivers an IRQ once until it is acknowledged, and again while the line stays high', () => {
    const { k, ctx, program } = kernelWith([['drv', 100]], []);
    k.bindIrq('drv', 58, 0);
    let high = true,
      seen = 0;
    k.irqLevel = () => high;
    program('drv', {
      notified: () => {
        seen++;
        if (seen === 2) high = false;
        ctx.drv.irqAck(0);
      },
    });
    k.raiseIrq(58);
    k.raiseIrq(58);
    k.runUntil(1_000_000);
    assert.equal(seen, 2);
  });
});

describe('emulator: progress guarantees', () => {
  it('lets time advance when a PD keeps signalling itself', () => {
    const { k, ctx, program } = kernelWith([['loop', 10]], [['loop', 1, 'loop', 2]]);
    let calls = 0;
    program('loop', {
      notified: () => {
        calls++;
        ctx.loop.notify(1);
      },
    });
    k.pds.get('loop')!.setPending(0);
    k.runUntil(1_000_000);
    assert.equal(k.now, 1_000_000);
    assert.ok(calls > 100 && calls <= 1001, `${calls}`);
  });

  it('lets time advance when a guest neither consumes time nor idles', () => {
    const lazy: GuestProgram = { start: () => undefined, run: () => 'preempted', onInterrupt: () => undefined, onTimer: () => undefined };
    const emu = build({ programs: [() => lazy, () => new IdleGuest()] });
    emu.runFor(1_000_000);
    // A vCPU slice may end past the requested time (slices do not depend on how the host cuts time).
    assert.ok(emu.now() >= 1_000_000 && emu.now() <= 1_000_000 + MAX_VCPU_SLICE_NS, `${emu.now()}`);
  });
});

// libvmm's vGIC (src/arch/aarch64/vgic/vdist.h:180-249 and vgic.c:30-70 at 7069ab9).
describe('emulator: vGIC', () => {
  const enabled = (...intids: number[]): Vgic => {
    const v = new Vgic();
    for (const i of intids) v.enable(i);
    return v;
  };

  it('has 4 list registers and queues the overflow; only a queued IRQ counts as already pending', () => {
    const v = enabled(33, 34, 35, 36, 37);
    for (const i of [33, 34, 35, 36, 37, 37]) assert.ok(v.inject(i));
    assert.deepEqual(v.pendingIrqs(), [37], 'pending: waiting in the overflow queue (vdist.h:206-209)');
    assert.equal(v.counts.alreadyPending, 1);
    assert.equal(v.take(), 33);
    assert.ok(v.eoi(33) >= 0);
    assert.deepEqual(
      v.listRegisters().map((l) => `${l.intid}:${l.state}`),
      ['37:pending', '34:pending', '35:pending', '36:pending'],
      'the queued IRQ moved into the freed register',
    );
    assert.equal(v.eoi(99), -1);
  });

  it('takes a second list register for an IRQ already in one (the pending bit is clear there, vdist.h:224-225)', () => {
    const v = enabled(40);
    assert.ok(v.inject(40));
    assert.ok(v.inject(40));
    assert.equal(v.counts.alreadyPending, 0);
    assert.equal(v.counts.injected, 2);
    assert.deepEqual(
      v.listRegisters().map((l) => `${l.intid}:${l.state}`),
      ['40:pending', '40:pending', '-1:empty', '-1:empty'],
    );
    assert.equal(v.take(), 40);
    assert.equal(v.take(), 40, 'the guest takes it twice');
  });

  it('refuses an IRQ the guest has not enabled, and counts it (vdist.h:193-203)', () => {
    const v = new Vgic();
    assert.equal(v.inject(74), false);
    assert.equal(v.counts.notEnabled, 1);
    assert.equal(v.counts.injected, 0);
    assert.equal(v.take(), -1);
    v.enable(74);
    assert.ok(v.inject(74));
    assert.equal(v.take(), 74);
  });

  it('saves and restores its list registers, queue and enables', () => {
    const v = enabled(40, 41, 42, 43, 44);
    for (const i of [40, 41, 42, 43, 44]) v.inject(i);
    v.take();
    const copy = new Vgic();
    copy.setState(JSON.parse(JSON.stringify(v.getState())));
    assert.deepEqual(copy.listRegisters(), v.listRegisters());
    assert.deepEqual(copy.pendingIrqs(), v.pendingIrqs());
    assert.ok(copy.isEnabled(44));
    copy.eoi(40);
    assert.deepEqual(copy.pendingIrqs(), [], 'the queued IRQ took the freed register');
    assert.deepEqual(
      copy.listRegisters().map((l) => l.intid),
      [44, 41, 42, 43],
    );
  });
});

describe('emulator: the VMM injecting into a guest that has not enabled the console IRQ', () => {
  it('logs libvmm\'s "vIRQ 0x4a is not enabled" and fails the kick\'s fault, as console.c:209-215 returns false', () => {
    let machine!: GuestMachine;
    const silent: GuestProgram = {
      start: (m) => {
        machine = m;
      },
      run: () => 'idle',
      onInterrupt: () => undefined,
      onTimer: () => undefined,
    };
    const emu = build({ programs: [() => silent, () => new IdleGuest()] });
    const logs: string[] = [];
    emu.onLog((r) => logs.push(r.text));
    emu.runFor(100_000);
    driverInit(machine, 4, LAYOUT);
    const ram = new RamWriter(machine);
    ram.bytes(RAM + 0x30000, 'x');
    ram.desc(LAYOUT.tx.desc, 0, RAM + 0x30000, 1, 0, 0);
    ram.avail(LAYOUT.tx, 4, [0]);
    assert.equal(machine.mmioWrite(V + 0x050, 4, 1), false);
    assert.ok(logs.includes('CLIENT_VMM-1|ERROR: vIRQ 0x4a is not enabled'), logs.join('\n'));
    assert.equal(emu.snapshot().guests[0].irq.notEnabled, 1);
    assert.equal(emu.vcpu(0).state, 'halted');
  });
});

class TimerGuest implements GuestProgram {
  m!: GuestMachine;
  fired: bigint[] = [];
  start(m: GuestMachine): void {
    this.m = m;
    m.setTimer(m.now() + 1_000_000n);
  }
  run(): GuestRunResult {
    this.m.consume(500);
    return 'idle';
  }
  onInterrupt(): void {
    /* none */
  }
  onTimer(): void {
    this.fired.push(this.m.now());
    if (this.fired.length < 3) this.m.setTimer(this.m.now() + 1_000_000n);
  }
}

describe('emulator: vCPU timer and snapshots', () => {
  it('wakes an idle vCPU when its virtual timer passes', () => {
    const t = new TimerGuest();
    const emu = build({ programs: [() => t, () => new IdleGuest()] });
    emu.runFor(10_000_000);
    assert.equal(t.fired.length, 3);
    t.fired.forEach((at, i) => assert.ok(at >= BigInt((i + 1) * 1_000_000) && at < BigInt((i + 1) * 1_000_000 + 50_000), `${at}`));
  });

  it('takes snapshots without changing the run', () => {
    const run = (snapshots: boolean): string => {
      const emu = build({ programs: [testGuest({ txTotal: 30_000, echo: true, fill: fillPattern(0) }), testGuest({ txTotal: 20_000, fill: fillPattern(1) })] });
      const out: number[] = [];
      emu.onUartOutput((b, t) => out.push(t, b.length));
      for (let i = 0; i < 50; i++) {
        if (i === 10) emu.typeInput('@1\rhi\r');
        emu.runFor(20_000);
        if (snapshots) emu.snapshot();
      }
      return JSON.stringify([out, emu.now()]);
    };
    assert.equal(run(true), run(false));
    const emu = build({ programs: [testGuest({ txTotal: 1000, fill: fillPattern(0) }), () => new IdleGuest()] });
    emu.runUntilIdle(1e9);
    const snap = emu.snapshot();
    assert.ok(snap.events.some((e) => e.kind === 'notify' && e.detail === 'CLIENT_VMM-1 ch 1 -> serial_virt_tx ch 1'));
    assert.ok(snap.events.some((e) => e.kind === 'virq'));
    assert.equal(snap.guests[0].virtio.queues[1].name, 'transmitq0');
    assert.equal(snap.pds.find((p) => p.name === 'uart_driver')!.priority, 100);
  });
});
