// The .system grammar knows every element and attribute of the format's table (sdf-schema.ts).
import * as assert from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { SDF_ELEMENTS } from '../../../src/system/sdf-schema';

describe('microkit-system grammar', () => {
  const grammar = JSON.parse(readFileSync(path.join(__dirname, '../../../syntaxes/microkit-system.tmLanguage.json'), 'utf8'));
  const rule = grammar.repository['sdf-tag'];
  const tagRe = new RegExp(`^${rule.begin}`);
  const attrRe = new RegExp(rule.patterns[0].match);

  for (const [tag, el] of Object.entries(SDF_ELEMENTS)) {
    it(`scopes <${tag}> and its attributes`, () => {
      assert.ok(tagRe.test(`<${tag} `) && tagRe.test(`</${tag}>`), tag);
      for (const a of el.attributes) assert.ok(attrRe.exec(`${a.name}="1"`)?.[0] === a.name, `${tag}.${a.name}`);
    });
  }

  it("does not scope an unknown element as the format's", () => {
    assert.ok(!tagRe.test('<systemx '));
  });
});
