// Address spaces as strips: each PD's virtual memory (maps, stack, guard page, IPC buffer), each VM's
// guest-physical memory, and the physical placement of the regions with a fixed address. The lowest
// address is at the top, as the tool's report and a linker map list them.
import type { SystemView, ViewDomain, ViewRegion, ViewSegment } from '../../../src/system/system-view';
import { h, svg, table, type Child } from '../dom';
import { formatAddress, formatSize, stripRows } from './layout';
import type { RefTable } from './refs';

const ADDR_W = 118,
  BAR_W = 26,
  LABEL_X = ADDR_W + BAR_W + 10,
  MIN_W = 420;
/** The width of a character of the strip's 11px monospace text (it sets the picture's width). */
const CHAR_W = 6.8;

interface StripItem {
  kind: ViewSegment['kind'];
  start: number;
  end: number;
  label: string;
  detail: string;
  overlaps: boolean;
  ref?: number;
}

function strip(items: StripItem[], title: string, keep: string): HTMLElement {
  const { rows, height } = stripRows(items);
  const els = rows.map((r) => {
    const item = r.segment === undefined ? undefined : items[r.segment];
    const cls = `row ${r.kind}${item?.overlaps ? ' overlaps' : ''}`;
    const text = item ? `${item.label}` : `unmapped · ${formatSize(r.end - r.start)}`;
    const sub = item?.detail ?? '';
    const mid = r.y + r.height / 2;
    return svg(
      'g',
      { class: cls, 'data-ref': item?.ref, tabindex: item?.ref !== undefined ? 0 : undefined, role: item?.ref !== undefined ? 'button' : undefined },
      svg(
        'title',
        {},
        `${formatAddress(r.start)}–${formatAddress(r.end)} ${text}${sub ? ' · ' + sub : ''}${item?.overlaps ? ' · overlaps another range' : ''}`,
      ),
      // The whole row answers a pointer, not only its text and bar.
      svg('rect', { x: 0, y: r.y, width: '100%', height: r.height, class: 'hit' }),
      svg('text', { x: ADDR_W - 6, y: r.y + 12, 'text-anchor': 'end', class: 'addr' }, formatAddress(r.start)),
      svg('rect', { x: ADDR_W, y: r.y + 1, width: BAR_W, height: r.height - 2, class: 'bar' }),
      svg('text', { x: LABEL_X, y: sub ? mid - 2 : mid + 4, class: 'label' }, text),
      sub ? svg('text', { x: LABEL_X, y: mid + 11, class: 'detail' }, sub) : undefined,
    );
  });
  const longest = Math.max(0, ...items.map((i) => Math.max(i.label.length, i.detail.length)));
  const width = Math.max(MIN_W, Math.ceil(LABEL_X + longest * CHAR_W + 8));
  const picture = svg('svg', { viewBox: `0 0 ${width} ${height + 2}`, width, height: height + 2, role: 'img', 'aria-label': title, class: 'strip' }, ...els);
  return h('div', { class: 'strip-scroll', 'data-keep': keep }, picture);
}

function segmentItem(s: ViewSegment, refs: RefTable): StripItem {
  const size = formatSize(s.end - s.start);
  let detail: string;
  if (s.kind === 'map') {
    detail = [
      size,
      s.perms || 'no access',
      s.cached === false ? 'uncached' : undefined,
      s.unknownRegion ? 'undeclared region' : undefined,
      ...s.setvars.map((v) => `setvar ${v}`),
    ]
      .filter(Boolean)
      .join(' · ');
  } else {
    detail = size;
  }
  return { kind: s.kind, start: s.start, end: s.end, label: s.label, detail, overlaps: s.overlaps, ref: refs.add(s.ref) };
}

function setvarTable(d: ViewDomain, refs: RefTable): HTMLElement | undefined {
  if (d.setvars.length === 0) return undefined;
  const rows: Child[][] = d.setvars.map((s) => [
    h('span', { class: 'ref', 'data-ref': refs.add(s.ref), tabindex: 0, role: 'button' }, s.symbol),
    s.value === undefined
      ? h('span', { class: 'muted' }, s.kind === 'region paddr' ? 'chosen by the tool' : 'at build')
      : s.kind === 'id'
        ? String(s.value)
        : formatAddress(s.value),
    s.kind,
    s.of,
  ]);
  return h('div', { class: 'scroll-x' }, table('setvars: symbols the tool rewrites in the program image', ['symbol', 'value', 'the', 'of'], rows, 'setvars'));
}

export function renderSpaces(v: SystemView, refs: RefTable): HTMLElement {
  const cards = v.domains.map((d) => {
    const items = d.space.map((s) => segmentItem(s, refs));
    const facts =
      d.kind === 'pd'
        ? `stack ${formatSize(d.stackSize ?? 0)} · IPC buffer ${formatAddress(d.space.find((s) => s.kind === 'ipc')?.start ?? 0)}${d.programImage ? ` · ${d.programImage}` : ''}`
        : `guest-physical memory · VMM ${d.parent ?? '?'}`;
    return h(
      'article',
      { class: `card space ${d.kind}`, 'data-space': d.name },
      h(
        'h3',
        {},
        h('span', { class: 'ref', 'data-ref': refs.add(d.ref), tabindex: 0, role: 'button' }, d.name),
        h('span', { class: 'muted kind' }, d.kind === 'vm' ? ' virtual machine' : ' protection domain'),
      ),
      h('p', { class: 'muted facts-line' }, facts),
      items.length ? strip(items, `${d.name}: address space`, `space-${d.name}`) : h('p', { class: 'muted' }, 'Nothing mapped.'),
      setvarTable(d, refs),
    );
  });
  return h('div', { class: 'cards wide' }, ...cards);
}

function regionDetail(r: ViewRegion): string {
  const used = r.mappedBy.length ? `mapped by ${r.mappedBy.join(', ')}` : 'not mapped';
  return `${formatSize(r.size)} · ${used}`;
}

export function renderPhysical(v: SystemView, refs: RefTable): HTMLElement {
  const fixed = v.regions.filter((r) => r.physAddr !== undefined);
  const items = fixed.map((r): StripItem => ({
    kind: 'map',
    start: r.physAddr!,
    end: r.physAddr! + r.size,
    label: r.name,
    detail: regionDetail(r),
    overlaps: r.overlaps,
    ref: refs.add(r.ref),
  }));
  const placed = v.regions.filter((r) => r.physAddr === undefined);
  const rows: Child[][] = placed.map((r) => [
    h('span', { class: 'ref', 'data-ref': refs.add(r.ref), tabindex: 0, role: 'button' }, r.name),
    formatSize(r.size),
    formatSize(r.pageSize),
    r.toolPlaced ? 'fixed by the tool (a setvar reads its address)' : 'anywhere in RAM, not contiguous',
    r.mappedBy.join(', ') || h('span', { class: 'muted' }, 'not mapped'),
  ]);
  return h(
    'div',
    { class: 'stack' },
    fixed.length ? strip(items, 'Memory regions at fixed physical addresses', 'physical') : h('p', { class: 'muted' }, 'No memory region has a phys_addr.'),
    rows.length
      ? h('div', { class: 'scroll-x' }, table('Regions the tool places', ['region', 'size', 'page size', 'placement', 'mapped by'], rows, 'placed'))
      : undefined,
  );
}
