// The system diagram: guests, their VMMs and the serial PDs with their channels and priorities. A PD
// whose notification count grew since the last snapshot flashes; the count is printed on its box.
import type { WireSnapshot } from '../../src/extension/inspector-protocol';
import { diagramLayout, notificationDeltas } from './model';
import { h, svg } from './dom';

const BOX_W = 168,
  BOX_H = 54,
  COL_GAP = 70,
  ROW_GAP = 22,
  PAD = 12;

export function renderDiagram(prev: WireSnapshot | undefined, s: WireSnapshot): HTMLElement {
  const { nodes, edges, columns, rows } = diagramLayout(s);
  const deltas = notificationDeltas(prev, s);
  const prevInjected = new Map(prev?.guests.map((g) => [g.vm, g.irq.injected]) ?? []);
  const width = PAD * 2 + columns * BOX_W + Math.max(0, columns - 1) * COL_GAP;
  const height = PAD * 2 + rows * BOX_H + Math.max(0, rows - 1) * ROW_GAP;
  const pos = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    // Centre shorter columns vertically.
    const inColumn = nodes.filter((m) => m.column === n.column).length;
    const offset = ((rows - inColumn) * (BOX_H + ROW_GAP)) / 2;
    pos.set(n.id, { x: PAD + n.column * (BOX_W + COL_GAP), y: PAD + offset + n.row * (BOX_H + ROW_GAP) });
  }
  const edgeEls = edges.flatMap((e) => {
    const a = pos.get(e.from),
      b = pos.get(e.to);
    if (!a || !b) return [];
    const [l, r] = a.x <= b.x ? [a, b] : [b, a];
    const x1 = l.x + BOX_W,
      y1 = l.y + BOX_H / 2,
      x2 = r.x === l.x ? r.x + BOX_W : r.x,
      y2 = r.y + BOX_H / 2;
    return [
      svg(
        'g',
        { class: `edge ${e.kind}` },
        svg('title', {}, e.kind === 'vcpu' ? `${e.from.slice(6)} runs under ${e.to} (virtual IRQ ${e.label})` : `channel ${e.from} ${e.label} ${e.to}`),
        svg('line', { x1, y1, x2, y2 }),
        svg('text', { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, 'text-anchor': 'middle', class: 'edge-label' }, e.label),
      ),
    ];
  });
  const nodeEls = nodes.map((n) => {
    const p = pos.get(n.id)!;
    const grew = n.kind === 'pd' ? (deltas.get(n.id) ?? 0) > 0 : prev !== undefined && n.notifications > (prevInjected.get(n.label) ?? n.notifications);
    const sub = n.kind === 'guest' ? `guest · IRQs injected ${n.notifications}` : `prio ${n.priority} · notified ${n.notifications}`;
    return svg(
      'g',
      { class: `node ${n.kind}${grew ? ' flash' : ''}`, 'data-node': n.id, transform: `translate(${p.x},${p.y})` },
      svg('title', {}, `${n.label}: ${sub}`),
      svg('rect', { width: BOX_W, height: BOX_H, rx: 4 }),
      svg('text', { x: 10, y: 22, class: 'node-name' }, n.label),
      svg('text', { x: 10, y: 41, class: 'node-sub', 'data-count': n.notifications }, sub),
    );
  });
  const picture = svg(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': 'diagram-title' },
    svg('title', { id: 'diagram-title' }, 'Protection domains and guests with their channels'),
    ...edgeEls,
    ...nodeEls,
  );
  return h('div', { class: 'diagram-scroll', tabindex: 0, 'data-keep': 'diagram', 'aria-label': 'System diagram (scrolls)' }, picture);
}
