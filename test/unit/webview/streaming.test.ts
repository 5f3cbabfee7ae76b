// Snapshot streaming must not change what the guests do: the same run with a snapshot taken and
// serialized as it would be posted (the panel open) and without (closed) gives the same transcript.
import * as assert from 'assert';
import { toWireSnapshot } from '../../../src/extension/inspector-protocol';
import { echoSystem } from '../../webview/record';

function run(streaming: boolean): { uart: string; events: string; final: string; posted: number } {
  const emu = echoSystem(7);
  let uart = '',
    posted = 0;
  emu.onUartOutput((b) => {
    uart += String.fromCharCode(...b);
  });
  const typed = ['hello\r', '@1\r', 'ok\r', '@0\r', 'x'];
  for (let round = 0; round < 40; round++) {
    if (round % 8 === 0 && typed.length) emu.typeInput(typed.shift()!);
    for (let slice = 0; slice < 10; slice++) {
      emu.runFor(20_000);
      if (streaming) {
        JSON.stringify({ type: 'snapshot', snapshot: toWireSnapshot(emu.snapshot()) });
        posted++;
      }
    }
    // The inspector's step control in between, in both runs.
    if (round % 5 === 0) emu.stepEvent(1e6);
  }
  const final = toWireSnapshot(emu.snapshot());
  return { uart, events: JSON.stringify(final.events), final: JSON.stringify(final), posted };
}

describe('inspector snapshot streaming', () => {
  it('leaves the transcript, the events and the final state unchanged', () => {
    const open = run(true),
      closed = run(false);
    assert.deepStrictEqual([open.posted, closed.posted], [400, 0]);
    assert.ok(open.uart.includes('hello'), JSON.stringify(open.uart));
    assert.strictEqual(open.uart, closed.uart);
    assert.strictEqual(open.events, closed.events);
    assert.strictEqual(open.final, closed.final);
  });
});
