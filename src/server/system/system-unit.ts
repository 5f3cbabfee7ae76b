// A .system file on its own: XML, the typed model and the microkit tool's rules.
import type { Diagnostic } from '../../common/diagnostics';
import type { TextFileHost } from '../documents';
import type { SystemModel } from '../../system/model';
import type { AnalysisUnit } from '../unit';
import type { Workspace } from '../workspace';

export class SystemUnit implements AnalysisUnit {
  readonly source = 'microkit';
  deps: ReadonlySet<string>;
  diagnostics: readonly Diagnostic[] = [];
  model?: SystemModel;
  text = '';

  constructor(readonly mainFile: string, private readonly ws: Workspace) {
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
    const { model, diagnostics } = this.ws.parseSystem(this.mainFile, this.text);
    this.model = model;
    this.diagnostics = diagnostics;
  }
}
