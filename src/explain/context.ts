// The project a log is explained against: the .system (or project file), each guest's tree compiled
// as the linter compiles it (positions in the files the user has, src/devicetree/physical-lines.ts),
// and the cross checks' findings.
import type { FileHost } from '../common/host';
import { PhysicalLinesHost } from '../devicetree/physical-lines';
import type { DtTree } from '../devicetree/tree';
import { compileGuestTrees, crossCheck, loadProject, type GuestTree } from '../system';
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
