// The system view page: a picture of a .system file as the Microkit tool's report describes it,
// redrawn whenever the extension posts the view again (the file was edited). A click (or Enter) on
// a domain, channel, map, IRQ, region or setvar asks the extension to show that element.
import type { SystemViewHostMessage, SystemViewPageMessage, SystemViewState } from '../../../src/extension/system-view-protocol';
import { parseSystemViewState } from '../../../src/extension/system-view-protocol';
import type { SystemView } from '../../../src/system/system-view';
import { h, table, type Child } from '../dom';
import { renderDomains } from './domains';
import { endLabel, formatBudget } from './layout';
import { renderPhysical, renderSpaces } from './memory';
import { RefTable } from './refs';

interface VsCodeApi {
  postMessage(message: SystemViewPageMessage): void;
  getState(): unknown;
  setState(state: SystemViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const restored = parseSystemViewState(vscode.getState());
if (restored) vscode.setState(restored);
let refs = new RefTable();
let shownKey = '';

const app = document.getElementById('app')!;
app.replaceChildren(h('p', { class: 'placeholder muted' }, 'Waiting for the system file…'));

function section(id: string, title: string, body: Child): HTMLElement {
  return h('section', { id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), body);
}

function ref(r: Parameters<RefTable['add']>[0], text: string): HTMLElement {
  return h('span', { class: 'ref', 'data-ref': refs.add(r), tabindex: 0, role: 'button' }, text);
}

function schedulingTable(v: SystemView): HTMLElement {
  const rows = v.domains.map((d) => [
    ref(d.ref, d.name),
    d.kind === 'vm' ? 'VM' : d.parent ? `child of ${d.parent}` : 'PD',
    d.priority,
    formatBudget(d),
    d.cpus.join(', '),
    d.kind === 'vm' ? (d.vcpus ?? []).map((c) => `vCPU ${c.id} on cpu ${c.cpu}`).join(', ') : d.passive ? 'passive' : '',
    d.flags.join(', '),
  ]);
  return h(
    'div',
    { class: 'scroll-x' },
    table('Scheduling: priority, budget per period, cores', ['name', 'kind', 'priority', 'budget', 'CPU', 'vCPUs / passive', 'other'], rows, 'scheduling'),
  );
}

function channelTable(v: SystemView): HTMLElement {
  if (v.channels.length === 0) return h('p', { class: 'muted' }, 'No channels.');
  const rows = v.channels.map((c) => [
    ref(c.ends[0].ref, c.ends[0].pd),
    endLabel(c.ends[0]),
    c.ends[0].pp ? '→ calls' : c.ends[1].pp ? '← calls' : '↔',
    endLabel(c.ends[1]),
    ref(c.ends[1].ref, c.ends[1].pd),
  ]);
  return h(
    'div',
    { class: 'scroll-x' },
    table('Channels: the id at each end, pp (may call the other end), no-notify', ['end', 'id', '', 'id', 'end'], rows, 'channels'),
  );
}

function irqTable(v: SystemView): HTMLElement {
  const rows = v.domains.flatMap((d) => d.irqs.map((i) => [ref(i.ref, i.label), d.name, i.id, i.details.join(', ')]));
  if (rows.length === 0) return h('p', { class: 'muted' }, 'No IRQs.');
  return h('div', { class: 'scroll-x' }, table('IRQs delivered to protection domains', ['IRQ', 'to', 'channel id', 'trigger'], rows, 'irqs'));
}

function render(m: SystemViewHostMessage): void {
  const key = JSON.stringify([m.view, m.title, m.errors]);
  if (key === shownKey) return;
  shownKey = key;
  refs = new RefTable();
  const v = m.view;
  const status =
    m.errors > 0
      ? h('span', { class: 'warn', id: 'status' }, `${m.errors} error${m.errors === 1 ? '' : 's'} in the file: showing what parsed`)
      : h('span', { class: 'muted', id: 'status' }, 'no errors');
  const scrollY = window.scrollY;
  app.replaceChildren(
    h(
      'header',
      { class: 'toolbar' },
      h('strong', { id: 'file' }, m.title),
      h('span', { class: 'muted' }, `${v.arch} · ${v.domains.length} domains · ${v.channels.length} channels · ${v.regions.length} memory regions`),
      h('span', { class: 'spacer' }),
      status,
    ),
    section('domains', 'Protection domains and channels', h('div', { class: 'diagram-scroll', 'data-keep': 'domains' }, renderDomains(v, refs))),
    h(
      'div',
      { class: 'columns' },
      section('scheduling', 'Scheduling', schedulingTable(v)),
      h('div', {}, section('channels', 'Channels', channelTable(v)), section('irqs', 'IRQs', irqTable(v))),
    ),
    section('spaces', 'Virtual memory', renderSpaces(v, refs)),
    section('physical', 'Physical memory', renderPhysical(v, refs)),
  );
  window.scrollTo(0, scrollY);
}

function reveal(target: EventTarget | null): boolean {
  const el = target instanceof Element ? target.closest('[data-ref]') : null;
  const r = refs.get(el?.getAttribute('data-ref') ?? undefined);
  if (!r) return false;
  vscode.postMessage({ type: 'reveal', ref: r });
  return true;
}

app.addEventListener('click', (ev) => {
  reveal(ev.target);
});
app.addEventListener('keydown', (ev) => {
  if ((ev.key === 'Enter' || ev.key === ' ') && reveal(ev.target)) ev.preventDefault();
});

window.addEventListener('message', (ev: MessageEvent) => {
  const m: unknown = ev.data;
  if (typeof m !== 'object' || m === null || (m as { type?: unknown }).type !== 'view') return;
  const msg = m as SystemViewHostMessage;
  vscode.setState({ uri: msg.uri });
  render(msg);
});

vscode.postMessage({ type: 'ready' });
