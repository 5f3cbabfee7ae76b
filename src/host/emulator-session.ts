// The worker side of the protocol: owns one emulator, advances its virtual time in frames, gathers
// its output per frame, and stops advancing time while the extension has not acknowledged a credit
// window of output, so a flooding guest can neither grow memory nor flood the UI. Clock and
// messaging come from the host (the worker entry, or a test), so this module runs anywhere.
import type { Diagnostic } from '../common/diagnostics';
import { formatRangeDtc } from '../common/diagnostics';
import type { FileHost } from '../common/host';
import { PASSTHROUGH_CLIENT, type Emulator } from '../emulator/emulator';
import { PhysicalLinesHost } from '../devicetree/physical-lines';
import { bootProject } from '../emulator/from-project';
import type { KernelObserver, LogRecord } from '../emulator/kernel';
import { applyInputRecord, componentMismatch, recordInputLog, replayInputLog, type InputLog } from '../emulator/record';
import { TraceRecorder } from '../emulator/trace';
import { activationCounter, TimeMachine, type ActivationCounts, type Moment } from '../emulator/time-travel';
import { loadProject } from '../system/index';
import { findingDiagnostic } from '../emulator/protocol/findings';
import { componentsRequestFor } from '../emulator/real/components';
import type { WasmToolchain } from '../emulator/real/toolchain';
import { InputRouter } from './input-router';
import {
  CREDIT_WINDOW_BYTES,
  FRAME_MS,
  INPUT_QUEUE_LIMIT,
  KERNEL_LOG_TAIL_LINES,
  LOG_RECORDS_PER_FRAME,
  type BootRequest,
  type ClientChunk,
  type FromWorker,
  type GuestInfo,
  type PastView,
  type RunState,
  type ToWorker,
  type TravelTarget,
} from './protocol';

export interface SessionClock {
  nowMs(): number;
  /** Call cb after ms; returns a cancel function. */
  schedule(cb: () => void, ms: number): () => void;
}

export type PostMessage = (message: FromWorker, transfer?: ArrayBuffer[]) => void;

/** Virtual time per step, so the credit window and input are checked often within a frame. */
const SLICE_NS = 1_000_000;
/** Fast mode: compute spent per frame at most, leaving the core some rest between frames. */
const FAST_BUDGET_MS = 10;
/** Real-time mode: after a stall (debugger, busy machine) catch up by at most this much. */
const MAX_CATCH_UP_MS = 100;
/** Typed bytes put on the UART wire at once; the rest wait in the session's bounded queue. */
const WIRE_FILL_BYTES = 256;
const STATUS_EVERY_MS = 250;

/** Byte chunks gathered until the next frame. */
class ChunkBuffer {
  private chunks: Uint8Array[] = [];
  size = 0;
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes.slice());
    this.size += bytes.length;
  }
  take(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    this.chunks = [];
    this.size = 0;
    return out;
  }
}

export class EmulatorSession {
  private emulator: Emulator | undefined;
  private bootRequest: BootRequest | undefined;
  private guests: GuestInfo[] = [];
  private router: InputRouter | undefined;
  private state: RunState = 'stopped';
  private userPaused = false;
  private readonly line = new ChunkBuffer();
  private clientOut: ChunkBuffer[] = [];
  private logs: LogRecord[] = [];
  private logsDropped = 0;
  private unacked = 0;
  private inputQueue: Uint8Array[] = [];
  private inputQueued = 0;
  private inputDropped = 0;
  private replay: { log: InputLog; next: number } | undefined;
  private reportedHalts = new Set<number>();
  /** Per guest, the fault that was already there when it last (re)booted: not the cause of a later stop. */
  private staleFaults: (object | undefined)[] = [];
  /** Terminal sizes by target, recorded because the guest model has no notion of them. */
  readonly terminalSizes = new Map<number | 'line', { cols: number; rows: number }>();
  private cancelTick: (() => void) | undefined;
  private lastTickMs = 0;
  private lastStatusMs = -Infinity;
  private lastStatusState: RunState | undefined;
  private crashRequest: string | undefined;
  private streamEveryMs: number | undefined;
  private lastStreamMs = -Infinity;
  private lastStreamTimeNs = -1;
  private speed = 1;
  private findingsPosted = 0;
  /** The live machine's PD activations (time travel's "step by activation" counts the same). */
  private liveActivations: ActivationCounts = { count: 0, work: 0 };
  /** While the user looks at the past: the time machine, the moment shown, and whether live was paused before. */
  private travel: { machine: TimeMachine; log: InputLog; at: Moment; wasPaused: boolean } | undefined;
  /** The time machine is kept between travels (its checkpoints stay useful); dropped at boot and stop. */
  private timeMachine: { machine: TimeMachine; log: InputLog } | undefined;

