// The protocol checker's findings (src/emulator/protocol): rule, PD, subject, when, and for a stall
// the chain of who waits for whom. The same findings are in the Problems panel at the `.system`.
import type { WireSnapshot } from '../../src/extension/inspector-protocol';
import { h } from './dom';
import { formatNs } from './model';

export function renderFindings(s: WireSnapshot): HTMLElement {
  if (s.findings.length === 0)
    return h('p', { class: 'muted', 'data-field': 'no-findings' }, 'No protocol finding: every queue and virtqueue follows its rules so far.');
  return h(
    'ul',
    { class: 'findings', 'aria-label': 'Protocol findings, first found first' },
    ...s.findings.map((f) =>
      h(
        'li',
        { class: `finding finding-${f.rule}`, 'data-rule': f.rule },
        h(
          'div',
          { class: 'finding-head' },
          h('span', { class: 'rule' }, f.rule.replace(/^protocol-/, '')),
          h('span', { class: 'pd' }, f.pd),
          h('span', { class: 'subject' }, f.subject),
          h('time', {}, formatNs(f.timeNs)),
          f.count > 1 ? h('span', { class: 'count' }, `×${f.count}`) : '',
        ),
        h('p', { class: 'message' }, f.message),
        f.waitChain ? h('ol', { class: 'wait-chain', 'aria-label': 'who waits for whom' }, ...f.waitChain.map((w) => h('li', {}, w))) : '',
      ),
    ),
  );
}
