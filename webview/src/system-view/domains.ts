// The picture of the domains: one box per PD and VM in columns by priority, channels between them
// (the ids at each end, an arrow for a protected procedure call, "no-notify" where an end may not
// notify), a VM tied to its VMM and a child PD to its parent. Every box and line reveals its element.
import type { SystemView, ViewDomain } from '../../../src/system/system-view';
import { svg } from '../dom';
import { channelPorts, domainLayout, endLabel, formatBudget, type Port } from './layout';
import type { RefTable } from './refs';

const BOX_W = 200,
  BOX_H = 66,
  COL_GAP = 120,
  ROW_GAP = 26,
  PAD = 16,
  HEAD = 22;

function subtitle(d: ViewDomain): string[] {
  const cpus = d.cpus.length === 1 ? `cpu ${d.cpus[0]}` : `cpus ${d.cpus.join(',')}`;
  const lines = [`prio ${d.priority} · ${formatBudget(d)}`];
  const more = [cpus];
  if (d.kind === 'vm') more.push(`${d.vcpus?.length ?? 0} vCPU${d.vcpus?.length === 1 ? '' : 's'}`);
  if (d.passive) more.push('passive');
  if (d.id !== undefined) more.push(`child id ${d.id}`);
  for (const irq of d.irqs) more.push(`${irq.label}→${irq.id}`);
  more.push(...d.flags);
  lines.push(more.join(' · '));
  return lines;
}

