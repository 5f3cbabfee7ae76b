// One emulated board as the extension shows it: the worker (through EmulatorClient), a terminal per
// guest ("guest 1 · <vm>") plus one for the board's serial port, one run state (status bar and
// inspector), the emulator's own log lines, the serial log, and a stopped guest's cause. The editor-specific parts come in through SessionUi, so tests run
// this against the real worker without VS Code.
import type { Diagnostic, SourceRange } from '../common/diagnostics';
import type { EmulatorSnapshot } from '../emulator/emulator';
import type { LogRecord } from '../emulator/kernel';
import type { InputLog } from '../emulator/record';
import { dirname, relative } from '../common/paths';
import { describeKey, describeSwitchChar } from '../system/switch-char';
import type { BootOutcome, EmulatorClient } from './emulator-client';
import type { BootRequest, FromWorker, GuestFault, GuestInfo, PastView, RunState, TravelTarget } from './protocol';
import { SerialLogRecorder, formatVirtualSeconds } from './serial-log';
import { SerialTerminal, type TerminalInputSink, type TerminalTarget } from './serial-terminal';
import { boardState, guestState, STOPPED, type SessionRunState } from './status-text';

export interface SessionUi {
  addTerminal(t: SerialTerminal): void;
  removeTerminal(t: SerialTerminal): void;
  /** The run state changed (the status bar shows it; the inspector hears it through onRunState). */
  status(state: SessionRunState): void;
  /** One line for the output channel (virtualiser logs, VMM faults, the extension's own events). */
  log(line: string): void;
  /** Boot stopped on errors in the files: show them where they are, and say what to fix. */
  bootFailed(diagnostics: Diagnostic[], summary: string): void;
  /** Boot succeeded: problems and fault messages from an earlier boot are stale. */
  clearBootProblems(): void;
  /** The worker crashed or a guest failed: say so and offer "Restart" (and "Go to source" when the cause has a place). */
  failure(message: string, source?: SourceRange): void;
  /** Problems the running session found (a guest stopped on a device its tree enables): shown until the next boot. */
  sessionProblems(diagnostics: Diagnostic[]): void;
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
  /** What the worker last said (or 'crashed'), and when in virtual time. */
  private worker: { state: RunState | 'crashed'; timeNs: number; inputVm: string | undefined } = { state: 'stopped', timeNs: 0, inputVm: undefined };
  private problem = false;
  /** The booted system's switch character and where it came from, for the status tooltip. */
  private switchChar: string | undefined;
  private run: SessionRunState = STOPPED;
  private runListeners: ((s: SessionRunState) => void)[] = [];
  /** The client whose boot is awaited: a bootFailed it sends is that boot's answer, not news. */
  private bootingClient: EmulatorClient | undefined;
  /** Counts boots: a boot that a later one overtook while it waited stops there. */
  private generation = 0;
  private readonly sessionFindings: Diagnostic[] = [];
  /** The protocol checker's findings of the running session (the worker sends them all each time). */
  private protocolFindings: Diagnostic[] = [];
  private snapshotListeners: ((s: EmulatorSnapshot) => void)[] = [];
  private travelListeners: ((e: { past: PastView | undefined; error?: string } | 'live') => void)[] = [];
  private streaming = { enabled: false, maxPerSecond: 0 };
  private speed = 1;
  private inputDroppedReported = 0;
  /** Guests whose vCPU stopped since they last booted (reset or board boot). */
  private readonly failedGuests = new Set<number>();
  readonly serialLog: SerialLogRecorder;
  /** Terminal sizes the worker recorded but could not pass to a guest model, by terminal name. */
  readonly unappliedSizes = new Map<string, string>();

  constructor(
    private readonly startWorker: () => EmulatorClient,
    private readonly ui: SessionUi,
  ) {
    this.serialLog = new SerialLogRecorder((l) => ui.serialLine?.(l));
  }

