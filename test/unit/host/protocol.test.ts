// Pins the worker protocol: message names and directions. Changing the protocol means changing
// both sides and this list together.
import { strict as assert } from 'assert';
import { FROM_WORKER_TYPES, TO_WORKER_TYPES, type FromWorker, type ToWorker } from '../../../src/host/protocol';

// Compile-time: the lists name every message type (a type missing from a list fails typecheck).
type Missing<U, L extends readonly string[]> = Exclude<U, L[number]>;
const toComplete: [Missing<ToWorker['type'], typeof TO_WORKER_TYPES>] extends [never] ? true : false = true;
const fromComplete: [Missing<FromWorker['type'], typeof FROM_WORKER_TYPES>] extends [never] ? true : false = true;

describe('host: worker protocol', () => {
  it('extension -> worker messages', () => {
    assert.ok(toComplete);
    assert.deepEqual([...TO_WORKER_TYPES].sort(), [
      'ack',
      'boot',
      'crash',
      'exportTrace',
      'getRecording',
      'input',
      'pause',
      'reset',
      'resize',
      'resume',
      'returnToLive',
      'setSpeed',
      'snapshot',
      'step',
      'stop',
      'streamSnapshots',
      'travel',
    ]);
  });

  it('worker -> extension messages', () => {
    assert.ok(fromComplete);
    assert.deepEqual([...FROM_WORKER_TYPES].sort(), [
      'bootFailed',
      'booted',
      'crashed',
      'findings',
      'guestFailed',
      'live',
      'log',
      'output',
      'recording',
      'resized',
      'snapshot',
      'status',
      'streamedSnapshot',
      'trace',
      'travelled',
    ]);
  });

  it('no name is used in both directions except the snapshot request/answer pair', () => {
    const both = TO_WORKER_TYPES.filter((t) => (FROM_WORKER_TYPES as readonly string[]).includes(t));
    assert.deepEqual(both, ['snapshot']);
  });
});
