// A terminal during time travel: it shows the output up to the moment under a notice, keeps the live
// output that arrives meanwhile, and shows the live text again (all of it) on the way back.
import { strict as assert } from 'assert';
import { SerialTerminal } from '../../../src/host/serial-terminal';

const enc = new TextEncoder();
const CLEAR = '\x1b[2J\x1b[3J\x1b[H';

describe('host: a terminal during time travel', () => {
  it('shows the past, holds live output meanwhile, and shows the live text again', () => {
    const t = new SerialTerminal('guest 1', 0, () => undefined);
    let screen = '';
    const write = (s: string): void => {
      // The clear sequence empties the recorded screen, as xterm does.
      const at = s.lastIndexOf(CLEAR);
      screen = at >= 0 ? s.slice(at + CLEAR.length) : screen + s;
    };
    t.open(write);
    t.output(enc.encode('login: root\r\n# ls\r\n'));
    t.showPast(enc.encode('login: '), 'viewing t = 1.000000s');
    assert.match(screen, /\[viewing t = 1\.000000s\][^]*login: $/);
    assert.ok(!screen.includes('# ls'));
    t.output(enc.encode('bin\r\n'));
    assert.ok(!screen.includes('bin'), 'live output does not cover the past');
    // A view opened now (the terminal made again) shows the past too.
    let other = '';
    t.open((s) => (other += s));
    assert.ok(other.includes('viewing t = 1.000000s') && !other.includes('# ls'));
    t.open(write);
    t.showLive();
    assert.equal(screen, 'login: root\r\n# ls\r\nbin\r\n');
    // Live again: output goes straight through.
    t.output(enc.encode('# '));
    assert.ok(screen.endsWith('bin\r\n# '));
  });
});
