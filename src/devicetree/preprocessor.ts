// The C preprocessor for device-tree sources, our own (no external cpp), behaving as
// `cpp -x assembler-with-cpp -undef -nostdinc` does for Linux/Zephyr/libvmm trees: `#` lines whose
// name is not a directive (`#address-cells = <1>;`) pass through, comments are kept, and every
// output offset maps back to its original file, line and column.
//
// Pieces: preprocessor/lexer.ts (pp-tokens with source offsets), preprocessor/macros.ts
// (definitions and expansion), preprocessor/if-expression.ts (#if), preprocessor/source-map.ts
// (output text + segment map). This file reads files, runs directives and writes the output.

import type { Diagnostic, SourceRange } from '../common/diagnostics';
import { decodeUtf8, type FileHost } from '../common/host';
import { dirname, isAbsolute, normalize, resolve } from '../common/paths';
import { evaluateCondition } from './preprocessor/if-expression';
import { isIdentChar, isIdentStart, Lexer, type PPToken } from './preprocessor/lexer';
import {
  ArraySource,
  bodyTokens,
  Expander,
  ExpansionLimits,
  rangeOf,
  sameDefinition,
  type ExpansionHooks,
  type MacroDefinition,
  type TokenSource,
} from './preprocessor/macros';
import {
  baseName,
  brokenDown,
  cppDate,
  cppTime,
  cppTimestamp,
  hasUserMacros,
  mentionsPredefinedMacro,
  parseSourceDateEpoch,
  PREDEFINED_MACROS,
  quoteFileName,
  SOURCE_DATE_EPOCH_ERROR,
  UNKNOWN_DATE,
  UNKNOWN_TIME,
  UNKNOWN_TIMESTAMP,
  warnsOnRedefinition,
} from './preprocessor/predefined';
import { LineTable, LocationContext, OutputBuilder, type SourceMapper } from './preprocessor/source-map';
import { pushAll } from '../common/arrays';
import { HeaderCache, HeaderRecording, MacroTable, sameForHeader, type HeaderEntry, type IncludeRecord } from './preprocessor/header-cache';

export type { IncludeRecord } from './preprocessor/header-cache';

export { HeaderCache } from './preprocessor/header-cache';

export type { MacroDefinition } from './preprocessor/macros';
export type { MappedPosition, SourceMapper } from './preprocessor/source-map';

export interface PreprocessOptions {
  /** Directories searched for `#include <x>` (and after the includer's directory for `#include "x"`). */
  includePaths: string[];
  host: FileHost;
  /** Like `-D`: `{ NAME: 'value' }`, or `{ 'F(a,b)': 'a+b' }` for a function-like macro. */
  defines?: Record<string, string>;
  /** Default 200, as cpp. */
  maxIncludeDepth?: number;
  /**
   * Macros already defined (e.g. the final table of the file that `/include/`s this one); the
   * table is copied, never modified. Default: cpp's predefined macros.
   */
  macros?: ReadonlyMap<string, MacroDefinition>;
  /** Recorded inclusions of headers, replayed where they would give the same (see header-cache.ts). */
  headers?: HeaderCache;
  /**
   * The DTS scanner applies the text's simple line markers itself (see needsPreprocessing): a text
   * whose only directives are such markers is passed through with them in place.
   */
  markersToScanner?: boolean;
}

export interface PreprocessResult {
  text: string;
  map: SourceMapper;
  diagnostics: Diagnostic[];
  /** Every file read, entry first (dependency tracking for the editor). */
  files: string[];
  /** Final macro table, with definition ranges (hover); the predefined macros have none. */
  macros: Map<string, MacroDefinition>;
  /** Macro uses in original files (the macro name's range). */
  macroExpansions: { name: string; range: SourceRange }[];
  /** `#include` directives and the files they resolved to (go to definition). */
  includes: IncludeRecord[];
}

const DEFAULT_MAX_INCLUDE_DEPTH = 200;

/** Directive names cpp knows; any other `#name` line is DTS text and passes through. */
/** By character code below 128: IDENT_START for a letter, '_' or '$', 1 for a digit, else 0. */
const IDENT_START = 2;
const IDENT_CHAR_CODES = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const c = String.fromCharCode(code);
  IDENT_CHAR_CODES[code] = isIdentStart(c) ? IDENT_START : isIdentChar(c) ? 1 : 0;
}

/** cpp's directive names (any other `#name` line is DTS text: `#address-cells = <1>;`). */
export const CPP_DIRECTIVES: ReadonlySet<string> = new Set([
  'define',
  'undef',
  'include',
  'include_next',
  'if',
  'ifdef',
  'ifndef',
  'elif',
  'elifdef',
  'elifndef',
  'else',
  'endif',
  'line',
  'error',
  'warning',
  'pragma',
  'ident',
  'sccs',
]);
const CONDITIONALS = new Set(['if', 'ifdef', 'ifndef', 'elif', 'elifdef', 'elifndef', 'else', 'endif']);

export function preprocess(file: string, text: string, options: PreprocessOptions): PreprocessResult {
  const pp = new Preprocessor(options);
  if (!pp.hasMacros() && !needsPreprocessing(text, options.markersToScanner)) return pp.passThrough(file, text);
  try {
    return pp.run(file, text);
  } catch (e) {
    // A bug here must not take the editor down: report it and hand on the text unprocessed.
    const fallback = new Preprocessor({ ...options, defines: {}, macros: new Map() }).passThrough(file, text);
    fallback.diagnostics.push({
      severity: 'error',
      message: `internal error in the preprocessor (the file is used unpreprocessed): ${e instanceof Error ? e.message : String(e)}`,
      range: { file, start: { line: 0, col: 0 }, end: { line: 0, col: 0 } },
    });
    return fallback;
  }
}

