// The one message protocol between the extension host (or a test) and the emulator worker thread.
// Every message has a literal `type`; ToWorker flows extension → worker, FromWorker the other way.
// test/unit/host/protocol.test.ts pins the names and directions: change both together.
import type { Diagnostic } from '../common/diagnostics';
import type { AddressOwner } from '../emulator/config';
import type { EmulatorSnapshot } from '../emulator/emulator';
import type { LogRecord } from '../emulator/kernel';
import type { InputLog } from '../emulator/record';
import type { Moment, MomentTarget } from '../emulator/time-travel';
import type { SwitchCharOrigin, SwitchCharOverride } from '../system/switch-char';

/** What the worker is doing with virtual time. */
export type RunState = 'booting' | 'running' | 'paused' | 'throttled' | 'stopped' | 'failed';

export interface BootRequest {
  type: 'boot';
  /** Absolute path of dual-guest.json or a `.system` file. */
  projectFile: string;
  /** true: the UART is unpaced and virtual time runs as fast as compute allows; false: baud-paced, virtual time follows the wall clock. */
  fast: boolean;
  /** Overrides the project's `serial.colour` when given. */
  colour?: boolean;
  seed?: number;
  /** The switch character setting: used when the project file sets none (over serial_config.h). */
  switchChar?: SwitchCharOverride;
  /** Input to type at recorded virtual times (Replay a recording). */
  replay?: InputLog;
  /** The components setting: real C code or the models for every PD (absent: the project file's choice). */
  components?: 'model' | 'real';
}

export type ToWorker =
  | BootRequest
  /** Bytes typed for `target`: a client index (the worker prefixes the switch sequence when needed), or 'line' for raw bytes on the UART's RX line. */
  | { type: 'input'; target: number | 'line'; bytes: Uint8Array }
  /** The extension has written `bytes` output bytes to its terminals: they leave the credit window. */
  | { type: 'ack'; bytes: number }
  | { type: 'pause' }
  | { type: 'resume' }
  /** Reset one guest (index into `booted`'s guests): its VMM boots it again; the other guest runs on. */
  | { type: 'reset'; guest: number }
  | { type: 'resize'; target: number | 'line'; cols: number; rows: number }
  | { type: 'snapshot'; requestId: number }
  /** The queue inspector: stream snapshots (at most maxPerSecond) while its panel is visible. */
  | { type: 'streamSnapshots'; enabled: boolean; maxPerSecond: number }
  /** Pause, then run until the kernel records one more event (the inspector's "step"). */
  | { type: 'step' }
  /** Virtual time per wall time in real-time mode (the inspector's speed control); fast mode ignores it. */
  | { type: 'setSpeed'; factor: number }
  | { type: 'getRecording'; requestId: number }
  /** The session so far as a Chrome/Perfetto trace (replayed from power-on with a recorder). */
  | { type: 'exportTrace'; requestId: number }
  /** Time travel: show the session at a moment (the live machine pauses until returnToLive). */
  | { type: 'travel'; to: TravelTarget }
  | { type: 'returnToLive' }
  | { type: 'stop' }
  /** Makes the worker throw from its loop, to exercise crash reporting (tests, "simulate a crash"). */
  | { type: 'crash'; message: string };

/** A moment of the recorded session, or one step from the moment shown, by event or by PD activation. */
export type TravelTarget = MomentTarget | { step: 'event' | 'activation'; dir: 1 | -1 };

/** The session as it was at a moment: every queue, virtqueue, register and PD, and the output up to then. */
export interface PastView {
  moment: Moment;
  /** The live machine's moment: the end of what can be travelled to. */
  end: Moment;
  snapshot: EmulatorSnapshot;
  /** The UART line's output up to the moment (its last 256 KiB), and each client's. */
  line: Uint8Array;
  clients: ClientChunk[];
}

/** The memory fault that stopped a guest: the address and the device-tree node that owns it. */
export interface GuestFault {
  gpa: number;
  write: boolean;
  owner?: AddressOwner;
}

