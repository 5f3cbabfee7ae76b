// The project file's real-component keys: "components" ("model" or "real" for every PD, or an
// object by PD name), "sddf" (the sDDF checkout real serial components are compiled from) and
// "pds" (a native PD's own C: sources, include directories, defines). Paths are relative to the
// project file.
import type { Diagnostic, SourceRange } from '../common/diagnostics';
import { resolve } from '../common/paths';
import { member, type JsonValue } from './json';
import type { SystemModel } from './model';

export type ComponentKind = 'model' | 'real';

export interface ProjectComponents {
  components: ComponentKind | Record<string, ComponentKind>;
  /** Absolute path of the sDDF checkout, when the project file names one. */
  sddf?: string;
  pdSources: Record<string, { sources: string[]; includeDirs: string[]; defines: string[] }>;
  /** Where "components" is written, for messages about it. */
  range?: SourceRange;
}

export const COMPONENT_KEYS = ['components', 'sddf', 'pds'] as const;
const PD_KEYS = ['sources', 'includeDirs', 'defines'];

export function readProjectComponents(json: JsonValue | undefined, dir: string, system: SystemModel | undefined, diagnostics: Diagnostic[]): ProjectComponents {
  const out: ProjectComponents = { components: 'model', pdSources: {} };
  const err = (message: string, range: SourceRange): void => {
    diagnostics.push({ severity: 'error', message, range, code: 'project-schema' });
  };
  const kind = (v: JsonValue): ComponentKind | undefined => {
    if (v.kind === 'string' && (v.value === 'model' || v.value === 'real')) return v.value;
    err(`a component must be "model" or "real"`, v.range);
    return undefined;
  };
  const pdKnown = (name: string, range: SourceRange): void => {
    if (system && !system.protectionDomains.some((p) => p.name === name)) {
      diagnostics.push({ severity: 'warning', message: `no protection domain '${name}' in the system`, range, code: 'project-schema' });
    }
  };
  const comp = member(json, 'components');
  if (comp) {
    out.range = comp.value.range;
    if (comp.value.kind === 'object') {
      const per: Record<string, ComponentKind> = {};
      for (const m of comp.value.members) {
        pdKnown(m.key, m.keyRange);
        const k = kind(m.value);
        if (k) per[m.key] = k;
      }
      out.components = per;
    } else {
      out.components = kind(comp.value) ?? 'model';
    }
  }
  const sddf = member(json, 'sddf');
  if (sddf) {
    if (sddf.value.kind === 'string') out.sddf = resolve(dir, sddf.value.value);
    else err(`'sddf' must be a path (a string)`, sddf.value.range);
  }
  const pds = member(json, 'pds');
  if (pds) {
    if (pds.value.kind !== 'object') err(`'pds' must be an object keyed by protection domain name`, pds.value.range);
    else {
      for (const m of pds.value.members) {
        pdKnown(m.key, m.keyRange);
        if (m.value.kind !== 'object') {
          err(`'${m.key}' must be an object with "sources" (and optionally "includeDirs", "defines")`, m.value.range);
          continue;
        }
        for (const k of m.value.members) {
          if (!PD_KEYS.includes(k.key))
            diagnostics.push({
              severity: 'warning',
              message: `unknown key '${k.key}' in pds '${m.key}' (known: ${PD_KEYS.join(', ')})`,
              range: k.keyRange,
              code: 'project-schema',
            });
        }
        const list = (key: string): string[] | undefined => {
          const v = member(m.value, key);
          if (!v) return [];
          if (v.value.kind === 'array' && v.value.items.every((i) => i.kind === 'string')) return v.value.items.map((i) => (i as { value: string }).value);
          err(`'${key}' must be an array of strings`, v.value.range);
          return undefined;
        };
        const sources = list('sources'),
          includeDirs = list('includeDirs'),
          defines = list('defines');
        if (!sources || !includeDirs || !defines) continue;
        if (sources.length === 0) {
          err(`'${m.key}' names no C sources ("sources": [...])`, m.keyRange);
          continue;
        }
        out.pdSources[m.key] = { sources: sources.map((s) => resolve(dir, s)), includeDirs: includeDirs.map((s) => resolve(dir, s)), defines };
      }
    }
  }
  return out;
}