/** The file a line marker or `#line` names, `decoded` from its string: cpp reads a relative name from the marker's file's folder. */
export function markerFileName(fromFile: string, decoded: string): string {
  return decoded.startsWith('<') || isAbsolute(decoded) ? decoded : resolve(dirname(fromFile), decoded);
}

/**
 * True when the text has a line that may be a directive or line marker, or a backslash-newline.
 * Without them (and without macros) the output is the input: the per-keystroke fast path.
 * `simpleMarkersPass`: line markers of the plain form cpp writes (`# 12 "name" 1 3` at a line's
 * start, no escapes) do not count: the DTS scanner applies them as cpp would when given
 * markerFileName (cpp output, such as a vendor tree dumped with `cpp -E`, then skips the preprocessor).
 */
export function needsPreprocessing(text: string, simpleMarkersPass = false): boolean {
  if (text.includes('\\\n') || text.includes('\\\r\n')) return true;
  if (mentionsPredefinedMacro(text)) return true;
  for (let i = text.indexOf('#'); i >= 0; i = text.indexOf('#', i + 1)) {
    let b = i - 1;
    while (b >= 0 && (text[b] === ' ' || text[b] === '\t')) b--;
    // After a comment the '#' may still begin the line (`/* x */ #define`): let the full path decide.
    if (b >= 1 && text[b] === '/' && text[b - 1] === '*') return true;
    if (b >= 0 && text[b] !== '\n') continue;
    let p = i + 1;
    while (text[p] === ' ' || text[p] === '\t') p++;
    const c = text[p];
    // '/': a comment may hide the directive name (`# /* x */ define`); let the full path decide.
    if (c >= '0' && c <= '9' && simpleMarkersPass && i === b + 1 && p > i + 1 && isSimpleLineMarker(text, p)) continue;
    if (c === undefined || c === '\n' || c === '\r' || c === '/' || (c >= '0' && c <= '9')) return true;
    let e = p;
    while (e < text.length && isIdentChar(text[e])) e++;
    if (CPP_DIRECTIVES.has(text.slice(p, e))) return true;
  }
  return false;
}

/** `12 "name" 1 3` from `p` to the end of a line that is not the last: a line number of at most 9 digits, a name without escapes, flags. */
function isSimpleLineMarker(text: string, p: number): boolean {
  let j = p;
  while (j < text.length && text[j] >= '0' && text[j] <= '9') j++;
  if (j - p > 9 || text[j] !== ' ') return false;
  while (text[j] === ' ') j++;
  if (text[j] !== '"') return false;
  const close = text.indexOf('"', j + 1);
  if (close < 0) return false;
  for (let k = j + 1; k < close; k++) {
    const c = text[k];
    if (c === '\\' || c === '\n' || c === '\r' || c === '\0') return false;
  }
  j = close + 1;
  while (text[j] === ' ') {
    while (text[j] === ' ') j++;
    while (text[j] >= '0' && text[j] <= '9') j++;
  }
  // At the very end the preprocessor's map places the end of input on the marker's own file.
  return text[j] === '\n' && j + 1 < text.length;
}

interface Conditional {
  /** The opening #if/#ifdef/#ifndef directive. */
  range: SourceRange;
  directive: string;
  /** Tokens of this group are dropped. */
  skipping: boolean;
  /** Some group of this chain was taken (or the whole chain sits inside a skipped group). */
  done: boolean;
  sawElse: boolean;
}

interface FileFrame {
  path: string;
  /** The path as cpp spells it (`__FILE__`): as given for the main file, else the include directory's spelling joined to the name as written. */
  spelling: string;
  lexer: Lexer;
  lines: LineTable;
  depth: number;
  /** Index in includePaths where this file was found (for #include_next), -1 otherwise. */
  foundIn: number;
  conditionals: Conditional[];
}

/** FileSource returns an empty token of this kind to stop a '(' search at a directive line. */
const BARRIER_KIND = 'placemarker';

class Preprocessor implements ExpansionHooks {
  private readonly out = new OutputBuilder();
  private readonly macros: MacroTable;
  private readonly diagnostics: Diagnostic[] = [];
  private readonly files: string[] = [];
  private readonly fileTexts = new Map<string, string | undefined>();
  private readonly macroExpansions: { name: string; range: SourceRange }[] = [];
  private readonly includes: IncludeRecord[] = [];
  private readonly maxDepth: number;
  /** Set once the include depth limit is hit; see include(). */
  private includesStopped = false;
  readonly limits = new ExpansionLimits();
  /** The last token written, to decide whether a separating space is needed. */
  private lastWritten: PPToken | undefined;
  /** Set while reading the command-line definitions, whose output is dropped. */
  private discarding = false;
  /** The files being read, innermost last (`__INCLUDE_LEVEL__`, `__TIMESTAMP__`). */
  private readonly frames: FileFrame[] = [];
  /** The main file as given (`__BASE_FILE__`). */
  private baseFile = '';
  private counter = 0;
  /** `__DATE__` and `__TIME__`, read from the clock once per run, at first use (as cpp). */
  private dateAndTime?: { date: string; time: string };
  private readonly timestamps = new Map<string, string>();
  /** Every readText answer, in order, and every file included: what a recorded inclusion read and included. */
  private readonly readLog: [string, string | undefined][] = [];
  private readonly includeLog: string[] = [];

  constructor(private readonly options: PreprocessOptions) {
    this.macros = MacroTable.of(options.macros ?? PREDEFINED_MACROS);
    this.maxDepth = options.maxIncludeDepth ?? DEFAULT_MAX_INCLUDE_DEPTH;
  }

  hasMacros(): boolean {
    return hasUserMacros(this.macros) || Object.keys(this.options.defines ?? {}).length > 0;
  }

  passThrough(file: string, text: string): PreprocessResult {
    const ctx = new LocationContext(new LineTable(text), file, 0);
    this.out.verbatim(text, ctx, 0);
    this.files.push(file);
    return this.result(ctx);
  }