export interface GuestInfo {
  vm: string;
  vmm: string;
  /** 0-based serial client index (the number the real virt_rx expects with clientBase 0). */
  client: number;
}

export interface ClientChunk {
  client: number;
  bytes: Uint8Array;
}

export type FromWorker =
  | {
      type: 'booted';
      guests: GuestInfo[];
      switchChar: number;
      switchCharOrigin: SwitchCharOrigin;
      clientBase: number;
      driver: string;
      fast: boolean;
      diagnostics: Diagnostic[];
    }
  | { type: 'bootFailed'; diagnostics: Diagnostic[]; summary: string }
  /** Output of one frame (~16 ms): the multiplexed UART line and each client's own bytes. */
  | { type: 'output'; timeNs: number; line: Uint8Array; clients: ClientChunk[] }
  | { type: 'log'; records: LogRecord[]; dropped: number }
  | { type: 'status'; state: RunState; timeNs: number; currentClient: number; unackedBytes: number; inputPending: number; inputDropped: number }
  /** A guest's vCPU stopped (fault, PSCI off/reset, boot error): why, the fault if one stopped it, and the kernel's last log lines. */
  | { type: 'guestFailed'; guest: number; vm: string; reason: string; fault?: GuestFault; kernelLog: string[] }
  /** The answer to `resize`: applied is false when the guest model has no notion of a terminal size. */
  | { type: 'resized'; target: number | 'line'; cols: number; rows: number; applied: boolean; note: string }
  | { type: 'snapshot'; requestId: number; snapshot: EmulatorSnapshot | undefined }
  | { type: 'streamedSnapshot'; snapshot: EmulatorSnapshot }
  | { type: 'recording'; requestId: number; log: InputLog | undefined }
  /** Every protocol finding so far, as diagnostics at the `.system` elements (sent when one is new or recounted). */
  | { type: 'findings'; diagnostics: Diagnostic[] }
  /** The answer to exportTrace: the trace file's JSON text, or why there is none. */
  | { type: 'trace'; requestId: number; json: string | undefined; error?: string }
  /** The answer to travel: the moment shown, or why none is (live stays paused either way). */
  | { type: 'travelled'; past: PastView | undefined; error?: string }
  /** Back to the live machine after time travel (it runs again unless the user had paused it). */
  | { type: 'live' }
  /** The worker's loop threw; the emulator is gone and the worker waits to be terminated. */
  | { type: 'crashed'; message: string; stack?: string };

export const TO_WORKER_TYPES = [
  'boot',
  'input',
  'ack',
  'pause',
  'resume',
  'reset',
  'resize',
  'snapshot',
  'streamSnapshots',
  'step',
  'setSpeed',
  'getRecording',
  'exportTrace',
  'travel',
  'returnToLive',
  'stop',
  'crash',
] as const satisfies readonly ToWorker['type'][];
export const FROM_WORKER_TYPES = [
  'booted',
  'bootFailed',
  'output',
  'log',
  'status',
  'guestFailed',
  'resized',
  'snapshot',
  'streamedSnapshot',
  'recording',
  'findings',
  'trace',
  'travelled',
  'live',
  'crashed',
] as const satisfies readonly FromWorker['type'][];

/** Output the extension may hold unacknowledged before the worker stops advancing virtual time. */
export const CREDIT_WINDOW_BYTES = 256 * 1024;
/** How long the worker gathers output before sending it (one display frame). */
export const FRAME_MS = 16;
/** Typed bytes the worker holds for the UART line; beyond this, input is dropped and counted. */
export const INPUT_QUEUE_LIMIT = 64 * 1024;
/** Emulator log records sent per frame at most; the rest are counted as dropped. */
export const LOG_RECORDS_PER_FRAME = 200;
/** Kernel log lines of a stopped guest sent with guestFailed (its terminal shows where it got to). */
export const KERNEL_LOG_TAIL_LINES = 8;
