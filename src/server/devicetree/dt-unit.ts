// One device tree: a base and its overlays in order, compiled as dtc sees them appended, then dtc's
// checks with the configured preset and per-check severities.
import type { Diagnostic } from '../../common/diagnostics';
import type { FileHost } from '../../common/host';
import { defaultCheckConfig, runChecks, type CheckConfig } from '../../devicetree/checks';
import { compileFiles, type CompileResult } from '../../devicetree/compile';
import type { ServerSettings } from '../settings';
import type { AnalysisUnit } from '../unit';
import { DtIndex } from './dt-index';

export function checkConfigFor(settings: ServerSettings): CheckConfig {
  const config = defaultCheckConfig(settings.checkPreset);
  for (const [name, sev] of Object.entries(settings.checks)) if (config.severities.has(name)) config.severities.set(name, sev);
  return config;
}

export class DtUnit implements AnalysisUnit {
  readonly source = 'dtc';
  deps: ReadonlySet<string>;
  diagnostics: readonly Diagnostic[] = [];
  result?: CompileResult;
  private cachedIndex?: DtIndex;

  constructor(
    readonly files: string[],
    readonly includePaths: string[],
    readonly origin: 'project' | 'guess',
    private readonly settings: () => ServerSettings,
    readonly vm?: string,
  ) {
    this.deps = new Set(files);
  }

  get key(): string {
    return DtUnit.keyFor(this.files, this.includePaths);
  }

  get mainFile(): string {
    return this.files[this.files.length - 1];
  }

  static keyFor(files: string[], includePaths: string[]): string {
    return `dt:${files.join('+')}|${includePaths.join(':')}`;
  }

  /** Positions of labels, references and definitions (built on first use after each run). */
  get index(): DtIndex | undefined {
    if (!this.result) return undefined;
    this.cachedIndex ??= new DtIndex(this.result);
    return this.cachedIndex;
  }

  run(host: FileHost): void {
    this.cachedIndex = undefined;
    const result = compileFiles(this.files, { includePaths: this.includePaths, host });
    this.result = result;
    this.deps = new Set([...this.files, ...result.files]);
    this.diagnostics = [...result.diagnostics, ...runChecks(result, checkConfigFor(this.settings()))];
  }
}