  run(file: string, text: string): PreprocessResult {
    const defines = Object.entries(this.options.defines ?? {});
    if (defines.length > 0) {
      // Command-line definitions go through the #define code on a pseudo file, output discarded.
      const oneLine = (x: string): string => x.replace(/[\r\n]+/g, ' ');
      const cmd = defines.map(([k, v]) => `#define ${oneLine(k)} ${oneLine(v)}\n`).join('');
      this.processText('<command-line>', '<command-line>', cmd, 0, -1, true);
    }
    this.files.push(file);
    this.fileTexts.set(file, text);
    this.baseFile = file;
    const ctx = this.processText(file, file, text, 0, -1, false);
    return this.result(ctx);
  }

  private result(ctx: LocationContext): PreprocessResult {
    const { text, map } = this.out.finish(ctx);
    return {
      text,
      map,
      diagnostics: this.diagnostics,
      files: this.files,
      macros: this.macros,
      macroExpansions: this.macroExpansions,
      includes: this.includes,
    };
  }

  // ExpansionHooks
  onExpansion(name: string, at: PPToken): void {
    this.macroExpansions.push({ name, range: rangeOf(at) });
  }
  diagnostic(d: Diagnostic): void {
    this.diagnostics.push(d);
  }
  dynamicValue(name: string, at: PPToken): { kind: 'number' | 'string'; text: string } {
    // Its value depends on more than the header's text and macros: not a recording to replay.
    for (const r of this.macros.recorders) r.cacheable = false;
    const frame = this.frames[this.frames.length - 1];
    switch (name) {
      case '__FILE__':
        return { kind: 'string', text: quoteFileName(at.ctx.presumed.name) };
      case '__FILE_NAME__':
        return { kind: 'string', text: quoteFileName(baseName(at.ctx.presumed.name)) };
      case '__BASE_FILE__':
        return { kind: 'string', text: quoteFileName(this.baseFile) };
      case '__LINE__':
        return { kind: 'number', text: String(at.ctx.presumedLine(at.start)) };
      case '__INCLUDE_LEVEL__':
        return { kind: 'number', text: String(frame?.depth ?? 0) };
      case '__COUNTER__':
        return { kind: 'number', text: String(this.counter++) };
      case '__DATE__':
        return { kind: 'string', text: this.buildDateAndTime(at).date };
      case '__TIME__':
        return { kind: 'string', text: this.buildDateAndTime(at).time };
      default:
        return { kind: 'string', text: this.timestamp(frame?.path ?? this.baseFile, at) }; // __TIMESTAMP__
    }
  }

  /** The clock's date and time, or SOURCE_DATE_EPOCH's in UTC when it is set (as gcc). */
  private buildDateAndTime(at: PPToken): { date: string; time: string } {
    if (this.dateAndTime) return this.dateAndTime;
    const clock = this.options.host.buildClock;
    const epoch = clock?.sourceDateEpoch();
    let fixed: number | undefined;
    if (epoch !== undefined) {
      const v = parseSourceDateEpoch(epoch);
      if (v === 'invalid') this.diagnostic({ severity: 'error', message: SOURCE_DATE_EPOCH_ERROR, range: rangeOf(at) });
      else fixed = v;
    }
    if (fixed !== undefined) {
      const t = brokenDown(fixed, 0);
      this.dateAndTime = { date: cppDate(t), time: cppTime(t) };
    } else if (clock) {
      const now = clock.now();
      const t = brokenDown(Math.floor(now / 1000), clock.utcOffsetMinutes(now));
      this.dateAndTime = { date: cppDate(t), time: cppTime(t) };
    } else {
      this.diagnostic({ severity: 'warning', message: 'could not determine date and time', range: rangeOf(at) });
      this.dateAndTime = { date: UNKNOWN_DATE, time: UNKNOWN_TIME };
    }
    return this.dateAndTime;
  }

  /**
   * `__TIMESTAMP__` of the file being read: its modification time in local time. gcc does not
   * apply SOURCE_DATE_EPOCH to it. Without a clock the time zone is UTC.
   */
  private timestamp(path: string, at: PPToken): string {
    let text = this.timestamps.get(path);
    if (text !== undefined) return text;
    const ms = this.options.host.modifiedTime?.(path);
    if (ms === undefined) {
      this.diagnostic({ severity: 'warning', message: 'could not determine file timestamp', range: rangeOf(at) });
      text = UNKNOWN_TIMESTAMP;
    } else {
      text = cppTimestamp(brokenDown(Math.floor(ms / 1000), this.options.host.buildClock?.utcOffsetMinutes(ms) ?? 0));
    }
    this.timestamps.set(path, text);
    return text;
  }

  /** Preprocess one file's text into the output; returns its initial location context. */
  private processText(path: string, spelling: string, text: string, depth: number, foundIn: number, discard: boolean): LocationContext {
    for (const r of this.macros.recorders) if (depth > r.maxDepth) r.maxDepth = depth;
    const lines = new LineTable(text);
    const ctx = new LocationContext(lines, path, 0, { name: spelling, lineDelta: 0 });
    const frame: FileFrame = { path, spelling, lexer: new Lexer(text, ctx), lines, depth, foundIn, conditionals: [] };
    const source = new FileSource(this, frame);
    const expander = new Expander(this.macros, source, this);
    const outerDiscarding = this.discarding;
    this.discarding = discard;
    this.frames.push(frame);
    for (let t = expander.next(); t.kind !== 'eof'; t = expander.next()) this.write(t);
    this.frames.pop();
    this.discarding = outerDiscarding;
    for (const c of frame.conditionals) {
      this.diagnostic({ severity: 'error', message: `unterminated #${c.directive}`, range: c.range });
    }
    return ctx;
  }

  get macroTable(): ReadonlyMap<string, MacroDefinition> {
    return this.macros;
  }

