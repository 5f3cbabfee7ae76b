// CPU time and memory of another process, read from /proc (Linux): a hang is a process that keeps
// burning CPU, which stays true however loaded the machine is, where a wall-clock timeout would fire
// at random under load. Elsewhere the callers fall back to a generous wall-clock limit.
import * as fs from 'fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux
const PAGE = 4096;

/** CPU milliseconds (user + system) and resident memory (MB) of process `pid`, or undefined without /proc. */
export function processUsage(pid: number): { cpuMs: number; rssMB: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS, rssMB: (Number(f[21]) * PAGE) / 1024 / 1024 };
  } catch {
    return undefined;
  }
}

export interface WatchLimits {
  /** CPU milliseconds the process may spend from now on. */
  cpuMs: number;
  /** Resident memory (MB) it may reach. */
  rssMB: number;
}

/**
 * Resolve with why `pid` broke a limit ('hang' or 'memory'), polling every 50 ms, until `stop()`.
 * Without /proc the CPU limit is applied to the wall clock, ten times over.
 */
export function watch(pid: number, limits: WatchLimits): { exceeded: Promise<{ kind: 'hang' | 'memory'; message: string }>; stop: () => void } {
  const start = processUsage(pid);
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const exceeded = new Promise<{ kind: 'hang' | 'memory'; message: string }>((resolve) => {
    timer = setInterval(() => {
      const u = processUsage(pid);
      if (start && u) {
        if (u.cpuMs - start.cpuMs > limits.cpuMs) resolve({ kind: 'hang', message: `still running after ${u.cpuMs - start.cpuMs} ms of CPU (killed)` });
        else if (u.rssMB > limits.rssMB)
          resolve({ kind: 'memory', message: `resident memory reached ${u.rssMB.toFixed(0)} MB (limit ${limits.rssMB}; killed)` });
      } else if (Date.now() - t0 > 10 * limits.cpuMs) {
        resolve({ kind: 'hang', message: `still running after ${Date.now() - t0} ms of wall-clock time (killed)` });
      }
    }, 50);
  });
  return { exceeded, stop: () => clearInterval(timer) };
}
