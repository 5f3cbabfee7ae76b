// The hostile-input issue's acceptance for the language server, at full length: 2,000 seeded random
// edits (the fuzzer's mutations, hostile snippets included: self-inclusion, #define chains, huge
// literals, deep nesting, CR-only line endings, NULs) through the protocol to the real server. It must
// settle after each within its CPU budget, keep its diagnostics inside the documents, log no failure,
// and afterwards still publish fresh diagnostics for another file. `npm test` runs 150 such edits.
import { strict as assert } from 'assert';
import { QUICK_SCALE } from '../fuzz/mutator';
import { showContent } from '../fuzz/report';
import { runServerStream } from '../fuzz/server-stream';

describe('language server: 2,000 random hostile edits', function () {
  this.timeout(20 * 60_000);
  it('settles after each, stays inside the documents, logs no failure, and keeps publishing', async () => {
    const r = await runServerStream({ seed: 0x2000ed, edits: 2000, scale: QUICK_SCALE, killCpuMs: 20_000, killRssMB: 2500, maxChars: 60_000 });
    assert.equal(r.edits, 2000);
    assert.deepEqual(
      r.failures.map((f) => `edit ${f.edit} on ${f.file}: ${f.kind}: ${f.message}\n  text: ${showContent(f.text)}`),
      [],
    );
  });
});
