// Microkit system files: the public surface of src/system.

import type { Diagnostic } from '../common/diagnostics';
import { compareDiagnostics } from '../common/diagnostics';
import type { FileHost } from '../common/host';
import { loadProject } from './project';

export { parseSystem, parseSdfNumber } from './parse';
export { parseXml, type XmlAttribute, type XmlElement, type XmlDocument } from './xml';
export * from './model';
export { inferSerialRoles, type SerialRoles, type SerialClient, type RoleOverride } from './roles';
export {
  loadProject, findProjectFileFor, guestRamMap, DEFAULT_SERIAL, DEFAULT_VIRTIO,
  type Project, type GuestConfig, type SerialConfig, type VirtioConsoleConfig,
} from './project';
export { crossCheck, checkGuestTree, type GuestTree } from './checks/guest-dt';
export * as dtFacts from './dt-facts';

export interface LintSystemOptions {
  /** The project file (dual-guest.json); default: `<stem>.json` or `dual-guest.json` next to the .system. */
  project?: string;
}

/**
 * Everything known about a .system without compiling device trees: XML, the microkit tool's rules,
 * the project file, serial roles, sDDF and guest-map checks. Sorted by position.
 */
export function lintSystemFile(file: string, host: FileHost, options?: LintSystemOptions): Diagnostic[] {
  if (!host.fileExists(file) && !host.readFile(file)) {
    return [{ severity: 'error', message: `cannot read '${file}'`, code: 'missing-file' }];
  }
  const project = loadProject(options?.project ?? file, host);
  return [...project.diagnostics].sort(compareDiagnostics);
}
