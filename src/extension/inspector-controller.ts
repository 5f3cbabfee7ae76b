// The extension side of the queue inspector without `vscode`: it forwards validated page messages to
// the emulator session and streams snapshots only while the panel is visible. inspector.ts wires it
// to a real WebviewPanel; the unit tests wire it to fakes.
import type { EmulatorSnapshot } from '../emulator/emulator';
import type { PastView, TravelTarget } from '../host/protocol';
import type { SessionRunState } from '../host/status-text';
import { type HostMessage, type InspectorPageState, MAX_SNAPSHOTS_PER_SECOND, parsePageMessage, toWireSnapshot } from './inspector-protocol';

/** Implemented by the emulator session (the worker side). */
export interface InspectorSession {
  onSnapshot(listener: (s: EmulatorSnapshot) => void): { dispose(): void };
  /** Only while the panel is visible; at most maxPerSecond snapshots. */
  setSnapshotStreaming(enabled: boolean, maxPerSecond: number): void;
  pause(): void;
  resume(): void;
  step(): void;
  setSpeed(factor: number): void;
  /** The run state the status bar shows too: a pause from there reaches the page. */
  readonly runState: SessionRunState;
  onRunState(listener: (s: SessionRunState) => void): { dispose(): void };
  /** Time travel: show a moment (the live machine pauses); the answer comes through onTravel. */
  travel(to: TravelTarget): void;
  returnToLive(): void;
  /** A moment shown (or why not), or 'live' once the live machine is shown again. */
  onTravel(listener: (e: { past: PastView | undefined; error?: string } | 'live') => void): { dispose(): void };
}

/** The part of a webview panel the controller needs. */
export interface InspectorPanelPort {
  readonly visible: boolean;
  postMessage(message: HostMessage): void;
}

export class InspectorController {
  private session: InspectorSession | undefined;
  private subscription: { dispose(): void } | undefined;
  private streaming = false;
  /** Every guest has stopped: the page says Halted and offers no run controls. */
  private halted = false;
  /** A snapshot was posted and the page has not yet said it drew it. */
  private awaitingDraw = false;
  /** The newest snapshot that arrived meanwhile (older ones are dropped). */
  private pending: EmulatorSnapshot | undefined;
  private state: InspectorPageState;
  /** The page asked for a moment of the past and the live machine waits: a page reloaded or closed returns it to live. */
  private travelling = false;
  /** Messages from the page that failed validation (counted, never acted on). */
  rejectedMessages = 0;

  constructor(
    private readonly port: InspectorPanelPort,
    session: InspectorSession | undefined,
    state: InspectorPageState,
  ) {
    this.state = { ...state };
    if (session) this.attach(session);
    else this.announce();
  }

  /** Switch to another session (or none); the page is told either way. */
  attach(session: InspectorSession | undefined): void {
    if (session === this.session) return;
    this.detach();
    this.session = session;
    if (session) {
      const snapshots = session.onSnapshot((s) => this.forward(s));
      const runs = session.onRunState((s) => this.runStateChanged(s));
      const travels = session.onTravel((e) => this.travelled(e));
      this.subscription = {
        dispose: () => {
          snapshots.dispose();
          runs.dispose();
          travels.dispose();
        },
      };
      // A restored page asks for the state it had (paused stays paused, a chosen speed stays); a
      // fresh panel shows the session as it is.
      if (this.state.paused) session.pause();
      else this.state.paused = session.runState.state === 'paused';
      if (this.state.speed !== 1) session.setSpeed(this.state.speed);
    }
    this.halted = session !== undefined && isHalted(session.runState);
    this.announce();
    this.visibilityChanged();
  }

  /** Call when the panel's visibility changes (and once after creation). */
  visibilityChanged(): void {
    const want = this.session !== undefined && this.port.visible;
    if (want === this.streaming) return;
    this.streaming = want;
    this.session?.setSnapshotStreaming(want, MAX_SNAPSHOTS_PER_SECOND);
  }

  /** A raw message from the page. */
  receive(raw: unknown): void {
    const m = parsePageMessage(raw);
    if (!m) {
      this.rejectedMessages++;
      return;
    }
    const s = this.session;
    switch (m.type) {
      case 'ready':
        // A (re)loaded page has drawn nothing yet and waits for its first snapshot.
        this.awaitingDraw = false;
        this.endTravel();
        this.announce();
        return;
      case 'drawn': {
        this.awaitingDraw = false;
        const next = this.pending;
        this.pending = undefined;
        if (next) this.forward(next);
        return;
      }
      case 'pause':
        this.state.paused = true;
        s?.pause();
        break;
      case 'resume':
        this.state.paused = false;
        s?.resume();
        break;
      case 'step':
        this.state.paused = true;
        s?.step();
        break;
      case 'setSpeed':
        this.state.speed = m.factor;
        s?.setSpeed(m.factor);
        break;
      case 'travel':
        this.travelling = s !== undefined;
        s?.travel(m.to);
        return;
      case 'live':
        this.endTravel();
        return;
    }
    this.announce();
  }

  dispose(): void {
    this.detach();
  }

  /** The session paused, resumed or halted (from the status bar, a command, this page, or the guests): the page shows it. */
  private runStateChanged(s: SessionRunState): void {
    let changed = isHalted(s) !== this.halted;
    this.halted = isHalted(s);
    // A pause asked for and not yet in effect (the worker answers within a frame) is not undone here.
    if (s.state === 'paused' || s.state === 'running' || s.state === 'throttled') {
      const paused = s.state === 'paused';
      changed ||= paused !== this.state.paused;
      this.state.paused = paused;
    }
    if (changed) this.announce();
  }

  private endTravel(): void {
    if (this.travelling) this.session?.returnToLive();
    this.travelling = false;
  }

  private detach(): void {
    this.endTravel();
    if (this.session && this.streaming) this.session.setSnapshotStreaming(false, MAX_SNAPSHOTS_PER_SECOND);
    this.streaming = false;
    this.subscription?.dispose();
    this.subscription = undefined;
    this.session = undefined;
    this.pending = undefined;
  }

  /** A moment of the past goes to the page straight away (it answers the page's own request); so does the return to live. */
  private travelled(e: { past: PastView | undefined; error?: string } | 'live'): void {
    if (e === 'live') return this.port.postMessage({ type: 'live' });
    const p = e.past;
    if (!p) return this.port.postMessage({ type: 'past', error: e.error ?? 'the moment could not be shown' });
    this.port.postMessage({ type: 'past', moment: p.moment, end: p.end, snapshot: toWireSnapshot(p.snapshot) });
  }

  private forward(s: EmulatorSnapshot): void {
    // The session should not send while hidden; if one is in flight, drop it rather than queue it.
    if (!this.port.visible) return;
    // One snapshot in flight at a time: until the page says it drew the last one, keep only the
    // newest. A page that draws slower than 30 Hz (a busy renderer) then sets the pace, instead of
    // a backlog of messages stalling the renderer the workbench shares with it.
    if (this.awaitingDraw) {
      this.pending = s;
      return;
    }
    this.awaitingDraw = true;
    this.port.postMessage({ type: 'snapshot', snapshot: toWireSnapshot(s) });
  }

  private announce(): void {
    this.port.postMessage({ type: 'session', attached: this.session !== undefined, paused: this.state.paused, halted: this.halted, speed: this.state.speed });
  }
}

/** Every guest has stopped (or the worker died): nothing left to pause, step or resume. */
function isHalted(s: SessionRunState): boolean {
  return s.state === 'halted' || s.state === 'crashed';
}