export function renderDomains(v: SystemView, refs: RefTable): SVGElement {
  const { boxes, links, columns, rows, priorities } = domainLayout(v);
  const width = PAD * 2 + columns * BOX_W + Math.max(0, columns - 1) * COL_GAP;
  const height = PAD * 2 + HEAD + rows * BOX_H + Math.max(0, rows - 1) * ROW_GAP;
  const at = new Map(boxes.map((b) => [b.name, { x: PAD + b.column * (BOX_W + COL_GAP), y: PAD + HEAD + b.row * (BOX_H + ROW_GAP) }]));
  const byName = new Map(v.domains.map((d) => [d.name, d]));
  const heads = priorities.map((p, i) =>
    svg('text', { x: PAD + i * (BOX_W + COL_GAP) + BOX_W / 2, y: PAD + 12, 'text-anchor': 'middle', class: 'column-head' }, `priority ${p}`),
  );
  const ports = channelPorts(boxes, links);
  const lines = links.map((l) => {
    const a = at.get(l.from)!,
      b = at.get(l.to)!;
    const port = ports.get(l);
    const path = port ? connector(a, port[0], b, port[1]) : tie(a, b);
    if (l.kind !== 'channel') {
      return svg(
        'g',
        { class: `link ${l.kind}` },
        svg('title', {}, l.kind === 'vm' ? `${l.from} runs under its VMM ${l.to}` : `${l.from} is a child of ${l.to}`),
        svg('path', { d: path.d }),
      );
    }
    const c = v.channels[l.channel!];
    const [e0, e1] = c.ends;
    // The arrow points at the PD whose protected procedure is called.
    const marker = e0.pp ? 'end' : e1.pp ? 'start' : undefined;
    const title = `channel ${e0.pd} ${endLabel(e0)} ↔ ${endLabel(e1)} ${e1.pd}`;
    return svg(
      'g',
      { class: `link channel${marker ? ' pp' : ''}`, 'data-ref': refs.add(c.ref), tabindex: 0, role: 'button', 'aria-label': title },
      svg('title', {}, title),
      // A wide transparent stroke under the line: something a pointer can hit.
      svg('path', { d: path.d, class: 'hit' }),
      svg('path', {
        d: path.d,
        'marker-end': marker === 'end' ? 'url(#pp-arrow)' : undefined,
        'marker-start': marker === 'start' ? 'url(#pp-arrow-start)' : undefined,
      }),
      svg('text', { x: path.p0.x, y: path.p0.y - 5, 'text-anchor': path.anchor0, class: `end-label${e0.notify ? '' : ' silent'}` }, endLabel(e0)),
      svg('text', { x: path.p1.x, y: path.p1.y - 5, 'text-anchor': path.anchor1, class: `end-label${e1.notify ? '' : ' silent'}` }, endLabel(e1)),
    );
  });
  const nodes = boxes.map((b) => {
    const d = byName.get(b.name)!;
    const p = at.get(b.name)!;
    const [line1, line2] = subtitle(d);
    return svg(
      'g',
      {
        class: `domain ${d.kind}`,
        'data-domain': d.name,
        'data-ref': refs.add(d.ref),
        tabindex: 0,
        role: 'button',
        transform: `translate(${p.x},${p.y})`,
        'aria-label': `${d.kind === 'vm' ? 'virtual machine' : 'protection domain'} ${d.name}`,
      },
      svg('title', {}, `${d.name}: ${line1}; ${line2}${d.flags.length ? '; ' + d.flags.join(', ') : ''}`),
      svg('rect', { width: BOX_W, height: BOX_H, rx: 5 }),
      svg('text', { x: 10, y: 21, class: 'domain-name' }, clip(d.name, 24)),
      svg('text', { x: BOX_W - 8, y: 21, class: 'domain-kind', 'text-anchor': 'end' }, d.kind === 'vm' ? 'VM' : d.parent ? 'child PD' : 'PD'),
      svg('text', { x: 10, y: 40, class: 'domain-sub' }, line1),
      svg('text', { x: 10, y: 56, class: 'domain-sub' }, clip(line2, 34)),
    );
  });
  return svg(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': 'domains-title', class: 'domains' },
    svg('title', { id: 'domains-title' }, 'Protection domains and virtual machines by priority, with their channels'),
    svg(
      'defs',
      {},
      svg(
        'marker',
        { id: 'pp-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto' },
        svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' }),
      ),
      svg(
        'marker',
        { id: 'pp-arrow-start', viewBox: '0 0 10 10', refX: 1, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto' },
        svg('path', { d: 'M10,0 L0,5 L10,10 z', class: 'arrow' }),
      ),
    ),
    ...heads,
    ...lines,
    ...nodes,
  );
}

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

interface Point {
  x: number;
  y: number;
}

/** A VM to its VMM, a child to its parent: from the upper box's bottom to the lower one's top. */
function tie(a: Point, b: Point): Connector {
  const [upper, lower] = a.y < b.y ? [a, b] : [b, a];
  const p0 = { x: upper.x + BOX_W / 2, y: upper.y + BOX_H },
    p1 = { x: lower.x + BOX_W / 2, y: lower.y };
  return { d: `M${p0.x},${p0.y} L${p1.x},${p1.y}`, p0, p1, anchor0: 'middle', anchor1: 'middle' };
}

interface Connector {
  d: string;
  p0: Point;
  p1: Point;
  anchor0: string;
  anchor1: string;
}

function portPoint(box: Point, port: Port): Point {
  return { x: port.side === 'right' ? box.x + BOX_W : box.x, y: box.y + (BOX_H * (port.index + 1)) / (port.count + 1) };
}

/** A channel from box a to box b at their ports: a curve across columns, an arc on the right within one. */
function connector(a: Point, pa: Port, b: Point, pb: Port): Connector {
  const p0 = portPoint(a, pa),
    p1 = portPoint(b, pb);
  const out = (p: Port) => (p.side === 'right' ? 1 : -1);
  const label = (p: Point, port: Port): Point => ({ x: p.x + 4 * out(port), y: p.y });
  const anchor = (port: Port) => (port.side === 'right' ? 'start' : 'end');
  let d: string;
  if (pa.side === pb.side) {
    const bulge = Math.min(COL_GAP - 20, 30 + Math.abs(p1.y - p0.y) / 4) * out(pa);
    d = `M${p0.x},${p0.y} C${p0.x + bulge},${p0.y} ${p1.x + bulge},${p1.y} ${p1.x},${p1.y}`;
  } else {
    const mid = (p0.x + p1.x) / 2;
    d = `M${p0.x},${p0.y} C${mid},${p0.y} ${mid},${p1.y} ${p1.x},${p1.y}`;
  }
  return { d, p0: label(p0, pa), p1: label(p1, pb), anchor0: anchor(pa), anchor1: anchor(pb) };
}
