// Messages between the queue-inspector page and the extension. Shared by both sides, so it imports
// neither `vscode` nor the DOM. The page is untrusted from the extension's point of view: every
// message it posts goes through parsePageMessage before anything acts on it.
import type { EmulatorSnapshot } from '../emulator/emulator';
import type { Moment } from '../emulator/time-travel';
import type { TravelTarget } from '../host/protocol';

/** The webview panel's viewType (the serializer and the onWebviewPanel activation event use it). */
export const INSPECTOR_VIEW_TYPE = 'microkitDualGuest.queueInspector';

/** Slowest and fastest speed factors the page may ask for (1 = real time). */
export const MIN_SPEED = 0.01;
export const MAX_SPEED = 100;
/** The cap on snapshots per second while the panel is visible (a display's rate; more is unseen work). */
export const MAX_SNAPSHOTS_PER_SECOND = 30;

export const PAGE_MESSAGE_TYPES = ['ready', 'drawn', 'pause', 'resume', 'step', 'setSpeed', 'travel', 'live'] as const;
export const HOST_MESSAGE_TYPES = ['snapshot', 'session', 'past', 'live'] as const;

/** From the page to the extension. */
export type PageMessage =
  | { type: 'ready' }
  /** The page drew the last snapshot it was sent: the next may come (the page sets the pace). */
  | { type: 'drawn' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step' }
  | { type: 'setSpeed'; factor: number }
  /** Time travel: show a moment of the session (a time, or a step by event or PD activation from the moment shown). */
  | { type: 'travel'; to: TravelTarget }
  /** Back to the live machine. */
  | { type: 'live' };

/**
 * The snapshot as posted: byte arrays as hex strings so the message is plain JSON; device register
 * state is left out (the page does not show it).
 */
export type WireQueue = Omit<EmulatorSnapshot['queues'][number], 'bytes'> & { bytesHex: string };
export type WireSnapshot = Omit<EmulatorSnapshot, 'queues' | 'devices'> & { queues: WireQueue[] };

/** From the extension to the page. */
export type HostMessage =
  | { type: 'snapshot'; snapshot: WireSnapshot }
  | { type: 'session'; attached: boolean; paused: boolean; halted: boolean; speed: number }
  /** The session as it was at `moment` (of `end`, the live machine's), or why it cannot be shown. */
  | { type: 'past'; moment: Moment; end: Moment; snapshot: WireSnapshot }
  | { type: 'past'; error: string }
  /** The live machine is shown again. */
  | { type: 'live' };

/** What the page keeps through a reload (vscode.setState) and the serializer gets back. */
export interface InspectorPageState {
  guestFilter: string;
  paused: boolean;
  speed: number;
}

const HEX = '0123456789abcdef';

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return s;
}

/** Inverse of bytesToHex; stops at the first character pair that is not hex. */
export function hexToBytes(hex: string): Uint8Array {
  const n = hex.length >> 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const hi = HEX.indexOf(hex[2 * i]),
      lo = HEX.indexOf(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return out.subarray(0, i);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** The snapshot in the form posted to the page (what the bench serializes too). */
export function toWireSnapshot(s: EmulatorSnapshot): WireSnapshot {
  return {
    timeNs: s.timeNs,
    queues: s.queues.map(({ bytes, ...q }) => ({ ...q, bytesHex: bytesToHex(bytes) })),
    guests: s.guests,
    serial: s.serial,
    pds: s.pds,
    events: s.events,
    channels: s.channels,
    findings: s.findings,
  };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * A message from the page, or undefined when it is not one we accept. Only known types with fields of
 * the right type and range pass; extra fields are dropped, so nothing unexpected reaches the session.
 */
export function parsePageMessage(x: unknown): PageMessage | undefined {
  if (!isRecord(x) || typeof x.type !== 'string') return undefined;
  switch (x.type) {
    case 'ready':
    case 'drawn':
    case 'pause':
    case 'resume':
    case 'step':
      return { type: x.type };
    case 'live':
      return { type: 'live' };
    case 'travel': {
      const to = parseTravelTarget(x.to);
      return to ? { type: 'travel', to } : undefined;
    }
    case 'setSpeed': {
      const f = x.factor;
      if (typeof f !== 'number' || !Number.isFinite(f) || f < MIN_SPEED || f > MAX_SPEED) return undefined;
      return { type: 'setSpeed', factor: f };
    }
    default:
      return undefined;
  }
}

const count = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;

/** A travel target from the page: one non-negative integer moment, or a step of ±1 by event or activation. */
function parseTravelTarget(x: unknown): TravelTarget | undefined {
  if (!isRecord(x)) return undefined;
  if (x.step === 'event' || x.step === 'activation') return x.dir === 1 || x.dir === -1 ? { step: x.step, dir: x.dir } : undefined;
  if (count(x.timeNs)) return { timeNs: x.timeNs };
  if (count(x.event)) return { event: x.event };
  if (count(x.activation)) return { activation: x.activation };
  return undefined;
}

/** Page state from vscode.getState() or the serializer, with defaults for anything missing or wrong. */
export function parsePageState(x: unknown): InspectorPageState {
  const s: InspectorPageState = { guestFilter: '', paused: false, speed: 1 };
  if (!isRecord(x)) return s;
  if (typeof x.guestFilter === 'string' && x.guestFilter.length <= 64) s.guestFilter = x.guestFilter;
  if (typeof x.paused === 'boolean') s.paused = x.paused;
  if (typeof x.speed === 'number' && Number.isFinite(x.speed) && x.speed >= MIN_SPEED && x.speed <= MAX_SPEED) s.speed = x.speed;
  return s;
}
