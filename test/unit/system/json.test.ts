// The positioned JSON reader: values as JSON.parse reads them, exact key and value ranges, and each
// syntax error as one diagnostic at the offending character.

import * as assert from 'assert';
import fc from 'fast-check';
import { parseJson, type JsonValue } from '../../../src/system/json';
import { rangeOf } from './helpers';

const F = '/p/dual-guest.json';

/** The plain value a positioned one stands for, to compare with JSON.parse. */
function plain(v: JsonValue): unknown {
  switch (v.kind) {
    case 'object':
      return Object.fromEntries(v.members.map((m) => [m.key, plain(m.value)]));
    case 'array':
      return v.items.map(plain);
    case 'null':
      return null;
    default:
      return v.value;
  }
}

/** The message and 0-based start of the one diagnostic of `text`. */
function error(text: string): [string, number, number] {
  const { value, diagnostics } = parseJson(F, text);
  assert.strictEqual(value, undefined);
  assert.strictEqual(diagnostics.length, 1);
  const d = diagnostics[0];
  assert.strictEqual(d.code, 'project-json-syntax');
  return [d.message.replace('JSON syntax error: ', ''), d.range!.start.line, d.range!.start.col];
}

describe('positioned JSON', () => {
  it('reads what JSON.parse reads, with the same values', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const { value, diagnostics } = parseJson(F, text);
        assert.deepStrictEqual(diagnostics, []);
        // JSON.parse keeps the last of duplicate keys, as Object.fromEntries does.
        assert.deepStrictEqual(plain(value!), JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes every escape, \\u ones included', () => {
    const { value } = parseJson(F, String.raw`"a\"b\\c\/d\be\ff\ng\rh\ti\u00e9\u263A"`);
    assert.deepStrictEqual(value?.kind === 'string' && value.value, 'a"b\\c/d\be\ff\ng\rh\ti\u00e9\u263a');
  });

  it('keys and values carry exact ranges', () => {
    const text = '{\n  "guests": [ { "name": "linux", "ram": 1.5e3 } ],\n  "on": true\n}';
    const { value } = parseJson(F, text);
    assert.ok(value?.kind === 'object');
    assert.deepStrictEqual(value.range, rangeOf(F, text, text));
    const [guests, on] = value.members;
    assert.deepStrictEqual(guests.keyRange, rangeOf(F, text, '"guests"'));
    assert.deepStrictEqual(guests.value.range, rangeOf(F, text, '[ { "name": "linux", "ram": 1.5e3 } ]'));
    assert.ok(guests.value.kind === 'array' && guests.value.items[0].kind === 'object');
    const [name, ram] = guests.value.items[0].members;
    assert.deepStrictEqual(name.value.range, rangeOf(F, text, '"linux"'));
    assert.deepStrictEqual(ram.value.range, rangeOf(F, text, '1.5e3'));
    assert.deepStrictEqual(on.value.range, rangeOf(F, text, 'true'));
  });

  it('each syntax error is one diagnostic at the character that breaks the grammar', () => {
    assert.deepStrictEqual(error('{"a" 1}'), ["expected ':'", 0, 5]);
    assert.deepStrictEqual(error('{"a": 1 "b": 2}'), ["expected ',' or '}'", 0, 8]);
    assert.deepStrictEqual(error('[1,\n 2 3]'), ["expected ',' or ']'", 1, 3]);
    assert.deepStrictEqual(error("{'a': 1}"), ['expected a property name in double quotes', 0, 1]);
    assert.deepStrictEqual(error('{"a": 1,}'), ['expected a property name in double quotes', 0, 8]);
    assert.deepStrictEqual(error('[1,]'), ["unexpected character ']'", 0, 3]);
    assert.deepStrictEqual(error('"abc'), ['unterminated string', 0, 4]);
    assert.deepStrictEqual(error('"a\\qb"'), ['invalid escape in string', 0, 2]);
    assert.deepStrictEqual(error('"\\u12g4"'), ['invalid \\u escape', 0, 1]);
    assert.deepStrictEqual(error('"a\tb"'), ['control character in string', 0, 2]);
    assert.deepStrictEqual(error('-'), ['invalid number', 0, 1]);
    assert.deepStrictEqual(error('1.e5'), ['invalid number', 0, 2]);
    assert.deepStrictEqual(error('1e+'), ['invalid number', 0, 3]);
    assert.deepStrictEqual(error('{} {}'), ['unexpected text after the JSON value', 0, 3]);
    assert.deepStrictEqual(error('  '), ['unexpected end of file', 0, 2]);
    assert.deepStrictEqual(error('['.repeat(202)), ['nesting too deep', 0, 201]);
  });
});
