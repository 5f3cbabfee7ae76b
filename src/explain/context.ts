// The project a log is explained against: the .system (or project file), each guest's tree compiled
// as the linter compiles it (positions in the files the user has, src/devicetree/physical-lines.ts),
// and the cross checks' findings.
import type { FileHost } from '../common/host';
import { dirname, join } from '../common/paths';
import { PhysicalLinesHost } from '../devicetree/physical-lines';
import type { DtTree } from '../devicetree/tree';
import { compileGuestTrees, crossCheck, findProjectFileFor, loadProject, type GuestTree } from '../system';
import type { ExplainContext } from './explain';

export function loadExplainContext(projectOrSystem: string, host: FileHost): ExplainContext {
  const physical = new PhysicalLinesHost(host);
  const project = loadProject(projectOrSystem, physical);
  const compiled = compileGuestTrees(project, physical);
  const trees = new Map<string, DtTree | undefined>();
  const guestTrees = new Map<string, GuestTree>();
  for (const [vm, r] of compiled) {
    const ok = !r.diagnostics.some((d) => d.severity === 'error');
    trees.set(vm, ok ? r.tree : undefined);
    if (ok) guestTrees.set(vm, { tree: r.tree, diagnostics: r.diagnostics });
  }
  return { project, trees, findings: [...project.diagnostics, ...crossCheck(project, guestTrees, physical)] };
}

/**
 * The project a log in `dir` belongs to: a dual-guest.json there, else its only .system (with that
 * file's project file), looking `levels` folders up (logs are often saved in a folder of their own).
 */
export function findProjectFor(dir: string, host: FileHost, levels = 0): string | undefined {
  let d = dir;
  for (let i = 0; i <= levels; i++) {
    const json = join(d, 'dual-guest.json');
    if (host.fileExists(json)) return json;
    const systems = (host.listDirectory?.(d) ?? []).filter((f) => f.endsWith('.system'));
    if (systems.length === 1) {
      const system = join(d, systems[0]);
      return findProjectFileFor(system, host) ?? system;
    }
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return undefined;
}
