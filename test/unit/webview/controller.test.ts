// The extension side of the inspector without VS Code: streaming follows the panel's visibility,
// controls reach the session only after validation, and the page hears about the session's state.
import * as assert from 'assert';
import type { EmulatorSnapshot } from '../../../src/emulator/emulator';
import { InspectorController, type InspectorSession } from '../../../src/extension/inspector-controller';
import { MAX_SNAPSHOTS_PER_SECOND, type HostMessage } from '../../../src/extension/inspector-protocol';
import type { PastView, TravelTarget } from '../../../src/host/protocol';
import { STOPPED, type SessionRunState } from '../../../src/host/status-text';

class FakeSession implements InspectorSession {
  calls: string[] = [];
  listeners: ((s: EmulatorSnapshot) => void)[] = [];
  onSnapshot(l: (s: EmulatorSnapshot) => void) {
    this.listeners.push(l);
    return {
      dispose: () => {
        this.listeners = this.listeners.filter((x) => x !== l);
      },
    };
  }
  setSnapshotStreaming(enabled: boolean, max: number) {
    this.calls.push(`stream ${enabled} ${max}`);
  }
  pause() {
    this.calls.push('pause');
  }
  resume() {
    this.calls.push('resume');
  }
  step() {
    this.calls.push('step');
  }
  setSpeed(f: number) {
    this.calls.push(`speed ${f}`);
  }
  emit(s: EmulatorSnapshot) {
    for (const l of this.listeners) l(s);
  }
  runState: SessionRunState = { ...STOPPED, state: 'running' };
  runListeners: ((s: SessionRunState) => void)[] = [];
  onRunState(l: (s: SessionRunState) => void) {
    this.runListeners.push(l);
    return {
      dispose: () => {
        this.runListeners = this.runListeners.filter((x) => x !== l);
      },
    };
  }
  travelListeners: ((e: { past: PastView | undefined; error?: string } | 'live') => void)[] = [];
  travel(to: TravelTarget) {
    this.calls.push(`travel ${JSON.stringify(to)}`);
  }
  returnToLive() {
    this.calls.push('live');
  }
  onTravel(l: (e: { past: PastView | undefined; error?: string } | 'live') => void) {
    this.travelListeners.push(l);
    return {
      dispose: () => {
        this.travelListeners = this.travelListeners.filter((x) => x !== l);
      },
    };
  }
  setRunState(state: SessionRunState['state']) {
    this.runState = { ...this.runState, state };
    for (const l of this.runListeners) l(this.runState);
  }
}

const SNAP: EmulatorSnapshot = {
  timeNs: 5,
  queues: [{ name: 'q', capacity: 4, head: 1, tail: 3, producerSignalled: 0, bytes: Uint8Array.of(0x68, 0x69) }],
  guests: [],
  serial: { currentClient: 0, rxDropped: [], uartOverruns: 0, uartTxBytes: 0, uartRxBytes: 0, pendingTxClients: [] },
  pds: [],
  devices: [{ name: 'uart', base: 0, size: 1, state: { big: 'x' } }],
  events: [],
  channels: [],
  findings: [],
};

function setUp(visible = true) {
  const port = {
    visible,
    posted: [] as HostMessage[],
    postMessage(m: HostMessage) {
      this.posted.push(m);
    },
  };
  const session = new FakeSession();
  const c = new InspectorController(port, session, { guestFilter: '', paused: false, speed: 1 });
  return { port, session, c };
}

