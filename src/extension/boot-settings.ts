// What a boot asks of the worker, from the emulator's settings. Kept free of `vscode` (the
// configuration comes in as a getter) so that a test holds the settings to what the worker receives.
import type { InputLog } from '../emulator/record';
import type { BootSettings } from '../host/dual-guest-session';
import { parseSwitchChar } from '../system/switch-char';
import { EMULATOR_SETTINGS, SECTION } from './command-ids';

/** VS Code's WorkspaceConfiguration, as far as we read it. */
export interface SettingsReader {
  get<T>(key: string, defaultValue: T): T;
}

/** The boot request's settings; `problems` are settings that could not be used (shown as warnings). */
export function readBootSettings(cfg: SettingsReader, projectFile: string, replay?: InputLog): { settings: BootSettings; problems: string[] } {
  const problems: string[] = [];
  const colour = cfg.get<string>(EMULATOR_SETTINGS.colour, 'project');
  const settings: BootSettings = {
    projectFile,
    fast: cfg.get<string>(EMULATOR_SETTINGS.speed, 'realTime') === 'fast',
    colour: colour === 'on' ? true : colour === 'off' ? false : undefined,
    replay,
  };
  const components = cfg.get<string>(EMULATOR_SETTINGS.components, 'project');
  if (components === 'model' || components === 'real') settings.components = components;
  const name = `${SECTION}.${EMULATOR_SETTINGS.switchCharacter}`;
  const sw = cfg.get<string>(EMULATOR_SETTINGS.switchCharacter, '');
  if (sw !== '') {
    const value = typeof sw === 'string' ? parseSwitchChar(sw) : undefined;
    if (value === undefined)
      problems.push(`The setting ${name} (${JSON.stringify(sw)}) is not one character, Ctrl-<key> or a byte value such as 0x1c; it is not used.`);
    else settings.switchChar = { value, label: `the setting ${name}` };
  }
  return { settings, problems };
}