  /** Files as the user has them: a fault names the line the user can open (src/devicetree/physical-lines.ts). */
  private readonly host: PhysicalLinesHost;

  constructor(
    host: FileHost,
    private readonly post: PostMessage,
    private readonly clock: SessionClock,
    /** The compiler for real components and the sDDF used when the project names none (the worker's). */
    private readonly real?: { toolchain: WasmToolchain; defaultSddf?: string },
  ) {
    this.host = new PhysicalLinesHost(host);
  }

  handle(msg: ToWorker): void {
    switch (msg.type) {
      case 'boot':
        this.boot(msg);
        break;
      case 'input':
        this.input(msg.target, msg.bytes);
        break;
      case 'ack':
        this.unacked = Math.max(0, this.unacked - msg.bytes);
        break;
      case 'pause':
        this.userPaused = true;
        this.sendStatus(true);
        break;
      case 'resume':
        this.userPaused = false;
        this.sendStatus(true);
        break;
      case 'reset':
        this.resetGuest(msg.guest);
        break;
      case 'resize':
        this.resize(msg.target, msg.cols, msg.rows);
        break;
      case 'snapshot':
        this.post({ type: 'snapshot', requestId: msg.requestId, snapshot: this.emulator?.snapshot() });
        break;
      case 'streamSnapshots':
        this.streamEveryMs = msg.enabled && msg.maxPerSecond > 0 ? 1000 / msg.maxPerSecond : undefined;
        break;
      case 'step':
        if (!this.travel) this.step();
        break;
      case 'travel':
        this.travelTo(msg.to);
        break;
      case 'returnToLive':
        this.returnToLive();
        break;
      case 'setSpeed':
        if (Number.isFinite(msg.factor) && msg.factor > 0) this.speed = msg.factor;
        break;
      case 'getRecording':
        this.post({ type: 'recording', requestId: msg.requestId, log: this.emulator ? recordInputLog(this.emulator, this.bootRequest?.seed ?? 1) : undefined });
        break;
      case 'exportTrace':
        this.post({ type: 'trace', requestId: msg.requestId, ...this.exportTrace() });
        break;
      case 'stop':
        this.stop();
        break;
      case 'crash':
        this.crashRequest = msg.message;
        break;
    }
  }

  /** Stop the loop and drop the emulator (also when the worker is about to end). */
  stop(): void {
    this.cancelTick?.();
    this.cancelTick = undefined;
    this.emulator = undefined;
    this.travel = this.timeMachine = undefined;
    this.state = 'stopped';
    this.sendStatus(true);
  }

