// Per-guest virtual interrupts (injected, pending, acknowledged) and the VM faults its VMM handled.
import type { WireSnapshot } from '../../src/extension/inspector-protocol';
import { h, table } from './dom';
import { formatNs, hex } from './model';

export function renderInterrupts(s: WireSnapshot): HTMLElement {
  const rows = s.guests.map((g) => [
    g.vm, g.irq.intid,
    h('span', { 'data-field': 'injected' }, g.irq.injected),
    h('span', { 'data-field': 'pending' }, g.irq.pending.length ? g.irq.pending.join(', ') : 'none'),
    h('span', { 'data-field': 'acked' }, g.irq.acked),
    g.irq.delivered, g.irq.alreadyPending,
    h('span', { class: g.vcpu === 'halted' ? 'warn' : undefined }, g.haltReason ? `${g.vcpu} (${g.haltReason})` : g.vcpu),
  ]);
  const irqs = table('Virtual interrupts per guest', ['guest', 'INTID', 'injected', 'pending', 'acknowledged', 'delivered', 'already pending', 'vCPU'], rows, 'irqs');
  const faults = s.guests.flatMap((g) => g.faults.map((f) => [g.vm, formatNs(f.timeNs), hex(f.gpa, 8), f.write ? 'write' : 'read', hex(f.fsr), f.message]));
  const errors = s.guests.filter((g) => g.bootError || g.virtio.lastError)
    .map((g) => h('li', { class: 'warn' }, `${g.vm}: ${g.bootError ?? g.virtio.lastError}`));
  return h('div', { class: 'stack' },
    h('div', { class: 'scroll-x', tabindex: 0 }, irqs),
    faults.length
      ? h('div', { class: 'scroll-x', tabindex: 0 }, table('VM faults', ['guest', 'time', 'address', 'access', 'FSR', 'message'], faults, 'faults'))
      : h('p', { class: 'muted', 'data-field': 'no-faults' }, 'No VM faults.'),
    errors.length ? h('ul', { class: 'errors' }, ...errors) : false);
}