  /** Append source text [start, end) of `ctx` verbatim: a run of plain lines. */
  writePlain(ctx: LocationContext, start: number, end: number): void {
    if (end <= start) return;
    this.write({ kind: 'other', text: ctx.lines.text.slice(start, end), ctx, start, end, fromSource: true, spliced: false, spaceBefore: false });
  }

  /** Append one token to the output, with a space where the source had one or pasting would occur. */
  write(t: PPToken): void {
    if (t.kind === BARRIER_KIND || t.text.length === 0 || this.discarding) return;
    const last = this.lastWritten;
    const adjacent = last !== undefined && last.fromSource && t.fromSource && last.ctx.lines === t.ctx.lines && last.end === t.start;
    if (!adjacent && this.out.offset > 0) {
      const lc = this.out.lastChar;
      const lastIsSpace = lc === ' ' || lc === '\t' || lc === '\n';
      if (!lastIsSpace && (t.spaceBefore || wouldPaste(lc, t.text[0]))) this.out.synthetic(' ', t.ctx, t.start);
    }
    if (!t.fromSource) this.out.synthetic(t.text, t.ctx, t.start);
    else if (!t.spliced) this.out.verbatim(t.text, t.ctx, t.start);
    else {
      // Copy the pieces between splices, each mapped to its own place.
      const src = t.ctx.lines.text;
      let from = t.start;
      for (let i = src.indexOf('\\', from); i >= 0 && i < t.end; i = src.indexOf('\\', i + 1)) {
        const len = src[i + 1] === '\n' ? 2 : src[i + 1] === '\r' && src[i + 2] === '\n' ? 3 : 0;
        if (len === 0) continue;
        this.out.verbatim(src.slice(from, i), t.ctx, from);
        from = i + len;
        i += len - 1;
      }
      this.out.verbatim(src.slice(from, t.end), t.ctx, from);
    }
    this.lastWritten = t;
  }

  // ---- directives ----------------------------------------------------------------------------

  /**
   * Run the directive whose tokens (after '#', whitespace removed, newline excluded) are `toks`.
   * `hash` is the '#' token; `nl` the line's newline token (absent at end of file).
   */
  directive(frame: FileFrame, hash: PPToken, toks: PPToken[], rest: PPToken[]): void {
    const name = toks[0];
    const args = toks.slice(1);
    const range = rangeOf(hash, toks[toks.length - 1] ?? hash);
    const skipping = isSkipping(frame);
    if (name === undefined) return; // the null directive
    if (name.kind === 'number') {
      if (!skipping) this.lineMarker(frame, toks, range, false);
      return;
    }
    const d = name.text;
    if (CONDITIONALS.has(d)) {
      this.conditional(frame, d, name, args, range);
      return;
    }
    if (skipping) return;
    switch (d) {
      case 'define':
        this.define(args, rest, range);
        return;
      case 'undef': {
        const m = args[0];
        if (m === undefined || m.kind !== 'ident') {
          this.diagnostic({ severity: 'error', message: 'macro names must be identifiers', range: rangeOf(m ?? name) });
          return;
        }
        if (args.length > 1)
          this.diagnostic({ severity: 'warning', message: 'extra tokens at end of #undef directive', range: rangeOf(args[1], args[args.length - 1]) });
        const current = this.macros.get(m.text);
        if (current !== undefined && warnsOnRedefinition(m.text, current))
          this.diagnostic({ severity: 'warning', message: `undefining "${m.text}"`, range: rangeOf(m) });
        this.macros.delete(m.text);
        return;
      }
      case 'include':
      case 'include_next':
        this.include(frame, d === 'include_next', name, args, range);
        return;
      case 'line':
        this.lineMarker(frame, args, range, true);
        return;
      case 'error':
      case 'warning': {
        const text = spell(rest.slice(rest.indexOf(name) + 1)).trim();
        this.diagnostic({ severity: d, message: `#${d} ${text}`.trimEnd(), range });
        return;
      }
      default:
        return; // #pragma, #ident, #sccs: nothing for a device tree
    }
  }

