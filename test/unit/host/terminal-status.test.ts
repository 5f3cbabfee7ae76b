// The terminal line logic and the status bar words, without a worker.
import { strict as assert } from 'assert';
import { SerialTerminal, noticeText, type TerminalInputSink } from '../../../src/host/serial-terminal';
import { boardState, canPause, guestState, statusText, statusTooltip, STOPPED } from '../../../src/host/status-text';
import { parseRecording } from '../../../src/host/recording-file';

class Sink implements TerminalInputSink {
  typed: [number | 'line', string][] = [];
  sizes: [number | 'line', number, number][] = [];
  type(target: number | 'line', data: string): void {
    this.typed.push([target, data]);
  }
  resize(target: number | 'line', cols: number, rows: number): void {
    this.sizes.push([target, cols, rows]);
  }
}

describe('host: serial terminal', () => {
  it('keeps output written before the terminal opens and decodes UTF-8 split across frames', () => {
    const t = new SerialTerminal('vm', 1, () => undefined);
    const bytes = new TextEncoder().encode('° ok\r\n');
    t.output(bytes.subarray(0, 1));
    t.output(bytes.subarray(1));
    let shown = '';
    t.open((s) => {
      shown += s;
    });
    assert.equal(shown, '° ok\r\n');
    t.notice('hello');
    assert.ok(shown.endsWith(noticeText('hello')));
  });

  it('drops the oldest output beyond its limit before opening, and says so', () => {
    const t = new SerialTerminal('vm', 0, () => undefined);
    const chunk = new TextEncoder().encode('x'.repeat(100_000));
    for (let i = 0; i < 10; i++) t.output(chunk);
    let shown = '';
    t.open((s) => {
      shown += s;
    });
    assert.ok(shown.startsWith(noticeText('earlier output dropped before this terminal opened')));
    assert.ok(shown.length <= 256 * 1024 + 200, `${shown.length}`);
  });

  it('a view made again after the user closed one starts with the recent output, then goes on live', () => {
    const t = new SerialTerminal('vm', 0, () => undefined);
    const first: string[] = [];
    const w1 = (s: string): void => {
      first.push(s);
    };
    t.open(w1);
    t.output(new TextEncoder().encode('login: '));
    t.close(w1);
    t.output(new TextEncoder().encode('while closed'));
    let shown = '';
    t.open((s) => {
      shown += s;
    });
    assert.equal(shown, 'login: while closed');
    t.output(new TextEncoder().encode('!'));
    assert.equal(shown, 'login: while closed!');
    assert.deepEqual(first, ['login: ']);
  });

  it('sends keystrokes and sizes to its target', () => {
    const sink = new Sink();
    const t = new SerialTerminal('vm', 1, () => sink);
    t.open(() => undefined, { columns: 80, rows: 24 });
    t.handleInput('ls\r');
    t.setDimensions({ columns: 100, rows: 30 });
    assert.deepEqual(sink.typed, [[1, 'ls\r']]);
    assert.deepEqual(sink.sizes, [
      [1, 80, 24],
      [1, 100, 30],
    ]);
    assert.deepEqual(t.size, { cols: 100, rows: 30 });
  });
});

describe('host: serial terminal views', () => {
  it('a view closed after a newer view opened (VS Code reports closes late) does not silence the newer one', () => {
    const t = new SerialTerminal('guest 1 · a', 0, () => undefined);
    const first: string[] = [],
      second: string[] = [];
    const w1 = (s: string): void => {
      first.push(s);
    };
    const w2 = (s: string): void => {
      second.push(s);
    };
    t.open(w1);
    // "Show terminals" made a new view before the old one's close arrived.
    t.open(w2);
    t.close(w1);
    t.output(new TextEncoder().encode('still here'));
    assert.deepEqual(second, ['still here']);
    assert.ok(t.isOpen);
    t.close(w2);
    assert.ok(!t.isOpen);
  });
});

