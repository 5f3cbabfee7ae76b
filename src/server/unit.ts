// An analysis unit: one thing the server computes from files (a .system file's model, one device tree
// made of a base and overlays, a project's cross checks). The workspace re-runs a unit when a file it
// read changes, and drops it when no open document needs it any more.
import type { Diagnostic } from '../common/diagnostics';
import type { TextFileHost } from './documents';

export interface AnalysisUnit {
  /** Identity: two requests for the same key share one unit. */
  readonly key: string;
  /** Every file the last run read (open buffers or disk). */
  deps: ReadonlySet<string>;
  /** What the last run found, each positioned in the file where the fix belongs. */
  diagnostics: readonly Diagnostic[];
  /** The LSP `source` shown next to this unit's diagnostics. */
  readonly source: string;
  /** The file to hang diagnostics without a range on. */
  readonly mainFile: string;
  /** Recompute from the current files. Must not throw on bad input. */
  run(host: TextFileHost): void;
  /** Units this one obtained while running (a project's trees): kept alive as long as it is. */
  children?(): AnalysisUnit[];
  /** Build what feature requests read (a tree's index), after a run, while the editor is idle. */
  prepare?(): void;
}
