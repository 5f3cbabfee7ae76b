// One emulated board as the extension shows it: the worker (through EmulatorClient), a terminal per
// guest named after its VM plus one for the board's serial port, the status words, the emulator's own
// log lines, and the serial log. The editor-specific parts come in through SessionUi, so tests run
// this against the real worker without VS Code.
import type { Diagnostic } from '../common/diagnostics';
import type { EmulatorSnapshot } from '../emulator/emulator';
import type { LogRecord } from '../emulator/kernel';
import type { InputLog } from '../emulator/record';
import { dirname, relative } from '../common/paths';
import { describeKey, describeSwitchChar } from '../system/switch-char';
import type { BootOutcome, EmulatorClient } from './emulator-client';
import type { BootRequest, FromWorker, GuestInfo } from './protocol';
import { SerialLogRecorder, formatVirtualSeconds } from './serial-log';
import { SerialTerminal, type TerminalInputSink, type TerminalTarget } from './serial-terminal';
import { statusText, statusTooltip, type StatusInput } from './status-text';

export interface SessionUi {
  addTerminal(t: SerialTerminal): void;
  removeTerminal(t: SerialTerminal): void;
  /** The status bar: its text, whether something is wrong, and its tooltip. */
  status(text: string, problem: boolean, tooltip: string): void;
  /** One line for the output channel (virtualiser logs, VMM faults, the extension's own events). */
  log(line: string): void;
  /** Boot stopped on errors in the files: show them where they are, and say what to fix. */
  bootFailed(diagnostics: Diagnostic[], summary: string): void;
  /** Boot succeeded: problems from an earlier failed boot are stale. */
  clearBootProblems(): void;
  /** The worker crashed or a guest failed: say so and offer "Restart". */
  failure(message: string): void;
  /** Each finished, stamped line of the board's serial output (the serial log file). */
  serialLine?(stamped: string): void;
  /** The wall clock, for serial log stamps. */
  nowMs?(): number;
}

export type BootSettings = Omit<BootRequest, 'type'>;

export class DualGuestSession implements TerminalInputSink {
  private client: EmulatorClient | undefined;
  private guests: GuestInfo[] = [];
  readonly guestTerminals: SerialTerminal[] = [];
  lineTerminal: SerialTerminal | undefined;
  private lastBoot: BootSettings | undefined;
  private status: StatusInput = { state: 'stopped', timeNs: 0, inputVm: undefined };
  private problem = false;
  /** The booted system's switch character and where it came from, for the status tooltip. */
  private switchChar: string | undefined;
  private booting = false;
  private snapshotListeners: ((s: EmulatorSnapshot) => void)[] = [];
  private streaming = { enabled: false, maxPerSecond: 0 };
  private speed = 1;
  private inputDroppedReported = 0;
  /** Guests whose vCPU stopped since they last booted (reset or board boot). */
  private readonly failedGuests = new Set<number>();
  readonly serialLog: SerialLogRecorder;
  /** Terminal sizes the worker recorded but could not pass to a guest model, by terminal name. */
  readonly unappliedSizes = new Map<string, string>();

  constructor(private readonly startWorker: () => EmulatorClient, private readonly ui: SessionUi) {
    this.serialLog = new SerialLogRecorder((l) => ui.serialLine?.(l));
  }

  get running(): boolean {
    return this.client?.alive === true && this.guests.length > 0;
  }

  get guestList(): readonly GuestInfo[] {
    return this.guests;
  }