describe('inspector controller', () => {
  it('streams at most 30 per second only while the panel is visible', () => {
    const { port, session, c } = setUp(true);
    assert.strictEqual(MAX_SNAPSHOTS_PER_SECOND, 30);
    // A fresh panel leaves the session's speed and run state alone.
    assert.deepStrictEqual(session.calls, ['stream true 30']);
    port.visible = false;
    c.visibilityChanged();
    c.visibilityChanged();
    assert.deepStrictEqual(session.calls.slice(1), ['stream false 30']);
    port.visible = true;
    c.visibilityChanged();
    assert.deepStrictEqual(session.calls.slice(2), ['stream true 30']);
    c.dispose();
    assert.deepStrictEqual(session.calls.slice(3), ['stream false 30']);
    assert.strictEqual(session.listeners.length, 0);
    assert.strictEqual(session.runListeners.length, 0);
  });

  it('says halted when every guest has stopped, and running again after a new boot', () => {
    const { port, session } = setUp(true);
    port.posted.length = 0;
    session.setRunState('halted');
    assert.deepStrictEqual(port.posted, [{ type: 'session', attached: true, paused: false, halted: true, speed: 1 }]);
    session.setRunState('halted');
    assert.strictEqual(port.posted.length, 1, 'no news, no message');
    session.setRunState('running');
    assert.deepStrictEqual(port.posted[1], { type: 'session', attached: true, paused: false, halted: false, speed: 1 });
  });

  it('shares the run state with the status bar: a pause from there shows Paused with Resume, and back', () => {
    const { port, session } = setUp(true);
    port.posted.length = 0;
    session.setRunState('paused');
    assert.deepStrictEqual(port.posted, [{ type: 'session', attached: true, paused: true, halted: false, speed: 1 }]);
    session.setRunState('paused');
    assert.strictEqual(port.posted.length, 1, 'no news, no message');
    session.setRunState('running');
    assert.deepStrictEqual(port.posted[1], { type: 'session', attached: true, paused: false, halted: false, speed: 1 });
    // A fresh panel on a paused session says so.
    const fresh = setUp(true);
    fresh.session.setRunState('paused');
    const later = new InspectorController(fresh.port, fresh.session, { guestFilter: '', paused: false, speed: 1 });
    assert.deepStrictEqual(fresh.port.posted[fresh.port.posted.length - 1], { type: 'session', attached: true, paused: true, halted: false, speed: 1 });
    later.dispose();
  });

  it('posts snapshots as JSON-safe wire snapshots, and drops them while hidden', () => {
    const { port, session } = setUp(true);
    port.posted.length = 0;
    session.emit(SNAP);
    assert.strictEqual(port.posted.length, 1);
    const m = port.posted[0];
    assert.ok(m.type === 'snapshot');
    assert.strictEqual(m.snapshot.queues[0].bytesHex, '6869');
    assert.ok(!('devices' in m.snapshot));
    assert.deepStrictEqual(JSON.parse(JSON.stringify(m)), m);
    port.visible = false;
    session.emit(SNAP);
    assert.strictEqual(port.posted.length, 1);
  });

  it('keeps one snapshot in flight: the next (the newest only) goes when the page says it drew', () => {
    const { port, session, c } = setUp(true);
    port.posted.length = 0;
    const at = (t: number): EmulatorSnapshot => ({ ...SNAP, timeNs: t });
    session.emit(at(1));
    session.emit(at(2));
    session.emit(at(3));
    const times = () => port.posted.flatMap((m) => (m.type === 'snapshot' ? [m.snapshot.timeNs] : []));
    assert.deepStrictEqual(times(), [1]);
    c.receive({ type: 'drawn' });
    assert.deepStrictEqual(times(), [1, 3]);
    c.receive({ type: 'drawn' });
    assert.deepStrictEqual(times(), [1, 3], 'nothing new to send');
    session.emit(at(4));
    assert.deepStrictEqual(times(), [1, 3, 4]);
    // A reloaded page starts again: it waits for a snapshot, so none may be held back.
    c.receive({ type: 'ready' });
    session.emit(at(5));
    assert.deepStrictEqual(times(), [1, 3, 4, 5]);
  });

  it('acts on valid page messages only', () => {
    const { port, session, c } = setUp();
    session.calls.length = 0;
    port.posted.length = 0;
    for (const m of [
      { type: 'pause' },
      { type: 'step' },
      { type: 'resume' },
      { type: 'setSpeed', factor: 4 },
      { type: 'setSpeed', factor: 1e6 },
      { type: 'eval', code: 'x' },
      'pause',
      null,
    ])
      c.receive(m);
    assert.deepStrictEqual(session.calls, ['pause', 'step', 'resume', 'speed 4']);
    assert.strictEqual(c.rejectedMessages, 4);
    assert.deepStrictEqual(port.posted.at(-1), { type: 'session', attached: true, paused: false, halted: false, speed: 4 });
  });

  it('restores a paused state onto a new session, and says when there is none', () => {
    const port = {
      visible: true,
      posted: [] as HostMessage[],
      postMessage(m: HostMessage) {
        this.posted.push(m);
      },
    };
    const c = new InspectorController(port, undefined, { guestFilter: '', paused: true, speed: 0.5 });
    assert.deepStrictEqual(port.posted, [{ type: 'session', attached: false, paused: true, halted: false, speed: 0.5 }]);
    c.receive({ type: 'step' }); // no session: nothing to do, no throw
    const s = new FakeSession();
    c.attach(s);
    assert.deepStrictEqual(s.calls, ['pause', 'speed 0.5', 'stream true 30']);
    c.attach(undefined);
    assert.deepStrictEqual(s.calls.at(-1), 'stream false 30');
    assert.deepStrictEqual(port.posted.at(-1), { type: 'session', attached: false, paused: true, halted: false, speed: 0.5 });
  });

  it('forwards time travel both ways: requests to the session, moments and the return to live to the page', () => {
    const { port, session, c } = setUp();
    c.receive({ type: 'travel', to: { timeNs: 2e9 } });
    c.receive({ type: 'travel', to: { step: 'event', dir: -1 } });
    c.receive({ type: 'travel', to: { step: 'event', dir: 3 } });
    c.receive({ type: 'live' });
    assert.deepStrictEqual(session.calls.slice(-3), ['travel {"timeNs":2000000000}', 'travel {"step":"event","dir":-1}', 'live']);
    assert.strictEqual(c.rejectedMessages, 1);
    const moment = { timeNs: 2e9, event: 40, activation: 60 },
      end = { timeNs: 9e9, event: 90, activation: 120 };
    for (const l of session.travelListeners) l({ past: { moment, end, snapshot: SNAP, line: new Uint8Array(0), clients: [] } });
    const past = port.posted.at(-1);
    assert.ok(past?.type === 'past' && 'moment' in past);
    assert.deepStrictEqual([past.moment, past.end, past.snapshot.queues[0].bytesHex], [moment, end, '6869']);
    for (const l of session.travelListeners) l({ past: undefined, error: 'no emulator is running' });
    assert.deepStrictEqual(port.posted.at(-1), { type: 'past', error: 'no emulator is running' });
    for (const l of session.travelListeners) l('live');
    assert.deepStrictEqual(port.posted.at(-1), { type: 'live' });
    // A page reloaded or a panel closed while the past is shown does not leave the live machine waiting.
    c.receive({ type: 'travel', to: { timeNs: 1 } });
    c.receive({ type: 'ready' });
    assert.deepStrictEqual(session.calls.slice(-2), ['travel {"timeNs":1}', 'live']);
    c.receive({ type: 'travel', to: { timeNs: 1 } });
    c.dispose();
    assert.deepStrictEqual(session.calls.slice(-3), ['travel {"timeNs":1}', 'live', 'stream false 30']);
  });
});