  private boot(req: BootRequest): void {
    this.cancelTick?.();
    this.cancelTick = undefined;
    this.emulator = undefined;
    this.travel = this.timeMachine = undefined;
    this.liveActivations = { count: 0, work: 0 };
    this.bootRequest = req;
    this.state = 'booting';
    this.resetBuffers();
    let diagnostics: Diagnostic[];
    let emulator: Emulator | undefined;
    let project;
    try {
      project = loadProject(req.projectFile, this.host, { switchChar: req.switchChar });
      if (req.colour !== undefined) project.serial.colour = req.colour;
      // A replay boots the programs it was recorded with, whatever the setting says.
      const wanted = componentsRequestFor(project, req.replay?.components ?? req.components, this.real?.defaultSddf);
      const booted = bootProject(project, {
        components: wanted.request && this.real ? { request: wanted.request, toolchain: this.real.toolchain } : undefined,
        host: this.host,
        origins: this.host,
        fast: req.fast,
        seed: req.seed ?? 1,
        emulatorHost: { onLog: (r) => this.addLog(r), onUartOutput: (b) => this.line.push(b), observers: [activationCounter(this.liveActivations)] },
      });
      diagnostics = [...booted.diagnostics, ...wanted.diagnostics];
      emulator = booted.emulator;
      const mismatch = emulator && req.replay ? componentMismatch(emulator, req.replay) : undefined;
      if (mismatch) {
        diagnostics.push({ severity: 'error', code: 'real-components', message: `cannot replay: ${mismatch}` });
        emulator = undefined;
      }
    } catch (e) {
      // The cores promise not to throw; if one does, the user still gets a message, not a dead worker.
      diagnostics = [
        { severity: 'error', message: `internal error while loading the project: ${e instanceof Error ? e.message : String(e)}`, code: 'emulator-boot' },
      ];
    }
    if (!emulator || !project) {
      this.state = 'failed';
      this.post({ type: 'bootFailed', diagnostics, summary: bootFailureSummary(diagnostics) });
      this.sendStatus(true);
      return;
    }
    this.emulator = emulator;
    // The emulator's guests, in its order: the project's, less those left out ("boot": false, or no
    // trees while others have them). A guest that owns the UART has the line to itself: its
    // terminal is the line's client.
    const running = new Set(emulator.snapshot().guests.map((g) => g.vm));
    this.guests = project.guests
      .filter((g) => g.boot && running.has(g.vm))
      .map((g) => ({ vm: g.vm, vmm: g.vmm, client: g.vm === emulator.uartOwner ? PASSTHROUGH_CLIENT : g.clientIndex }));
    const clients = Math.max(0, ...this.guests.map((g) => g.client + 1));
    this.clientOut = Array.from({ length: clients }, () => new ChunkBuffer());
    emulator.onClientOutput((client, bytes) => this.clientOut[client]?.push(bytes));
    this.router = new InputRouter({ switchChar: project.serial.switchChar, clientBase: project.serial.clientBase }, 0);
    this.replay = req.replay ? { log: req.replay, next: 0 } : undefined;
    this.state = 'running';
    this.post({
      type: 'booted',
      guests: this.guests,
      switchChar: project.serial.switchChar,
      switchCharOrigin: project.serial.switchCharOrigin,
      clientBase: project.serial.clientBase,
      driver: project.roles.driver ?? 'uart',
      fast: req.fast,
      diagnostics,
    });
    this.lastTickMs = this.clock.nowMs();
    this.tick();
  }

  /** One guest reboots (its VMM restarts it); the other guest, the serial PDs and the buffers go on. */
  private resetGuest(guest: number): void {
    const emu = this.emulator;
    if (!emu || !Number.isInteger(guest) || guest < 0 || guest >= this.guests.length) return;
    emu.resetGuest(guest);
    // It runs again: a later stop is news.
    this.reportedHalts.delete(guest);
    this.staleFaults[guest] = emu.lastFault(guest);
  }

  private resetBuffers(): void {
    this.line.take();
    this.clientOut = [];
    this.logs = [];
    this.logsDropped = 0;
    this.unacked = 0;
    this.inputQueue = [];
    this.inputQueued = 0;
    this.inputDropped = 0;
    this.reportedHalts.clear();
    this.staleFaults = [];
    this.replay = undefined;
    this.findingsPosted = 0;
  }

  private addLog(r: LogRecord): void {
    if (this.logs.length < LOG_RECORDS_PER_FRAME) this.logs.push(r);
    else this.logsDropped++;
  }

  private input(target: number | 'line', bytes: Uint8Array): void {
    if (!this.emulator || !this.router) return;
    if (target !== 'line' && !this.guests.some((g) => g.client === target)) return;
    // With no virtualiser there is nothing to switch: typing goes onto the line as it is.
    const lineBytes = target === 'line' ? this.router.forLine(bytes) : this.emulator.uartOwner !== undefined ? bytes : this.router.forClient(target, bytes);
    if (this.inputQueued + lineBytes.length > INPUT_QUEUE_LIMIT) {
      // A whole keystroke or paste is kept or dropped, never split: a half switch sequence would misroute.
      this.inputDropped += lineBytes.length;
      if (target !== 'line') this.router.reset(-1);
      return;
    }
    this.inputQueue.push(lineBytes);
    this.inputQueued += lineBytes.length;
    this.feedInput();
  }

