// The parent side of the fuzzer: runs cases in a child process (worker.ts) under a CPU-time and
// memory watchdog, restarts the child after a hang or a crash, and shrinks failing cases there too.
import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';
import * as readline from 'readline';
import { shrink } from './shrink';
import { deserializeCase, failureSignature, PROJECT_ROOT, serializeCase, withContent, type Failure, type FuzzCase, type Outcome } from './targets';
import { watch } from './watchdog';
import type { WorkerInit, WorkerRequest } from './worker';

export interface RunnerOptions extends WorkerInit {
  /** CPU milliseconds after which a case counts as hung and its process is killed. */
  killCpuMs: number;
  /** Resident memory (MB) at which the child is killed. */
  killRssMB: number;
  /** The child's V8 old-space limit (MB): a runaway heap ends in a crash, reported as one. */
  heapLimitMB: number;
}

export interface CaseResult {
  outcome: Outcome;
  case?: FuzzCase;
}

export class CaseRunner {
  private proc?: ChildProcess;
  private lines: string[] = [];
  private waiting?: (line: string | undefined) => void;
  private stderr = '';
  constructor(private readonly options: RunnerOptions) {}

  private async spawnChild(): Promise<void> {
    const init: WorkerInit = { corpus: this.options.corpus, scale: this.options.scale, budgets: this.options.budgets, targets: this.options.targets };
    const proc = spawn(
      process.execPath,
      [`--max-old-space-size=${this.options.heapLimitMB}`, '-r', 'tsx/cjs', path.join(__dirname, 'worker.ts'), JSON.stringify(init)],
      { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.proc = proc;
    this.lines = [];
    this.stderr = '';
    proc.stderr!.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString()).slice(-4000);
    });
    // A killed child's last line or exit must not reach the waiter of the child that replaced it.
    readline.createInterface({ input: proc.stdout! }).on('line', (l) => {
      if (this.proc !== proc) return;
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(l);
      } else this.lines.push(l);
    });
    proc.on('exit', () => {
      if (this.proc !== proc) return;
      this.proc = undefined;
      const w = this.waiting;
      this.waiting = undefined;
      w?.(undefined);
    });
    const ready = await this.nextLine();
    if (ready === undefined) throw new Error(`the fuzz worker did not start:\n${this.stderr}`);
  }

  private nextLine(): Promise<string | undefined> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (!this.proc) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** Run one case (generated in the child from seed and index, or given) under the watchdog. */
  async run(req: WorkerRequest): Promise<CaseResult> {
    if (!this.proc) await this.spawnChild();
    const proc = this.proc!;
    const w = watch(proc.pid!, { cpuMs: this.options.killCpuMs, rssMB: this.options.killRssMB });
    proc.stdin!.write(JSON.stringify(req) + '\n');
    const answer = await Promise.race([this.nextLine(), w.exceeded]);
    w.stop();
    if (typeof answer === 'string') {
      const r = JSON.parse(answer) as { outcome: Outcome; case?: unknown };
      return { outcome: r.outcome, case: r.case ? deserializeCase(r.case) : undefined };
    }
    if (answer === undefined) {
      const tail = this.stderr
        .split('\n')
        .filter((l) => l.trim())
        .slice(-6)
        .join('\n');
      return { outcome: { ok: false, kind: /heap out of memory|Allocation failed/.test(tail) ? 'memory' : 'crash', message: `the worker died: ${tail}` } };
    }
    this.kill();
    return { outcome: { ok: false, ...answer } };
  }

  kill(): void {
    const p = this.proc;
    this.proc = undefined;
    if (p?.pid) p.kill('SIGKILL');
  }

  stop(): void {
    const p = this.proc;
    this.proc = undefined;
    p?.stdin?.end();
    if (p?.pid) setTimeout(() => p.kill('SIGKILL'), 2000).unref();
  }

  /**
   * The smallest content (by chunk, line and character deletion) that fails as `failure` did; at
   * most `maxTries` runs (hangs and slow cases cost seconds each, so they get fewer), until `deadline`.
   */
  async minimise(c: FuzzCase, failure: Failure, maxTries: number, deadline = Infinity): Promise<{ case: FuzzCase; tries: number }> {
    const sig = failureSignature(failure);
    const r = await shrink(
      c.content,
      async (content) => {
        const res = await this.run({ op: 'run', case: serializeCase(withContent(c, content)) });
        return !res.outcome.ok && failureSignature(res.outcome) === sig;
      },
      failure.kind === 'hang' || failure.kind === 'crash' || failure.kind === 'memory' || failure.kind === 'cpu' ? Math.min(maxTries, 60) : maxTries,
      deadline,
    );
    return { case: withContent(c, r.content), tries: r.tries };
  }
}
