// The server's settings: the `microkitDualGuest` section of VS Code's configuration, pushed by the
// client in initializationOptions and in didChangeConfiguration (no pull requests, so analysis stays
// synchronous per notification).

import { isArch, isMicrokitVersion, type TargetOptions } from '../system/target';

export type CheckPreset = 'dtc' | 'linux';
export type CheckSeverityName = 'error' | 'warning' | 'off';

export interface ServerSettings {
  /** dual-guest.json or .system file; empty = search upwards from each file. */
  projectFile: string;
  /** Extra include paths for device trees without a project file. */
  includePaths: string[];
  checkPreset: CheckPreset;
  /** Per-check severity overrides (dtc check names). */
  checks: Record<string, CheckSeverityName>;
  /** `system.arch` and `system.microkitVersion`: what .system files are checked for when their project file does not say. */
  system: TargetOptions;
}

export const DEFAULT_SETTINGS: ServerSettings = { projectFile: '', includePaths: [], checkPreset: 'dtc', checks: {}, system: {} };

/** Accepts the section itself or an object that holds it under `microkitDualGuest`; ignores malformed fields. */
export function readSettings(raw: unknown): ServerSettings {
  const obj = isRecord(raw) && isRecord(raw.microkitDualGuest) ? raw.microkitDualGuest : raw;
  const out: ServerSettings = { ...DEFAULT_SETTINGS, includePaths: [], checks: {}, system: {} };
  if (!isRecord(obj)) return out;
  if (typeof obj.projectFile === 'string') out.projectFile = obj.projectFile;
  const dt = isRecord(obj.devicetree) ? obj.devicetree : obj;
  if (Array.isArray(dt.includePaths)) out.includePaths = dt.includePaths.filter((p): p is string => typeof p === 'string');
  if (dt.checkPreset === 'dtc' || dt.checkPreset === 'linux') out.checkPreset = dt.checkPreset;
  if (isRecord(dt.checks)) {
    for (const [name, sev] of Object.entries(dt.checks)) {
      if (sev === 'error' || sev === 'warning' || sev === 'off') out.checks[name] = sev;
    }
  }
  const sys = isRecord(obj.system) ? obj.system : {};
  if (typeof sys.arch === 'string' && isArch(sys.arch)) out.system = { ...out.system, arch: sys.arch, archOrigin: 'setting' };
  if (typeof sys.microkitVersion === 'string' && isMicrokitVersion(sys.microkitVersion)) {
    out.system = { ...out.system, version: sys.microkitVersion, versionOrigin: 'setting' };
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
