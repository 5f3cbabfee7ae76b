// One booted dual-guest system as `dual-guest boot` drives it: load the project, boot it, collect
// the UART transcript, type input, run until the guests wait for input, record and replay input.
// The interactive terminal (terminal.ts) and the script/pipe mode (boot.ts) both drive this class,
// so tests of it exercise the CLI's own path.
import { PhysicalLinesHost } from '../devicetree/physical-lines';
import type { Diagnostic } from '../common/diagnostics';
import type { FileHost } from '../common/host';
import { bootProject } from '../emulator/from-project';
import type { Emulator } from '../emulator/emulator';
import type { LogRecord } from '../emulator/kernel';
import type { TraceRecorder } from '../emulator/trace';
import { readComponentChoice, recordInputLog, replayInputLog, type InputLog } from '../emulator/record';
import { componentsRequestFor, type ComponentKind } from '../emulator/real/components';
import type { WasmToolchain } from '../emulator/real/toolchain';
import { loadProject, type Project, type SwitchCharOverride } from '../system/index';

/** Virtual time one runUntilIdle call may take before we look again (keeps each step short). */
const SETTLE_SLICE_NS = 1e9;
/** A guest busy for longer than this (virtual) is left running: script mode never hangs on `yes`. */
export const MAX_SETTLE_NS = 30e9;

export interface BootSessionOptions {
  host: FileHost;
  seed: number;
  /** Baud-paced UART (the board's timing); false: bytes move unpaced. */
  realtime: boolean;
  /** Override the project's colour setting for virt_tx. */
  colour?: boolean;
  /** The switch character asked for outside the project file (the project file's own still wins). */
  switchChar?: SwitchCharOverride;
  /** Where the UART's bytes go, in order, as virt_tx and the driver put them on the line. */
  onOutput: (bytes: Uint8Array) => void;
  /** PD and VMM log lines (libvmm's LOG_VMM_ERR, virt_rx's debug lines, the guest model's notes). */
  onLog?: (record: LogRecord) => void;
  /** Real components: the kind asked for outside the project file, the compiler, the default sDDF. */
  components?: { kind?: ComponentKind | Record<string, ComponentKind>; toolchain: WasmToolchain; defaultSddf?: string };
  /** Record a Chrome/Perfetto trace of the session from power-on. */
  trace?: TraceRecorder;
}

/** What `--record` writes: the emulator's input log plus what a replay needs to end where we ended. */
export interface BootRecording extends InputLog {
  /** Virtual time at which the session ended. */
  endNs: number;
  realtime: boolean;
  colour: boolean;
  /** The switch character in use (absent in older recordings): a replay keeps it, whatever the flag says. */
  switchChar?: number;
}

export type LoadResult = { session: BootSession; diagnostics: Diagnostic[] } | { session: undefined; diagnostics: Diagnostic[] };

export class BootSession {
  private constructor(
    readonly project: Project,
    readonly emulator: Emulator,
    readonly seed: number,
    readonly realtime: boolean,
    /** The trace being recorded (--trace), from power-on. */
    readonly trace?: TraceRecorder,
  ) {}

  /**
   * Load the project (a dual-guest.json, a .system, or a folder holding dual-guest.json) and boot it.
   * Errors anywhere in the files stop here with their diagnostics; warnings come back too.
   */
  static load(target: string, opts: BootSessionOptions): LoadResult {
    // Positions at the lines of the files the user has (cpp output whose markers name missing files).
    const host = new PhysicalLinesHost(opts.host);
    const project = loadProject(target, host, { switchChar: opts.switchChar });
    if (opts.colour !== undefined) project.serial = { ...project.serial, colour: opts.colour };
    const wanted = opts.components ? componentsRequestFor(project, opts.components.kind, opts.components.defaultSddf) : { diagnostics: [] };
    const { emulator, diagnostics } = bootProject(project, {
      components: wanted.request && opts.components ? { request: wanted.request, toolchain: opts.components.toolchain } : undefined,
      host,
      origins: host,
      seed: opts.seed,
      fast: !opts.realtime,
      // In place before init() runs, so the begin string and boot-time logs are not missed.
      emulatorHost: { onUartOutput: (bytes) => opts.onOutput(bytes), onLog: opts.onLog, trace: opts.trace },
    });
    diagnostics.push(...wanted.diagnostics);
    if (!emulator || diagnostics.some((d) => d.severity === 'error')) return { session: undefined, diagnostics };
    return { session: new BootSession(project, emulator, opts.seed, opts.realtime, opts.trace), diagnostics };
  }

  /** The switch character virt_rx listens for (from the project's serial configuration). */
  get switchChar(): number {
    return this.project.serial.switchChar;
  }

  get colour(): boolean {
    return this.project.serial.colour;
  }

  type(bytes: Uint8Array): void {
    this.emulator.typeInput(bytes);
  }

