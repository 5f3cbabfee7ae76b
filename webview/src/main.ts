// The queue inspector page. It draws the latest snapshot the extension posted (at most once per
// animation frame), and sends pause/step/resume/speed requests back. Its filter and the controls'
// state survive a reload through the webview state API.
import type { InspectorPageState, PageMessage, WireSnapshot } from '../../src/extension/inspector-protocol';
import { parsePageState } from '../../src/extension/inspector-protocol';
import { button, registerComponents, select, selectValue, setDisabled, setSelectOptions } from './components';
import { renderDiagram } from './diagram';
import { renderFindings } from './findings';
import { h } from './dom';
import { renderInterrupts } from './interrupts';
import { formatNs, isLiveMessage, isPastMessage, isSessionMessage, isSnapshotMessage } from './model';
import { TimeTravelBar } from './time-travel';
import { renderQueues } from './queues';
import { renderTimeline } from './timeline';
import { renderVirtqueues } from './virtqueues';

interface VsCodeApi {
  postMessage(message: PageMessage): void;
  getState(): unknown;
  setState(state: InspectorPageState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10];

/** The usual factors, plus the current one when a restored state holds another. */
function speedOptions(current: number): { value: string; text: string }[] {
  const all = SPEEDS.includes(current) ? SPEEDS : [...SPEEDS, current].sort((a, b) => a - b);
  return all.map((f) => ({ value: String(f), text: `${f}×` }));
}

const vscode = acquireVsCodeApi();
let state: InspectorPageState = parsePageState(vscode.getState());
let attached = false;
/** Every guest of the attached session has stopped. */
let halted = false;
let latest: WireSnapshot | undefined;
/** The snapshot of the moment time travel shows (drawn instead of the live ones meanwhile). */
let pastSnapshot: WireSnapshot | undefined;
let shown: WireSnapshot | undefined;
let framePending = false;

registerComponents();

const statusText = h('span', { id: 'status', role: 'status' }, 'Waiting for the emulator…');
const clock = h('span', { id: 'clock', class: 'clock', 'aria-label': 'virtual time' }, '');
const pauseBtn = button({ id: 'pause', label: 'Pause', title: 'Pause the emulator', onClick: () => send({ type: 'pause' }) });
const stepBtn = button({ id: 'step', label: 'Step', title: 'Run exactly one more event', onClick: () => send({ type: 'step' }) });
const resumeBtn = button({ id: 'resume', label: 'Resume', title: 'Let the emulator run', primary: true, onClick: () => send({ type: 'resume' }) });
const speedSelect = select({
  id: 'speed',
  label: 'Speed',
  value: String(state.speed),
  options: speedOptions(state.speed),
  onChange: (v) => {
    const f = Number(v);
    if (Number.isFinite(f)) send({ type: 'setSpeed', factor: f });
  },
});
const guestSelect = select({
  id: 'guest-filter',
  label: 'Timeline',
  value: state.guestFilter,
  options: [{ value: '', text: 'all guests' }],
  onChange: (v) => {
    state = { ...state, guestFilter: v };
    vscode.setState(state);
    if (latest) schedule();
  },
});

const travel = new TimeTravelBar(send);

const sections = {
  diagram: section('diagram', 'System'),
  findings: section('findings', 'Protocol findings'),
  queues: section('queues', 'sDDF serial queues'),
  virtqueues: section('virtqueues', 'Virtqueues'),
  interrupts: section('interrupts', 'Interrupts and faults'),
  timeline: section('timeline', 'Timeline'),
};

function section(id: string, title: string): { el: HTMLElement; body: HTMLElement } {
  const body = h('div', { class: 'section-body' });
  const el = h('section', { id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), body);
  return { el, body };
}

const app = document.getElementById('app')!;
app.replaceChildren(
  h(
    'header',
    { class: 'toolbar', role: 'toolbar', 'aria-label': 'Emulator controls' },
    pauseBtn,
    stepBtn,
    resumeBtn,
    speedSelect,
    guestSelect,
    h('span', { class: 'spacer' }),
    statusText,
    clock,
  ),
  travel.el,
  sections.diagram.el,
  sections.findings.el,
  h('div', { class: 'columns' }, sections.queues.el, sections.interrupts.el),
  sections.virtqueues.el,
  sections.timeline.el,
);
updateControls();

function send(m: PageMessage): void {
  vscode.postMessage(m);
}

function updateControls(): void {
  const live = attached && !halted && !travel.inPast;
  setDisabled(pauseBtn, !live || state.paused);
  setDisabled(stepBtn, !live);
  setDisabled(resumeBtn, !live || !state.paused);
  statusText.textContent = !attached ? 'No emulator running' : travel.inPast ? 'Time travel' : halted ? 'Halted' : state.paused ? 'Paused' : 'Running';
  statusText.className = !attached ? 'muted' : halted ? 'halted' : state.paused ? 'paused' : 'running';
}

function schedule(): void {
  if (framePending) return;
  framePending = true;
  requestAnimationFrame(() => {
    framePending = false;
    const s = travel.inPast ? pastSnapshot : latest;
    if (s) render(s);
    // Ask for the next snapshot only now: the extension sends one at a time, at the pace we draw.
    send({ type: 'drawn' });
  });
}

let guestNames = '';

const sectionKeys = new WeakMap<HTMLElement, string>();

/**
 * Redraw a section only when its data changed; scroll positions and keyboard focus inside it carry
 * over to the new elements with the same data-keep name (so a reader can scroll and tab at 30 Hz).
 * True when it redrew.
 */
function swap(body: HTMLElement, key: string, build: () => HTMLElement): boolean {
  if (sectionKeys.get(body) === key) return false;
  sectionKeys.set(body, key);
  const scrolls = new Map<string, { top: number; left: number }>();
  for (const e of body.querySelectorAll<HTMLElement>('[data-keep]')) scrolls.set(e.dataset.keep!, { top: e.scrollTop, left: e.scrollLeft });
  const active = document.activeElement;
  const focused = active instanceof HTMLElement && body.contains(active) ? active.dataset.keep : undefined;
  body.replaceChildren(build());
  for (const e of body.querySelectorAll<HTMLElement>('[data-keep]')) {
    const at = scrolls.get(e.dataset.keep!);
    if (at) {
      e.scrollTop = at.top;
      e.scrollLeft = at.left;
    }
    if (focused !== undefined && e.dataset.keep === focused) e.focus({ preventScroll: true });
  }
  return true;
}

function render(s: WireSnapshot): void {
  const names = s.guests.map((g) => g.vm).join('\n');
  if (names !== guestNames) {
    guestNames = names;
    const dropdown = document.getElementById('guest-filter')!;
    if (state.guestFilter && !s.guests.some((g) => g.vm === state.guestFilter)) state = { ...state, guestFilter: '' };
    setSelectOptions(dropdown, [{ value: '', text: 'all guests' }, ...s.guests.map((g) => ({ value: g.vm, text: g.vm }))], state.guestFilter);
  }
  clock.textContent = `t = ${formatNs(s.timeNs)}`;
  const irqKey = JSON.stringify(s.guests.map((g) => [g.irq, g.vcpu, g.haltReason, g.faults, g.bootError, g.virtio.lastError, g.virtio.status]));
  swap(sections.diagram.body, JSON.stringify([s.pds, s.channels, s.guests.map((g) => [g.vm, g.vmm, g.irq.intid, g.irq.injected])]), () =>
    renderDiagram(shown, s),
  );
  swap(sections.findings.body, JSON.stringify(s.findings), () => renderFindings(s));
  swap(sections.queues.body, JSON.stringify(s.queues), () => renderQueues(s));
  swap(sections.virtqueues.body, JSON.stringify(s.guests.map((g) => g.virtio.queues)), () => renderVirtqueues(s));
  swap(sections.interrupts.body, irqKey, () => renderInterrupts(s));
  // Keep the newest event in view unless the reader scrolled back.
  const oldList = sections.timeline.body.querySelector('.timeline');
  const atEnd = !oldList || oldList.scrollTop + oldList.clientHeight >= oldList.scrollHeight - 4;
  if (swap(sections.timeline.body, `${state.guestFilter}\n${JSON.stringify(s.events)}`, () => renderTimeline(s, state.guestFilter)) && atEnd) {
    const list = sections.timeline.body.querySelector('.timeline');
    if (list) list.scrollTop = list.scrollHeight;
  }
  shown = s;
}

window.addEventListener('message', (ev: MessageEvent) => {
  const m: unknown = ev.data;
  if (isSnapshotMessage(m)) {
    latest = m.snapshot;
    travel.setLive(m.snapshot.timeNs, attached);
    schedule();
  } else if (isPastMessage(m)) {
    if ('error' in m) travel.answered(m);
    else {
      pastSnapshot = m.snapshot;
      travel.answered(m);
      schedule();
    }
    updateControls();
  } else if (isLiveMessage(m)) {
    travel.live();
    pastSnapshot = undefined;
    updateControls();
    schedule();
  } else if (isSessionMessage(m)) {
    attached = m.attached;
    halted = m.halted;
    state = { ...state, paused: m.paused, speed: m.speed };
    travel.setLive(latest?.timeNs ?? 0, attached);
    vscode.setState(state);
    const speed = document.getElementById('speed');
    if (speed && selectValue(speed) !== String(m.speed)) setSelectOptions(speed, speedOptions(m.speed), String(m.speed));
    updateControls();
  }
});

vscode.setState(state);
send({ type: 'ready' });
