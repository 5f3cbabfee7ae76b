// Microkit system files: the public surface of src/system.

import type { Diagnostic } from '../common/diagnostics';
import { compareDiagnostics } from '../common/diagnostics';
import type { FileHost } from '../common/host';
import { compileFiles, type CompileResult } from '../devicetree/compile';
import { loadProject, type Project } from './project';
import { crossCheck } from './checks/run-rules';
import type { CrossCheckSeverity } from './checks/severity';
import type { TargetOptions } from './target';

export { parseSystem, parseSdfNumber } from './parse';
export { parseXml, type XmlAttribute, type XmlElement, type XmlDocument } from './xml';
export * from './model';
export { inferSerialRoles, type SerialRoles, type SerialClient, type RoleOverride } from './roles';
export {
  loadProject,
  findProjectFileFor,
  guestRamMap,
  DEFAULT_SERIAL,
  DEFAULT_VIRTIO,
  PROJECT_KEYS,
  type Project,
  type GuestConfig,
  type SerialConfig,
  type VirtioConsoleConfig,
} from './project';
import { pushAll } from '../common/arrays';
export { crossCheck, checkGuestTree, type GuestDiagnostic } from './checks/run-rules';
export type { GuestTree } from './checks/guest-dt';
export { crossCheckFlags, CROSS_CHECK_CODES, type CrossCheckSeverity } from './checks/severity';
export { describeKey, describeSwitchChar, parseSwitchChar, type SwitchCharOrigin, type SwitchCharOverride } from './switch-char';
export { resolveVirtioConsole, virtioKind, isVirtioMmio, type VirtioKind, type VirtioDevice, type VirtioConsoleResolution } from './virtio';
export { findGuestFiles, belongsTo } from './guest-files';
export { inferredProjectText } from './project-writer';
export * as dtFacts from './dt-facts';
export { ARCHES, MICROKIT_VERSIONS, type Arch, type MicrokitVersion, type SystemTarget, type TargetOptions } from './target';
export { SYSTEM_RULES, type SystemRuleRecord, type SystemRuleCode, type CrossCheckCode } from './rule-table';

export interface LintSystemOptions {
  /** The project file (dual-guest.json); default: `<stem>.json` or `dual-guest.json` next to the .system. */
  project?: string;
  /** Compile the guests' device trees and run the cross checks (default true). */
  guests?: boolean;
  /** Severities of the cross checks by code ("off" drops them), over the rules' defaults. */
  severities?: ReadonlyMap<string, CrossCheckSeverity>;
  /** The architecture and Microkit release when the project file does not give them (--arch, --microkit-version). */
  target?: TargetOptions;
}

/** Compile each guest's device tree once per distinct file list (guests often share a board file). */
export function compileGuestTrees(project: Project, host: FileHost): Map<string, CompileResult> {
  const byFiles = new Map<string, CompileResult>();
  const out = new Map<string, CompileResult>();
  for (const g of project.guests) {
    // Missing files are the project file's diagnostics already; a guest left out is not built.
    if (!g.boot || g.dtFiles.length === 0 || !g.dtFiles.every((f) => host.fileExists(f))) continue;
    const key = JSON.stringify([g.dtFiles, g.includePaths]);
    let result = byFiles.get(key);
    if (!result) {
      result = compileFiles(g.dtFiles, { includePaths: g.includePaths, host });
      byFiles.set(key, result);
    }
    out.set(g.vm, result);
  }
  return out;
}

/**
 * Everything known about a .system: XML, the microkit tool's rules, the project file, serial roles,
 * sDDF and guest-map checks, and (unless `guests: false`) the cross checks against each guest's
 * compiled device tree. Sorted by position. `file` may also be a project file (dual-guest.json):
 * then the .system is the one it names.
 */
export function lintSystemFile(file: string, host: FileHost, options?: LintSystemOptions): Diagnostic[] {
  if (!host.fileExists(file) && !host.readFile(file)) {
    return [{ severity: 'error', message: `cannot read '${file}'`, code: 'missing-file' }];
  }
  const project = options?.project
    ? loadProject(options.project, host, { system: file, target: options.target })
    : loadProject(file, host, { target: options?.target });
  const out = [...project.diagnostics];
  if (options?.guests !== false) {
    const trees = compileGuestTrees(project, host);
    // A guest tree that does not compile cannot be cross-checked: say so once per tree, where it fails.
    const reported = new Set<CompileResult>();
    for (const result of trees.values()) {
      if (reported.has(result)) continue;
      reported.add(result);
      pushAll(
        out,
        result.diagnostics.filter((d) => d.severity === 'error'),
      );
    }
    // Cross checks on a tree that did not compile would only repeat its errors in other words.
    const clean = new Map([...trees].filter(([, r]) => !r.diagnostics.some((d) => d.severity === 'error')));
    pushAll(out, crossCheck(project, clean, host, options?.severities));
  }
  return out.sort(compareDiagnostics);
}
