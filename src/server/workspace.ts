// The server's state: open buffers, settings, and the analysis units the open documents need. Every
// notification ends in refresh(), which re-runs exactly the units that read a changed file and returns
// the per-file diagnostics that changed (to publish). Everything here is synchronous.
import { compareDiagnostics, type Diagnostic } from '../common/diagnostics';
import type { FileHost } from '../common/host';
import { FrontEndCache } from '../devicetree/compile';
import { parseSystem } from '../system/parse';
import type { TargetOptions } from '../system/target';
import { OpenDocuments, type TextFileHost } from './documents';
import { DEFAULT_SETTINGS, type ServerSettings } from './settings';
import type { AnalysisUnit } from './unit';

/** What the workspace needs from the machine besides file contents (listing folders for guesses). */
export interface WorkspaceHost extends FileHost {
  /** Names of the entries of a folder (empty when it cannot be read). */
  listDirectory(path: string): string[];
}

/** A source of units for an open document: each language registers one. */
export interface UnitProvider {
  /** The units this open document needs, created lazily through `unit(key, create)`. */
  unitsFor(path: string, ws: Workspace): AnalysisUnit[];
}

/**
 * The disk as one refresh sees it: each file, existence test and folder listing is asked of the
 * machine once per refresh (every open document re-derives its trees on every notification, so the
 * same guesses and project lookups would otherwise repeat per document). Outside a refresh (feature
 * requests, the didOpen comparison) every call goes to the machine, so nothing stale outlives one.
 */
class RefreshScopedDisk implements WorkspaceHost {
  private files?: Map<string, Uint8Array | undefined>;
  private exists?: Map<string, boolean>;
  private listings?: Map<string, string[]>;

  constructor(private readonly machine: WorkspaceHost) {}

  begin(): void {
    this.files = new Map();
    this.exists = new Map();
    this.listings = new Map();
  }

  end(): void {
    this.files = this.exists = this.listings = undefined;
  }

  readFile(path: string): Uint8Array | undefined {
    if (!this.files) return this.machine.readFile(path);
    if (this.files.has(path)) return this.files.get(path);
    const bytes = this.machine.readFile(path);
    this.files.set(path, bytes);
    return bytes;
  }

  fileExists(path: string): boolean {
    if (!this.exists) return this.machine.fileExists(path);
    let found = this.exists.get(path);
    if (found === undefined) this.exists.set(path, (found = this.files?.get(path) !== undefined || this.machine.fileExists(path)));
    return found;
  }

  listDirectory(path: string): string[] {
    if (!this.listings) return this.machine.listDirectory(path);
    let names = this.listings.get(path);
    if (!names) this.listings.set(path, (names = this.machine.listDirectory(path)));
    return names;
  }
}

declare module '../common/diagnostics' {
  /** A unit or provider that threw: one diagnostic on its file, and the other units go on. */
  interface DiagnosticCodes {
    'internal-error': true;
  }
}

export function isSystemFile(path: string): boolean {
  return path.endsWith('.system');
}

export class Workspace {
  readonly docs = new OpenDocuments();
  readonly host: TextFileHost;
  /** The machine's files, read at most once per refresh (see RefreshScopedDisk). */
  readonly disk: WorkspaceHost;
  private readonly scopedDisk: RefreshScopedDisk;
  settings: ServerSettings = DEFAULT_SETTINGS;
  private units = new Map<string, AnalysisUnit>();
  /** Documents whose units could not even be found (a provider threw): one diagnostic each. */
  private readonly providerFailures = new Map<string, Diagnostic>();
  /** Units created or re-run during the current refresh (so one refresh runs each at most once). */
  private fresh = new Set<string>();
  private changed: Set<string> | 'all' = 'all';
  /** Files whose diagnostics may differ after this refresh: those of units run or dropped in it. */
  private touched = new Set<string>();
  private published = new Map<string, string>();
  private readonly providers: UnitProvider[] = [];
  /** What each open document needed in the last refresh. */
  private unitsByDocument = new Map<string, AnalysisUnit[]>();
  /** The last parse of each .system text (its unit and its project's unit both need it). */
  private readonly systemParses = new Map<string, { key: string; parsed: ReturnType<typeof parseSystem> }>();
  /**
   * Each device-tree file preprocessed and parsed once per text, for every tree that reads it (two
   * guests on one base; a base edited under an unchanged overlay). Checked against the files each
   * entry read, so it cannot go stale (devicetree/front-end.ts).
   */
  readonly frontEnds = new FrontEndCache();

