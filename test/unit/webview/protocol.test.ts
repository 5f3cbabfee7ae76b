// The page <-> extension protocol: the literal message names are pinned, and the validator lets
// through exactly the well-formed page messages (and drops extra fields).
import * as assert from 'assert';
import fc from 'fast-check';
import {
  HOST_MESSAGE_TYPES,
  MAX_SPEED,
  MIN_SPEED,
  PAGE_MESSAGE_TYPES,
  bytesToHex,
  hexToBytes,
  parsePageMessage,
  parsePageState,
} from '../../../src/extension/inspector-protocol';

describe('inspector protocol', () => {
  it('pins the message names', () => {
    assert.deepStrictEqual([...PAGE_MESSAGE_TYPES], ['ready', 'drawn', 'pause', 'resume', 'step', 'setSpeed', 'travel', 'live']);
    assert.deepStrictEqual([...HOST_MESSAGE_TYPES], ['snapshot', 'session', 'past', 'live']);
  });

  it('accepts the well-formed page messages and strips extra fields', () => {
    for (const type of ['ready', 'pause', 'resume', 'step'] as const) {
      assert.deepStrictEqual(parsePageMessage({ type, extra: 'x' }), { type });
    }
    assert.deepStrictEqual(parsePageMessage({ type: 'setSpeed', factor: 2, evil: true }), { type: 'setSpeed', factor: 2 });
    assert.deepStrictEqual(parsePageMessage({ type: 'setSpeed', factor: MIN_SPEED }), { type: 'setSpeed', factor: MIN_SPEED });
    assert.deepStrictEqual(parsePageMessage({ type: 'setSpeed', factor: MAX_SPEED }), { type: 'setSpeed', factor: MAX_SPEED });
    assert.deepStrictEqual(parsePageMessage({ type: 'live', x: 1 }), { type: 'live' });
    assert.deepStrictEqual(parsePageMessage({ type: 'travel', to: { timeNs: 5e9, evil: 1 } }), { type: 'travel', to: { timeNs: 5e9 } });
    assert.deepStrictEqual(parsePageMessage({ type: 'travel', to: { event: 12 } }), { type: 'travel', to: { event: 12 } });
    assert.deepStrictEqual(parsePageMessage({ type: 'travel', to: { step: 'activation', dir: -1 } }), { type: 'travel', to: { step: 'activation', dir: -1 } });
  });

  it('rejects anything else', () => {
    const bad: unknown[] = [
      undefined,
      null,
      1,
      'pause',
      [],
      ['pause'],
      { type: 'Pause' },
      { type: 'snapshot' },
      { type: 'session' },
      { type: 'setSpeed' },
      { type: 'setSpeed', factor: '2' },
      { type: 'setSpeed', factor: NaN },
      { type: 'setSpeed', factor: Infinity },
      { type: 'setSpeed', factor: 0 },
      { type: 'setSpeed', factor: -1 },
      { type: 'setSpeed', factor: MAX_SPEED * 2 },
      { type: 'travel' },
      { type: 'travel', to: { timeNs: -1 } },
      { type: 'travel', to: { timeNs: 1.5 } },
      { type: 'travel', to: { event: '3' } },
      { type: 'travel', to: { step: 'event', dir: 2 } },
      { type: 'travel', to: { step: 'slice', dir: 1 } },
      { type: 'constructor' },
      { type: '__proto__' },
      { type: 'toString' },
      JSON.parse('{"__proto__": {"type": "pause"}}'),
    ];
    for (const b of bad) assert.strictEqual(parsePageMessage(b), undefined, JSON.stringify(b));
  });

  it('never throws, and whatever it accepts is a known message with the right fields', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ type: fc.constantFrom(...PAGE_MESSAGE_TYPES, 'x'), factor: fc.anything() })), (x) => {
        const m = parsePageMessage(x);
        if (m === undefined) return;
        assert.ok((PAGE_MESSAGE_TYPES as readonly string[]).includes(m.type));
        assert.deepStrictEqual(Object.keys(m).sort(), m.type === 'setSpeed' ? ['factor', 'type'] : m.type === 'travel' ? ['to', 'type'] : ['type']);
        if (m.type === 'setSpeed') assert.ok(m.factor >= MIN_SPEED && m.factor <= MAX_SPEED);
      }),
      { numRuns: 500 },
    );
  });

  it('restores page state with defaults for missing or wrong fields', () => {
    assert.deepStrictEqual(parsePageState(undefined), { guestFilter: '', paused: false, speed: 1 });
    assert.deepStrictEqual(parsePageState({ guestFilter: 'client_linux-2', paused: true, speed: 0.5 }), {
      guestFilter: 'client_linux-2',
      paused: true,
      speed: 0.5,
    });
    assert.deepStrictEqual(parsePageState({ guestFilter: 3, paused: 'yes', speed: 1e9 }), { guestFilter: '', paused: false, speed: 1 });
  });

  it('hex round-trips bytes and stops at the first non-hex pair', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        assert.deepStrictEqual(hexToBytes(bytesToHex(b)), b);
      }),
    );
    assert.strictEqual(bytesToHex(Uint8Array.of(0, 0x7f, 0xff)), '007fff');
    assert.deepStrictEqual(hexToBytes('41zz42'), Uint8Array.of(0x41));
  });
});
