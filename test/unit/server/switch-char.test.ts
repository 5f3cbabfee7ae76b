// The switch character's serial_config.h through the server: a SERIAL_SWITCH_CHAR that cannot be
// evaluated is a warning at its #define, and fixing the header (on disk) clears it.
import { strict as assert } from 'assert';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { PROJECT_ROOT, TestClient } from './client';

describe('server: the switch character from serial_config.h', function () {
  this.timeout(30000);
  let client: TestClient;
  after(async () => client?.stop());

  it('warns at the #define it cannot evaluate, and re-reads the header when it changes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mkdg-switch-'));
    // The example without its project file: the switch character is then the header's to give.
    for (const f of ['dual-guest.system', 'board.dts', 'guest-1.dts', 'guest-2.dts'])
      cpSync(path.join(PROJECT_ROOT, 'examples', 'dual-guest', f), path.join(dir, f));
    const system = path.join(dir, 'dual-guest.system');
    const header = path.join(dir, 'serial_config.h');
    writeFileSync(header, '#pragma once\n#include <microkit.h>\n#define SERIAL_SWITCH_CHAR SWITCH_KEY\n');
    client = await TestClient.start();
    await client.open(system, readFileSync(system, 'utf8'));
    const warnings = client.diagnostics(header).filter((d) => d.code === 'project-switch-char');
    assert.equal(warnings.length, 1, JSON.stringify([...client.allDiagnostics().keys()]));
    assert.equal(warnings[0].severity, 2);
    assert.deepEqual(warnings[0].range.start, { line: 2, character: 8 });
    assert.match(warnings[0].message, /'SWITCH_KEY' is not a macro defined here/);
    writeFileSync(header, "#pragma once\n#include <microkit.h>\n#define SERIAL_SWITCH_CHAR '@'\n");
    await client.filesChanged([header]);
    assert.deepEqual(client.diagnostics(header), []);
  });
});
