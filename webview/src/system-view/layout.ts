// Where the system view draws things, computed from the view without touching the DOM (unit-tested on
// its own): the domains' boxes in columns by priority, and address spaces as strips of rows.
import type { SystemView, ViewDomain, ViewSegment } from '../../../src/system/system-view';

export interface Box {
  name: string;
  kind: ViewDomain['kind'];
  column: number;
  row: number;
}

export interface Link {
  kind: 'channel' | 'vm' | 'child';
  from: string;
  to: string;
  /** The channel's index in the view (kind 'channel'). */
  channel?: number;
}

/**
 * One column per priority, highest first: a protected procedure call only goes to a strictly higher
 * priority, so every pp arrow points left. A VM sits in its own priority's column; within a column
 * the file's order (a VM right after its VMM, children after their parent).
 */
export function domainLayout(v: SystemView): { boxes: Box[]; links: Link[]; columns: number; rows: number; priorities: number[] } {
  const priorities = [...new Set(v.domains.map((d) => d.priority))].sort((a, b) => b - a);
  const perColumn = priorities.map(() => 0);
  const boxes = v.domains.map((d): Box => {
    const column = priorities.indexOf(d.priority);
    return { name: d.name, kind: d.kind, column, row: perColumn[column]++ };
  });
  const known = new Set(v.domains.map((d) => d.name));
  const links: Link[] = [];
  for (const d of v.domains) {
    if (d.parent === undefined || !known.has(d.parent)) continue;
    links.push({ kind: d.kind === 'vm' ? 'vm' : 'child', from: d.name, to: d.parent });
  }
  v.channels.forEach((c, i) => {
    // A channel to a PD the file does not declare has nowhere to go (the linter reports it).
    if (known.has(c.ends[0].pd) && known.has(c.ends[1].pd)) links.push({ kind: 'channel', from: c.ends[0].pd, to: c.ends[1].pd, channel: i });
  });
  return { boxes, links, columns: priorities.length, rows: Math.max(0, ...perColumn), priorities };
}

/** Where a channel meets a box: its side, and its place among the channels on that side (top first). */
export interface Port {
  side: 'left' | 'right';
  index: number;
  count: number;
}

/**
 * Spreads the channels that meet a box along its side, ordered by where their other end is, so two
 * channels of one PD never share a point (nor their end labels). A channel leaves toward the other
 * box's column; within one column it leaves and enters on the right.
 */
export function channelPorts(boxes: readonly Box[], links: readonly Link[]): Map<Link, [Port, Port]> {
  const box = new Map(boxes.map((b) => [b.name, b]));
  const sides = new Map<string, { link: Link; end: 0 | 1; other: Box }[]>();
  const out = new Map<Link, [Port, Port]>();
  for (const l of links) {
    if (l.kind !== 'channel') continue;
    const a = box.get(l.from)!,
      b = box.get(l.to)!;
    const aSide = a.column > b.column ? 'left' : 'right';
    const bSide = a.column < b.column ? 'left' : 'right';
    for (const [end, me, other, side] of [
      [0, a, b, aSide],
      [1, b, a, bSide],
    ] as const) {
      const key = `${me.name}\n${side}`;
      if (!sides.has(key)) sides.set(key, []);
      sides.get(key)!.push({ link: l, end, other });
    }
    out.set(l, [
      { side: aSide, index: 0, count: 1 },
      { side: bSide, index: 0, count: 1 },
    ]);
  }
  for (const [key, list] of sides) {
    const side = key.endsWith('left') ? 'left' : 'right';
    list.sort((x, y) => x.other.row - y.other.row || x.other.column - y.other.column);
    list.forEach((p, index) => {
      out.get(p.link)![p.end] = { side, index, count: list.length };
    });
  }
  return out;
}

export interface StripRow {
  kind: ViewSegment['kind'] | 'gap';
  start: number;
  end: number;
  /** Index into the segments given (undefined for a gap). */
  segment?: number;
  y: number;
  height: number;
}

/**
 * Address ranges as rows from the lowest address up, with the unmapped stretches between them as gap
 * rows. Sizes span 4 KiB to terabytes, so a row's height grows with the size's logarithm, not the size.
 */
export function stripRows(segments: readonly { start: number; end: number; kind: ViewSegment['kind'] }[], base = 0): { rows: StripRow[]; height: number } {
  const order = segments.map((_, i) => i).sort((a, b) => segments[a].start - segments[b].start || segments[a].end - segments[b].end);
  const rows: StripRow[] = [];
  let y = 0,
    reach = base;
  const push = (r: Omit<StripRow, 'y' | 'height'>) => {
    const height = rowHeight(r.end - r.start, r.kind === 'gap');
    rows.push({ ...r, y, height });
    y += height;
  };
  for (const i of order) {
    const s = segments[i];
    if (s.start > reach) push({ kind: 'gap', start: reach, end: s.start });
    push({ kind: s.kind, start: s.start, end: s.end, segment: i });
    reach = Math.max(reach, s.end);
  }
  return { rows, height: y };
}

/** A gap's row; a range's row holds two lines of text (name, then size and attributes). */
export const GAP_ROW = 20;
export const RANGE_ROW = 30;

function rowHeight(size: number, gap: boolean): number {
  if (gap) return GAP_ROW;
  const pages = Math.max(1, size / 0x1000);
  return RANGE_ROW + Math.min(36, Math.round(Math.log2(pages) * 2.5));
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** A size as people write it: 4 KiB, 240 MiB, 1.5 GiB. */
export function formatSize(n: number): string {
  let u = 0;
  while (n >= 1024 && u < UNITS.length - 1) {
    n /= 1024;
    u++;
  }
  const s = Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 1).replace(/\.?0+$/, '');
  return `${s} ${UNITS[u]}`;
}

/** An address as the tool's report prints it (lower-case hex). */
export function formatAddress(n: number): string {
  return '0x' + n.toString(16);
}

/** Budget and period in microseconds, as the .system writes them, and the share of a core. */
export function formatBudget(d: Pick<ViewDomain, 'budget' | 'period'>): string {
  const share = d.period > 0 ? Math.round((d.budget / d.period) * 100) : 100;
  return d.budget === d.period ? `${d.budget} µs (100%)` : `${d.budget}/${d.period} µs (${share}%)`;
}

/** A channel end as its label on the picture: its id, and what it may do. */
export function endLabel(e: { id: number; pp: boolean; notify: boolean }): string {
  return `${e.id}${e.pp ? ' pp' : ''}${e.notify ? '' : ' no-notify'}`;
}