  private conditional(frame: FileFrame, d: string, name: PPToken, args: PPToken[], range: SourceRange): void {
    const stack = frame.conditionals;
    const top = stack[stack.length - 1];
    const outerSkipping = isSkipping(frame);
    const definedTest = (negate: boolean): boolean => {
      const m = args[0];
      if (m === undefined || m.kind !== 'ident') {
        this.diagnostic({ severity: 'error', message: `no macro name given in #${d} directive`, range: rangeOf(m ?? name) });
        return false;
      }
      if (args.length > 1)
        this.diagnostic({ severity: 'warning', message: `extra tokens at end of #${d} directive`, range: rangeOf(args[1], args[args.length - 1]) });
      return this.macros.has(m.text) !== negate;
    };
    const test = (): boolean =>
      d === 'if' || d === 'elif' ? evaluateCondition(args, name, this.macros, this) : definedTest(d === 'ifndef' || d === 'elifndef');
    switch (d) {
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        if (outerSkipping) {
          stack.push({ range, directive: d, skipping: true, done: true, sawElse: false });
          return;
        }
        const v = test();
        stack.push({ range, directive: d, skipping: !v, done: v, sawElse: false });
        return;
      }
      case 'elif':
      case 'elifdef':
      case 'elifndef':
        if (top === undefined) {
          this.diagnostic({ severity: 'error', message: `#${d} without #if`, range });
          return;
        }
        if (top.sawElse) this.diagnostic({ severity: 'error', message: `#${d} after #else`, range });
        if (top.done) {
          top.skipping = true;
          return;
        }
        top.skipping = !test();
        top.done = !top.skipping;
        return;
      case 'else':
        if (top === undefined) {
          this.diagnostic({ severity: 'error', message: '#else without #if', range });
          return;
        }
        if (top.sawElse) this.diagnostic({ severity: 'error', message: '#else after #else', range });
        top.sawElse = true;
        top.skipping = top.done;
        top.done = true;
        return;
      case 'endif':
        if (top === undefined) {
          this.diagnostic({ severity: 'error', message: '#endif without #if', range });
          return;
        }
        stack.pop();
        return;
    }
  }

  private define(args: PPToken[], rest: PPToken[], range: SourceRange): void {
    const nameTok = args[0];
    if (nameTok === undefined) {
      this.diagnostic({ severity: 'error', message: 'no macro name given in #define directive', range });
      return;
    }
    if (nameTok.kind !== 'ident') {
      this.diagnostic({ severity: 'error', message: 'macro names must be identifiers', range: rangeOf(nameTok) });
      return;
    }
    if (nameTok.text === 'defined') {
      this.diagnostic({ severity: 'error', message: '"defined" cannot be used as a macro name', range: rangeOf(nameTok) });
      return;
    }
    // `rest` still has whitespace: a '(' right after the name makes a function-like macro.
    let i = rest.indexOf(nameTok) + 1;
    let params: string[] | undefined;
    let variadic = false;
    if (rest[i]?.kind === 'punct' && rest[i].text === '(') {
      const list = this.parameterList(rest, i + 1, nameTok);
      if (list === undefined) return;
      ({ params, variadic, end: i } = list);
    }
    const bodyToks = rest.slice(i).filter((t) => t.kind !== 'nl');
    const body = spell(bodyToks).trim();
    const def: MacroDefinition = { name: nameTok.text, body, range, nameRange: rangeOf(nameTok) };
    if (params !== undefined) {
      def.params = params;
      if (variadic) def.variadic = true;
    }
    const toks = bodyTokens(def);
    if (
      toks.length > 0 &&
      ((toks[0].kind === 'punct' && toks[0].text === '##') || (toks[toks.length - 1].kind === 'punct' && toks[toks.length - 1].text === '##'))
    ) {
      this.diagnostic({ severity: 'error', message: "'##' cannot appear at either end of a macro expansion", range });
      return;
    }
    // A '#' not followed by a parameter stays a plain '#': cpp allows it for assembler sources.
    const previous = this.macros.get(def.name);
    if (previous !== undefined && (!sameDefinition(previous, def) || warnsOnRedefinition(def.name, previous))) {
      this.diagnostic({
        severity: 'warning',
        message: `"${def.name}" redefined`,
        range: def.nameRange,
        related: previous.range ? [{ message: 'this is the location of the previous definition', range: previous.range }] : undefined,
      });
    }
    this.macros.set(def.name, def);
  }

  /**
   * A function-like macro's parameters, from `rest[i]` (just after its '(') to the ')'; `end` is the
   * index after the ')'. Undefined, with a diagnostic, when the list is malformed.
   */
  private parameterList(rest: PPToken[], i: number, nameTok: PPToken): { params: string[]; variadic: boolean; end: number } | undefined {
    const params: string[] = [];
    let variadic = false;
    const skipWs = (): void => {
      while (rest[i] !== undefined && (rest[i].kind === 'ws' || rest[i].kind === 'comment')) i++;
    };
    skipWs();
    if (rest[i]?.kind === 'punct' && rest[i].text === ')') return { params, variadic, end: i + 1 };
    for (;;) {
      skipWs();
      const p = rest[i];
      if (p?.kind === 'punct' && p.text === '...') {
        variadic = true;
        params.push('__VA_ARGS__');
        i++;
      } else if (p?.kind === 'ident') {
        if (params.includes(p.text)) {
          this.diagnostic({ severity: 'error', message: `duplicate macro parameter "${p.text}"`, range: rangeOf(p) });
          return undefined;
        }
        params.push(p.text);
        i++;
        skipWs();
        if (rest[i]?.kind === 'punct' && rest[i].text === '...') {
          variadic = true;
          i++;
        }
      } else break;
      skipWs();
      const sep = rest[i];
      if (sep?.kind === 'punct' && sep.text === ')') return { params, variadic, end: i + 1 };
      if (variadic || sep?.kind !== 'punct' || sep.text !== ',') break;
      i++;
    }
    const bad = rest[i];
    this.diagnostic({
      severity: 'error',
      message: bad === undefined || bad.kind === 'nl' ? "missing ')' in macro parameter list" : `expected parameter name, found "${bad.text}"`,
      range: rangeOf(bad !== undefined && bad.kind !== 'nl' ? bad : nameTok),
    });
    return undefined;
  }

  private include(frame: FileFrame, next: boolean, name: PPToken, args: PPToken[], range: SourceRange): void {
    const header = this.headerName(args);
    if (header === undefined) {
      this.diagnostic({ severity: 'error', message: `#${name.text} expects "FILENAME" or <FILENAME>`, range });
      return;
    }
    const record: IncludeRecord = { range, nameRange: header.range };
    this.includes.push(record);
    const paths = this.options.includePaths.map((p) => normalize(p));
    // `spelling` joins the directory as cpp spells it to the name as written (no normalising).
    const candidates: { path: string; spelling: string; index: number }[] = [];
    if (isAbsolute(header.name)) candidates.push({ path: normalize(header.name), spelling: header.name, index: -1 });
    else {
      const startAt = next && frame.foundIn >= 0 ? frame.foundIn + 1 : 0;
      if (header.quoted && !(next && frame.foundIn >= 0)) {
        const dir = frame.spelling.slice(0, frame.spelling.lastIndexOf('/') + 1);
        candidates.push({ path: resolve(dirname(frame.path), header.name), spelling: dir + header.name, index: -1 });
      }
      for (let k = startAt; k < paths.length; k++) {
        const dir = this.options.includePaths[k];
        candidates.push({ path: resolve(paths[k], header.name), spelling: `${dir}${dir.endsWith('/') ? '' : '/'}${header.name}`, index: k });
      }
    }
    const found = candidates.find((c) => this.readText(c.path) !== undefined);
    if (found === undefined) {
      const searched = candidates.map((c) => dirname(c.path)).join(', ');
      this.diagnostic({
        severity: 'error',
        message: `${header.name}: No such file or directory (searched: ${searched || 'no include paths'})`,
        range: header.range,
      });
      return;
    }
    record.target = found.path;
    // After the first, no #include is followed: cpp goes on (a file that includes itself twice then
    // grows as 2^depth); we stop including, as dtc does for /include/.
    if (this.includesStopped) return;
    if (frame.depth + 1 >= this.maxDepth) {
      this.diagnostic({ severity: 'error', message: `#include nested depth ${frame.depth + 1} exceeds maximum of ${this.maxDepth}`, range });
      this.includesStopped = true;
      return;
    }
    if (!this.files.includes(found.path)) this.files.push(found.path);
    this.includeLog.push(found.path);
    const text = this.readText(found.path)!;
    const cache = this.options.headers;
    if (cache === undefined || this.discarding) {
      this.processText(found.path, found.spelling, text, frame.depth + 1, found.index, false);
      return;
    }
    const key = HeaderCache.key(found.path, found.spelling, found.index, this.options.includePaths, this.maxDepth);
    for (const entry of cache.candidates(key)) {
      if (this.replayHeader(entry, text, frame.depth + 1)) {
        cache.hits++;
        return;
      }
    }
    this.recordHeader(cache, key, found, text, frame.depth + 1);
  }

  /** Process an included header and record it for the cache, when nothing made it unrepeatable. */
  private recordHeader(cache: HeaderCache, key: string, found: { path: string; spelling: string; index: number }, text: string, depth: number): void {
    const before = this.out.offset === 0 ? '' : this.out.lastChar;
    const out = this.out.mark();
    const at = {
      diagnostics: this.diagnostics.length,
      expansions: this.macroExpansions.length,
      includes: this.includes.length,
      reads: this.readLog.length,
      included: this.includeLog.length,
      tokensLeft: this.limits.tokensLeft,
    };
    const lastWritten = this.lastWritten;
    const stoppedBefore = this.includesStopped || this.limits.exhausted;
    const rec = new HeaderRecording(depth);
    this.macros.recorders.push(rec);
    try {
      this.processText(found.path, found.spelling, text, depth, found.index, false);
    } finally {
      this.macros.recorders.pop();
    }
    if (!rec.cacheable || stoppedBefore || this.includesStopped || this.limits.exhausted) return;
    const written = this.out.since(out);
    const entry: HeaderEntry = {
      source: text,
      before,
      deps: [...rec.deps],
      touched: rec.touched,
      ops: rec.ops,
      reads: this.readLog.slice(at.reads),
      text: written.text,
      segments: written.segments,
      lastChar: this.out.lastChar,
      lastWritten: written.text.length > 0 ? this.lastWritten : lastWritten === this.lastWritten ? undefined : this.lastWritten,
      diagnostics: this.diagnostics.slice(at.diagnostics),
      macroExpansions: this.macroExpansions.slice(at.expansions),
      includes: this.includes.slice(at.includes),
      includedFiles: this.includeLog.slice(at.included),
      tokensUsed: at.tokensLeft - this.limits.tokensLeft,
      depthBelow: rec.maxDepth - depth,
    };
    cache.add(key, entry);
  }

  /** Replay a recorded inclusion if it gives what processing the header here would; false (and nothing done) otherwise. */
  private replayHeader(entry: HeaderEntry, text: string, depth: number): boolean {
    if (entry.source !== text || entry.before !== (this.out.offset === 0 ? '' : this.out.lastChar)) return false;
    if (this.includesStopped || this.limits.exhausted || this.limits.tokensLeft < entry.tokensUsed) return false;
    if (depth + entry.depthBelow >= this.maxDepth) return false;
    for (const [name, def] of entry.deps) if (!sameForHeader(this.macros.get(name), def, entry.touched.has(name))) return false;
    for (const [path, read] of entry.reads) if (this.readText(path) !== read) return false;
    this.out.replay(entry.text, entry.segments, entry.lastChar);
    if (entry.lastWritten !== undefined) this.lastWritten = entry.lastWritten;
    for (const [name, def] of entry.ops) {
      if (def === undefined) this.macros.delete(name);
      else this.macros.set(name, def);
    }
    pushAll(this.diagnostics, entry.diagnostics);
    pushAll(this.macroExpansions, entry.macroExpansions);
    pushAll(this.includes, entry.includes);
    for (const f of entry.includedFiles) {
      if (!this.files.includes(f)) this.files.push(f);
      this.includeLog.push(f);
    }
    this.limits.tokensLeft -= entry.tokensUsed;
    for (const r of this.macros.recorders) r.maxDepth = Math.max(r.maxDepth, depth + entry.depthBelow);
    return true;
  }

  private readText(path: string): string | undefined {
    let text: string | undefined;
    if (this.fileTexts.has(path)) text = this.fileTexts.get(path);
    else {
      const bytes = this.options.host.readFile(path);
      text = bytes === undefined ? undefined : decodeUtf8(bytes);
      this.fileTexts.set(path, text);
    }
    this.readLog.push([path, text]);
    return text;
  }

  /** The file named by an #include: "x", <x>, or macros expanding to either. */
  private headerName(args: PPToken[]): { name: string; quoted: boolean; range: SourceRange } | undefined {
    const direct = headerFromTokens(args);
    if (direct !== undefined) return direct;
    if (args.length === 0) return undefined;
    const eof: PPToken = { ...args[args.length - 1], kind: 'eof', text: '' };
    const ex = new Expander(this.macros, new ArraySource(args, eof), this);
    const expanded: PPToken[] = [];
    for (let t = ex.next(); t.kind !== 'eof'; t = ex.next()) expanded.push(t);
    return headerFromTokens(expanded);
  }

  /**
   * `# N "file" flags` and `#line N "file"`: position of the following line, as dtc reads it; a
   * `#line` also moves cpp's own `__FILE__` and `__LINE__`.
   */
  private lineMarker(frame: FileFrame, toks: PPToken[], range: SourceRange, isLineDirective: boolean): void {
    const num = toks[0];
    if (num === undefined || num.kind !== 'number' || !/^[0-9]+$/.test(num.text)) {
      this.diagnostic({ severity: 'error', message: `"${num?.text ?? ''}" after #line is not a positive integer`, range: num ? rangeOf(num) : range });
      return;
    }
    const lexer = frame.lexer;
    let name = lexer.ctx.name;
    let presumedName = lexer.ctx.presumed.name;
    const str = toks[1];
    if (str !== undefined) {
      if (str.kind !== 'string' || str.text.length < 2 || !str.text.endsWith('"')) {
        this.diagnostic({ severity: 'error', message: `invalid filename "${str.text}" in line directive`, range: rangeOf(str) });
        return;
      }
      const decoded = unescapeCString(str.text.slice(1, -1));
      if (decoded.includes('\0')) {
        // dtc's own message for this input.
        this.diagnostic({ severity: 'error', message: 'nul in line number directive', range: rangeOf(str) });
      } else {
        name = markerFileName(frame.path, decoded);
        presumedName = decoded;
      }
    }
    // The marker numbers the line after it (1-based); `pos` is where that line starts.
    const nextLine = frame.lines.lineOf(lexer.pos) + (lexer.pos === 0 || frame.lines.text[lexer.pos - 1] === '\n' ? 0 : 1);
    const delta = Number(BigInt(num.text) > 0x7fffffffn ? 0x7fffffffn : BigInt(num.text)) - 1 - nextLine;
    const presumed = isLineDirective ? { name: presumedName, lineDelta: delta } : lexer.ctx.presumed;
    lexer.ctx = new LocationContext(frame.lines, name, delta, presumed);
  }
}