  /** Move queued input onto the UART's wire as it drains, so a huge paste waits here, bounded. */
  private feedInput(): void {
    const emu = this.emulator;
    if (!emu) return;
    while (this.inputQueue.length > 0 && emu.uart.wirePending() < WIRE_FILL_BYTES) {
      const head = this.inputQueue[0];
      const n = Math.min(head.length, WIRE_FILL_BYTES);
      emu.typeInput(head.subarray(0, n));
      this.inputQueued -= n;
      if (n === head.length) this.inputQueue.shift();
      else this.inputQueue[0] = head.subarray(n);
    }
  }

  private resize(target: number | 'line', cols: number, rows: number): void {
    this.terminalSizes.set(target, { cols, rows });
    this.post({
      type: 'resized',
      target,
      cols,
      rows,
      applied: false,
      note: `recorded ${cols}x${rows}; the serial line carries no window size and the guest model has none (stty rows/cols is not modelled)`,
    });
  }

  private outputWaiting(): number {
    let n = this.line.size;
    for (const c of this.clientOut) n += c.size;
    return n;
  }

  private creditLeft(): boolean {
    return this.unacked + this.outputWaiting() < CREDIT_WINDOW_BYTES;
  }

  private tick(): void {
    this.cancelTick = undefined;
    const emu = this.emulator;
    if (!emu) return;
    try {
      if (this.crashRequest !== undefined) {
        const message = this.crashRequest;
        this.crashRequest = undefined;
        throw new Error(message);
      }
      const now = this.clock.nowMs();
      const wallMs = Math.min(Math.max(0, now - this.lastTickMs), MAX_CATCH_UP_MS);
      this.lastTickMs = now;
      if (this.travel) this.refillTimeMachine();
      if (this.userPaused || this.travel) this.state = 'paused';
      else if (!this.creditLeft()) this.state = 'throttled';
      else {
        this.state = 'running';
        this.advance(emu, wallMs, now);
      }
      this.reportHalts(emu);
      this.flush(emu);
      this.sendStatus(false);
      this.streamSnapshot(emu, now);
    } catch (e) {
      this.emulator = undefined;
      this.state = 'failed';
      this.post({ type: 'crashed', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });
      return;
    }
    this.cancelTick = this.clock.schedule(() => this.tick(), FRAME_MS);
  }

  private advance(emu: Emulator, wallMs: number, startMs: number): void {
    const fast = this.bootRequest?.fast ?? true;
    // Real time: virtual time follows the wall clock. Fast: as much as the frame's compute budget allows.
    const targetNs = fast ? Infinity : emu.now() + wallMs * 1e6 * this.speed;
    while (emu.now() < targetNs) {
      // The window filled during this frame: stop here. The frame did run, so the state stays
      // 'running'; the next frame reports 'throttled' if the credit has not come back by then.
      if (!this.creditLeft()) break;
      if (fast && this.clock.nowMs() - startMs >= FAST_BUDGET_MS) break;
      this.feedInput();
      let sliceEnd = Math.min(targetNs, emu.now() + SLICE_NS);
      const rec = this.replay?.log.records[this.replay.next];
      if (rec && rec.timeNs < sliceEnd) sliceEnd = Math.max(rec.timeNs, emu.now());
      if (sliceEnd > emu.now()) emu.runFor(sliceEnd - emu.now());
      this.typeDueReplay(emu);
    }
  }

  private step(): void {
    const emu = this.emulator;
    if (!emu) return;
    this.userPaused = true;
    this.state = 'paused';
    emu.stepEvent(1e9);
    this.reportHalts(emu);
    this.flush(emu);
    this.sendStatus(true);
    this.lastStreamTimeNs = -1;
    this.streamSnapshot(emu, this.clock.nowMs());
  }

