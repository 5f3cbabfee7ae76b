// The switch sequence the extension types: checked against an independent model of the real
// virt_rx's byte handling (switch char, decimal digits, '\r'; a doubled switch char is literal).
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { InputRouter } from '../../../src/host/input-router';

/** What the RX virtualiser delivers, per client, for bytes on the line (sDDF virt_rx.c's states). */
function virtRxModel(line: Uint8Array, switchChar: number, clientBase: number, clients: number): number[][] {
  const out: number[][] = Array.from({ length: clients }, () => []);
  let current = 0,
    mode: 'normal' | 'switched' | 'number' = 'normal',
    digits = '';
  for (const c of line) {
    const isDigit = c >= 0x30 && c <= 0x39;
    if (mode === 'normal') {
      if (c === switchChar) mode = 'switched';
      else out[current].push(c);
    } else if (mode === 'switched') {
      if (isDigit) {
        digits = String.fromCharCode(c);
        mode = 'number';
      } else {
        if (c === switchChar) out[current].push(c);
        mode = 'normal';
      }
    } else if (c === 0x0d) {
      const n = parseInt(digits, 10) - clientBase;
      if (n >= 0 && n < clients) current = n;
      mode = 'normal';
    } else if (digits.length < 4 && isDigit) digits += String.fromCharCode(c);
    else mode = 'normal';
  }
  return out;
}

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('host: input router', () => {
  it('types the switch sequence (0-based client number, then CR) only when the target changes', () => {
    const r = new InputRouter({ switchChar: 0x40, clientBase: 0 });
    assert.deepEqual(Array.from(r.forClient(0, bytes('ls\r'))), Array.from(bytes('ls\r')));
    assert.deepEqual(Array.from(r.forClient(1, bytes('x'))), Array.from(bytes('@1\rx')));
    assert.deepEqual(Array.from(r.forClient(1, bytes('y'))), Array.from(bytes('y')));
    assert.deepEqual(Array.from(r.forClient(0, new Uint8Array())), Array.from(bytes('@0\r')));
  });

  it('doubles a literal switch character', () => {
    const r = new InputRouter({ switchChar: 0x40, clientBase: 0 });
    assert.deepEqual(Array.from(r.forClient(0, bytes('a@b'))), Array.from(bytes('a@@b')));
  });

  it('after raw line input the target is unknown, so the next guest input switches explicitly', () => {
    const r = new InputRouter({ switchChar: 0x40, clientBase: 1 });
    r.forLine(bytes('@2\r'));
    assert.deepEqual(Array.from(r.forClient(0, bytes('z'))), Array.from(bytes('@1\rz')));
  });

  it('property: every keystroke reaches exactly the guest it was typed for, through virt_rx', () => {
    const chunk = fc.record({
      client: fc.integer({ min: 0, max: 2 }),
      text: fc.uint8Array({ minLength: 0, maxLength: 6 }).map((a) => a.map((b) => [0x40, 0x0d, 0x31, 0x7e][b & 3])),
    });
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 20 }), fc.constantFrom(0, 1), (chunks, clientBase) => {
        const r = new InputRouter({ switchChar: 0x40, clientBase });
        const expected: number[][] = [[], [], []];
        const line: number[] = [];
        for (const c of chunks) {
          line.push(...r.forClient(c.client, c.text));
          expected[c.client].push(...c.text);
        }
        assert.deepEqual(virtRxModel(Uint8Array.from(line), 0x40, clientBase, 3), expected);
      }),
      { numRuns: 500 },
    );
  });
});