function isSkipping(frame: FileFrame): boolean {
  const c = frame.conditionals;
  return c.length > 0 && c[c.length - 1].skipping;
}

function headerFromTokens(toks: PPToken[]): { name: string; quoted: boolean; range: SourceRange } | undefined {
  const first = toks[0];
  if (first === undefined) return undefined;
  if (first.kind === 'string' && first.text.length >= 2 && first.text.endsWith('"')) {
    return { name: first.text.slice(1, -1), quoted: true, range: rangeOf(first) };
  }
  if (first.kind === 'punct' && first.text === '<') {
    let name = '';
    for (let k = 1; k < toks.length; k++) {
      const t = toks[k];
      if (t.kind === 'punct' && t.text.startsWith('>')) {
        return name.length > 0 ? { name, quoted: false, range: rangeOf(first, t) } : undefined;
      }
      name += (t.spaceBefore && k > 1 ? ' ' : '') + t.text;
    }
  }
  return undefined;
}

/** Spelling of tokens with whitespace, newlines and comments folded to single spaces. */
function spell(toks: PPToken[]): string {
  let s = '';
  let space = false;
  for (const t of toks) {
    if (t.kind === 'ws' || t.kind === 'nl' || t.kind === 'comment') {
      space = true;
      continue;
    }
    if (space && s.length > 0) s += ' ';
    space = false;
    s += t.text;
  }
  return s;
}

