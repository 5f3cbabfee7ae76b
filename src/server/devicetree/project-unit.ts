// A project (dual-guest.json, or a .system with inferred guests): the .system's rules, the project
// file's, and the checks across the .system and each guest's compiled tree. It depends on its guests'
// trees, so an edit on either side re-runs it.
import type { Diagnostic } from '../../common/diagnostics';
import type { FileHost } from '../../common/host';
import { crossCheck, loadProject, type GuestTree, type Project } from '../../system';
import type { AnalysisUnit } from '../unit';
import type { Workspace } from '../workspace';
import { DtUnit } from './dt-unit';

export class ProjectUnit implements AnalysisUnit {
  readonly source = 'dual-guest';
  deps: ReadonlySet<string>;
  diagnostics: readonly Diagnostic[] = [];
  project?: Project;
  guestUnits: DtUnit[] = [];

  constructor(readonly mainFile: string, private readonly ws: Workspace) {
    this.deps = new Set([mainFile]);
  }

  get key(): string {
    return ProjectUnit.keyFor(this.mainFile);
  }

  static keyFor(file: string): string {
    return `project:${file}`;
  }

  children(): AnalysisUnit[] {
    return this.guestUnits;
  }

  run(host: FileHost): void {
    const project = loadProject(this.mainFile, host, { parse: this.ws.parseSystem });
    this.project = project;
    // Guests built from the same files share one tree (one unit), but each is cross-checked on its own.
    const trees = new Map<string, GuestTree>();
    const units = new Set<DtUnit>();
    for (const g of project.guests) {
      if (g.dtFiles.length === 0) continue;
      const u = this.ws.unit(DtUnit.keyFor(g.dtFiles, g.includePaths), () => new DtUnit(g.dtFiles, g.includePaths, 'project', () => this.ws.settings, g.vm, false, this.ws.frontEnds));
      units.add(u);
      if (u.result) trees.set(g.vm, { tree: u.result.tree, diagnostics: [...u.diagnostics] });
    }
    this.guestUnits = [...units];
    const deps = new Set([this.mainFile, project.systemFile]);
    if (project.file) deps.add(project.file);
    for (const u of this.guestUnits) for (const d of u.deps) deps.add(d);
    this.deps = deps;
    this.diagnostics = [...project.diagnostics, ...crossCheck(project, trees, host)];
  }
}
