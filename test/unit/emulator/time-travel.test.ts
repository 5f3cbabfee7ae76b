// Time travel (src/emulator/time-travel.ts) on the default example running the Linux model: a
// 60-second session with logins, commands, a flood and guest switches; 20 seeded random moments
// (times, events, activations), each jumped to from the machine's checkpoints, must equal a fresh
// run of the same input stopped there: every queue, virtqueue, register, PD and the UART output.
import { strict as assert } from 'assert';
import { SeededRandom } from '../../../src/emulator/random';
import { TimeMachine, type MomentTarget } from '../../../src/emulator/time-travel';
import { picture, recordedSession } from './time-travel-session';

const S = 1e9,
  MS = 1e6;

describe('emulator: time travel over a 60 s session', function () {
  this.timeout(600_000);
  let session: ReturnType<typeof recordedSession>;
  before(() => {
    session = recordedSession();
  });

  it('shows at 20 random moments exactly what a fresh run stopped there shows', () => {
    const machine = new TimeMachine(session.build, session.log, session.endNs, { checkpoints: 6 });
    while (machine.refill()) {
      /* checkpoints spread over the session */
    }
    const random = new SeededRandom(22);
    const total = machine.jumpTo({ timeNs: session.endNs }).moment;
    for (let i = 0; i < 20; i++) {
      const kind = i % 4;
      const target: MomentTarget =
        kind < 2
          ? { timeNs: random.int(0, 60_000) * MS }
          : kind === 2
            ? { event: random.int(0, total.event) }
            : { activation: random.int(0, total.activation) };
      const jumped = machine.jumpTo(target);
      const fresh = new TimeMachine(session.build, session.log, session.endNs).jumpTo(target);
      const where = JSON.stringify({ i, target, moment: jumped.moment });
      assert.deepEqual(jumped.moment, fresh.moment, where);
      assert.deepEqual(picture(jumped.emulator), picture(fresh.emulator), where);
      assert.deepEqual(Array.from(jumped.output), Array.from(fresh.output), where);
      if (i % 3 === 2) machine.refill();
    }
  });

  it('steps back and forward by event and by activation', () => {
    const machine = new TimeMachine(session.build, session.log, session.endNs, { checkpoints: 4 });
    const at = machine.jumpTo({ timeNs: 3.5 * S }).moment;
    const next = machine.step(at, 'event', 1).moment;
    assert.ok(next.event > at.event && next.timeNs >= at.timeNs, JSON.stringify({ at, next }));
    const back = machine.step(next, 'event', -1).moment;
    assert.ok(back.event < next.event && back.event >= at.event, JSON.stringify({ at, next, back }));
    const act = machine.step(at, 'activation', 1).moment;
    assert.equal(act.activation, at.activation + 1);
    const actBack = machine.step(act, 'activation', -1).moment;
    assert.ok(actBack.activation < act.activation, JSON.stringify({ act, actBack }));
    // The first step back from power-on stays at power-on.
    assert.equal(machine.step({ timeNs: 0, event: 0, activation: 0 }, 'event', -1).moment.event >= 0, true);
  });
});
