// Hang detectors for property tests: how much CPU this process spent, not how long the wall clock
// ran. A budget on wall time fails at random when other work shares the machine's cores; the CPU
// time of our own work does not grow with theirs.

/** The CPU time (user + system, all threads of this process) `fn` takes, in milliseconds, with its result. */
export function withCpuMillis<T>(fn: () => T): { result: T; cpuMs: number } {
  const before = process.cpuUsage();
  const result = fn();
  const used = process.cpuUsage(before);
  return { result, cpuMs: (used.user + used.system) / 1000 };
}

/** The CPU time `fn` takes, in milliseconds. */
export function cpuMillis(fn: () => unknown): number {
  return withCpuMillis(fn).cpuMs;
}

/** CPU time (user + system, every thread of this process, workers included) since `start`, in milliseconds. */
export function cpuMillisSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/**
 * A hang and speed guard for each test of `suite` on CPU time: a test that spends more than
 * `budgetMs` of this process's CPU fails in its afterEach hook, whatever else loads the machine.
 * Mocha's wall-clock timeout stays only as a safety net (`safetyNetMs`, ten times the budget by
 * default) for a test that waits forever without spending CPU. Work in child processes is not
 * counted: use it for tests that run in this process or its worker threads.
 */
export function cpuTimeBudget(suite: Mocha.Suite, budgetMs: number, safetyNetMs = budgetMs * 10): void {
  suite.timeout(safetyNetMs);
  let start: NodeJS.CpuUsage | undefined;
  suite.beforeEach(() => {
    start = process.cpuUsage();
  });
  suite.afterEach(function () {
    if (!start) return;
    const used = cpuMillisSince(start);
    start = undefined;
    if (used > budgetMs) throw new Error(`"${this.currentTest?.title}" used ${used.toFixed(0)} ms of CPU time, over its budget of ${budgetMs} ms`);
  });
}