  private streamSnapshot(emu: Emulator, now: number): void {
    if (this.streamEveryMs === undefined || now - this.lastStreamMs < this.streamEveryMs) return;
    // A paused machine does not change: no new snapshot until time moves (or a step).
    if (emu.now() === this.lastStreamTimeNs) return;
    this.lastStreamMs = now;
    this.lastStreamTimeNs = emu.now();
    this.post({ type: 'streamedSnapshot', snapshot: emu.snapshot() });
  }

  private typeDueReplay(emu: Emulator): void {
    const r = this.replay;
    if (!r) return;
    while (r.next < r.log.records.length && r.log.records[r.next].timeNs <= emu.now()) {
      applyInputRecord(emu, r.log.records[r.next]);
      r.next++;
      // Recorded raw line bytes may switch clients: the router no longer knows the target.
      this.router?.reset(-1);
    }
    if (r.next >= r.log.records.length) this.replay = undefined;
  }

  private reportHalts(emu: Emulator): void {
    for (let i = 0; i < this.guests.length; i++) {
      if (this.reportedHalts.has(i)) continue;
      const vcpu = emu.vcpu(i);
      if (vcpu.state !== 'halted') continue;
      this.reportedHalts.add(i);
      const fault = emu.lastFault(i);
      const log =
        vcpu.program
          ?.dmesg?.()
          .split('\n')
          .filter((l) => l !== '') ?? [];
      this.post({
        type: 'guestFailed',
        guest: i,
        vm: this.guests[i].vm,
        reason: vcpu.haltReason ?? 'halted',
        fault: fault && fault !== this.staleFaults[i] ? { gpa: fault.gpa, write: fault.write, owner: fault.owner } : undefined,
        kernelLog: log.slice(-KERNEL_LOG_TAIL_LINES),
      });
    }
  }

  private flush(emu: Emulator): void {
    const waiting = this.outputWaiting();
    if (waiting > 0) {
      const line = this.line.take();
      const clients: ClientChunk[] = [];
      this.clientOut.forEach((c, client) => {
        if (c.size > 0) clients.push({ client, bytes: c.take() });
      });
      this.unacked += waiting;
      this.post({ type: 'output', timeNs: emu.now(), line, clients }, [line.buffer as ArrayBuffer, ...clients.map((c) => c.bytes.buffer as ArrayBuffer)]);
    }
    this.postFindings(emu);
    if (this.logs.length > 0 || this.logsDropped > 0) {
      this.post({ type: 'log', records: this.logs, dropped: this.logsDropped });
      this.logs = [];
      this.logsDropped = 0;
    }
  }

  /**
   * The session so far as a trace: the same project booted again with a recorder from power-on and
   * the input log replayed to now (the emulator is deterministic, so this is the session itself).
   */
  private exportTrace(): { json: string | undefined; error?: string } {
    const emu = this.emulator,
      req = this.bootRequest;
    if (!emu || !req) return { json: undefined, error: 'no emulator is running' };
    const trace = new TraceRecorder();
    const project = loadProject(req.projectFile, this.host, { switchChar: req.switchChar });
    if (req.colour !== undefined) project.serial.colour = req.colour;
    const wanted = componentsRequestFor(project, req.components, this.real?.defaultSddf);
    const again = bootProject(project, {
      components: wanted.request && this.real ? { request: wanted.request, toolchain: this.real.toolchain } : undefined,
      host: this.host,
      origins: this.host,
      fast: req.fast,
      seed: req.seed ?? 1,
      emulatorHost: { trace },
    });
    if (!again.emulator) return { json: undefined, error: 'the project no longer boots as it did (files changed?)' };
    replayInputLog(again.emulator, recordInputLog(emu, req.seed ?? 1), emu.now());
    return { json: JSON.stringify(trace.toJSON()) };
  }

