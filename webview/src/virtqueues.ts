// Each guest's virtio console queues: descriptor table, avail and used rings, the device's last-seen
// index.
import type { WireSnapshot } from '../../src/extension/inspector-protocol';
import { h, table } from './dom';
import { descriptorFlags, hex, pendingAvail } from './model';

type Virtq = WireSnapshot['guests'][number]['virtio']['queues'][number];

function renderVirtq(vm: string, q: Virtq): HTMLElement {
  const head = h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'size'),
    h('dd', { 'data-field': 'num' }, q.num),
    h('dt', {}, 'ready'),
    h('dd', {}, q.ready ? 'yes' : 'no'),
    h('dt', {}, 'avail.idx'),
    h('dd', { 'data-field': 'availIdx' }, q.availIdx ?? '—'),
    h('dt', {}, 'used.idx'),
    h('dd', { 'data-field': 'usedIdx' }, q.usedIdx ?? '—'),
    h('dt', {}, 'last seen'),
    h('dd', { 'data-field': 'lastSeen' }, q.lastSeen),
    h('dt', {}, 'not yet seen'),
    h('dd', { 'data-field': 'pending' }, pendingAvail(q)),
  );
  if (q.descriptors.length === 0) {
    return h(
      'article',
      { class: 'card virtq', 'data-virtq': `${vm}/${q.name}` },
      h('h3', {}, `${vm} · ${q.name}`),
      head,
      h('p', { class: 'muted' }, q.ready ? 'rings are outside guest RAM' : 'not set up by the driver yet'),
    );
  }
  const descs = table(
    'Descriptor table',
    ['#', 'addr', 'len', 'flags', 'next'],
    q.descriptors.map((d, i) => [i, hex(d.addr, 8), d.len, descriptorFlags(d.flags), d.next]),
    'descs',
  );
  const avail = table(
    'Avail ring',
    ['slot', 'desc'],
    q.availRing.map((d, i) => [i, d]),
    'ring',
  );
  const used = table(
    'Used ring',
    ['slot', 'id', 'len'],
    q.usedRing.map((u, i) => [i, u.id, u.len]),
    'ring',
  );
  // Avail slots the device has not taken yet, and the slot the driver fills next in the used ring.
  const unseen = pendingAvail(q);
  const availRows = avail.querySelectorAll('tbody tr'),
    usedRows = used.querySelectorAll('tbody tr');
  for (let k = 0; k < unseen && k < q.num; k++) availRows[(q.lastSeen + k) % q.num]?.classList.add('unseen');
  if (q.usedIdx !== undefined && q.num > 0) usedRows[(q.usedIdx + q.num - 1) % q.num]?.classList.add('latest');
  return h(
    'article',
    { class: 'card virtq', 'data-virtq': `${vm}/${q.name}` },
    h('h3', {}, `${vm} · ${q.name}`),
    head,
    h(
      'div',
      { class: 'rings' },
      h('div', { class: 'scroll', tabindex: 0, 'data-keep': `${vm}/${q.name}/descriptors`, 'aria-label': `${vm} ${q.name} descriptors (scrolls)` }, descs),
      h('div', { class: 'scroll', tabindex: 0, 'data-keep': `${vm}/${q.name}/avail ring`, 'aria-label': `${vm} ${q.name} avail ring (scrolls)` }, avail),
      h('div', { class: 'scroll', tabindex: 0, 'data-keep': `${vm}/${q.name}/used ring`, 'aria-label': `${vm} ${q.name} used ring (scrolls)` }, used),
    ),
  );
}

export function renderVirtqueues(s: WireSnapshot): HTMLElement {
  const cards = s.guests.flatMap((g) => g.virtio.queues.map((q) => renderVirtq(g.vm, q)));
  return cards.length ? h('div', { class: 'cards wide' }, ...cards) : h('p', { class: 'muted' }, 'No virtio console in this system.');
}
