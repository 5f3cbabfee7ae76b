// The same configuration, input script and seed give byte-identical transcripts; a recorded input
// log replays byte for byte.
import { strict as assert } from 'assert';
import { build, testGuest, fillPattern } from './helpers';
import type { Emulator } from '../../../src/emulator/emulator';
import { recordInputLog, replayInputLog } from '../../../src/emulator/record';
import type { SerialConfig } from '../../../src/emulator/config';

function transcript(emu: Emulator): string[] {
  const lines: string[] = [];
  emu.onUartOutput((b, t) => lines.push(`${t} out ${Array.from(b.subarray(0, 64)).join(',')} len=${b.length}`));
  emu.onLog((r) => lines.push(`${r.timeNs} log ${r.source} ${r.text}`));
  emu.onClientOutput((c, b, t) => lines.push(`${t} client ${c} len=${b.length}`));
  return lines;
}

function scriptedRun(serial: Partial<SerialConfig>, script: [number, string][], endNs: number): { lines: string[]; emu: Emulator } {
  const emu = build({
    programs: [testGuest({ txTotal: 200_000, echo: true, fill: fillPattern(0) }), testGuest({ txTotal: 150_000, echo: true, fill: fillPattern(1) })],
    serial,
    seed: 42,
  });
  const lines = transcript(emu);
  for (const [at, input] of script) {
    emu.runFor(at - emu.now());
    emu.typeInput(input);
  }
  emu.runFor(endNs - emu.now());
  lines.push(JSON.stringify(emu.snapshot(), (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v)));
  return { lines, emu };
}

const SCRIPT: [number, string][] = [
  [1_000_000, 'hello\r'],
  [2_500_000, '@1\r'],
  [2_600_000, 'ls -l\r'],
  [5_000_000, '@@x@9\r@0\rpwd\r'],
];

describe('emulator: determinism', function () {
  this.timeout(20_000);

  for (const fast of [true, false]) {
    it(`gives byte-identical transcripts for the same config, input and seed (${fast ? 'fast' : 'realtime 115200 baud'})`, () => {
      const end = fast ? 20_000_000 : 40_000_000;
      const a = scriptedRun({ fast, colour: true }, SCRIPT, end).lines;
      const b = scriptedRun({ fast, colour: true }, SCRIPT, end).lines;
      assert.ok(a.length > 10);
      assert.deepEqual(a, b);
    });
  }

  it('replays a recorded input log byte for byte', () => {
    const first = scriptedRun({ fast: false }, SCRIPT, 30_000_000);
    const log = recordInputLog(first.emu, 42);
    assert.equal(log.records.length, SCRIPT.length);
    const emu = build({
      programs: [testGuest({ txTotal: 200_000, echo: true, fill: fillPattern(0) }), testGuest({ txTotal: 150_000, echo: true, fill: fillPattern(1) })],
      serial: { fast: false },
      seed: log.seed,
    });
    const lines = transcript(emu);
    replayInputLog(emu, log, 30_000_000);
    lines.push(JSON.stringify(emu.snapshot(), (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v)));
    assert.deepEqual(lines, first.lines);
  });
});