  async boot(settings: BootSettings): Promise<BootOutcome> {
    await this.client?.dispose();
    this.lastBoot = settings;
    this.problem = false;
    this.switchChar = undefined;
    this.setStatus({ state: 'booting', timeNs: 0, inputVm: undefined });
    this.failedGuests.clear();
    const client = (this.client = this.startWorker());
    this.wire(client);
    this.booting = true;
    const outcome = await client.boot(settings).finally(() => { this.booting = false; });
    if (this.client !== client) return outcome;
    if (outcome.type === 'bootFailed') {
      this.guests = [];
      if (client.alive) {
        this.ui.bootFailed(outcome.diagnostics, outcome.summary);
        this.setStatus({ state: 'failed', timeNs: 0, inputVm: undefined }, true);
      }
      await client.dispose();
      if (this.client === client) this.client = undefined;
      return outcome;
    }
    this.ui.clearBootProblems();
    // Header paths as seen from the project's folder ("serial_config.h" beside it).
    this.switchChar = describeSwitchChar(outcome.switchChar, outcome.switchCharOrigin, (f) => relative(dirname(settings.projectFile), f));
    // A new worker knows nothing of the inspector's wishes: tell it again.
    if (this.streaming.enabled) client.streamSnapshots(true, this.streaming.maxPerSecond);
    if (this.speed !== 1) client.setSpeed(this.speed);
    this.ensureTerminals(outcome.guests, outcome.driver);
    this.serialLog.restart();
    for (const t of this.allTerminals()) {
      t.restart();
      t.notice(`booting ${settings.projectFile} (${outcome.fast ? 'fast' : 'real time'})`);
      if (t.size) this.resize(t.target, t.size.cols, t.size.rows);
    }
    // On the line, switching is the user's to type: say with which character.
    this.lineTerminal?.notice(`switch character ${this.switchChar}: ${describeKey(outcome.switchChar)} N Enter sends input to client N (from ${outcome.clientBase})`);
    this.setStatus(this.status, this.problem);
    this.ui.log(`booted ${settings.projectFile}: ${outcome.guests.map((g) => `${g.vm} (client ${g.client})`).join(', ')}`);
    return outcome;
  }

  /** Boot again with the last settings (after a crash, or "Restart"). */
  async restart(): Promise<BootOutcome | undefined> {
    if (!this.lastBoot) return undefined;
    return this.boot({ ...this.lastBoot, replay: undefined });
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.dispose();
    for (const t of this.allTerminals()) t.notice('emulator stopped');
    this.setStatus({ state: 'stopped', timeNs: this.status.timeNs, inputVm: undefined });
  }

  pause(): void { this.client?.pause(); }
  resume(): void { this.client?.resume(); }

  // ---- what the queue inspector needs (InspectorSession in src/extension/inspector-controller.ts)

  onSnapshot(listener: (s: EmulatorSnapshot) => void): { dispose(): void } {
    this.snapshotListeners.push(listener);
    return { dispose: () => { this.snapshotListeners = this.snapshotListeners.filter((l) => l !== listener); } };
  }

  setSnapshotStreaming(enabled: boolean, maxPerSecond: number): void {
    this.streaming = { enabled, maxPerSecond };
    this.client?.streamSnapshots(enabled, maxPerSecond);
  }

  step(): void { this.client?.step(); }

  setSpeed(factor: number): void {
    this.speed = factor;
    this.client?.setSpeed(factor);
  }

  /** Reset one guest: its VMM boots it again from the same images; the other guest and the serial PDs run on. */
  reset(guest: number): void {
    const info = this.guests[guest], terminal = this.guestTerminals[guest];
    if (!this.client || !info || !terminal) return;
    terminal.notice(`reset requested for ${info.vm}: it boots again (the other guest runs on)`);
    terminal.restart();
    this.ui.log(`reset ${info.vm}`);
    // A stopped guest that is reset is no longer a problem, unless another one still is.
    if (this.failedGuests.delete(guest) && this.failedGuests.size === 0 && this.status.state !== 'failed') this.setStatus(this.status, false);
    this.client.reset(guest);
  }

  /** Type the switch sequence so that the RX virtualiser delivers to `client` from now on. */
  switchInput(client: number): void {
    this.client?.type(client, '');
  }

  type(target: TerminalTarget, data: string): void {
    this.client?.type(target, data);
  }

  resize(target: TerminalTarget, cols: number, rows: number): void {
    this.client?.resize(target, cols, rows);
  }

  snapshot(): Promise<EmulatorSnapshot | undefined> {
    return this.client?.snapshot() ?? Promise.resolve(undefined);
  }

  recording(): Promise<InputLog | undefined> {
    return this.client?.recording() ?? Promise.resolve(undefined);
  }

  /** For tests and the inspector: the worker connection in use. */
  get emulatorClient(): EmulatorClient | undefined {
    return this.client;
  }

  async dispose(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.dispose();
    for (const t of this.allTerminals()) this.ui.removeTerminal(t);
    this.guestTerminals.length = 0;
    this.lineTerminal = undefined;
  }

  private allTerminals(): SerialTerminal[] {
    return this.lineTerminal ? [...this.guestTerminals, this.lineTerminal] : [...this.guestTerminals];
  }