  constructor(machine: WorkspaceHost) {
    this.disk = this.scopedDisk = new RefreshScopedDisk(machine);
    this.host = this.docs.over(this.disk);
  }

  addProvider(p: UnitProvider): void {
    this.providers.push(p);
  }

  /**
   * The unit with this key, created with `create` if new, and re-run when a file it read changed since
   * it last ran. Providers call this, so dependent units (a project's cross checks over its trees) ask
   * for what they need and get it up to date.
   */
  unit<T extends AnalysisUnit>(key: string, create: () => T): T {
    let u = this.units.get(key) as T | undefined;
    const stale = u !== undefined && !this.fresh.has(key) && (this.changed === 'all' || [...u.deps].some((d) => (this.changed as Set<string>).has(d)));
    if (!u || stale) {
      if (u) this.touch(u);
      u ??= create();
      this.units.set(key, u);
      this.fresh.add(key);
      runIsolated(u, this.host);
      this.touch(u);
    } else {
      this.keepAlive(u);
    }
    return u;
  }

  private touch(u: AnalysisUnit): void {
    for (const d of u.diagnostics) this.touched.add(d.range?.file ?? u.mainFile);
  }

  /** Mark a unit that needs no re-run, and what it holds, as needed by this refresh. */
  private keepAlive(u: AnalysisUnit): void {
    if (this.fresh.has(u.key)) return;
    this.fresh.add(u.key);
    for (const c of u.children?.() ?? []) if (this.units.get(c.key) === c) this.keepAlive(c);
  }

  /** Units some open document needs right now (after the last refresh). */
  liveUnits(): AnalysisUnit[] {
    return [...this.units.values()];
  }

  /**
   * The units `path` needs. An open document's answer is the one the last refresh found (nothing can
   * change between refreshes: every notification ends in one), so a feature request does not repeat
   * the providers' project lookups and guesses, which read the disk; other files ask the providers.
   */
  unitsFor(path: string): AnalysisUnit[] {
    const known = this.unitsByDocument.get(path);
    if (known) return known;
    const out: AnalysisUnit[] = [];
    for (const p of this.providers) out.push(...p.unitsFor(path, this));
    return out;
  }

  /** Prepare the open documents' units for feature requests (once per run: what they build is kept until the next). */
  prepareUnits(): void {
    const seen = new Set<AnalysisUnit>();
    for (const units of this.unitsByDocument.values()) {
      for (const u of units) {
        if (seen.has(u)) continue;
        seen.add(u);
        u.prepare?.();
      }
    }
  }

  /**
   * parseSystem, once per text: a .system's own unit and its project's unit read the same buffer, and
   * the XML parser is the dearest step of opening one. Results are shared read-only.
   */
  readonly parseSystem = (file: string, text: string, options?: TargetOptions): ReturnType<typeof parseSystem> => {
    const key = JSON.stringify(options ?? {}) + '\u0000' + text;
    const last = this.systemParses.get(file);
    if (last?.key === key) return last.parsed;
    const parsed = parseSystem(file, text, options);
    this.systemParses.set(file, { key, parsed });
    return parsed;
  };

