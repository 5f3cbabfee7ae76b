// The kernel model's scheduler with vCPUs that spin: equal priorities share, a higher priority
// without a bandwidth limit starves the other, budget/period give configured shares.
import { strict as assert } from 'assert';
import { build, testGuest } from './helpers';
import type { SchedParams } from '../../../src/emulator/config';

function shares(a: SchedParams, b: SchedParams, runNs = 200_000_000): [number, number] {
  const emu = build({ programs: [testGuest({ spin: true }), testGuest({ spin: true })], vmSched: [a, b] });
  const start = [emu.vcpu(0).cpuNs, emu.vcpu(1).cpuNs];
  emu.runFor(runNs);
  return [(emu.vcpu(0).cpuNs - start[0]) / runNs, (emu.vcpu(1).cpuNs - start[1]) / runNs];
}

describe('emulator: scheduling of vCPUs', () => {
  it('gives two spinning guests at equal priority about half each (round robin)', () => {
    const [a, b] = shares({ priority: 50 }, { priority: 50 });
    assert.ok(Math.abs(a - 0.5) < 0.05 && Math.abs(b - 0.5) < 0.05, `${a} ${b}`);
  });

  it('lets a higher-priority VM without a bandwidth limit starve the other', () => {
    const [a, b] = shares({ priority: 60 }, { priority: 50 });
    assert.ok(a > 0.99, `${a}`);
    assert.ok(b < 0.01, `${b}`);
  });

  for (const [budget, period] of [
    [2000, 10000],
    [5000, 20000],
    [300, 1000],
  ]) {
    it(`holds a higher-priority VM with budget ${budget} us / period ${period} us to its share`, () => {
      const [a, b] = shares({ priority: 60, budgetUs: budget, periodUs: period }, { priority: 50 });
      const want = budget / period;
      assert.ok(Math.abs(a - want) <= 0.1 * want, `high ${a} want ${want}`);
      assert.ok(Math.abs(b - (1 - want)) <= 0.1 * (1 - want), `low ${b} want ${1 - want}`);
    });
  }

  it('splits by budget when both VMs are limited at equal priority', () => {
    const [a, b] = shares({ priority: 50, budgetUs: 1000, periodUs: 4000 }, { priority: 50, budgetUs: 2000, periodUs: 4000 });
    assert.ok(Math.abs(a - 0.25) <= 0.025 && Math.abs(b - 0.5) <= 0.05, `${a} ${b}`);
  });

  it('keeps both flooding guests making progress at equal priority', () => {
    const guests: import('../../../src/emulator/guest/console-test-guest').ConsoleTestGuest[] = [];
    const emu = build({
      programs: [testGuest({ txTotal: 5_000_000, costPerByteNs: 20 }, guests), testGuest({ txTotal: 5_000_000, costPerByteNs: 20 }, guests)],
    });
    emu.runFor(20_000_000);
    const [a, b] = guests.map((g) => g.txCompleted);
    assert.ok(a > 100_000 && b > 100_000, `${a} ${b}`);
    assert.ok(a / b > 0.8 && a / b < 1.25, `${a} ${b}`);
  });
});