  get running(): boolean {
    return this.client?.alive === true && this.guests.length > 0;
  }

  get guestList(): readonly GuestInfo[] {
    return this.guests;
  }

  async boot(settings: BootSettings): Promise<BootOutcome> {
    const generation = ++this.generation;
    const previous = this.client;
    this.client = undefined;
    await previous?.dispose();
    // Two boots at once (a toast's Restart and Boot): the later one wins; the earlier stops here
    // rather than leave a second worker running unseen.
    if (generation !== this.generation) return { type: 'bootFailed', diagnostics: [], summary: 'a later boot replaced this one' };
    this.lastBoot = settings;
    this.problem = false;
    this.switchChar = undefined;
    this.failedGuests.clear();
    this.sessionFindings.length = 0;
    this.protocolFindings = [];
    this.setWorkerState({ state: 'booting', timeNs: 0, inputVm: undefined });
    const client = (this.client = this.startWorker());
    this.wire(client);
    this.bootingClient = client;
    const outcome = await client.boot(settings).finally(() => {
      if (this.bootingClient === client) this.bootingClient = undefined;
    });
    if (this.client !== client) {
      await client.dispose();
      return outcome;
    }
    if (outcome.type === 'bootFailed') {
      this.guests = [];
      if (client.alive) {
        this.ui.bootFailed(outcome.diagnostics, outcome.summary);
        this.problem = true;
        this.setWorkerState({ state: 'failed', timeNs: 0, inputVm: undefined });
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
    this.lineTerminal?.notice(
      `switch character ${this.switchChar}: ${describeKey(outcome.switchChar)} N Enter sends input to client N (from ${outcome.clientBase})`,
    );
    // Which PDs run their C code, or why the models run instead, and which VMs were left out: on the
    // line, as the CLI prints it.
    for (const d of outcome.diagnostics.filter((x) => x.code === 'real-components' || x.code === 'emulator-boot')) {
      this.lineTerminal?.notice(`${d.severity === 'info' ? '' : `${d.severity}: `}${d.message}`);
      this.ui.log(`${d.severity}: ${d.message}`);
    }
    this.publish();
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
    // A boot still waiting to start is overtaken too.
    this.generation++;
    await client?.dispose();
    for (const t of this.allTerminals()) t.notice('emulator stopped');
    this.setWorkerState({ state: 'stopped', timeNs: this.worker.timeNs, inputVm: undefined });
  }

  /** The one run state the status bar and the inspector show. */
  get runState(): SessionRunState {
    return this.run;
  }

  onRunState(listener: (s: SessionRunState) => void): { dispose(): void } {
    this.runListeners.push(listener);
    return {
      dispose: () => {
        this.runListeners = this.runListeners.filter((l) => l !== listener);
      },
    };
  }

  /** Every terminal of the board (each guest's, then the serial port's). */
  get terminals(): readonly SerialTerminal[] {
    return this.allTerminals();
  }

  pause(): void {
    this.client?.pause();
  }
  resume(): void {
    this.client?.resume();
  }

  // ---- what the queue inspector needs (InspectorSession in src/extension/inspector-controller.ts)

  onSnapshot(listener: (s: EmulatorSnapshot) => void): { dispose(): void } {
    this.snapshotListeners.push(listener);
    return {
      dispose: () => {
        this.snapshotListeners = this.snapshotListeners.filter((l) => l !== listener);
      },
    };
  }

  setSnapshotStreaming(enabled: boolean, maxPerSecond: number): void {
    this.streaming = { enabled, maxPerSecond };
    this.client?.streamSnapshots(enabled, maxPerSecond);
  }

  step(): void {
    this.client?.step();
  }

  setSpeed(factor: number): void {
    this.speed = factor;
    this.client?.setSpeed(factor);
  }

  /** Time travel: the worker shows the session at a moment; the terminals show the output up to it. */
  travel(to: TravelTarget): void {
    this.client?.travel(to);
  }

  returnToLive(): void {
    this.client?.returnToLive();
  }

  onTravel(listener: (e: { past: PastView | undefined; error?: string } | 'live') => void): { dispose(): void } {
    this.travelListeners.push(listener);
    return {
      dispose: () => {
        this.travelListeners = this.travelListeners.filter((l) => l !== listener);
      },
    };
  }

  private travelled(e: { past: PastView | undefined; error?: string } | 'live'): void {
    if (e === 'live') for (const t of this.allTerminals()) t.showLive();
    else if (e.past) {
      const label = `viewing t = ${formatVirtualSeconds(e.past.moment.timeNs).trim()} (time travel): output up to that moment; "Return to live" in the queue inspector`;
      this.lineTerminal?.showPast(e.past.line, label);
      for (const [i, g] of this.guests.entries())
        this.guestTerminals[i]?.showPast(e.past.clients.find((c) => c.client === g.client)?.bytes ?? new Uint8Array(0), label);
    }
    for (const l of this.travelListeners) l(e);
  }

  /** Reset one guest: its VMM boots it again from the same images; the other guest and the serial PDs run on. */
  reset(guest: number): void {
    const info = this.guests[guest],
      terminal = this.guestTerminals[guest];
    if (!this.client || !info || !terminal) return;
    terminal.notice(`reset requested for ${info.vm}: it boots again (the other guest runs on)`);
    terminal.restart();
    this.ui.log(`reset ${info.vm}`);
    // A stopped guest that is reset is no longer a problem, unless another one still is.
    if (this.failedGuests.delete(guest)) {
      if (this.failedGuests.size === 0 && this.worker.state !== 'failed') this.problem = false;
      this.publish();
    }
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

  /** The session as a Chrome/Perfetto trace (JSON text), or why there is none. */
  trace(): Promise<{ json: string | undefined; error?: string }> {
    return this.client?.trace() ?? Promise.resolve({ json: undefined, error: 'no emulator is running' });
  }

  /** For tests and the inspector: the worker connection in use. */
  get emulatorClient(): EmulatorClient | undefined {
    return this.client;
  }

  async dispose(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    // A boot still waiting to start is overtaken too.
    this.generation++;
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
    for (const [i, g] of guests.entries()) {
      const t = new SerialTerminal(guestTerminalName(i, g.vm), g.client, () => this);
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
      for (const r of m.records) {
        this.ui.log(formatLogRecord(r));
        // On the board, a PD's error lines (libvmm's fault block, the monitor's) go out on the
        // serial console through the kernel's debug output, between the virtualisers' bytes.
        if (r.level === 'error') this.lineTerminal?.output(new TextEncoder().encode(`${r.text}\r\n`));
      }
      if (m.dropped > 0) this.ui.log(`(${m.dropped} emulator log records dropped: too many in one frame)`);
    });
    client.on('status', (m) => {
      if (!mine()) return;
      const inputVm = this.guests.find((g) => g.client === m.currentClient)?.vm;
      this.setWorkerState({ state: m.state, timeNs: m.timeNs, inputVm });
      // The count is the worker's running total since boot: report only what is new.
      if (m.inputDropped > this.inputDroppedReported) {
        this.ui.log(`${m.inputDropped - this.inputDroppedReported} typed bytes dropped: the guests are not reading input fast enough`);
      }
      this.inputDroppedReported = m.inputDropped;
    });
    client.on('guestFailed', (m) => {
      if (mine()) this.guestStopped(m);
    });
    client.on('findings', (m) => {
      if (!mine()) return;
      this.protocolFindings = m.diagnostics;
      this.ui.sessionProblems([...this.sessionFindings, ...this.protocolFindings]);
    });
    client.on('resized', (m) => this.noteResize(m));
    client.on('travelled', (m) => {
      if (mine()) this.travelled({ past: m.past, error: m.error });
    });
    client.on('live', () => {
      if (mine()) this.travelled('live');
    });
    client.on('streamedSnapshot', (m) => {
      if (!mine()) return;
      for (const l of this.snapshotListeners) l(m.snapshot);
    });
    // A boot the session did not ask for (none today: a reset restarts one guest in place) fails here.
    client.on('bootFailed', (m) => {
      if (!mine() || this.bootingClient === client) return;
      this.ui.bootFailed(m.diagnostics, m.summary);
      this.problem = true;
      this.setWorkerState({ state: 'failed', timeNs: 0, inputVm: undefined });
    });
    client.onCrash((message) => {
      if (!mine()) return;
      for (const t of this.allTerminals()) t.notice(message);
      this.ui.log(message);
      this.problem = true;
      this.setWorkerState({ ...this.worker, state: 'crashed' });
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

  /**
   * A guest stopped. Its terminal shows where its kernel got to and, for a fault, the cause in one
   * line; the Problems panel gets it at the assignment that enabled the device; the toast offers
   * "Go to source" there.
   */
  private guestStopped(m: Extract<FromWorker, { type: 'guestFailed' }>): void {
    this.failedGuests.add(m.guest);
    this.problem = true;
    const message = `${m.vm} stopped: ${m.reason}`;
    const terminal = this.guestTerminals[m.guest];
    terminal?.notice(message);
    if (m.kernelLog.length > 0) terminal?.notice(`the kernel's last lines:\r\n${m.kernelLog.join('\r\n')}`);
    const cause = m.fault && faultCause(m.fault, m.vm);
    if (cause) terminal?.notice(cause);
    this.ui.log(cause ? `${message}: ${cause}` : message);
    const owner = m.fault?.owner;
    const source = owner?.enabledAt ?? owner?.defined;
    if (source && cause) {
      this.sessionFindings.push({
        severity: 'error',
        code: 'emulator-guest-fault',
        range: source,
        subject: m.vm,
        message: `${m.vm} faulted at boot: ${cause}`,
      });
      this.ui.sessionProblems([...this.sessionFindings, ...this.protocolFindings]);
    }
    this.publish();
    this.ui.failure(cause ? `${message}: ${cause}` : message, source);
  }

  private setWorkerState(w: DualGuestSession['worker']): void {
    this.worker = w;
    this.publish();
  }

  private publish(): void {
    const w = this.worker.state;
    const guests = this.guests.map((g, i) => ({ vm: g.vm, state: guestState(w, this.failedGuests.has(i)) }));
    this.run = {
      state: boardState(
        w,
        guests.map((g) => g.state),
      ),
      guests,
      timeNs: this.worker.timeNs,
      inputVm: this.worker.inputVm,
      problem: this.problem,
      switchChar: this.switchChar,
    };
    this.ui.status(this.run);
    for (const l of this.runListeners) l(this.run);
  }
}

/** A guest terminal's tab name: tabs cut long names, so the guest's number comes first. */
export function guestTerminalName(index: number, vm: string): string {
  return `guest ${index + 1} · ${vm}`;
}

/** The cause of a fault in one line: the device, its driver, and that it is not mapped into the VM. */
export function faultCause(fault: GuestFault, vm: string): string | undefined {
  const o = fault.owner;
  if (!o) return undefined;
  const by = o.driver ? `, which its driver ${o.driver} probes,` : '';
  const at = o.enabledWhere ? `enabled at ${o.enabledWhere}` : `defined at ${o.where}`;
  return `${o.path}${by} is not mapped into ${vm} (${fault.write ? 'write' : 'read'} at 0x${fault.gpa.toString(16)}; ${at})`;
}

export function formatLogRecord(r: LogRecord): string {
  return `[${formatVirtualSeconds(r.timeNs)}] ${r.level === 'info' ? '' : `${r.level}: `}${r.source}: ${r.text}`;
}
