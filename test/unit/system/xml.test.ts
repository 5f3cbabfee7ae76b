// The positioned XML layer: exact ranges, and malformed input that yields positioned errors
// instead of exceptions; plus property tests that random and mutated .system texts never throw
// or hang.

import * as assert from 'assert';
import fc from 'fast-check';
import { readFileSync } from 'fs';
import * as path from 'path';
import { MemoryFileHost } from '../../../src/common/host';
import { parseXml } from '../../../src/system/xml';
import { parseSystem } from '../../../src/system/parse';
import { loadProject } from '../../../src/system/project';
import { parseJson } from '../../../src/system/json';
import { rangeOf } from './helpers';

const F = '/t/x.system';
const EXAMPLE = readFileSync(path.join(__dirname, '../../../examples/dual-guest/dual-guest.system'), 'utf8');
const EXAMPLE_JSON = readFileSync(path.join(__dirname, '../../../examples/dual-guest/dual-guest.json'), 'utf8');

describe('positioned XML', () => {
  it('elements and attributes carry exact ranges (name, value without quotes)', () => {
    const text = '<system>\n  <memory_region name="uart" size=\'0x1000\' />\n</system>';
    const { root, diagnostics } = parseXml(F, text);
    assert.deepStrictEqual(diagnostics, []);
    const mr = root!.children[0];
    assert.deepStrictEqual(mr.nameRange, rangeOf(F, text, 'memory_region'));
    assert.deepStrictEqual(mr.attributes.map((a) => [a.name, a.value]), [['name', 'uart'], ['size', '0x1000']]);
    assert.deepStrictEqual(mr.attributes[1].nameRange, rangeOf(F, text, 'size'));
    assert.deepStrictEqual(mr.attributes[1].valueRange, rangeOf(F, text, '0x1000'));
    assert.deepStrictEqual(mr.attributes[0].range, rangeOf(F, text, 'name="uart"'));
  });

  it('decodes entities in attribute values', () => {
    const { root } = parseXml(F, '<system a="x&amp;y&#65;&lt;" />');
    assert.strictEqual(root!.attributes[0].value, 'x&yA<');
  });

  it('an unclosed start tag is an error at the token that broke it', () => {
    const text = '<system>\n  <protection_domain name="p" </system>';
    const { diagnostics } = parseSystem(F, text);
    const d = diagnostics.find((x) => x.code === 'xml-syntax');
    assert.ok(d, JSON.stringify(diagnostics));
    assert.deepStrictEqual(d.range, rangeOf(F, text, '</'));
  });

  it('mismatched end tag and duplicate attribute', () => {
    const text = '<system><channel a="1" a="2"></chanel></system>';
    const { diagnostics } = parseXml(F, text);
    assert.deepStrictEqual(diagnostics.map((d) => [d.code, d.range]), [
      ['xml-duplicate-attribute', rangeOf(F, text, 'a', 1, 'a="2"')],
      ['xml-syntax', rangeOf(F, text, 'chanel')],
    ]);
  });

  it('empty input and non-XML input give a positioned error, no model', () => {
    for (const text of ['', 'garbage', '<?xml version="1.0"?>']) {
      const { model, diagnostics } = parseSystem(F, text);
      assert.ok(diagnostics.length > 0 && diagnostics.every((d) => d.range), text);
      assert.strictEqual(model.protectionDomains.length, 0);
    }
  });

  it('a root element other than system', () => {
    const text = '<sdf><protection_domain name="p" /></sdf>';
    assert.deepStrictEqual(parseSystem(F, text).diagnostics.map((d) => [d.code, d.range]), [['sdf-invalid-element', rangeOf(F, text, 'sdf')]]);
  });
});

/** Mutations that keep most of the structure: delete, duplicate or replace a slice. */
const mutated = (base: string) => fc.tuple(fc.nat(base.length), fc.nat(40), fc.string({ maxLength: 12 }), fc.constantFrom('delete', 'insert', 'replace', 'duplicate'))
  .map(([at, len, ins, op]) => {
    const end = Math.min(base.length, at + len);
    if (op === 'delete') return base.slice(0, at) + base.slice(end);
    if (op === 'insert') return base.slice(0, at) + ins + base.slice(at);
    if (op === 'duplicate') return base.slice(0, end) + base.slice(at, end) + base.slice(end);
    return base.slice(0, at) + ins + base.slice(end);
  });

const xmlish = fc.array(fc.constantFrom('<', '>', '/', '=', '"', "'", ' ', '\n', 'system', 'protection_domain', 'map', 'memory_region', 'channel', 'end',
  'name', 'id', 'pd', 'mr', 'vaddr', 'size', '0x1000', '62', '-1', '<!--', '-->', '<?xml', '?>', '&amp;', '&', 'virtual_machine', 'vcpu', 'irq'), { maxLength: 80 })
  .map((parts) => parts.join(''));

describe('robustness (fast-check)', function () {
  this.timeout(20000);
  it('mutated .system files never throw and every diagnostic has a range in the file', () => {
    fc.assert(fc.property(mutated(EXAMPLE), (text) => {
      const { diagnostics } = parseSystem(F, text);
      for (const d of diagnostics) {
        assert.ok(d.range && d.range.file === F, d.message);
        assert.ok(d.range.start.line >= 0 && d.range.start.col >= 0);
      }
    }), { numRuns: 100 });
  });

  it('random XML-ish text never throws', () => {
    fc.assert(fc.property(xmlish, (text) => {
      parseSystem(F, text);
    }), { numRuns: 300 });
  });

  it('mutated systems and project files load as projects without throwing', () => {
    fc.assert(fc.property(mutated(EXAMPLE), mutated(EXAMPLE_JSON), (sys, json) => {
      const p = loadProject('/p/dual-guest.system', new MemoryFileHost({ '/p/dual-guest.system': sys, '/p/dual-guest.json': json }));
      assert.ok(Array.isArray(p.diagnostics));
    }), { numRuns: 60 });
  });

  it('deep nesting does not overflow or hang (XML and JSON)', () => {
    const deep = '<system>' + '<protection_domain name="p">'.repeat(2000) + '</protection_domain>'.repeat(2000) + '</system>';
    const t0 = Date.now();
    assert.ok(Array.isArray(parseSystem(F, deep).diagnostics));
    const deeper = '<system>' + '<protection_domain name="p">'.repeat(20000) + '</protection_domain>'.repeat(20000) + '</system>';
    assert.deepStrictEqual(parseSystem(F, deeper).diagnostics.map((d) => d.message), ['could not parse XML: elements are nested too deeply']);
    const { diagnostics } = parseJson('/j.json', '['.repeat(5000));
    assert.strictEqual(diagnostics[0].code, 'project-json-syntax');
    assert.ok(Date.now() - t0 < 10000);
  });
});
