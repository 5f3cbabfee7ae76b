// The fuzzer's child process: reads one request per line on stdin, runs the case in this process,
// answers one JSON line on stdout. The parent (pool.ts) watches this process's CPU time and memory
// and kills it when a case hangs, so an infinite loop is a finding, not a stuck run.
import * as readline from 'readline';
import { LONG_SCALE, QUICK_SCALE } from './mutator';
import { deserializeCase, loadSeedPool, makeCase, runCase, serializeCase, type Budgets, type SeedPool, type Target } from './targets';

export interface WorkerInit {
  corpus: boolean;
  scale: 'quick' | 'long';
  budgets: Budgets;
  targets?: Target[];
}
export type WorkerRequest = { op: 'gen'; seed: number; index: number } | { op: 'run'; case: unknown };

function main(): void {
  const init = JSON.parse(process.argv[2]) as WorkerInit;
  const pool: SeedPool = loadSeedPool({ corpus: init.corpus });
  const scale = init.scale === 'long' ? LONG_SCALE : QUICK_SCALE;
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const req = JSON.parse(line) as WorkerRequest;
    const c = req.op === 'gen' ? makeCase(pool, req.seed, req.index, scale, init.targets) : deserializeCase(req.case);
    const outcome = runCase(pool, c, init.budgets);
    process.stdout.write(JSON.stringify({ outcome, case: outcome.ok ? undefined : serializeCase(c) }) + '\n');
  });
  rl.on('close', () => process.exit(0));
  process.stdout.write(JSON.stringify({ ready: true }) + '\n');
}

main();
