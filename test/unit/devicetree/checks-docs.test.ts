// docs/checks.md is generated from the check table; this fails when someone forgot to regenerate it.
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { CHECKS } from '../../../src/devicetree/checks';
import { CHECK_DOCS_PATH, renderCheckDocs } from '../../../scripts/gen-check-docs';

describe('docs/checks.md', () => {
  it('is up to date with the check table (run `npm run docs:checks`)', () => {
    assert.equal(readFileSync(CHECK_DOCS_PATH, 'utf8'), renderCheckDocs());
  });
  it('lists every check', () => {
    const text = renderCheckDocs();
    for (const c of CHECKS) assert.ok(text.includes(`| \`${c.name}\` |`), c.name);
  });
});
