// The last events with their virtual timestamps (newest at the bottom), filtered per guest.
import type { WireSnapshot } from '../../src/extension/inspector-protocol';
import { h } from './dom';
import { filterEvents, formatNs } from './model';

export function renderTimeline(s: WireSnapshot, guestFilter: string): HTMLElement {
  const events = filterEvents(s.events, s.guests, guestFilter);
  if (events.length === 0) return h('p', { class: 'muted' }, 'No events yet.');
  return h(
    'ol',
    { class: 'timeline', tabindex: 0, 'data-keep': 'timeline', 'aria-label': 'Recent events, oldest first' },
    ...events.map((e) =>
      h(
        'li',
        { class: `ev ev-${e.kind.replace(/[^a-z]/g, '')}` },
        h('time', {}, formatNs(e.timeNs)),
        h('span', { class: 'kind' }, e.kind),
        h('span', { class: 'detail' }, e.detail),
      ),
    ),
  );
}
