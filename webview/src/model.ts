// What the page shows, computed from snapshots without touching the DOM (unit-tested on its own).
import type { WireSnapshot } from '../../src/extension/inspector-protocol';
import { hexToBytes } from '../../src/extension/inspector-protocol';

type Guest = WireSnapshot['guests'][number];
type EventRec = WireSnapshot['events'][number];

/** Bytes in an sDDF queue: head and tail are free-running 32-bit counters. */
export function queueFill(q: { head: number; tail: number }): number {
  return (q.tail - q.head) >>> 0;
}

export function hex(n: number, digits = 0): string {
  const s = n.toString(16);
  return '0x' + (s.length < digits ? '0'.repeat(digits - s.length) + s : s);
}

/** A byte as a printable character, or '.' (as hexdump -C does). */
export function printable(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}

export interface HexRow {
  offset: number;
  hex: string;
  text: string;
}

/** The first `limit` bytes of a queue's hex string as rows of `perRow` bytes. */
export function hexRows(bytesHex: string, perRow = 16, limit = 256): { rows: HexRow[]; total: number } {
  const bytes = hexToBytes(bytesHex);
  const shown = Math.min(bytes.length, limit);
  const rows: HexRow[] = [];
  for (let off = 0; off < shown; off += perRow) {
    const slice = bytes.subarray(off, Math.min(off + perRow, shown));
    let h = '',
      t = '';
    for (let i = 0; i < slice.length; i++) {
      h += (i > 0 ? ' ' : '') + (slice[i] < 16 ? '0' : '') + slice[i].toString(16);
      t += printable(slice[i]);
    }
    rows.push({ offset: off, hex: h, text: t });
  }
  return { rows, total: bytes.length };
}

/** Virtual nanoseconds as the timeline shows them: seconds with microsecond precision. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '?';
  const us = Math.round(ns / 1000);
  const s = Math.floor(us / 1e6),
    frac = us % 1e6;
  return `${s}.${String(frac).padStart(6, '0')} s`;
}

const VIRTQ_DESC_F_NEXT = 1,
  VIRTQ_DESC_F_WRITE = 2,
  VIRTQ_DESC_F_INDIRECT = 4;

export function descriptorFlags(flags: number): string {
  const names: string[] = [];
  if (flags & VIRTQ_DESC_F_NEXT) names.push('NEXT');
  if (flags & VIRTQ_DESC_F_WRITE) names.push('WRITE');
  if (flags & VIRTQ_DESC_F_INDIRECT) names.push('INDIRECT');
  const rest = flags & ~7;
  if (rest) names.push(hex(rest));
  return names.length ? names.join('|') : '0';
}

/** Avail-ring slots the device has not consumed yet (from lastSeen up to availIdx, 16-bit wrap). */
export function pendingAvail(q: { num: number; lastSeen: number; availIdx: number | undefined }): number {
  if (q.availIdx === undefined) return 0;
  return (q.availIdx - q.lastSeen) & 0xffff;
}

/** How much each PD's notification count grew since the previous snapshot (PDs that are new count as 0). */
export function notificationDeltas(prev: WireSnapshot | undefined, cur: WireSnapshot): Map<string, number> {
  const before = new Map(prev?.pds.map((p) => [p.name, p.notifications]) ?? []);
  const out = new Map<string, number>();
  for (const p of cur.pds) out.set(p.name, Math.max(0, p.notifications - (before.get(p.name) ?? p.notifications)));
  return out;
}

/** True when `name` occurs in `text` as a whole name (not as part of a longer one, e.g. VMM-1 in VMM-10). */
export function mentions(text: string, name: string): boolean {
  if (!name) return false;
  const isNameChar = (c: string | undefined) => {
    if (c === undefined) return false;
    const x = c.charCodeAt(0) | 0x20; // lower case for letters
    return (x >= 0x61 && x <= 0x7a) || (c >= '0' && c <= '9') || c === '_' || c === '-';
  };
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
    if (!isNameChar(text[i - 1]) && !isNameChar(text[i + name.length])) return true;
  }
  return false;
}

/**
 * The timeline's events for a filter: '' is every event; a guest's VM name keeps the events that name
 * that guest or its VMM (the shared UART path names neither, so it drops out).
 */
export function filterEvents(events: EventRec[], guests: Guest[], filter: string, limit = 80): EventRec[] {
  const g = guests.find((x) => x.vm === filter);
  const kept = g ? events.filter((e) => mentions(e.detail, g.vm) || mentions(e.detail, g.vmm)) : events;
  return kept.slice(-limit);
}