  private ensureTerminals(guests: GuestInfo[], driver: string): void {
    const same = guests.length === this.guests.length && guests.every((g, i) => g.vm === this.guests[i]?.vm && g.client === this.guests[i]?.client);
    this.guests = guests;
    if (same && this.lineTerminal) return;
    for (const t of this.allTerminals()) this.ui.removeTerminal(t);
    this.guestTerminals.length = 0;
    for (const g of guests) {
      const t = new SerialTerminal(g.vm, g.client, () => this);
      this.guestTerminals.push(t);
      this.ui.addTerminal(t);
    }
    this.lineTerminal = new SerialTerminal(`Serial port (${driver})`, 'line', () => this);
    this.ui.addTerminal(this.lineTerminal);
  }

  private terminalFor(client: number): SerialTerminal | undefined {
    const i = this.guests.findIndex((g) => g.client === client);
    return i >= 0 ? this.guestTerminals[i] : undefined;
  }

  private wire(client: EmulatorClient): void {
    const mine = (): boolean => this.client === client;
    client.on('output', (m) => {
      if (!mine()) return;
      if (m.line.length > 0) {
        this.lineTerminal?.output(m.line);
        this.serialLog.add(m.line, m.timeNs, this.ui.nowMs?.() ?? Date.now());
      }
      for (const c of m.clients) this.terminalFor(c.client)?.output(c.bytes);
    });
    client.on('log', (m) => {
      if (!mine()) return;
      for (const r of m.records) this.ui.log(formatLogRecord(r));
      if (m.dropped > 0) this.ui.log(`(${m.dropped} emulator log records dropped: too many in one frame)`);
    });
    client.on('status', (m) => {
      if (!mine()) return;
      const inputVm = this.guests.find((g) => g.client === m.currentClient)?.vm;
      this.setStatus({ state: m.state, timeNs: m.timeNs, inputVm }, this.problem);
      // The count is the worker's running total since boot: report only what is new.
      if (m.inputDropped > this.inputDroppedReported) {
        this.ui.log(`${m.inputDropped - this.inputDroppedReported} typed bytes dropped: the guests are not reading input fast enough`);
      }
      this.inputDroppedReported = m.inputDropped;
    });
    client.on('guestFailed', (m) => {
      if (!mine()) return;
      this.failedGuests.add(m.guest);
      const message = `${m.vm} stopped: ${m.reason}`;
      this.guestTerminals[m.guest]?.notice(message);
      this.ui.log(message);
      this.setStatus(this.status, true);
      this.ui.failure(message);
    });
    client.on('resized', (m) => this.noteResize(m));
    client.on('streamedSnapshot', (m) => {
      if (!mine()) return;
      for (const l of this.snapshotListeners) l(m.snapshot);
    });
    // A boot the session did not ask for (none today: a reset restarts one guest in place) fails here.
    client.on('bootFailed', (m) => {
      if (!mine() || this.booting) return;
      this.ui.bootFailed(m.diagnostics, m.summary);
      this.setStatus({ state: 'failed', timeNs: 0, inputVm: undefined }, true);
    });
    client.onCrash((message) => {
      if (!mine()) return;
      for (const t of this.allTerminals()) t.notice(message);
      this.ui.log(message);
      this.setStatus({ ...this.status, state: 'crashed' }, true);
      this.ui.failure(message);
    });
  }

  private noteResize(m: Extract<FromWorker, { type: 'resized' }>): void {
    if (m.applied) return;
    const name = m.target === 'line' ? this.lineTerminal?.name : this.guests.find((g) => g.client === m.target)?.vm;
    if (!name) return;
    // Reported once per terminal, then only recorded: a window being dragged sends many sizes.
    if (!this.unappliedSizes.has(name)) this.ui.log(`terminal size of ${name}: ${m.note}`);
    this.unappliedSizes.set(name, `${m.cols}x${m.rows}`);
  }

  private setStatus(s: StatusInput, problem = false): void {
    this.status = s;
    this.problem = problem;
    this.ui.status(statusText(s), problem, statusTooltip(problem, this.switchChar));
  }
}

export function formatLogRecord(r: LogRecord): string {
  return `[${formatVirtualSeconds(r.timeNs)}] ${r.level === 'info' ? '' : `${r.level}: `}${r.source}: ${r.text}`;
}
