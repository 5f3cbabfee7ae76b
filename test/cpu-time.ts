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