/** C escape sequences in a line marker's file name (as dtc decodes them). */
function unescapeCString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const e = s[++i];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'", '?': '?' };
    if (e in simple) out += simple[e];
    else if (e >= '0' && e <= '7') {
      let j = i,
        v = 0;
      while (j < s.length && j < i + 3 && s[j] >= '0' && s[j] <= '7') v = v * 8 + (s.charCodeAt(j++) - 48);
      out += String.fromCharCode(v & 0xff);
      i = j - 1;
    } else if (e === 'x') {
      let j = i + 1,
        v = 0;
      while (j < s.length && /[0-9a-fA-F]/.test(s[j])) v = v * 16 + parseInt(s[j++], 16);
      out += String.fromCharCode(v & 0xff);
      i = j - 1;
    } else out += e;
  }
  return out;
}

/** Two characters that, written side by side, would lex as one token (or start a comment). */
function wouldPaste(a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  if ((isIdentChar(a) || a === '.') && (isIdentChar(b) || (a === '.' && b === '.'))) return true;
  return PASTING_PAIRS.has(a + b);
}
const PASTING_PAIRS = new Set([
  '##',
  '<<',
  '>>',
  '<=',
  '>=',
  '==',
  '!=',
  '&&',
  '||',
  '->',
  '++',
  '--',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '//',
  '/*',
  '..',
]);

/**
 * Feeds the expander with one file's text tokens. Directives are recognised at the start of a line
 * (first non-blank character '#') and run here; skipped groups produce no tokens.
 */
class FileSource implements TokenSource {
  lookingForParen = false;
  atTopLevel = false;
  private atLineStart = true;
  private readonly queue: PPToken[] = [];
  private queueHead = 0;

  constructor(
    private readonly pp: Preprocessor,
    private readonly frame: FileFrame,
  ) {}

  private lex(): PPToken {
    return this.frame.lexer.next();
  }

