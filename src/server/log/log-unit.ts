// A serial log opened in the editor: its lines explained against the project it belongs to (the
// dual-guest.json or .system in its folder or up to three above), with the project's trees as the
// project unit compiled them. Diagnostics sit on the explained lines; their related information
// links the device-tree node and the .system element.
import type { Diagnostic } from '../../common/diagnostics';
import { dirname } from '../../common/paths';
import type { DtTree } from '../../devicetree/tree';
import { explainLog, findProjectFor, type ExplainContext, type Explanation } from '../../explain';
import type { TextFileHost } from '../documents';
import { projectUnit, type ProjectUnit } from '../system/project-unit';
import type { AnalysisUnit } from '../unit';
import type { UnitProvider, Workspace } from '../workspace';

/** How far above the log's folder its project is looked for. */
const PROJECT_LEVELS = 3;

export function isSerialLogFile(path: string): boolean {
  return path.endsWith('.log');
}

export class LogUnit implements AnalysisUnit {
  readonly source = 'dual-guest';
  deps: ReadonlySet<string>;
  diagnostics: readonly Diagnostic[] = [];
  explanations: Explanation[] = [];
  context?: ExplainContext;
  /** The project the log was explained against. */
  project?: ProjectUnit;

  constructor(
    readonly mainFile: string,
    private readonly ws: Workspace,
  ) {
    this.deps = new Set([mainFile]);
  }

  get key(): string {
    return LogUnit.keyFor(this.mainFile);
  }

  static keyFor(file: string): string {
    return `log:${file}`;
  }

  children(): AnalysisUnit[] {
    return this.project ? [this.project] : [];
  }

  run(host: TextFileHost): void {
    const text = host.readText(this.mainFile) ?? '';
    const projectFile = findProjectFor(dirname(this.mainFile), host, PROJECT_LEVELS);
    const deps = new Set([this.mainFile]);
    this.project = undefined;
    this.context = undefined;
    if (projectFile) {
      const unit = projectUnit(this.ws, projectFile);
      this.project = unit;
      for (const d of unit.deps) deps.add(d);
      if (unit.project) {
        const trees = new Map<string, DtTree | undefined>([...unit.trees].map(([vm, t]) => [vm, t.tree]));
        this.context = { project: unit.project, trees, findings: unit.diagnostics };
      }
    }
    this.deps = deps;
    this.explanations = explainLog(text, this.context);
    this.diagnostics = this.explanations.map((x) => ({
      severity: x.severity,
      code: x.code,
      message: x.message + (x.fixes.length > 0 ? ` (quick fix: ${x.fixes.map((f) => f.title).join('; ')})` : ''),
      subject: x.subject,
      range: { file: this.mainFile, start: { line: x.span.line, col: x.span.col }, end: { line: x.span.line, col: x.span.endCol } },
      related: x.related,
    }));
  }
}

export class LogUnitProvider implements UnitProvider {
  unitsFor(path: string, ws: Workspace): AnalysisUnit[] {
    return isSerialLogFile(path) || ws.docs.get(path)?.languageId === 'serial-log' ? [logUnit(ws, path)] : [];
  }
}

export function logUnit(ws: Workspace, path: string): LogUnit {
  return ws.unit(LogUnit.keyFor(path), () => new LogUnit(path, ws));
}
