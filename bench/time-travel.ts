// Time-travel benchmark: a 60 s session of the default example (Linux model: logins, commands, a
// flood, guest switches), then jumps to 20 seeded random moments (times, events, activations) from
// the machine's checkpoints, as the inspector's timeline does. The bar: < 200 ms per jump.
import * as v8 from 'v8';
import * as vm from 'vm';
import { SeededRandom } from '../src/emulator/random';
import { TimeMachine, type MomentTarget } from '../src/emulator/time-travel';
import { recordedSession } from '../test/unit/emulator/time-travel-session';

const CHECKPOINTS = 16;

export const notes = [
  'Jumps are timed one by one (wall clock, the machine shared; `jump_cpu_` figures are the CPU time of this process for the same jumps, which other processes do not inflate): each is the replay from the nearest checkpoint at or before the moment; after each, one `refill` (what the worker does while the reader looks) puts back a checkpoint the jump used up.',
  'Checkpoints are spaced by replay work (thread activations), not by virtual time: most of the events and activations are in the 0.3 s `yes` flood, which gets most of the checkpoints.',
  '`checkpoints_rss_MiB` / `checkpoints_heap_MiB`: resident memory and JS heap that the checkpoints hold (after a GC, against the process before the session), for `checkpoints` whole machines; guest RAM is allocated lazily, so a machine commits only the pages its guests touched.',
];

/** A full GC, so that the figures count what is held, not what is garbage. */
function collect(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

function memory(): { rss: number; heap: number } {
  collect();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function runTimeTravelBench(): Record<string, number> {
  const session = recordedSession();
  const before = memory();
  const machine = new TimeMachine(session.build, session.log, session.endNs, { checkpoints: CHECKPOINTS });
  // The first jump to the end learns the session's replay work (the spacing's profile).
  let t0 = performance.now();
  const total = machine.jumpTo({ timeNs: session.endNs }).moment;
  while (machine.refill()) {
    /* spread the checkpoints */
  }
  const checkpointMs = performance.now() - t0;
  const held = memory();
  const random = new SeededRandom(7);
  const jumps: number[] = [];
  const jumpsCpu: number[] = [];
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
    const c0 = process.cpuUsage();
    machine.jumpTo(target);
    jumps.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    jumpsCpu.push((c.user + c.system) / 1000);
    // What the host does while the reader looks at the moment: put a checkpoint back.
    t0 = performance.now();
    machine.refill();
    refillMs += performance.now() - t0;
  }
  jumps.sort((a, b) => a - b);
  jumpsCpu.sort((a, b) => a - b);
  return {
    session_virtual_s: session.endNs / 1e9,
    session_events: total.event,
    session_activations: total.activation,
    checkpoints: CHECKPOINTS,
    build_checkpoints_ms: checkpointMs,
    checkpoints_rss_MiB: (held.rss - before.rss) / 2 ** 20,
    checkpoints_heap_MiB: (held.heap - before.heap) / 2 ** 20,
    jump_mean_ms: jumps.reduce((a, b) => a + b, 0) / jumps.length,
    jump_p50_ms: percentile(jumps, 50),
    jump_p95_ms: percentile(jumps, 95),
    jump_max_ms: jumps[jumps.length - 1],
    jump_cpu_mean_ms: jumpsCpu.reduce((a, b) => a + b, 0) / jumpsCpu.length,
    jump_cpu_p95_ms: percentile(jumpsCpu, 95),
    jump_cpu_max_ms: jumpsCpu[jumpsCpu.length - 1],
    refill_between_jumps_mean_ms: refillMs / 20,
  };
}

if (require.main === module) console.log(runTimeTravelBench());