  next(): PPToken {
    for (;;) {
      if (this.queueHead < this.queue.length) {
        const t = this.queue[this.queueHead++];
        if (this.queueHead === this.queue.length) {
          this.queue.length = 0;
          this.queueHead = 0;
        }
        return t;
      }
      if (!this.atLineStart) {
        const t = this.lex();
        if (t.kind === 'nl') this.atLineStart = true;
        return t;
      }
      const lexer = this.frame.lexer;
      const lineStart = lexer.pos;
      if (this.atTopLevel && this.copyPlainLine()) continue;
      let first = this.lex();
      const leading: PPToken[] = [];
      // Comments count as blanks: `/* x */ #define` is a directive (and so it is for cpp even
      // when the comment began on an earlier line).
      while (first.kind === 'ws' || first.kind === 'comment') {
        leading.push(first);
        first = this.lex();
      }
      if (first.kind === 'punct' && first.text === '#') {
        if (this.lookingForParen) {
          // A directive ends the search for a function-like macro's '(' (the macro is not invoked).
          lexer.pos = lineStart;
          return { ...first, kind: BARRIER_KIND, text: '', fromSource: false };
        }
        if (this.directiveLine(first, leading)) continue;
        // Not a directive: the line is DTS text; fall through with the queue filled.
        continue;
      }
      if (isSkipping(this.frame)) {
        // Skipped lines keep only their newline, so that output lines still match input lines.
        let t = first;
        while (t.kind !== 'nl' && t.kind !== 'eof') t = this.lex();
        return t;
      }
      this.atLineStart = first.kind === 'nl';
      if (leading.length === 0) return first;
      pushAll(this.queue, leading.slice(1)).push(first);
      return leading[0];
    }
  }

  /**
   * Most lines of a tree use no macro: copy such a line to the output in one piece without making
   * tokens. Only lines that cannot change lexer state qualify (no block comment opener, no
   * trailing backslash); any identifier-like run that names a macro sends the line the long way.
   */
  private copyPlainLine(): boolean {
    const { lexer } = this.frame;
    const start = lexer.pos;
    if (isSkipping(this.frame)) return false;
    // Consecutive plain lines go out as one piece: one output chunk and one segment per run.
    let end = start;
    for (let next = this.plainLineEnd(end); next > 0; next = this.plainLineEnd(end)) {
      end = next;
      if (lexer.text[end - 1] !== '\n') break;
    }
    if (end === start) return false;
    this.pp.writePlain(lexer.ctx, start, end);
    lexer.pos = end;
    this.atLineStart = lexer.text[end - 1] === '\n';
    return true;
  }

  /** The end (after its newline) of the line at `start` if it is plain, else -1. */
  private plainLineEnd(start: number): number {
    const { lexer } = this.frame;
    const text = lexer.text;
    if (start >= lexer.end) return -1;
    let nl = text.indexOf('\n', start);
    if (nl < 0 || nl >= lexer.end) nl = lexer.end - 1;
    const end = nl + 1;
    // A splice can only end a line; a spliced line (even a `//` comment) joins the next one.
    const last = text[nl] === '\n' ? (text[nl - 1] === '\r' ? nl - 2 : nl - 1) : nl;
    if (last >= start && text[last] === '\\') return -1;
    const macros = this.pp.macroTable;
    let blankSoFar = true;
    for (let i = start; i < end; i++) {
      const code = text.charCodeAt(i);
      if (IDENT_CHAR_CODES[code] > 0) {
        // Words are most of a line: find their ends by code, and look up only those that can be names.
        const runStart = i;
        while (i + 1 < end && IDENT_CHAR_CODES[text.charCodeAt(i + 1)] > 0) i++;
        blankSoFar = false;
        if (IDENT_CHAR_CODES[code] === IDENT_START && macros.has(text.slice(runStart, i + 1))) return -1;
        continue;
      }
      const c = text[i];
      if (c === ' ' || c === '\t') continue;
      if (c === '#' && blankSoFar) return -1;
      if (c === '/' && text[i + 1] === '*') {
        // A comment closed on this line changes no state; its words are not macro uses.
        const close = text.indexOf('*/', i + 2);
        if (close < 0 || close + 2 > nl) return -1;
        i = close + 1;
        continue;
      }
      blankSoFar = false;
      if (c === '/' && text[i + 1] === '/') break;
      if (c === '"' || c === "'") {
        // Skip the literal so that `//` or `/*` inside it is not taken for a comment.
        let j = i + 1;
        while (j < nl && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
        if (j >= nl || text[j] !== c) return -1;
        i = j;
        blankSoFar = false;
        continue;
      }
    }
    return end;
  }

  /**
   * Handle the line that starts with `hash`. Returns true when it was a directive (consumed with
   * its newline); false when the line is text, with its tokens queued.
   */
  private directiveLine(hash: PPToken, leading: PPToken[]): boolean {
    const rest: PPToken[] = [];
    let t = this.lex();
    while (t.kind === 'ws' || (t.kind === 'comment' && !t.text.includes('\n'))) {
      rest.push(t);
      t = this.lex();
    }
    const isDirective = t.kind === 'nl' || t.kind === 'eof' || t.kind === 'number' || (t.kind === 'ident' && CPP_DIRECTIVES.has(t.text));
    if (!isDirective) {
      if (isSkipping(this.frame)) {
        while (t.kind !== 'nl' && t.kind !== 'eof') t = this.lex();
        this.queue.push(t);
        this.atLineStart = true;
        return true;
      }
      pushAll(this.queue, leading).push(hash);
      pushAll(this.queue, rest).push(t);
      this.atLineStart = t.kind === 'nl';
      return false;
    }
    while (t.kind !== 'nl' && t.kind !== 'eof') {
      rest.push(t);
      t = this.lex();
    }
    // An unterminated comment in text stays in the output for the DTS lexer to report; in a
    // directive it vanishes with the line, so it is reported here.
    const open = rest.find((r) => r.kind === 'comment' && r.unterminated);
    if (open !== undefined) this.pp.diagnostic({ severity: 'error', message: 'unterminated comment', range: rangeOf(open, { ...open, end: open.start + 2 }) });
    const toks = rest.filter((r) => r.kind !== 'ws' && r.kind !== 'comment');
    this.pp.directive(this.frame, hash, toks, rest);
    // Keep the line count: the directive's newline stays in the output.
    this.queue.push(t);
    this.atLineStart = true;
    return true;
  }
}
