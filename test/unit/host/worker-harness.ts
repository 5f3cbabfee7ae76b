// Runs the REAL emulator worker thread for tests: src/extension/worker.ts bundled once per test
// process with esbuild (as scripts/build.mjs bundles dist/worker.js), and a DualGuestSession whose UI
// records what VS Code would show.
import { buildSync } from 'esbuild';
import { mkdtempSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Diagnostic, SourceRange } from '../../../src/common/diagnostics';
import { statusText, statusTooltip, type SessionRunState } from '../../../src/host/status-text';
import { DualGuestSession, type SessionUi } from '../../../src/host/dual-guest-session';
import { startEmulatorWorker } from '../../../src/host/node-worker';
import type { SerialTerminal } from '../../../src/host/serial-terminal';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const EXAMPLE = path.join(ROOT, 'examples', 'dual-guest', 'dual-guest.json');

let bundle: string | undefined;
export function workerBundle(): string {
  if (!bundle) {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'mdg-worker-')), 'worker.js');
    buildSync({
      entryPoints: [path.join(ROOT, 'src', 'extension', 'worker.ts')],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'warning',
    });
    bundle = out;
  }
  return bundle;
}

/** What the editor would show, recorded. */
export class RecordingUi implements SessionUi {
  terminals: SerialTerminal[] = [];
  text = new Map<string, string>();
  statuses: (SessionRunState & { text: string; tooltip: string })[] = [];
  logs: string[] = [];
  bootFailures: { diagnostics: Diagnostic[]; summary: string }[] = [];
  failures: string[] = [];
  failureSources: (SourceRange | undefined)[] = [];
  problems: Diagnostic[] = [];
  serialLines: string[] = [];
  cleared = 0;

  addTerminal(t: SerialTerminal): void {
    this.terminals.push(t);
    this.text.set(t.name, '');
    t.open((s) => this.text.set(t.name, (this.text.get(t.name) ?? '') + s), { columns: 80, rows: 24 });
  }
  removeTerminal(t: SerialTerminal): void {
    this.terminals = this.terminals.filter((x) => x !== t);
  }
  status(s: SessionRunState): void {
    this.statuses.push({ ...s, text: statusText(s), tooltip: statusTooltip(s) });
  }
  log(line: string): void {
    this.logs.push(line);
  }
  bootFailed(diagnostics: Diagnostic[], summary: string): void {
    this.bootFailures.push({ diagnostics, summary });
  }
  clearBootProblems(): void {
    this.cleared++;
    this.problems = [];
  }
  failure(message: string, source?: SourceRange): void {
    this.failures.push(message);
    this.failureSources.push(source);
  }
  sessionProblems(diagnostics: Diagnostic[]): void {
    this.problems = diagnostics;
  }
  serialLine(stamped: string): void {
    this.serialLines.push(stamped);
  }

  /** A terminal's text by its name, or by its VM's name ("guest 1 · client_linux-1" for "client_linux-1"). */
  of(name: string): string {
    return this.text.get(name) ?? [...this.text].find(([n]) => n.endsWith(` · ${name}`))?.[1] ?? '';
  }
  lastStatus(): string {
    return this.statuses[this.statuses.length - 1]?.text ?? '';
  }
}

export function newSession(): { session: DualGuestSession; ui: RecordingUi } {
  const ui = new RecordingUi();
  const session = new DualGuestSession(() => startEmulatorWorker(workerBundle()), ui);
  return { session, ui };
}

export async function waitFor(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!done()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
