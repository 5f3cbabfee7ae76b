// Time-travel benchmark: a 60 s session of the default example (Linux model: logins, commands, a
// flood, guest switches), then jumps to 20 seeded random moments (times, events, activations) from
// the machine's checkpoints, as the inspector's timeline does. The bar: < 200 ms per jump.
import { SeededRandom } from '../src/emulator/random';
import { TimeMachine, type MomentTarget } from '../src/emulator/time-travel';
import { recordedSession } from '../test/unit/emulator/time-travel-session';

export function runTimeTravelBench(): Record<string, number> {
  const session = recordedSession();
  const machine = new TimeMachine(session.build, session.log, session.endNs, { checkpoints: 8 });
  let t0 = performance.now();
  while (machine.refill()) {
    /* spread the checkpoints */
  }
  const checkpointMs = performance.now() - t0;
  const total = machine.jumpTo({ timeNs: session.endNs }).moment;
  while (machine.refill()) {
    /* the jump to the end used one up */
  }
  const random = new SeededRandom(7);
  const jumps: number[] = [];
  let refillMs = 0;
  for (let i = 0; i < 20; i++) {
    const kind = i % 3;
    const target: MomentTarget =
      kind === 0
        ? { timeNs: random.int(0, 60_000) * 1e6 }
        : kind === 1
          ? { event: random.int(0, total.event) }
          : { activation: random.int(0, total.activation) };
    t0 = performance.now();
    machine.jumpTo(target);
    jumps.push(performance.now() - t0);
    // What the host does while the reader looks at the moment: put a checkpoint back.
    t0 = performance.now();
    machine.refill();
    refillMs += performance.now() - t0;
  }
  jumps.sort((a, b) => a - b);
  return {
    session_virtual_s: session.endNs / 1e9,
    session_events: total.event,
    checkpoints: 8,
    build_checkpoints_ms: checkpointMs,
    jump_mean_ms: jumps.reduce((a, b) => a + b, 0) / jumps.length,
    jump_p50_ms: jumps[10],
    jump_max_ms: jumps[jumps.length - 1],
    refill_between_jumps_mean_ms: refillMs / 20,
  };
}

if (require.main === module) console.log(runTimeTravelBench());