  /**
   * Bring every unit the open documents need up to date after `changedFiles` changed ('all' after a
   * settings change), drop the rest, and return the files whose diagnostics changed, with their new
   * list (empty to clear).
   */
  refresh(changedFiles: string[] | 'all'): Map<string, { diagnostic: Diagnostic; source: string }[]> {
    this.changed = changedFiles === 'all' ? 'all' : new Set(changedFiles);
    this.fresh = new Set();
    this.touched = new Set();
    this.scopedDisk.begin();
    this.unitsByDocument = new Map();
    try {
      const needed = new Set<string>();
      for (const path of this.docs.paths()) {
        // A provider that fails for one document must not stop the others' analysis.
        try {
          const units = this.unitsFor(path);
          this.unitsByDocument.set(path, units);
          for (const u of units) needed.add(u.key);
        } catch (e) {
          this.providerFailures.set(path, internalError(path, e));
          this.touched.add(path);
          continue;
        }
        if (this.providerFailures.delete(path)) this.touched.add(path);
      }
      for (const path of [...this.providerFailures.keys()]) {
        if (this.docs.get(path)) continue;
        this.providerFailures.delete(path);
        this.touched.add(path);
      }
      // Units reached only through others (a project's trees) were marked fresh by unit().
      for (const key of this.fresh) needed.add(key);
      for (const [key, u] of [...this.units]) {
        if (needed.has(key)) continue;
        this.touch(u);
        this.units.delete(key);
      }
      // A parse no live unit reads any more is dropped with it.
      const read = (file: string): boolean => {
        for (const u of this.units.values()) if (u.deps.has(file)) return true;
        return false;
      };
      for (const file of [...this.systemParses.keys()]) if (!read(file)) this.systemParses.delete(file);
      this.frontEnds.retain(read);
    } finally {
      this.scopedDisk.end();
      this.changed = new Set();
    }
    return this.diffDiagnostics();
  }

  /**
   * Every live unit's diagnostics grouped by file (only the files in `only`, when given), duplicates
   * (the same finding from two trees) merged.
   */
  diagnosticsByFile(only?: ReadonlySet<string>): Map<string, { diagnostic: Diagnostic; source: string }[]> {
    const byFile = new Map<string, Map<string, { diagnostic: Diagnostic; source: string }>>();
    for (const [file, d] of this.providerFailures) {
      if (!only || only.has(file)) byFile.set(file, new Map([['internal', { diagnostic: d, source: 'microkit-dual-guest' }]]));
    }
    for (const u of this.units.values()) {
      for (const d of u.diagnostics) {
        const file = d.range?.file ?? u.mainFile;
        if (only && !only.has(file)) continue;
        let m = byFile.get(file);
        if (!m) byFile.set(file, (m = new Map()));
        const r = d.range;
        const key = `${d.severity}|${d.code ?? ''}|${d.message}|${r ? `${r.start.line}:${r.start.col}-${r.end.line}:${r.end.col}` : ''}`;
        if (!m.has(key)) m.set(key, { diagnostic: d, source: u.source });
      }
    }
    const out = new Map<string, { diagnostic: Diagnostic; source: string }[]>();
    for (const [file, m] of byFile)
      out.set(
        file,
        [...m.values()].sort((a, b) => compareDiagnostics(a.diagnostic, b.diagnostic)),
      );
    return out;
  }

  /** The touched files whose diagnostics differ from what was published (the others cannot have changed). */
  private diffDiagnostics(): Map<string, { diagnostic: Diagnostic; source: string }[]> {
    const now = this.diagnosticsByFile(this.touched);
    const out = new Map<string, { diagnostic: Diagnostic; source: string }[]>();
    for (const [file, list] of now) {
      const sig = JSON.stringify(list.map((e) => [e.source, e.diagnostic.severity, e.diagnostic.code, e.diagnostic.message, e.diagnostic.range]));
      if (this.published.get(file) !== sig) {
        this.published.set(file, sig);
        out.set(file, list);
      }
    }
    for (const file of this.touched) {
      if (!now.has(file) && this.published.has(file)) {
        this.published.delete(file);
        out.set(file, []);
      }
    }
    return out;
  }
}

/** A diagnostic at the start of `file` for an exception the analysis did not expect. */
function internalError(file: string, e: unknown): Diagnostic {
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return {
    severity: 'error',
    code: 'internal-error',
    range: { file, start: { line: 0, col: 0 }, end: { line: 0, col: 0 } },
    message: `internal error while analysing this file (please report it): ${what}; other files are still analysed`,
  };
}

/**
 * Run one unit; if it throws (a bug, since units must not throw on bad input), its result is that one
 * diagnostic on its main file and every other unit goes on. It re-runs when its main file changes.
 */
function runIsolated(u: AnalysisUnit, host: TextFileHost): void {
  try {
    u.run(host);
  } catch (e) {
    u.diagnostics = [internalError(u.mainFile, e)];
    u.deps = new Set([...u.deps, u.mainFile]);
  }
}
