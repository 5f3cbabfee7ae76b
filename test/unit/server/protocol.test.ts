// The server's own messages are a boundary with the extension and the tests: pin their names.
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { CHECKS } from '../../../src/devicetree/checks';
import { CROSS_CHECK_CODES } from '../../../src/system';
import { checksSchema } from './update-checks-schema';
import { CONTEXTS_REQUEST, SETTLED_NOTIFICATION } from '../../../src/server/protocol';
import { readSettings, DEFAULT_SETTINGS } from '../../../src/server/settings';

describe('server: protocol and settings', () => {
  it('keeps the literal message names', () => {
    assert.equal(SETTLED_NOTIFICATION, 'microkitDualGuest/settled');
    assert.equal(CONTEXTS_REQUEST, 'microkitDualGuest/contexts');
  });

  it('reads the settings section, nested or not, and ignores malformed fields', () => {
    assert.deepEqual(readSettings(undefined), DEFAULT_SETTINGS);
    assert.deepEqual(
      readSettings({
        microkitDualGuest: {
          projectFile: '/p/dual-guest.json',
          devicetree: { includePaths: ['inc', 3], checkPreset: 'linux', checks: { a: 'off', b: 'loud' } },
        },
      }),
      { projectFile: '/p/dual-guest.json', includePaths: ['inc'], checkPreset: 'linux', checks: { a: 'off' }, system: {} },
    );
    assert.deepEqual(readSettings({ devicetree: { checkPreset: 'nonsense' } }).checkPreset, 'dtc');
    assert.deepEqual(readSettings({ system: { arch: 'x86_64', microkitVersion: '2.0' } }).system, {
      arch: 'x86_64',
      archOrigin: 'setting',
      version: '2.0',
      versionOrigin: 'setting',
    });
    assert.deepEqual(readSettings({ system: { arch: 'mips', microkitVersion: 2 } }).system, {});
  });

  it('the settings schema lists every check of the table and every cross check, with its description and default', () => {
    const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
    const schema = pkg.contributes.configuration.properties['microkitDualGuest.devicetree.checks'].properties;
    assert.deepEqual(Object.keys(schema), [...CHECKS.map((c) => c.name), ...CROSS_CHECK_CODES], 'stale: run npx tsx test/unit/server/update-checks-schema.ts');
    assert.deepEqual(schema, checksSchema(), 'stale: run npx tsx test/unit/server/update-checks-schema.ts');
  });
});
