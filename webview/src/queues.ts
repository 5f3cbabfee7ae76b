// sDDF serial queues: capacity, head, tail, fill and the bytes between head and tail.
import type { WireSnapshot } from '../../src/extension/inspector-protocol';
import { h } from './dom';
import { hexRows, queueFill } from './model';

const SHOWN_BYTES = 128;
/** Eight bytes a row keeps the hex and text columns inside a narrow card. */
const BYTES_PER_ROW = 8;

export function renderQueues(s: WireSnapshot): HTMLElement {
  const cards = s.queues.map((q) => {
    const fill = queueFill(q);
    const pct = q.capacity > 0 ? Math.min(100, (fill / q.capacity) * 100) : 0;
    const bar = h('div', { class: 'bar-fill' });
    // CSSOM, not a style attribute: the CSP forbids inline style markup.
    bar.style.width = `${pct}%`;
    const { rows, total } = hexRows(q.bytesHex, BYTES_PER_ROW, SHOWN_BYTES);
    const dump =
      total === 0
        ? h('p', { class: 'muted' }, 'empty')
        : h(
            'pre',
            { class: 'hexdump', tabindex: 0, 'data-keep': `hex/${q.name}`, 'aria-label': `bytes between head and tail of ${q.name}` },
            ...rows.map((r) => `${r.offset.toString(16).padStart(4, '0')}  ${r.hex.padEnd(BYTES_PER_ROW * 3 - 1)}  |${r.text}|\n`),
            total > SHOWN_BYTES ? `… ${total - SHOWN_BYTES} more bytes\n` : '',
          );
    return h(
      'article',
      { class: 'card queue', 'data-queue': q.name },
      h('h3', {}, q.name),
      h(
        'dl',
        { class: 'facts two' },
        h('dt', {}, 'capacity'),
        h('dd', { 'data-field': 'capacity' }, q.capacity),
        h('dt', {}, 'head'),
        h('dd', { 'data-field': 'head' }, q.head),
        h('dt', {}, 'tail'),
        h('dd', { 'data-field': 'tail' }, q.tail),
        h('dt', {}, 'fill'),
        h('dd', { 'data-field': 'fill' }, `${fill} / ${q.capacity}`),
        h('dt', {}, 'producer_signalled'),
        h('dd', { 'data-field': 'producer_signalled' }, q.producerSignalled),
      ),
      h('div', { class: 'bar', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': q.capacity, 'aria-valuenow': fill, 'aria-label': `${q.name} fill` }, bar),
      dump,
    );
  });
  return h('div', { class: 'cards' }, ...cards);
}