  /**
   * Show the session at a moment: the live machine pauses, and a time machine over its input log
   * (checkpoints rebuilt from power-on with the same configuration) replays to the moment.
   */
  private travelTo(to: TravelTarget): void {
    const emu = this.emulator;
    if (!emu) return this.post({ type: 'travelled', past: undefined, error: 'no emulator is running' });
    const tm = this.timeMachineFor(emu);
    if (!this.travel)
      this.travel = { ...tm, at: { timeNs: emu.now(), event: emu.kernel.eventsRecorded, activation: this.liveActivations.count }, wasPaused: this.userPaused };
    let past: PastView;
    try {
      const jump = 'step' in to ? tm.machine.step(this.travel.at, to.step, to.dir) : tm.machine.jumpTo(to);
      this.travel.at = jump.moment;
      const clients = jump.clientOutput.flatMap((bytes, client) => (bytes ? [{ client, bytes }] : []));
      past = { moment: jump.moment, end: this.liveMoment(emu), snapshot: jump.emulator.snapshot(), line: jump.output, clients };
    } catch (e) {
      return this.post({ type: 'travelled', past: undefined, error: `the session could not be replayed: ${e instanceof Error ? e.message : String(e)}` });
    }
    this.state = 'paused';
    this.post({ type: 'travelled', past });
    this.sendStatus(true);
  }

  /** The time machine over the live session so far (made on first use; later travels reach the live machine's present). */
  private timeMachineFor(emu: Emulator): { machine: TimeMachine; log: InputLog } {
    const live = recordInputLog(emu, this.bootRequest?.seed ?? 1);
    if (!this.timeMachine) {
      const build = (onUartOutput: (b: Uint8Array) => void, observer: KernelObserver): Emulator => {
        const copy = emu.powerOnCopy({ onUartOutput, observers: [observer] });
        if (!copy) throw new Error('the system no longer assembles');
        return copy;
      };
      this.timeMachine = { machine: new TimeMachine(build, live, emu.now()), log: live };
    }
    const tm = this.timeMachine;
    // The live machine ran on since: its new input joins the log the checkpoints replay.
    for (let i = tm.log.records.length; i < live.records.length; i++) tm.log.records.push(live.records[i]);
    tm.machine.extend(emu.now());
    return tm;
  }

  private liveMoment(emu: Emulator): Moment {
    return { timeNs: emu.now(), event: emu.kernel.eventsRecorded, activation: this.liveActivations.count };
  }

  /** While the user looks at the past, the idle worker puts back one checkpoint a jump used up. */
  private refillTimeMachine(): void {
    try {
      this.travel?.machine.refill();
    } catch {
      // A checkpoint that cannot be rebuilt is left out; the next jump replays further.
    }
  }

  private returnToLive(): void {
    const t = this.travel;
    if (!t) return;
    this.travel = undefined;
    this.userPaused = t.wasPaused;
    this.post({ type: 'live' });
    this.lastStreamTimeNs = -1;
    this.sendStatus(true);
  }

  /** The protocol findings, when their number or counts changed (at most once a frame). */
  private postFindings(emu: Emulator): void {
    const findings = emu.findings();
    let total = 0;
    for (const f of findings) total += f.count;
    if (total === this.findingsPosted) return;
    this.findingsPosted = total;
    this.post({ type: 'findings', diagnostics: findings.map((f) => findingDiagnostic(f, (pd) => emu.elementRange(pd))) });
  }

  private sendStatus(force: boolean): void {
    const emu = this.emulator;
    const now = this.clock.nowMs();
    if (!force && this.state === this.lastStatusState && now - this.lastStatusMs < STATUS_EVERY_MS) return;
    this.lastStatusState = this.state;
    this.lastStatusMs = now;
    this.post({
      type: 'status',
      state: this.state,
      timeNs: emu?.now() ?? 0,
      // The snapshot is cheap, but not free: it is taken at most a few times a second.
      currentClient: emu ? emu.snapshot().serial.currentClient : -1,
      unackedBytes: this.unacked,
      inputPending: this.inputQueued + (emu?.uart.wirePending() ?? 0),
      inputDropped: this.inputDropped,
    });
  }
}

/** One sentence saying what to fix: the first error with its place, and how many more there are. */
export function bootFailureSummary(diagnostics: Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length === 0) return 'The system could not be booted.';
  const first = errors[0];
  const where = first.range ? `${formatRangeDtc(first.range)}: ` : '';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''}, see Problems)` : '';
  return `Cannot boot: fix ${where}${first.message}${more}`;
}
