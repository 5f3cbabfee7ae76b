// The time-travel bar: a slider over the recorded session (0 to the live machine's time), steps back
// and forward by event and by PD activation, and "Return to live". While a moment is shown, the
// page draws that moment's snapshot and the bar says which; the live run controls are off. One
// travel request is in flight at a time: a drag asks for the latest position once the last answer
// is in, so a slow replay never builds a backlog.
import type { PageMessage } from '../../src/extension/inspector-protocol';
import type { Moment } from '../../src/emulator/time-travel';
import { button, setDisabled } from './components';
import { h } from './dom';
import { formatNs } from './model';

type TravelTo = Extract<PageMessage, { type: 'travel' }>['to'];

/** Slider positions per virtual second: a millisecond each. */
const STEPS_PER_S = 1000;

export class TimeTravelBar {
  readonly el: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly label: HTMLElement;
  private readonly buttons: HTMLElement[];
  private readonly liveBtn: HTMLElement;
  /** The moment shown, or undefined while live. */
  private shown: { moment: Moment; end: Moment } | undefined;
  private inFlight = false;
  private queued: TravelTo | undefined;
  private liveEndNs = 0;
  private enabled = false;

  constructor(private readonly send: (m: PageMessage) => void) {
    this.slider = h('input', {
      type: 'range',
      id: 'travel-slider',
      min: 0,
      max: 0,
      value: 0,
      step: 1,
      'aria-label': 'Moment of the session to show (virtual milliseconds)',
    }) as HTMLInputElement;
    this.slider.addEventListener('input', () => this.request({ timeNs: Number(this.slider.value) * (1e9 / STEPS_PER_S) }));
    const step = (id: string, label: string, title: string, to: TravelTo): HTMLElement => button({ id, label, title, onClick: () => this.request(to) });
    this.buttons = [
      step('back-activation', '◀◀ Activation', 'Step back one PD activation', { step: 'activation', dir: -1 }),
      step('back-event', '◀ Event', 'Step back one event', { step: 'event', dir: -1 }),
      step('forward-event', 'Event ▶', 'Step forward one event', { step: 'event', dir: 1 }),
      step('forward-activation', 'Activation ▶▶', 'Step forward one PD activation', { step: 'activation', dir: 1 }),
    ];
    this.liveBtn = button({
      id: 'return-live',
      label: 'Return to live',
      title: 'Show the live session again',
      primary: true,
      onClick: () => this.send({ type: 'live' }),
    });
    this.label = h('span', { id: 'travel-label', role: 'status' }, 'Live');
    this.el = h(
      'div',
      { class: 'time-travel', role: 'group', 'aria-label': 'Time travel' },
      h('label', { class: 'control travel-slider' }, h('span', {}, 'Time travel'), this.slider),
      ...this.buttons,
      this.liveBtn,
      this.label,
    );
    this.update();
  }

  /** True while a moment of the past is shown (the page draws its snapshot, not the live ones). */
  get inPast(): boolean {
    return this.shown !== undefined;
  }

  /** The live machine's time (the slider's end) and whether a session is there to travel in. */
  setLive(endNs: number, attached: boolean): void {
    this.liveEndNs = endNs;
    this.enabled = attached;
    this.update();
  }

  /** The worker's answer: a moment shown, or an error (the request is done either way). */
  answered(m: { moment: Moment; end: Moment } | { error: string }): void {
    this.inFlight = false;
    if ('error' in m) this.label.textContent = `Cannot show that moment: ${m.error}`;
    else {
      this.shown = { moment: m.moment, end: m.end };
      this.update();
    }
    this.flush();
  }

  /** Back to live (the worker said so). */
  live(): void {
    this.shown = undefined;
    this.inFlight = false;
    this.queued = undefined;
    this.update();
  }

  private request(to: TravelTo): void {
    this.queued = to;
    this.flush();
  }

  private flush(): void {
    if (this.inFlight || !this.queued) return;
    const to = this.queued;
    this.queued = undefined;
    this.inFlight = true;
    this.send({ type: 'travel', to });
  }

  private update(): void {
    const end = this.shown ? Math.max(this.shown.end.timeNs, this.liveEndNs) : this.liveEndNs;
    this.slider.max = String(Math.floor((end * STEPS_PER_S) / 1e9));
    this.slider.disabled = !this.enabled;
    if (this.shown) this.slider.value = String(Math.floor((this.shown.moment.timeNs * STEPS_PER_S) / 1e9));
    else this.slider.value = this.slider.max;
    for (const b of this.buttons) setDisabled(b, !this.enabled);
    setDisabled(this.liveBtn, !this.shown);
    const m = this.shown?.moment;
    this.label.textContent = m ? `Viewing t = ${formatNs(m.timeNs)} (event ${m.event}, activation ${m.activation}) of ${formatNs(end)}` : 'Live';
    this.el.classList.toggle('past', this.shown !== undefined);
  }
}