  /** The earliest virtual time a device (guest timer, UART) will act on its own; Infinity if none. */
  nextDeadlineNs(): number {
    let next = Infinity;
    for (const d of this.emulator.kernel.devices) next = Math.min(next, d.nextDeadline());
    return next;
  }

  /** Nothing runnable, the UART quiet: only input or a timer can wake the system. */
  isIdle(): boolean {
    return this.emulator.kernel.quiescent() && !this.emulator.uart.busy();
  }

  /**
   * Run until the guests wait for input: nothing runnable, the UART quiet, and no timer pending
   * (a guest's `sleep` is waited out). Gives up after `maxNs` of virtual time; true when it settled.
   */
  settle(maxNs = MAX_SETTLE_NS): boolean {
    const until = this.emulator.now() + maxNs;
    while (this.emulator.now() < until) {
      const idle = this.emulator.runUntilIdle(Math.min(SETTLE_SLICE_NS, until - this.emulator.now()));
      if (!idle) continue;
      const next = this.nextDeadlineNs();
      if (next === Infinity) return true;
      if (next >= until) break;
      // A pending timer: jump to it (fast), then look again.
      this.emulator.runFor(Math.max(1, next - this.emulator.now()));
    }
    return this.isIdle() && this.nextDeadlineNs() === Infinity;
  }

  /** Advance virtual time by `ns` (the wall clock's share while the terminal was idle, or realtime pacing). */
  runFor(ns: number): void {
    this.emulator.runFor(ns);
  }

  recording(): BootRecording {
    return {
      ...recordInputLog(this.emulator, this.seed),
      endNs: this.emulator.now(),
      realtime: this.realtime,
      colour: this.colour,
      switchChar: this.switchChar,
    };
  }

  /** Feed a recording's input at its virtual times and run to its end. */
  replay(rec: BootRecording): void {
    replayInputLog(this.emulator, rec, rec.endNs);
  }
}

/** A `--record` file's text, and back; a malformed file yields a message, never a throw. */
export function serialiseRecording(rec: BootRecording): string {
  return JSON.stringify(rec) + '\n';
}

export function parseRecording(text: string): { recording?: BootRecording; error?: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { error: `not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (typeof v !== 'object' || v === null) return { error: 'not a recording (expected a JSON object)' };
  const o = v as Record<string, unknown>;
  if (o.version !== 1) return { error: `unsupported recording version ${JSON.stringify(o.version)} (expected 1)` };
  const isNs = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  if (typeof o.seed !== 'number' || !Number.isSafeInteger(o.seed)) return { error: "'seed' must be an integer" };
  if (!isNs(o.endNs)) return { error: "'endNs' must be a time in nanoseconds" };
  if (!Array.isArray(o.records)) return { error: "'records' must be an array" };
  const records: InputLog['records'] = [];
  for (const [i, r] of (o.records as unknown[]).entries()) {
    const rr = r as Record<string, unknown> | null;
    if (
      typeof rr !== 'object' ||
      rr === null ||
      !isNs(rr.timeNs) ||
      !Array.isArray(rr.bytes) ||
      !(rr.bytes as unknown[]).every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b < 256)
    ) {
      return { error: `record ${i}: expected { timeNs, bytes: [0..255] }` };
    }
    // A guest reset the extension recorded ("Reset a guest"): replayed as a reset.
    if (rr.resetGuest !== undefined) {
      if (typeof rr.resetGuest !== 'number' || !Number.isSafeInteger(rr.resetGuest) || rr.resetGuest < 0)
        return { error: `record ${i}: 'resetGuest' must be a guest index` };
      records.push({ timeNs: rr.timeNs, bytes: [], resetGuest: rr.resetGuest });
      continue;
    }
    records.push({ timeNs: rr.timeNs, bytes: rr.bytes as number[] });
  }
  const { components, error } = readComponentChoice(o.components);
  if (error) return { error };
  const sw = o.switchChar;
  if (sw !== undefined && !(typeof sw === 'number' && Number.isInteger(sw) && sw >= 0 && sw < 256)) return { error: "'switchChar' must be a byte value" };
  return {
    recording: {
      version: 1,
      seed: o.seed,
      records,
      endNs: o.endNs,
      realtime: o.realtime === true,
      colour: o.colour === true,
      ...(sw === undefined ? {} : { switchChar: sw }),
      ...(components === undefined ? {} : { components }),
    },
  };
}

/** A diagnostic as compilers print it: `file:line:col: error: message` (1-based), dtc-style. */
export function formatBootDiagnostic(d: Diagnostic, displayPath: (file: string) => string = (f) => f): string {
  const where = d.range ? `${displayPath(d.range.file)}:${d.range.start.line + 1}:${d.range.start.col + 1}: ` : '';
  return `${where}${d.severity}: ${d.message}`;
}
