// The decoder on input it was not written for: any text is read without a throw and every report
// lies inside the log; prose made of the formats' own words, without the anchors the formats start
// with, is never explained; corpus reports cut or spliced into noise are explained at most once each.
import { strict as assert } from 'assert';
import * as fc from 'fast-check';
import { readFileSync, readdirSync } from 'fs';
import { resolve } from 'path';
import { decodeLog, explainLog, loadExplainContext } from '../../../src/explain';
import { NodeFileHost } from '../../../src/node/file-host';

const LOGS = resolve(__dirname, 'logs');
const CORPUS = readdirSync(LOGS)
  .filter((f) => f.endsWith('.log'))
  .map((f) => readFileSync(resolve(LOGS, f), 'utf8'));
const ctx = loadExplainContext(resolve(__dirname, '../../../examples/dual-guest/dual-guest.json'), new NodeFileHost());

/** Words of the formats, none of which starts a report on its own. */
const WORDS = [
  'unexpected',
  'memory',
  'fault',
  'on',
  'address:',
  '0x303a0030,',
  'FSR:',
  '0x92000046',
  'MON',
  'ERROR',
  'INFO',
  'vIRQ',
  '0x2a',
  'is',
  'not',
  'enabled',
  'deferred',
  'probe',
  'input',
  'faulting',
  'PD:',
  'CLIENT_VMM-1',
  'received',
  'message',
  'badge:',
  'cap',
  'in',
  'send',
  'phase',
  'at',
  'vm',
  'data',
  'with',
  'status',
  'kernel',
  'paging',
  'request',
  'virtual',
  'channel,',
  'ch:',
  'Failed',
  'to',
  'handle',
  'pc:',
  '|',
  '(x:1)',
  '[',
  ']',
];

describe('explain: input the decoder was not written for (property)', () => {
  it('never throws on any text, and every report lies inside the log', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom(...CORPUS.flatMap((c) => c.split('\n')))), { maxLength: 40 }), (parts) => {
        const text = parts.join('\n');
        const lines = text.split('\n');
        for (const x of explainLog(text, ctx)) {
          assert.ok(x.span.line >= 0 && x.span.line <= x.span.endLine && x.span.endLine < lines.length, JSON.stringify(x.span));
          const raw = lines[x.span.line];
          assert.ok(x.span.col <= x.span.endCol && x.span.endCol <= raw.length, `${JSON.stringify(x.span)} on ${JSON.stringify(raw)}`);
        }
      }),
      { numRuns: 300, seed: 21 },
    );
  });

  it("prose made of the formats' words, without their anchors, is never explained", () => {
    const line = fc
      .array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 14 })
      .map((w) => w.join(' '))
      .filter((l) => !l.startsWith('|'));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 20 }), (lines) => {
        assert.deepEqual(decodeLog(lines.join('\n')), []);
      }),
      { numRuns: 500, seed: 21 },
    );
  });

  it('a report spliced into noise is explained once, and noise around it adds nothing', () => {
    const noise = fc.array(
      fc.constantFrom('Welcome to Buildroot', '[    0.000000] Booting Linux on physical CPU 0x0', 'CLIENT_VMM-1|INFO: starting guest', 'random words here', ''),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(noise, fc.integer({ min: 0, max: CORPUS.length - 1 }), noise, (before, i, after) => {
        const alone = explainLog(CORPUS[i], ctx).map((x) => x.code);
        const spliced = explainLog([...before, CORPUS[i].replace(/\n$/, ''), ...after, 'after'].join('\n'), ctx).map((x) => x.code);
        assert.deepEqual(
          spliced.filter((c) => c !== 'log-silence-after-begin'),
          alone.filter((c) => c !== 'log-silence-after-begin'),
        );
      }),
      { numRuns: 200, seed: 21 },
    );
  });
});
