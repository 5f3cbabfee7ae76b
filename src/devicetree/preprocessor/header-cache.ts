// Headers preprocessed once per process: a batch of trees, or the language server's trees, include
// the same dt-bindings headers, and each inclusion would lex every `#define` again. An inclusion is
// recorded (its output and source map, the macros it defined and undefined, its diagnostics and the
// files it read) and replayed where the same header is included again in the same circumstances:
// - the same file text, spelling, include-path index and include paths (the entry's key and text);
// - every macro the header looked up before changing it has the same definition now (object
//   identity, or the same parameters and body), so each `#if`, `#ifdef` and expansion goes the same way;
// - every file it read (nested includes, and the names probed while searching) reads the same now;
// - the character before it in the output (whether a space is inserted before its first token),
//   room below the include-depth limit and the expansion budget.
// An inclusion that used a dynamic macro (`__COUNTER__`, `__DATE__`, `__INCLUDE_LEVEL__`, ...), hit
// the depth limit or spent the expansion budget is not recorded.
import type { Diagnostic, SourceRange } from '../../common/diagnostics';
import type { PPToken } from './lexer';
import { sameDefinition, type MacroDefinition } from './macros';
import type { Segment } from './source-map';

/** One `#include` the preprocessor met (kept here because a recorded header replays its includes). */
export interface IncludeRecord {
  /** The whole `#include` directive. */
  range: SourceRange;
  /** The header name as written, inside its quotes or angle brackets. */
  nameRange?: SourceRange;
  /** The resolved file; absent when it was not found. */
  target?: string;
}

/** The macro table, telling the inclusions being recorded what is looked up and changed. */
export class MacroTable extends Map<string, MacroDefinition> {
  /** Inclusions being recorded, outermost first. */
  readonly recorders: HeaderRecording[] = [];

  static of(entries: Iterable<[string, MacroDefinition]>): MacroTable {
    const t = new MacroTable();
    for (const [k, v] of entries) t.set(k, v);
    return t;
  }

  override get(name: string): MacroDefinition | undefined {
    const def = super.get(name);
    if (this.recorders.length !== 0) for (const r of this.recorders) r.lookedUp(name, def);
    return def;
  }

  override has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  override set(name: string, def: MacroDefinition): this {
    // `recorders` is unset while Map's constructor runs (it calls set for an initial iterable).
    if (this.recorders !== undefined && this.recorders.length !== 0) {
      const before = super.get(name);
      for (const r of this.recorders) r.changed(name, before, def);
    }
    return super.set(name, def);
  }

  override delete(name: string): boolean {
    if (this.recorders.length !== 0) {
      const before = super.get(name);
      for (const r of this.recorders) r.changed(name, before, undefined);
    }
    return super.delete(name);
  }
}

/** What one inclusion depends on and does, gathered while it runs. */
export class HeaderRecording {
  /** Definitions found at the first lookup of each name the inclusion had not changed yet. */
  readonly deps = new Map<string, MacroDefinition | undefined>();
  /** Names it defined or undefined, and the changes in order. */
  readonly touched = new Set<string>();
  readonly ops: [string, MacroDefinition | undefined][] = [];
  cacheable = true;
  /** Deepest include depth reached inside. */
  maxDepth: number;

  constructor(readonly depth: number) {
    this.maxDepth = depth;
  }

  lookedUp(name: string, def: MacroDefinition | undefined): void {
    if (!this.touched.has(name) && !this.deps.has(name)) this.deps.set(name, def);
  }

  changed(name: string, before: MacroDefinition | undefined, after: MacroDefinition | undefined): void {
    this.lookedUp(name, before);
    this.touched.add(name);
    this.ops.push([name, after]);
  }
}

/** One recorded inclusion. */
export interface HeaderEntry {
  /** The header's text when recorded. */
  readonly source: string;
  /** The output's last character before the inclusion ('' at the start). */
  readonly before: string;
  readonly deps: readonly [string, MacroDefinition | undefined][];
  readonly touched: ReadonlySet<string>;
  readonly ops: readonly [string, MacroDefinition | undefined][];
  /** Every file read (path and text, undefined when absent), in order. */
  readonly reads: readonly [string, string | undefined][];
  /** The output text and its segments (offsets from the inclusion's start). */
  readonly text: string;
  readonly segments: readonly Segment[];
  readonly lastChar: string;
  readonly lastWritten: PPToken | undefined;
  readonly diagnostics: readonly Diagnostic[];
  readonly macroExpansions: readonly { name: string; range: SourceRange }[];
  readonly includes: readonly IncludeRecord[];
  /** Files included inside, in order. */
  readonly includedFiles: readonly string[];
  /** Expansion budget spent, and include depth reached below the header's own. */
  readonly tokensUsed: number;
  readonly depthBelow: number;
}

/** Up to this many recordings per header and circumstances (different macro states). */
const ENTRIES_PER_KEY = 8;

/** Recorded inclusions, shared by every preprocess run given this cache. */
export class HeaderCache {
  private readonly entries = new Map<string, HeaderEntry[]>();
  /** Inclusions replayed and recorded (for tests and the bench). */
  hits = 0;
  recorded = 0;

  static key(path: string, spelling: string, foundIn: number, includePaths: readonly string[], maxDepth: number): string {
    return `${path}\0${spelling}\0${foundIn}\0${maxDepth}\0${includePaths.join('\0')}`;
  }

  candidates(key: string): readonly HeaderEntry[] {
    return this.entries.get(key) ?? [];
  }

  add(key: string, entry: HeaderEntry): void {
    this.recorded++;
    let list = this.entries.get(key);
    if (!list) this.entries.set(key, (list = []));
    // A changed text makes the older recordings useless.
    for (let i = list.length - 1; i >= 0; i--) if (list[i].source !== entry.source) list.splice(i, 1);
    list.push(entry);
    if (list.length > ENTRIES_PER_KEY) list.shift();
  }
}

/** The current definition stands for the recorded one: the same object, or (for a name the header only reads) the same macro. */
export function sameForHeader(now: MacroDefinition | undefined, then: MacroDefinition | undefined, touched: boolean): boolean {
  if (now === then) return true;
  if (now === undefined || then === undefined || touched || now.dynamic || then.dynamic) return false;
  return now.name === then.name && sameDefinition(now, then);
}
