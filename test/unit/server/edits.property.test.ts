// Property: random edit sequences (inserts, deletes, pastes of fragments) never crash the server, and
// its diagnostics after the edits equal those a fresh server gives for the final text.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { TestClient } from './client';

const FILE = '/tmp/microkit-server-prop/tree.dts';
const START = `/dts-v1/;
/ {
    #address-cells = <1>;
    #size-cells = <1>;
    lbl: node@10 { reg = <0x10 0x4>; status = "okay"; };
    other { ref = <&lbl>; path = &lbl; };
};
`;
const FRAGMENTS = [
  '};',
  '{',
  '&lbl',
  'x@1 { reg = <1 1>; };',
  '/delete-node/ &lbl;',
  '"str',
  ';',
  '<0x',
  '/ { };',
  'a: ',
  '#include "none.h"\n',
  '\n',
  '/*',
  '*/',
  '&{/node@10}',
];

type Edit = { kind: 'insert' | 'delete'; at: number; len: number; text: string };

const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom<'insert' | 'delete'>('insert', 'delete'),
  at: fc.nat(),
  len: fc.nat({ max: 12 }),
  text: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 })),
});

function positionOf(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Open `start` in the client, send each edit as an incremental change, and return the final text. */
async function sendEdits(client: TestClient, file: string, start: string, edits: Edit[]): Promise<string> {
  let text = start;
  await client.open(file, text);
  for (const e of edits) {
    const at = e.at % (text.length + 1);
    const end = e.kind === 'delete' ? Math.min(text.length, at + e.len) : at;
    const change = { range: { start: positionOf(text, at), end: positionOf(text, end) }, text: e.kind === 'insert' ? e.text : '' };
    text = text.slice(0, at) + change.text + text.slice(end);
    await client.change(file, [change]);
  }
  return text;
}

describe('server: random edits (property)', function () {
  this.timeout(120000);
  let live: TestClient;
  let fresh: TestClient;
  before(async () => {
    [live, fresh] = await Promise.all([TestClient.start(), TestClient.start()]);
  });
  after(async () => Promise.all([live.stop(), fresh.stop()]));

  it('incremental edits give the diagnostics of a fresh parse of the final text', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 8 }), async (edits) => {
        const file = FILE.replace('tree', `tree${run++}`);
        const text = await sendEdits(live, file, START, edits);
        await fresh.open(file, text);
        const strip = (c: TestClient): unknown => c.diagnostics(file).map((d) => [d.range, d.severity, d.code, d.message]);
        assert.deepEqual(strip(live), strip(fresh), `final text:\n${text}`);
        await Promise.all([live.close(file), fresh.close(file)]);
      }),
      { numRuns: 25 },
    );
    assert.deepEqual(live.loggedErrors(), []);
    assert.deepEqual(fresh.loggedErrors(), []);
  });

  it("the same holds for a base edited under an overlay (the overlay's parse comes from the cache)", async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mkdg-prop-overlay-'));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 8 }), async (edits) => {
        // A folder per run, on disk: the server guesses the tree (base + the overlay beside it) from the folder.
        const dir = path.join(root, `r${run++}`);
        mkdirSync(dir);
        const base = path.join(dir, 'board.dts');
        const overlay = path.join(dir, 'board-overlay.dts');
        const overlayText = '&lbl { extra = <1>; };\n/ { other { more = <&lbl>; }; };\n';
        writeFileSync(base, START);
        writeFileSync(overlay, overlayText);
        await live.open(overlay, overlayText);
        const contexts = await live.request<{ files: string[] }[]>('microkitDualGuest/contexts', {});
        assert.ok(
          contexts.some((c) => c.files.join() === [base, overlay].join()),
          JSON.stringify(contexts),
        );
        const text = await sendEdits(live, base, START, edits);
        await fresh.open(overlay, overlayText);
        await fresh.open(base, text);
        for (const file of [base, overlay]) {
          const strip = (c: TestClient): unknown => c.diagnostics(file).map((d) => [d.range, d.severity, d.code, d.message]);
          assert.deepEqual(strip(live), strip(fresh), `${path.basename(file)}; final base:\n${text}`);
        }
        for (const c of [live, fresh]) for (const file of [base, overlay]) await c.close(file);
      }),
      { numRuns: 15 },
    );
    assert.deepEqual(live.loggedErrors(), []);
  });

  it('the same holds for .system files, and every feature answers on the edited text', async () => {
    let run = 0;
    const start = `<?xml version="1.0"?>\n<system>\n  <memory_region name="m" size="0x1000" />\n  <protection_domain name="a" priority="10">\n    <map mr="m" vaddr="0x1000" />\n  </protection_domain>\n  <channel><end pd="a" id="1" /><end pd="a" id="2" /></channel>\n</system>\n`;
    const xmlEdit: fc.Arbitrary<Edit> = fc.record({
      kind: fc.constantFrom<'insert' | 'delete'>('insert', 'delete'),
      at: fc.nat(),
      len: fc.nat({ max: 12 }),
      text: fc.oneof(fc.constantFrom('<', '>', '"', '/>', '</system>', '<map mr="m" ', 'name="a"', '<!--', '-->', '&amp;', '\n'), fc.string({ maxLength: 6 })),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(xmlEdit, { minLength: 1, maxLength: 6 }), async (edits) => {
        const file = `/tmp/microkit-server-prop/s${run++}.system`;
        const text = await sendEdits(live, file, start, edits);
        const p = positionOf(text, Math.floor(text.length / 2));
        await live.hover(file, p.line, p.character);
        await live.completion(file, p.line, p.character);
        await live.definition(file, p.line, p.character);
        await live.symbols(file);
        await fresh.open(file, text);
        const strip = (c: TestClient): unknown => c.diagnostics(file).map((d) => [d.range, d.severity, d.code, d.message]);
        assert.deepEqual(strip(live), strip(fresh), `final text:\n${text}`);
        await Promise.all([live.close(file), fresh.close(file)]);
      }),
      { numRuns: 15 },
    );
    assert.deepEqual(live.loggedErrors(), []);
  });
});