export interface DiagramNode {
  id: string;
  label: string;
  kind: 'guest' | 'pd';
  priority: number | undefined;
  notifications: number;
  column: number;
  row: number;
}

export interface DiagramEdge {
  from: string;
  to: string;
  label: string;
  kind: 'channel' | 'vcpu';
}

/**
 * PDs and guests in columns: guests first, their VMMs next, then every other PD by its channel
 * distance from the nearest VMM (unreachable PDs last). Rows follow the snapshot's order.
 */
export function diagramLayout(s: WireSnapshot): { nodes: DiagramNode[]; edges: DiagramEdge[]; columns: number; rows: number } {
  const adj = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    if (!adj.has(a)) adj.set(a, []);
    adj.get(a)!.push(b);
  };
  for (const c of s.channels) {
    link(c.a, c.b);
    link(c.b, c.a);
  }
  const dist = new Map<string, number>();
  const queue: string[] = [];
  for (const g of s.guests) {
    if (!dist.has(g.vmm)) {
      dist.set(g.vmm, 0);
      queue.push(g.vmm);
    }
  }
  for (let i = 0; i < queue.length; i++) {
    for (const n of adj.get(queue[i]) ?? []) {
      if (!dist.has(n)) {
        dist.set(n, dist.get(queue[i])! + 1);
        queue.push(n);
      }
    }
  }
  const maxDist = Math.max(0, ...dist.values());
  const nodes: DiagramNode[] = [];
  const perColumn: number[] = [];
  const place = (n: Omit<DiagramNode, 'row'>) => {
    const row = perColumn[n.column] ?? 0;
    perColumn[n.column] = row + 1;
    nodes.push({ ...n, row });
  };
  for (const g of s.guests) place({ id: `guest:${g.vm}`, label: g.vm, kind: 'guest', priority: undefined, notifications: g.irq.injected, column: 0 });
  const pds = [...s.pds].sort((a, b) => (dist.get(a.name) ?? maxDist + 1) - (dist.get(b.name) ?? maxDist + 1));
  for (const p of pds)
    place({ id: p.name, label: p.name, kind: 'pd', priority: p.priority, notifications: p.notifications, column: 1 + (dist.get(p.name) ?? maxDist + 1) });
  const edges: DiagramEdge[] = s.guests.map((g) => ({ from: `guest:${g.vm}`, to: g.vmm, label: `INTID ${g.irq.intid}`, kind: 'vcpu' as const }));
  for (const c of s.channels) edges.push({ from: c.a, to: c.b, label: `${c.aId}↔${c.bId}`, kind: 'channel' });
  return { nodes, edges, columns: perColumn.length, rows: Math.max(0, ...perColumn) };
}

/** A recognisable summary of a host message, so the page ignores anything else. */
export function isSnapshotMessage(m: unknown): m is { type: 'snapshot'; snapshot: WireSnapshot } {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  if (r.type !== 'snapshot' || typeof r.snapshot !== 'object' || r.snapshot === null) return false;
  const s = r.snapshot as Record<string, unknown>;
  return (
    typeof s.timeNs === 'number' &&
    Array.isArray(s.queues) &&
    Array.isArray(s.guests) &&
    Array.isArray(s.pds) &&
    Array.isArray(s.events) &&
    Array.isArray(s.channels)
  );
}

export function isSessionMessage(m: unknown): m is { type: 'session'; attached: boolean; paused: boolean; halted: boolean; speed: number } {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return (
    r.type === 'session' && typeof r.attached === 'boolean' && typeof r.paused === 'boolean' && typeof r.halted === 'boolean' && typeof r.speed === 'number'
  );
}

type Moment = { timeNs: number; event: number; activation: number };

function isMoment(x: unknown): x is Moment {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return typeof r.timeNs === 'number' && typeof r.event === 'number' && typeof r.activation === 'number';
}

/** Time travel's answer: a moment with its snapshot, or why there is none. */
export function isPastMessage(m: unknown): m is { type: 'past'; moment: Moment; end: Moment; snapshot: WireSnapshot } | { type: 'past'; error: string } {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  if (r.type !== 'past') return false;
  if (typeof r.error === 'string') return true;
  return isMoment(r.moment) && isMoment(r.end) && isSnapshotMessage({ type: 'snapshot', snapshot: r.snapshot });
}

export function isLiveMessage(m: unknown): m is { type: 'live' } {
  return typeof m === 'object' && m !== null && (m as Record<string, unknown>).type === 'live';
}