describe('host: status bar words', () => {
  it('says running or paused, the virtual time, and which guest has input', () => {
    assert.equal(
      statusText({ state: 'running', timeNs: 1_234_500_000, inputVm: 'client_linux-2' }),
      '$(vm-running) Dual guest: running · 1.234 s · input: client_linux-2',
    );
    assert.equal(statusText({ state: 'paused', timeNs: 2e9, inputVm: 'a' }), '$(debug-pause) Dual guest: paused · 2.000 s · input: a');
    assert.equal(statusText({ state: 'crashed', timeNs: 5e8, inputVm: 'a' }), '$(error) Dual guest: crashed · 0.500 s');
    assert.equal(statusText({ state: 'stopped', timeNs: 0, inputVm: undefined }), '$(vm-outline) Dual guest: stopped');
    assert.equal(statusText({ state: 'halted', timeNs: 3e9, inputVm: 'a' }), '$(debug-stop) Dual guest: halted · 3.000 s');
  });

  it("the tooltip says what a click does, or that something failed, each guest's state, and which switch character is active", () => {
    const running = {
      ...STOPPED,
      state: 'running' as const,
      guests: [
        { vm: 'a', state: 'running' as const },
        { vm: 'b', state: 'halted' as const },
      ],
    };
    assert.equal(statusTooltip(STOPPED), 'Click to boot the dual-guest system');
    assert.equal(
      statusTooltip({ ...running, switchChar: "'@' (from the project file dual-guest.json)" }),
      "Click to pause or resume the emulator\na: running, b: halted\nSwitch character: '@' (from the project file dual-guest.json)",
    );
    assert.equal(
      statusTooltip({ ...running, problem: true, switchChar: "Ctrl-\\ (sdfgen's default)" }),
      "Something failed: see the terminals and the emulator output channel\na: running, b: halted\nSwitch character: Ctrl-\\ (sdfgen's default)",
    );
  });

  it('one run state: the board is halted once every guest has stopped; a guest is paused with the board', () => {
    assert.equal(boardState('running', ['halted', 'running']), 'running');
    assert.equal(boardState('running', ['halted', 'halted']), 'halted');
    assert.equal(boardState('throttled', ['halted']), 'halted');
    assert.equal(boardState('stopped', []), 'stopped');
    assert.equal(boardState('running', []), 'running');
    assert.equal(guestState('paused', false), 'paused');
    assert.equal(guestState('paused', true), 'halted');
    assert.equal(guestState('crashed', false), 'stopped');
    assert.equal(canPause({ ...STOPPED, state: 'halted' }), false);
    assert.equal(canPause({ ...STOPPED, state: 'throttled' }), true);
  });
});

describe('host: recording files', () => {
  it('reads what "Save input recording" writes and says what is wrong with anything else', () => {
    const ok = parseRecording(JSON.stringify({ version: 1, seed: 1, records: [{ timeNs: 5, bytes: [114, 13] }], projectFile: '/p/dual-guest.json' }));
    assert.deepEqual(ok, { log: { version: 1, seed: 1, records: [{ timeNs: 5, bytes: [114, 13] }] }, projectFile: '/p/dual-guest.json' });
    assert.match(parseRecording('{') as string, /^not JSON/);
    assert.match(parseRecording('{"version":2}') as string, /expected "version": 1/);
    assert.match(parseRecording('{"version":1,"seed":1,"records":[{"timeNs":0,"bytes":[256]}]}') as string, /record 0 needs/);
    // "Reset a guest" is recorded as a record naming the guest, kept as it is for the replay.
    const reset = { timeNs: 9, bytes: [], resetGuest: 1 };
    assert.deepEqual(parseRecording(JSON.stringify({ version: 1, seed: 1, records: [reset] })), {
      log: { version: 1, seed: 1, records: [reset] },
      projectFile: undefined,
    });
    assert.match(
      parseRecording('{"version":1,"seed":1,"records":[{"timeNs":0,"bytes":[],"resetGuest":-1}]}') as string,
      /record 0: "resetGuest" must be a guest index/,
    );
  });
});
