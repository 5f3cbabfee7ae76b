// Which project file goes with a .system, apart from the project loader so that the extension's
// glue can ask without bundling the whole front end.
import type { FileHost } from '../common/host';
import { basename, dirname, resolve } from '../common/paths';

/** The project file that goes with a .system when none is named: `<stem>.json`, then `dual-guest.json`. */
export function findProjectFileFor(systemFile: string, host: FileHost): string | undefined {
  const dir = dirname(systemFile);
  const name = basename(systemFile);
  const stem = name.endsWith('.system') ? name.slice(0, -'.system'.length) : name;
  for (const candidate of [resolve(dir, `${stem}.json`), resolve(dir, 'dual-guest.json')]) {
    if (host.fileExists(candidate)) return candidate;
  }
  return undefined;
}
