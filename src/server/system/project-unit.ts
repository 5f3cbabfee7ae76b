// A project (dual-guest.json, or a .system with inferred guests): the .system's rules, the project
// file's, and the checks across the .system and each guest's compiled tree. It depends on its guests'
// trees, so an edit on either side re-runs it.
import type { Diagnostic } from '../../common/diagnostics';
import type { FileHost } from '../../common/host';
import { crossCheck, loadProject, type GuestTree, type Project } from '../../system';
import type { parseSystem } from '../../system/parse';
import { DtUnit } from '../devicetree/dt-unit';
import type { ServerSettings } from '../settings';
import type { AnalysisUnit } from '../unit';
import type { Workspace } from '../workspace';

/** What a project's unit asks of the workspace: no more, so it can be built and tested on its own. */
export interface ProjectUnitContext {
  /** parseSystem, shared with the .system's own unit (the workspace keeps one parse per text). */
  parseSystem: typeof parseSystem;
  settings(): ServerSettings;
  /** The up-to-date unit of one guest tree (shared by every guest built from the same files). */
  treeUnit(files: string[], includePaths: string[], vm: string): DtUnit;
}

/** The workspace's unit for this project file (or .system), created on first use. */
export function projectUnit(ws: Workspace, projectFile: string): ProjectUnit {
  const context: ProjectUnitContext = {
    parseSystem: ws.parseSystem,
    settings: () => ws.settings,
    treeUnit: (files, includePaths, vm) =>
      ws.unit(DtUnit.keyFor(files, includePaths), () => new DtUnit(files, includePaths, 'project', () => ws.settings, vm, false, ws.frontEnds)),
  };
  return ws.unit(ProjectUnit.keyFor(projectFile), () => new ProjectUnit(projectFile, context));
}

export class ProjectUnit implements AnalysisUnit {
  readonly source = 'dual-guest';
  deps: ReadonlySet<string>;
  diagnostics: readonly Diagnostic[] = [];
  project?: Project;
  guestUnits: DtUnit[] = [];
  /** Each guest's compiled tree, by VM name (the cross checks' input). */
  trees = new Map<string, GuestTree>();

  constructor(
    readonly mainFile: string,
    private readonly context: ProjectUnitContext,
  ) {
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
    const project = loadProject(this.mainFile, host, { parse: this.context.parseSystem, target: this.context.settings().system });
    this.project = project;
    // Guests built from the same files share one tree (one unit), but each is cross-checked on its own.
    const trees = new Map<string, GuestTree>();
    const units = new Set<DtUnit>();
    for (const g of project.guests) {
      if (g.dtFiles.length === 0 || !g.boot) continue;
      const u = this.context.treeUnit(g.dtFiles, g.includePaths, g.vm);
      units.add(u);
      if (u.result) trees.set(g.vm, { tree: u.result.tree, diagnostics: [...u.diagnostics] });
    }
    this.guestUnits = [...units];
    this.trees = trees;
    const deps = new Set([this.mainFile, project.systemFile]);
    if (project.file) deps.add(project.file);
    // The serial_config.h the switch character was read from (its warnings are shown there).
    const sw = project.serial.switchCharOrigin;
    if (sw.kind === 'header') deps.add(sw.file);
    else if (sw.kind === 'default' && sw.unusableHeader) deps.add(sw.unusableHeader);
    for (const u of this.guestUnits) for (const d of u.deps) deps.add(d);
    this.deps = deps;
    // The devicetree.checks setting names cross checks too ({"guest-dt-unmapped-device": "off"}).
    this.diagnostics = [...project.diagnostics, ...crossCheck(project, trees, host, this.context.settings().checks)];
  }
}
