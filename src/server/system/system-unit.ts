// A .system file on its own: XML, the typed model and the microkit tool's rules.
import type { Diagnostic } from '../../common/diagnostics';
import type { TextFileHost } from '../documents';
import type { SystemModel } from '../../system/model';
import type { parseSystem } from '../../system/parse';
import type { AnalysisUnit } from '../unit';
import { systemTargetFor } from '../../system/project';
import type { TargetOptions } from '../../system/target';
import type { Workspace } from '../workspace';

/** The workspace's unit for this .system, created on first use. */
export function systemUnit(ws: Workspace, path: string): SystemUnit {
  return ws.unit(SystemUnit.keyFor(path), () => new SystemUnit(path, ws.parseSystem, () => ws.settings.system));
}

export class SystemUnit implements AnalysisUnit {
  readonly source = 'microkit';
  deps: ReadonlySet<string>;
  diagnostics: readonly Diagnostic[] = [];
  model?: SystemModel;
  text = '';

  /** `parse` is parseSystem, or the workspace's cache of it (one parse per text for this unit and its project's). */
  constructor(
    readonly mainFile: string,
    private readonly parse: typeof parseSystem,
    private readonly setting: () => TargetOptions = () => ({}),
  ) {
    this.deps = new Set([mainFile]);
  }

  get key(): string {
    return SystemUnit.keyFor(this.mainFile);
  }

  static keyFor(file: string): string {
    return `system:${file}`;
  }

  run(host: TextFileHost): void {
    const text = host.readText(this.mainFile);
    if (text === undefined) {
      this.model = undefined;
      this.diagnostics = [{ severity: 'error', message: `cannot read ${this.mainFile}` }];
      return;
    }
    this.text = text;
    // The architecture and release come from the project file that applies (so it is a dependency) or the settings.
    const target = systemTargetFor(this.mainFile, host, this.setting());
    this.deps = new Set(target.projectFile ? [this.mainFile, target.projectFile] : [this.mainFile]);
    const { model, diagnostics } = this.parse(this.mainFile, this.text, target.options);
    this.model = model;
    this.diagnostics = diagnostics;
  }
}
