// One device tree: a base and its overlays in order, compiled as dtc sees them appended, then dtc's
// checks with the configured preset and per-check severities.
import type { Diagnostic } from '../../common/diagnostics';
import { MemoryFileHost, OverlayFileHost } from '../../common/host';
import { basename } from '../../common/paths';
import { defaultCheckConfig, runChecks, type CheckConfig } from '../../devicetree/checks';
import { compileFiles, compileTexts, type CompileResult, type FrontEndCache } from '../../devicetree/compile';
import type { TextFileHost } from '../documents';
import type { ServerSettings } from '../settings';
import type { AnalysisUnit } from '../unit';
import { DtIndex } from './dt-index';
import { PhysicalLinesHost } from './physical-lines';

/** One check configuration per settings object (settings are replaced, never changed in place). */
const checkConfigs = new WeakMap<ServerSettings, CheckConfig>();

export function checkConfigFor(settings: ServerSettings): CheckConfig {
  let config = checkConfigs.get(settings);
  if (config) return config;
  config = defaultCheckConfig(settings.checkPreset);
  for (const [name, sev] of Object.entries(settings.checks)) if (config.severities.has(name)) config.severities.set(name, sev);
  checkConfigs.set(settings, config);
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
    /**
     * A lone fragment (a .dtsi nothing includes, an overlay without its base): compiled through a
     * wrapper that gives it the header and `/plugin/`, so references to labels defined elsewhere become
     * overlay fixups, as they will be once the fragment is used, instead of false errors.
     */
    readonly fragment = false,
    /** The workspace's per-file front ends, shared with the other trees that read the same files. */
    private readonly frontEnds?: FrontEndCache,
  ) {
    this.deps = new Set(files);
  }

  get key(): string {
    return DtUnit.keyFor(this.files, this.includePaths, this.fragment);
  }

  get mainFile(): string {
    return this.files[this.files.length - 1];
  }

  static keyFor(files: string[], includePaths: string[], fragment = false): string {
    return `${fragment ? 'dt-fragment' : 'dt'}:${files.join('+')}|${includePaths.join(':')}`;
  }

  private physicalHost?: { inner: TextFileHost; host: PhysicalLinesHost };

  private physical(inner: TextFileHost): PhysicalLinesHost {
    if (this.physicalHost?.inner !== inner) this.physicalHost = { inner, host: new PhysicalLinesHost(inner) };
    return this.physicalHost.host;
  }

  /** Positions of labels, references and definitions (built on first use after each run). */
  get index(): DtIndex | undefined {
    if (!this.result) return undefined;
    this.cachedIndex ??= new DtIndex(this.result);
    return this.cachedIndex;
  }

  prepare(): void {
    const index = this.index;
    if (index) index.sitesOf(index.tree.root);
  }

  run(fileHost: TextFileHost): void {
    this.cachedIndex = undefined;
    const host = this.physical(fileHost);
    let result: CompileResult;
    let wrapper: string | undefined;
    if (this.fragment) {
      const file = this.files[0];
      wrapper = `${file}.__fragment__.dts`;
      const text = `/dts-v1/;\n/plugin/;\n#include "${basename(file)}"\n`;
      result = compileFiles([wrapper], { includePaths: this.includePaths, host: new OverlayFileHost(new MemoryFileHost({ [wrapper]: text }), host) });
    } else {
      result = compileTexts(
        this.files.map((file) => ({ file, text: host.readText(file) })),
        { includePaths: this.includePaths, host, cache: this.frontEnds },
      );
    }
    this.result = result;
    this.deps = new Set([...this.files, ...result.files.filter((f) => f !== wrapper)]);
    // A fragment alone is not the tree it will be part of: the checks (cells, unit addresses, buses)
    // would judge it without its base, so only its own syntax and evaluation errors are shown.
    this.diagnostics = wrapper
      ? result.diagnostics.filter((d) => d.range?.file !== wrapper)
      : [...result.diagnostics, ...runChecks(result, checkConfigFor(this.settings()))];
  }
}
