// Per-guest virtual interrupts (injected, pending, acknowledged) and the VM faults its VMM handled.
import type { WireSnapshot } from '../../src/extension/inspector-protocol';
import { type Child, h, table } from './dom';
import { formatNs, hex } from './model';

export function renderInterrupts(s: WireSnapshot): HTMLElement {
  // One column per guest: two guests fit beside the queues that way.
  const field = (label: string, cell: (g: WireSnapshot['guests'][number]) => Child, key?: string) =>
    h('tr', { 'data-row': key }, h('th', { scope: 'row' }, label), ...s.guests.map((g) => h('td', { 'data-guest': g.vm }, cell(g))));
  const irqs = h(
    'table',
    { class: 'irqs' },
    h('caption', {}, 'Virtual interrupts per guest'),
    h('thead', {}, h('tr', {}, h('td', {}), ...s.guests.map((g) => h('th', { scope: 'col' }, g.vm)))),
    h(
      'tbody',
      {},
      field('INTID', (g) => g.irq.intid, 'intid'),
      field('injected', (g) => g.irq.injected, 'injected'),
      // libvmm's "pending": queued for a free list register (an IRQ in a list register is not).
      field('pending (queued)', (g) => (g.irq.pending.length ? g.irq.pending.join(', ') : 'none'), 'pending'),
      field('acknowledged', (g) => g.irq.acked, 'acked'),
      field('delivered', (g) => g.irq.delivered, 'delivered'),
      field('already pending', (g) => g.irq.alreadyPending, 'alreadyPending'),
      field('refused (not enabled)', (g) => g.irq.notEnabled, 'notEnabled'),
      field('vCPU', (g) => h('span', { class: g.vcpu === 'halted' ? 'warn' : undefined }, g.haltReason ? `${g.vcpu} (${g.haltReason})` : g.vcpu), 'vcpu'),
      field('virtio status', (g) => hex(g.virtio.status), 'status'),
    ),
  );
  const faults = s.guests.flatMap((g) => g.faults.map((f) => [g.vm, formatNs(f.timeNs), hex(f.gpa, 8), f.write ? 'write' : 'read', hex(f.fsr), f.message]));
  const errors = s.guests
    .filter((g) => g.bootError || g.virtio.lastError)
    .map((g) => h('li', { class: 'warn' }, `${g.vm}: ${g.bootError ?? g.virtio.lastError}`));
  return h(
    'div',
    { class: 'stack' },
    h('div', { class: 'scroll-x', tabindex: 0, 'data-keep': 'irqs' }, irqs),
    faults.length
      ? h(
          'div',
          { class: 'scroll-x', tabindex: 0, 'data-keep': 'faults' },
          table('VM faults', ['guest', 'time', 'address', 'access', 'FSR', 'message'], faults, 'faults'),
        )
      : h('p', { class: 'muted', 'data-field': 'no-faults' }, 'No VM faults.'),
    errors.length ? h('ul', { class: 'errors' }, ...errors) : false,
  );
}
