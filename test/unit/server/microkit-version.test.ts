// The Microkit release through the language server: the same file is clean under 1.4 and has an
// error under 2.0 (pp on a protection domain), whose quick fix moves pp to the callers' channel ends.
import { strict as assert } from 'assert';
import { TestClient, applyEdits } from './client';

const FILE = '/tmp/microkit-server-version/pp.system';
const TEXT = `<?xml version="1.0" encoding="UTF-8"?>
<system>
    <protection_domain name="server" priority="254" pp="true">
        <program_image path="server.elf" />
    </protection_domain>
    <protection_domain name="client" priority="1">
        <program_image path="client.elf" />
    </protection_domain>
    <channel>
        <end pd="server" id="0" />
        <end pd="client" id="0" />
    </channel>
</system>
`;

describe('server: microkitVersion selects the rules', function () {
  this.timeout(20000);
  let client: TestClient;
  before(async () => {
    client = await TestClient.start({ microkitDualGuest: { system: { microkitVersion: '1.4' } } });
    await client.open(FILE, TEXT);
  });
  after(async () => client.stop());

  it('is clean under 1.4', () => {
    assert.deepEqual(client.diagnostics(FILE), []);
  });

  it('has an error under 2.0, with a quick fix that moves pp to the caller, after which it is clean', async () => {
    await client.configure({ microkitDualGuest: { system: { microkitVersion: '2.0' } } });
    const errors = client.diagnostics(FILE).filter((d) => d.severity === 1);
    assert.equal(errors.length, 1, JSON.stringify(client.diagnostics(FILE)));
    assert.match(errors[0].message, /^invalid attribute 'pp' on element 'protection_domain'/);
    assert.equal(errors[0].range.start.line, 2);
    const actions = (await client.codeActions(FILE, errors[0].range, errors)) ?? [];
    const fix = actions.find((a) => a.title.startsWith('Move pp'));
    assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
    const edits = Object.values(fix!.edit!.changes!)[0];
    const fixed = applyEdits(TEXT, edits);
    assert.ok(fixed.includes('<protection_domain name="server" priority="254">'), fixed);
    assert.ok(fixed.includes('<end pd="client" id="0" pp="true" />'), fixed);
    await client.change(FILE, fixed);
    assert.deepEqual(client.diagnostics(FILE), []);
  });

  it('reads the same file as 1.4 (with a note) when no version is set, and 2.3 rules say so', async () => {
    await client.configure({ microkitDualGuest: {} });
    await client.change(FILE, TEXT);
    const d = client.diagnostics(FILE);
    assert.deepEqual(
      d.map((x) => x.severity),
      [3],
      JSON.stringify(d),
    );
    await client.configure({ microkitDualGuest: { system: { microkitVersion: '2.3' } } });
    assert.equal(client.diagnostics(FILE).filter((x) => x.severity === 1).length, 1);
  });
});
