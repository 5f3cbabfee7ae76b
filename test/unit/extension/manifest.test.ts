// The emulator's commands, settings and walkthrough as the manifest contributes them.
import { strict as assert } from 'assert';
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { readBootSettings, type SettingsReader } from '../../../src/extension/boot-settings';
import { COMMANDS, EMULATOR_SETTINGS, SECTION } from '../../../src/extension/command-ids';
import { resolveLogFile } from '../../../src/extension/serial-log-file';

const ROOT = path.resolve(__dirname, '..', '..', '..');
interface Manifest {
  icon?: string;
  capabilities: { untrustedWorkspaces: { supported: boolean | 'limited'; description?: string; restrictedConfigurations?: string[] } };
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    configuration: { properties: Record<string, { default?: unknown; enum?: string[]; type?: string; scope?: string }> };
    walkthroughs: { steps: { description: string; media: { markdown?: string }; completionEvents?: string[] }[] }[];
  };
}
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;

describe('extension: emulator contributions in the manifest', () => {
  it('contributes every emulator command the extension registers, each with a title in the category', () => {
    const contributed = manifest.contributes.commands.filter(
      (c) => c.command.startsWith('microkitDualGuest.') && Object.values(COMMANDS).includes(c.command as never),
    );
    assert.deepEqual(contributed.map((c) => c.command).sort(), Object.values(COMMANDS).sort());
    for (const c of contributed) assert.ok(c.title && c.category === 'Microkit Dual Guest', c.command);
    const titles = contributed.map((c) => c.title);
    for (const t of [
      'Boot dual guests',
      'Stop the emulator',
      'Pause/Resume the emulator',
      'Reset a guest',
      'Switch serial input',
      'Open queue inspector',
      'Save serial log',
      'Replay a recording',
    ]) {
      assert.ok(titles.includes(t), `no command titled ${t}`);
    }
  });

  it('declares the settings the emulator reads, with the defaults it assumes', () => {
    const props = manifest.contributes.configuration.properties;
    assert.deepEqual(props[`${SECTION}.${EMULATOR_SETTINGS.speed}`].enum, ['realTime', 'fast']);
    assert.equal(props[`${SECTION}.${EMULATOR_SETTINGS.speed}`].default, 'realTime');
    assert.deepEqual(props[`${SECTION}.${EMULATOR_SETTINGS.colour}`].enum, ['project', 'on', 'off']);
    assert.equal(props[`${SECTION}.${EMULATOR_SETTINGS.serialLogFile}`].default, '');
    const sw = props[`${SECTION}.${EMULATOR_SETTINGS.switchCharacter}`];
    assert.deepEqual([sw.type, sw.default, sw.scope], ['string', '', 'resource']);
  });

  it('declares Restricted Mode support as limited, and no workspace can name the file the serial log appends to', () => {
    const trust = manifest.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, 'limited');
    assert.match(trust.description ?? '', /Booting .* need a trusted workspace/);
    const logSetting = `${SECTION}.${EMULATOR_SETTINGS.serialLogFile}`;
    assert.deepEqual(trust.restrictedConfigurations, [logSetting]);
    // machine scope: VS Code does not apply a workspace's (or folder's) value of the setting.
    assert.equal(manifest.contributes.configuration.properties[logSetting].scope, 'machine');
  });

  it('resolves the serial log file inside the workspace, refusing relative paths that climb out of it', () => {
    assert.equal(resolveLogFile('', '/w'), undefined);
    assert.equal(resolveLogFile('logs/serial.log', '/w'), '/w/logs/serial.log');
    assert.equal(resolveLogFile('/var/log/board.log', '/w'), '/var/log/board.log');
    for (const escape of ['../../.bashrc', '..', 'logs/../../x']) {
      const r = resolveLogFile(escape, '/w');
      assert.ok(typeof r === 'object' && r.refused.includes('outside the workspace folder'), `${escape}: ${JSON.stringify(r)}`);
    }
    assert.ok(typeof resolveLogFile('serial.log', undefined) === 'object');
  });

  it('passes the settings to the boot: the switch character as an override that names the setting', () => {
    const reader = (values: Record<string, unknown>): SettingsReader => ({ get: <T>(key: string, d: T): T => (key in values ? (values[key] as T) : d) });
    // The manifest's defaults give the project's own choices.
    const defaults = Object.fromEntries(
      Object.entries(manifest.contributes.configuration.properties)
        .filter(([k]) => k.startsWith(`${SECTION}.`))
        .map(([k, v]) => [k.slice(SECTION.length + 1), v.default]),
    );
    assert.deepEqual(readBootSettings(reader(defaults), '/p/dual-guest.json'), {
      settings: { projectFile: '/p/dual-guest.json', fast: false, colour: undefined, replay: undefined },
      problems: [],
    });
    const set = readBootSettings(reader({ switchCharacter: 'Ctrl-]', speed: 'fast', colour: 'off' }), '/p/x.system');
    assert.deepEqual(set.settings.switchChar, { value: 0x1d, label: `the setting ${SECTION}.switchCharacter` });
    assert.deepEqual([set.settings.fast, set.settings.colour, set.problems], [true, false, []]);
    const bad = readBootSettings(reader({ switchCharacter: 'at' }), '/p/x.system');
    assert.equal(bad.settings.switchChar, undefined);
    assert.deepEqual(bad.problems, [
      `The setting ${SECTION}.switchCharacter ("at") is not one character, Ctrl-<key> or a byte value such as 0x1c; it is not used.`,
    ]);
  });

  it('has a walkthrough whose steps link commands that exist and pages that exist', () => {
    const known = new Set([...(Object.values(COMMANDS) as string[]), 'workbench.actions.view.problems']);
    const steps = manifest.contributes.walkthroughs.flatMap((w) => w.steps);
    assert.equal(steps.length, 5);
    for (const s of steps) {
      for (const m of s.description.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(known.has(m[1]), `unknown command ${m[1]}`);
      assert.ok(s.media.markdown && existsSync(path.join(ROOT, s.media.markdown)), `missing page ${s.media.markdown}`);
    }
  });

  it("writes step descriptions in the walkthrough's own format: ``code`` (a single backtick shows literally)", () => {
    for (const s of manifest.contributes.walkthroughs.flatMap((w) => w.steps)) {
      const single = s.description.replace(/``[^`]+``/g, '');
      assert.ok(!single.includes('`'), `a single backtick in: ${s.description}`);
    }
  });

  it("has an icon for the Welcome page's walkthrough card (the extension's icon, a PNG)", () => {
    assert.ok(manifest.icon, 'package.json names no icon');
    const png = readFileSync(path.join(ROOT, manifest.icon));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // The packaged extension must carry it.
    const ignore = readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n');
    assert.ok(ignore.includes(`!${manifest.icon}`) || ignore.includes(`!${path.dirname(manifest.icon)}/**`), '.vscodeignore leaves the icon out');
  });
});
