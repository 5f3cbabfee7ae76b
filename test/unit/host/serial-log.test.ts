// The serial log: stamped lines, lines across frames, over-long lines cut, bounded memory.
import { strict as assert } from 'assert';
import { SerialLogRecorder, formatVirtualSeconds } from '../../../src/host/serial-log';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const T0 = Date.UTC(2026, 10, 27, 1, 2, 3, 456);

describe('host: serial log', () => {
  it('stamps each line with the wall time and the virtual time of the frame it started in', () => {
    const sunk: string[] = [];
    const log = new SerialLogRecorder((l) => sunk.push(l));
    log.add(enc('Welcome\r\nclient login: '), 1_500_000_000, T0);
    log.add(enc('root\r\n# '), 2_000_000, T0 + 1000);
    assert.deepEqual(sunk, ['[2026-11-27T01:02:03.456Z     1.500000s] Welcome', '[2026-11-27T01:02:03.456Z     1.500000s] client login: root']);
    assert.equal(log.text(), sunk.join('\n') + '\n[2026-11-27T01:02:04.456Z     0.002000s] # \n');
  });

  it('decodes UTF-8 split across frames', () => {
    const sunk: string[] = [];
    const log = new SerialLogRecorder((l) => sunk.push(l));
    const bytes = enc('µs\n');
    log.add(bytes.subarray(0, 1), 0, T0);
    log.add(bytes.subarray(1), 0, T0);
    assert.equal(sunk.length, 1);
    assert.ok(sunk[0].endsWith('] µs'));
  });

  it('cuts a line without newlines at 4096 characters', () => {
    const sunk: string[] = [];
    const log = new SerialLogRecorder((l) => sunk.push(l));
    for (let i = 0; i < 5; i++) log.add(enc('x'.repeat(2000)), 0, T0);
    assert.equal(sunk.length, 2);
    for (const l of sunk) assert.equal(l.replace(/^\[[^\]]*\] /, '').length, 4096);
  });

  it('keeps a bounded amount of output, saying what it left out', () => {
    const log = new SerialLogRecorder(undefined, 1000);
    for (let i = 0; i < 10_000; i++) log.add(enc(`line ${i}\n`), i, T0);
    const text = log.text();
    // 1000 characters of output are about 100 of these lines (the stamps come on top).
    const lines = text.split('\n').length - 2;
    assert.ok(lines >= 90 && lines <= 101, `kept ${lines} lines`);
    assert.match(text, /^\[\.\.\. \d+ earlier characters not kept\]\n/);
    assert.ok(text.endsWith('] line 9999\n'));
  });

  it('a restart ends the unfinished line', () => {
    const sunk: string[] = [];
    const log = new SerialLogRecorder((l) => sunk.push(l));
    log.add(enc('login: '), 0, T0);
    log.restart();
    log.add(enc('Booting\n'), 0, T0);
    assert.deepEqual(
      sunk.map((l) => l.replace(/^\[[^\]]*\] /, '')),
      ['login: ', 'Booting'],
    );
    assert.equal(log.text().split('\n').length, 3);
  });

  it('formats virtual seconds like a printk stamp', () => {
    assert.equal(formatVirtualSeconds(12_345_678_901), '   12.345679s');
  });
});
