// DTS scanner with dtc 1.6.1's lexer semantics (dtc-lexer.l): three start states that the tokens
// themselves switch (after `{` or `;` a node/property name is expected, after `[` hex bytes, after a
// name or `/dts-v1/` ordinary values), longest match between the rules active in a state, `/include/`
// resolved while scanning, and cpp line markers (`# N "file"`) at line starts. Hand-written over char
// codes, tokens kept as parallel typed arrays (no object or string per token): the language server
// re-lexes whole files per keystroke.

import type { Diagnostic, Position, SourceRange } from '../common/diagnostics';

export type TokenKind =
  | 'v1' // /dts-v1/
  | 'plugin' // /plugin/
  | 'memreserve'
  | 'bits'
  | 'delete-property'
  | 'delete-node'
  | 'omit-if-no-ref'
  | 'incbin'
  | 'label' // `name:`; text = name
  | 'literal' // integer literal; text = as written
  | 'char' // character literal; text = between the quotes
  | 'ref' // &label or &{/path}; text = label or path
  | 'byte' // two hex digits inside [ ]; text = the digits
  | 'name' // node or property name; text = without a leading backslash
  | 'string' // "..."; bytes = unescaped contents (no NUL added)
  | 'op' // punctuation and operators; text = the operator
  | 'eof';

// Token kind codes, as stored in TokenList.kinds (TOKEN_KINDS[code] is the kind's name).
const T_V1 = 0, T_PLUGIN = 1, T_MEMRESERVE = 2, T_BITS = 3, T_DELETE_PROPERTY = 4, T_DELETE_NODE = 5, T_OMIT_IF_NO_REF = 6;
const T_INCBIN = 7, T_LABEL = 8, T_LITERAL = 9, T_CHAR = 10, T_REF = 11, T_BYTE = 12, T_NAME = 13, T_STRING = 14, T_OP = 15, T_EOF = 16;
/** The kind codes for other modules (one object: under tsx every imported binding is a getter call). */
export const TOKEN = {
  V1: T_V1, PLUGIN: T_PLUGIN, MEMRESERVE: T_MEMRESERVE, BITS: T_BITS, DELETE_PROPERTY: T_DELETE_PROPERTY, DELETE_NODE: T_DELETE_NODE,
  OMIT_IF_NO_REF: T_OMIT_IF_NO_REF, INCBIN: T_INCBIN, LABEL: T_LABEL, LITERAL: T_LITERAL, CHAR: T_CHAR, REF: T_REF, BYTE: T_BYTE,
  NAME: T_NAME, STRING: T_STRING, OP: T_OP, EOF: T_EOF,
} as const;
const TOKEN_KINDS: readonly TokenKind[] = [
  'v1', 'plugin', 'memreserve', 'bits', 'delete-property', 'delete-node', 'omit-if-no-ref',
  'incbin', 'label', 'literal', 'char', 'ref', 'byte', 'name', 'string', 'op', 'eof',
];

/** A two-character operator's code in TokenList.aux (above every code point, so never a one-character op). */
const OP2 = 1 << 24;
/** The code an operator token carries in TokenList.aux: its character's code point, or OP2-based for two characters. */
export function opCode(op: string): number {
  return op.length === 2 && op.charCodeAt(0) < 128 ? OP2 | (op.charCodeAt(0) << 8) | op.charCodeAt(1) : (op.codePointAt(0) ?? -1);
}

/** One token as an object (TokenList.token builds it; the scanner itself stores none). */
export interface Token {
  kind: TokenKind;
  /** Index into the scanner's sources (which file the token is in). */
  src: number;
  start: number;
  end: number;
  text: string;
  bytes?: Uint8Array;
  /** A name scanned where dtc would not expect one (after a missing `;`): only error recovery uses it. */
  stray?: boolean;
}

/** The scanner's tokens as parallel arrays indexed by token number; the last token is always eof. */
export class TokenList {
  length = 0;
  kinds: Uint8Array;
  srcs: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
  /** Per kind: an op's opCode, a string's index into `strings`, 1 for a stray name; otherwise 0. */
  aux: Int32Array;
  /** Unescaped contents of the string tokens, in scan order. */
  readonly strings: Uint8Array[] = [];

  constructor(readonly sources: SourceText[], capacity: number) {
    const n = Math.max(16, capacity);
    this.kinds = new Uint8Array(n);
    this.srcs = new Int32Array(n);
    this.starts = new Int32Array(n);
    this.ends = new Int32Array(n);
    this.aux = new Int32Array(n);
  }

  push(kind: number, src: number, start: number, end: number, aux: number): void {
    if (this.length === this.kinds.length) this.grow();
    const i = this.length++;
    this.kinds[i] = kind;
    this.srcs[i] = src;
    this.starts[i] = start;
    this.ends[i] = end;
    this.aux[i] = aux;
  }

  private grow(): void {
    const n = this.kinds.length * 2;
    const kinds = new Uint8Array(n), srcs = new Int32Array(n), starts = new Int32Array(n), ends = new Int32Array(n), aux = new Int32Array(n);
    kinds.set(this.kinds);
    srcs.set(this.srcs);
    starts.set(this.starts);
    ends.set(this.ends);
    aux.set(this.aux);
    this.kinds = kinds;
    this.srcs = srcs;
    this.starts = starts;
    this.ends = ends;
    this.aux = aux;
  }

  kind(i: number): TokenKind {
    return TOKEN_KINDS[this.kinds[i]];
  }

  /** The token's text as documented on TokenKind (sliced from the source on each call). */
  text(i: number): string {
    const kind = this.kinds[i];
    if (kind === T_EOF) return '';
    const t = this.sources[this.srcs[i]].text;
    const start = this.starts[i], end = this.ends[i];
    switch (kind) {
      case T_LABEL: return t.slice(start, end - 1);
      case T_CHAR: return t.slice(start + 1, end - 1);
      case T_REF: return t.charCodeAt(start + 1) === 123 ? t.slice(start + 2, end - 1) : t.slice(start + 1, end);
      case T_NAME: return t.charCodeAt(start) === 92 ? t.slice(start + 1, end) : t.slice(start, end);
    }
    return t.slice(start, end);
  }

  /** A string token's unescaped contents. */
  bytes(i: number): Uint8Array | undefined {
    return this.kinds[i] === T_STRING ? this.strings[this.aux[i]] : undefined;
  }

  token(i: number): Token {
    return { kind: this.kind(i), src: this.srcs[i], start: this.starts[i], end: this.ends[i], text: this.text(i), bytes: this.bytes(i), stray: this.kinds[i] === T_NAME && this.aux[i] === 1 };
  }

  toArray(): Token[] {
    const out: Token[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.token(i));
    return out;
  }
}

/** Maps offsets of a source's text to original file positions (the preprocessor's map: see SourceMapper). */
export interface PositionMapper {
  positionAt(offset: number): { file: string; line: number; col: number };
  /** The range between two offsets, in the start's file (an end elsewhere or before it is the start). */
  range(start: number, end: number): SourceRange;
}

export interface ScanSource {
  /** File name used for diagnostics and for resolving `/include/` relative to it. */
  file: string;
  text: string;
  /** When given (preprocessed text), positions come from here and line markers are not re-applied. */
  mapper?: PositionMapper;
}

export interface Comment {
  range: SourceRange;
  text: string;
  /** Source index, for grouping comments by document. */
  src: number;
}

/** Resolves `/include/ "name"` seen in `fromFile`: returns the file found, or undefined. */
/** The file an `/include/` names, or why it could not be read (`reason`), or undefined when not found. */
export type IncludeResolver = (name: string, fromFile: string) => { file: string; text: string } | { reason: string } | undefined;

const MAX_INCLUDE_DEPTH = 200;

interface LineMarker {
  /** 0-based physical line from which the marker applies. */
  physLine: number;
  file: string;
  /** 0-based line number that physLine has in `file`. */
  line: number;
}

/** One scanned text with its line table and line markers. */
export class SourceText {
  private lineStarts: number[] | undefined;
  readonly markers: LineMarker[] = [];
  constructor(readonly file: string, readonly text: string, readonly mapper?: PositionMapper, readonly includedFrom?: SourceRange) {}

  private lines(): number[] {
    if (!this.lineStarts) {
      const starts = [0];
      const t = this.text;
      // indexOf searches natively: much faster than a per-character loop on long texts.
      for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  /** Last line found: lookups mostly move forward through the text. */
  private lastLine = 0;

  physicalLine(offset: number): number {
    const starts = this.lines();
    const last = this.lastLine;
    if (starts[last] <= offset && (last + 1 >= starts.length || starts[last + 1] > offset)) return last;
    if (last + 2 <= starts.length && starts[last + 1] <= offset && (last + 2 >= starts.length || starts[last + 2] > offset)) return (this.lastLine = last + 1);
    return (this.lastLine = lineAt(starts, offset, starts.length - 1));
  }

  positionAt(offset: number): { file: string; line: number; col: number } {
    if (offset < 0) offset = 0;
    if (offset > this.text.length) offset = this.text.length;
    if (this.mapper) return this.mapper.positionAt(offset);
    const pl = this.physicalLine(offset);
    const col = offset - this.lines()[pl];
    for (let i = this.markers.length - 1; i >= 0; i--) {
      const m = this.markers[i];
      if (m.physLine <= pl) return { file: m.file, line: Math.max(0, m.line + (pl - m.physLine)), col };
    }
    return { file: this.file, line: pl, col };
  }

  /** `startPosition`: the position of `start` if the caller built it already (shared, not built again; plain text only). */
  range(start: number, end: number, startPosition?: Position): SourceRange {
    if (this.mapper || this.markers.length !== 0) return this.mappedRange(start, end);
    // Plain text (the editor's usual case): no intermediate objects.
    const starts = this.lines();
    // Ends move forward through the text as the parser goes (the cached line); most ranges start
    // on the line they end on, and a longer one (a node) is searched without moving the cache back.
    const el = this.physicalLine(end);
    const endPosition = { line: el, col: end - starts[el] };
    if (startPosition) return { file: this.file, start: startPosition, end: endPosition };
    const sl = start < starts[el] ? lineAt(starts, start, el) : el + 1 >= starts.length || start < starts[el + 1] ? el : this.physicalLine(start);
    return { file: this.file, start: { line: sl, col: start - starts[sl] }, end: endPosition };
  }

  /** range() through line markers or the preprocessor's map (kept apart: the plain path stays small enough to inline). */
  private mappedRange(start: number, end: number): SourceRange {
    if (this.mapper) {
      const len = this.text.length;
      return this.mapper.range(start < 0 ? 0 : start > len ? len : start, end < 0 ? 0 : end > len ? len : end);
    }
    const s = this.positionAt(start);
    const e = this.positionAt(end);
    const sp: Position = { line: s.line, col: s.col };
    // A range never spans two files; a marker inside it would, so clamp the end to the start's file.
    const ep: Position = e.file === s.file && (e.line > s.line || (e.line === s.line && e.col >= s.col)) ? { line: e.line, col: e.col } : { line: s.line, col: s.col };
    return { file: s.file, start: sp, end: ep };
  }
}


/** The line (index into `starts`, at most `hi`) that contains `offset`. */
function lineAt(starts: number[], offset: number, hi: number): number {
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// Character classes of the ASCII codes (everything from 128 up is in none).
const CC_SPACE = 1, CC_DIGIT = 2, CC_HEX = 4, CC_LABEL_START = 8, CC_LABEL = 16, CC_PROPNODE = 32, CC_PATH = 64;
const CHAR_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const alpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  const digit = c >= 48 && c <= 57;
  let k = 0;
  if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12) k |= CC_SPACE;
  if (digit) k |= CC_DIGIT;
  if (digit || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)) k |= CC_HEX;
  if (alpha || c === 95) k |= CC_LABEL_START;
  if (alpha || digit || c === 95) k |= CC_LABEL;
  // PROPNODECHAR: [a-zA-Z0-9,._+*#?@-]; a path adds '/'.
  if (alpha || digit || c === 44 || c === 46 || c === 95 || c === 43 || c === 42 || c === 35 || c === 63 || c === 64 || c === 45) k |= CC_PROPNODE | CC_PATH;
  if (c === 47) k |= CC_PATH;
  CHAR_CLASS[c] = k;
}
function charClass(c: number): number {
  return c < 128 ? CHAR_CLASS[c] : 0;
}
const C_NL = 10, C_SPACE = 32, C_TAB = 9;
function isSpace(c: number): boolean {
  return (charClass(c) & CC_SPACE) !== 0;
}
function isDigit(c: number): boolean {
  return (charClass(c) & CC_DIGIT) !== 0;
}
function isHex(c: number): boolean {
  return (charClass(c) & CC_HEX) !== 0;
}
function isLabelStart(c: number): boolean {
  return (charClass(c) & CC_LABEL_START) !== 0;
}
function isLabelChar(c: number): boolean {
  return (charClass(c) & CC_LABEL) !== 0;
}
/** PROPNODECHAR: [a-zA-Z0-9,._+*#?@-] */
export function isPropNodeChar(c: number): boolean {
  return (charClass(c) & CC_PROPNODE) !== 0;
}
function isPathChar(c: number): boolean {
  return (charClass(c) & CC_PATH) !== 0;
}

// Lexer start states.
const S_V1 = 0, S_PROPNODENAME = 1, S_BYTESTRING = 2;

/** Keyword, token kind, the state it switches to (-1: none). */
const KEYWORDS: [string, number, number][] = [
  ['/dts-v1/', T_V1, S_V1],
  ['/plugin/', T_PLUGIN, -1],
  ['/memreserve/', T_MEMRESERVE, S_V1],
  ['/bits/', T_BITS, S_V1],
  ['/delete-property/', T_DELETE_PROPERTY, S_PROPNODENAME],
  ['/delete-node/', T_DELETE_NODE, S_PROPNODENAME],
  ['/omit-if-no-ref/', T_OMIT_IF_NO_REF, S_PROPNODENAME],
];

/** `<<` `>>` `<=` `>=` `==` `!=` `&&` `||` */
function isTwoCharOp(a: number, b: number): boolean {
  switch (a) {
    case 60: return b === 60 || b === 61; // < << <=
    case 62: return b === 62 || b === 61;
    case 61: return b === 61;
    case 33: return b === 61;
    case 38: return b === 38;
    case 124: return b === 124;
  }
  return false;
}

const utf8 = new TextEncoder();

/** dtc's get_escape_char: decodes the escape whose letter is at text[i]; returns the byte and the index after it. */
export function decodeEscape(text: string, i: number): { byte: number; next: number; error?: string } {
  const c = text.charCodeAt(i);
  switch (c) {
    case 97: return { byte: 7, next: i + 1 }; // \a
    case 98: return { byte: 8, next: i + 1 };
    case 116: return { byte: 9, next: i + 1 };
    case 110: return { byte: 10, next: i + 1 };
    case 118: return { byte: 11, next: i + 1 };
    case 102: return { byte: 12, next: i + 1 };
    case 114: return { byte: 13, next: i + 1 };
  }
  if (c >= 48 && c <= 55) {
    let v = 0, j = i;
    while (j < i + 3 && j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 55) v = v * 8 + (text.charCodeAt(j++) - 48);
    return { byte: v & 0xff, next: j };
  }
  if (c === 120) {
    let v = 0, j = i + 1;
    while (j < i + 3 && j < text.length && isHex(text.charCodeAt(j))) v = v * 16 + parseInt(text[j++], 16);
    if (j === i + 1) return { byte: 0, next: j, error: '\\x used with no following hex digits' };
    return { byte: v, next: j };
  }
  if (Number.isNaN(c)) return { byte: 0, next: i };
  // Any other escaped character stands for itself (dtc copies the byte).
  const cp = text.codePointAt(i)!;
  const enc = utf8.encode(String.fromCodePoint(cp));
  return { byte: enc[0], next: i + (cp > 0xffff ? 2 : 1) };
}

/** Unescape a string literal's contents into bytes (no terminating NUL), as dtc's data_copy_escape_string. */
export function unescapeString(text: string, onError?: (offset: number, message: string) => void): Uint8Array {
  const ascii = asciiBytes(text, 0, text.length);
  if (ascii) return ascii;
  if (!text.includes('\\')) return utf8.encode(text);
  const out: number[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 92) {
      const e = decodeEscape(text, i + 1);
      if (e.error && onError) onError(i, e.error);
      // Multi-byte characters after a backslash keep their remaining bytes.
      const cp = text.codePointAt(i + 1);
      if (cp !== undefined && cp >= 0x80 && !e.error) {
        for (const b of utf8.encode(String.fromCodePoint(cp))) out.push(b);
      } else out.push(e.byte);
      i = e.next;
    } else if (c < 0x80) {
      out.push(c);
      i++;
    } else {
      const cp = text.codePointAt(i)!;
      for (const b of utf8.encode(String.fromCodePoint(cp))) out.push(b);
      i += cp > 0xffff ? 2 : 1;
    }
  }
  return Uint8Array.from(out);
}


/** text[from, to) as bytes when it is plain ASCII without escapes (nearly every string in a tree); else undefined. */
function asciiBytes(text: string, from: number, to: number): Uint8Array | undefined {
  const ascii = new Uint8Array(to - from);
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c >= 0x80 || c === 92) return undefined;
    ascii[k - from] = c;
  }
  return ascii;
}

export interface ScanResult {
  tokens: TokenList;
  sources: SourceText[];
  comments: Comment[];
  diagnostics: Diagnostic[];
  /** Files read through `/include/`. */
  includes: string[];
  /** dtc's start state after the last input: where a text appended to these would begin. */
  endState: LexerState;
}

/** dtc's start condition between inputs (opaque to callers: they carry it from one scan to the next). */
export type LexerState = number;

/**
 * Scan the given sources one after another as one input (as dtc sees texts appended in order),
 * following `/include/` through `resolveInclude`. Never throws. `startState` is the `endState` of
 * the texts these follow, when they are scanned apart (the per-file front-end cache).
 */
export function scan(inputs: ScanSource[], resolveInclude?: IncludeResolver, startState?: LexerState): ScanResult {
  const sources: SourceText[] = [];
  // About one token per seven characters in real trees (fewer with comments): rarely a regrowth.
  let chars = 0;
  for (const input of inputs) chars += input.text.length;
  const scanner = new Scanner(sources, new TokenList(sources, Math.ceil(chars / 6) + 16), resolveInclude, startState ?? S_V1);
  for (const input of inputs) {
    sources.push(new SourceText(input.file, input.text, input.mapper));
    scanner.scanText(sources.length - 1, 0);
  }
  const last = sources.length > 0 ? sources.length - 1 : 0;
  const lastLen = sources[last]?.text.length ?? 0;
  scanner.tokens.push(T_EOF, last, lastLen, lastLen, 0);
  if (sources.length === 0) sources.push(new SourceText('<empty>', ''));
  return { tokens: scanner.tokens, sources, comments: scanner.comments, diagnostics: scanner.diagnostics, includes: scanner.includes, endState: scanner.endState };
}

class Scanner {
  readonly comments: Comment[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly includes: string[] = [];
  constructor(private readonly sources: SourceText[], readonly tokens: TokenList, private readonly resolveInclude: IncludeResolver | undefined,
    /** dtc's start state, carried across files (texts are appended). */
    private state: LexerState) {}

  /** Set after "Includes nested too deeply": no /include/ is followed after it, as dtc stops there. */
  private includesStopped = false;

  get endState(): LexerState {
    return this.state;
  }

  private error(src: SourceText, start: number, end: number, message: string): void {
    this.diagnostics.push({ severity: 'error', message, range: src.range(start, end), code: 'syntax' });
  }

  scanText(srcIndex: number, depth: number): void {
    const src = this.sources[srcIndex];
    const tokens = this.tokens;
    const t = src.text;
    const n = t.length;
    let state = this.state;
    let i = 0;
    while (i < n) {
      const c = t.charCodeAt(i);
      const cls = charClass(c);
      // Whitespace and comments are skipped in every state.
      if ((cls & CC_SPACE) !== 0) {
        // Indentation comes in runs: skip them here rather than once per pass of the main loop.
        let d = t.charCodeAt(++i);
        while (d === C_SPACE || d === C_NL || isSpace(d)) d = t.charCodeAt(++i);
        continue;
      }
      if (c === 47 && i + 1 < n) {
        const c2 = t.charCodeAt(i + 1);
        if (c2 === 42) {
          const close = t.indexOf('*/', i + 2);
          const end = close < 0 ? n : close + 2;
          if (close < 0) this.error(src, i, n, 'unterminated comment');
          this.comments.push({ range: src.range(i, end), text: t.slice(i, end), src: srcIndex });
          i = end;
          continue;
        }
        if (c2 === 47) {
          let end = t.indexOf('\n', i);
          if (end < 0) end = n;
          this.comments.push({ range: src.range(i, end), text: t.slice(i, end), src: srcIndex });
          i = end;
          continue;
        }
      }
      // Line markers from cpp.
      if (c === 35 && (i === 0 || t.charCodeAt(i - 1) === C_NL)) {
        const m = matchLineMarker(t, i);
        if (m) {
          if (!src.mapper) src.markers.push({ physLine: src.physicalLine(i) + 1, file: m.file, line: m.line - 1 });
          i = m.end;
          continue;
        }
      }
      // Keywords (the /include/ directive first: it is handled here).
      if (c === 47) {
        if (t.startsWith('/include/', i)) {
          let j = i + 9;
          while (j < n && isSpace(t.charCodeAt(j))) j++;
          const se = t.charCodeAt(j) === 34 ? matchString(t, j) : -1;
          if (se > 0) {
            this.state = state;
            this.include(src, i, j, se, depth);
            state = this.state;
            i = se;
            continue;
          }
        }
        let kw: (typeof KEYWORDS)[number] | undefined;
        for (const k of KEYWORDS) if (t.startsWith(k[0], i)) kw = k;
        if (kw) {
          tokens.push(kw[1], srcIndex, i, i + kw[0].length, 0);
          if (kw[2] >= 0) state = kw[2];
          i += kw[0].length;
          continue;
        }
        if (state === S_V1 && t.startsWith('/incbin/', i)) {
          tokens.push(T_INCBIN, srcIndex, i, i + 8, 0);
          i += 8;
          continue;
        }
      }
      if (c === 34) {
        const se = matchString(t, i);
        if (se > 0) {
          let bytes = asciiBytes(t, i + 1, se - 1);
          if (!bytes) {
            const base = i + 1;
            bytes = unescapeString(t.slice(base, se - 1), (off, message) => this.error(src, base + off, base + 2 + off, message));
          }
          tokens.push(T_STRING, srcIndex, i, se, tokens.strings.length);
          tokens.strings.push(bytes);
          i = se;
          continue;
        }
        this.error(src, i, i + 1, 'unterminated string');
      }
      // LABEL ':' in every state; it wins over a name or hex byte of the same prefix (longer match).
      // Where the label characters starting at i end: a name continues from there (label chars are name chars).
      let labelEnd = i;
      if ((cls & CC_LABEL_START) !== 0) {
        let j = i + 1;
        while (j < n && isLabelChar(t.charCodeAt(j))) j++;
        labelEnd = j;
        if (j < n && t.charCodeAt(j) === 58) {
          // In name state a longer name would not include ':', so the label is always longer.
          tokens.push(T_LABEL, srcIndex, i, j + 1, 0);
          i = j + 1;
          continue;
        }
      }
      if (state === S_BYTESTRING) {
        if ((cls & CC_HEX) !== 0 && i + 1 < n && isHex(t.charCodeAt(i + 1))) {
          tokens.push(T_BYTE, srcIndex, i, i + 2, 0);
          i += 2;
          continue;
        }
        if (c === 93) {
          tokens.push(T_OP, srcIndex, i, i + 1, c);
          state = S_V1;
          i++;
          continue;
        }
      }
      if (state === S_PROPNODENAME && ((cls & CC_PROPNODE) !== 0 || (c === 92 && i + 1 < n && isPropNodeChar(t.charCodeAt(i + 1))))) {
        let j = c === 92 ? i + 1 : labelEnd;
        while (j < n && isPropNodeChar(t.charCodeAt(j))) j++;
        tokens.push(T_NAME, srcIndex, i, j, 0);
        state = S_V1;
        i = j;
        continue;
      }
      if (state === S_V1 && (cls & CC_DIGIT) !== 0) {
        let j = i + 1;
        if (c === 48 && (t.charCodeAt(j) === 120 || t.charCodeAt(j) === 88) && isHex(t.charCodeAt(j + 1))) {
          j += 2;
          while (j < n && isHex(t.charCodeAt(j))) j++;
        } else {
          while (j < n && isDigit(t.charCodeAt(j))) j++;
        }
        // (U|L|UL|LL|ULL)?
        const c1 = t.charCodeAt(j);
        if (c1 === 85 || c1 === 76) {
          const suffix = t.startsWith('ULL', j) ? 3 : t.startsWith('UL', j) || t.startsWith('LL', j) ? 2 : 1;
          j += suffix;
        }
        tokens.push(T_LITERAL, srcIndex, i, j, 0);
        i = j;
        continue;
      }
      if (state === S_V1 && ((cls & CC_LABEL_START) !== 0 || c === 35)) {
        // dtc would see single characters here, always a syntax error; one name token lets the
        // parser report one error and resynchronise (typically after a missing `;`).
        let j = i + 1;
        while (j < n && isPropNodeChar(t.charCodeAt(j))) j++;
        tokens.push(T_NAME, srcIndex, i, j, 1);
        i = j;
        continue;
      }
      if (c === 39) {
        const ce = matchChar(t, i);
        if (ce > 0) {
          tokens.push(T_CHAR, srcIndex, i, ce, 0);
          i = ce;
          continue;
        }
      }
      if (c === 38) {
        const c2 = t.charCodeAt(i + 1);
        if (isLabelStart(c2)) {
          let j = i + 2;
          while (j < n && isLabelChar(t.charCodeAt(j))) j++;
          tokens.push(T_REF, srcIndex, i, j, 0);
          i = j;
          continue;
        }
        if (c2 === 123 && t.charCodeAt(i + 2) === 47) {
          let j = i + 3;
          while (j < n && isPathChar(t.charCodeAt(j))) j++;
          if (t.charCodeAt(j) === 125) {
            tokens.push(T_REF, srcIndex, i, j + 1, 0);
            i = j + 1;
            continue;
          }
        }
      }
      const c2 = t.charCodeAt(i + 1);
      if (isTwoCharOp(c, c2)) {
        tokens.push(T_OP, srcIndex, i, i + 2, OP2 | (c << 8) | c2);
        i += 2;
        continue;
      }
      // Any other character is a token of its own (dtc's `.` rule).
      const cp = c >= 0xd800 && c <= 0xdbff ? t.codePointAt(i)! : c;
      const len = cp > 0xffff ? 2 : 1;
      if (c === 91) state = S_BYTESTRING;
      else if (c === 123 || c === 59) state = S_PROPNODENAME;
      tokens.push(T_OP, srcIndex, i, i + len, cp);
      i += len;
    }
    this.state = state;
  }

  /** `/include/ "name"` at `at`, the string from `quote` to `end`: scans the file found in place. */
  private include(src: SourceText, at: number, quote: number, end: number, depth: number): void {
    const name = src.text.slice(quote + 1, end - 1);
    const range = src.range(at, end);
    // Fatal in dtc: a file that includes itself twice would otherwise grow as 2^depth.
    if (this.includesStopped) return;
    if (depth + 1 >= MAX_INCLUDE_DEPTH) {
      this.diagnostics.push({ severity: 'error', message: 'Includes nested too deeply', range, code: 'include' });
      this.includesStopped = true;
      return;
    }
    const found = this.resolveInclude?.(name, src.file);
    if (!found || 'reason' in found) {
      this.diagnostics.push({ severity: 'error', message: `Couldn't open "${name}": ${found?.reason ?? 'No such file or directory'}`, range, code: 'include' });
      return;
    }
    this.includes.push(found.file);
    this.sources.push(new SourceText(found.file, found.text, undefined, range));
    this.scanText(this.sources.length - 1, depth + 1);
  }
}

// Match `"..."` at p (STRING rule); returns the end offset (after the closing quote) or -1.
function matchString(t: string, p: number): number {
  const n = t.length;
  let j = p + 1;
  while (j < n) {
    const c = t.charCodeAt(j);
    if (c === 34) return j + 1;
    if (c === 92) {
      if (j + 1 >= n || t.charCodeAt(j + 1) === C_NL) return -1;
      j += 2;
      continue;
    }
    j++;
  }
  return -1;
}

// CHAR_LITERAL: '([^']|\\')*' with flex's longest match.
function matchChar(t: string, p: number): number {
  const n = t.length;
  let j = p + 1;
  let lastClose = -1;
  while (j < n) {
    const c = t.charCodeAt(j);
    if (c === 39) return j + 1;
    if (c === 92 && j + 1 < n && t.charCodeAt(j + 1) === 39) {
      lastClose = j + 2;
      j += 2;
      continue;
    }
    j++;
  }
  return lastClose;
}

// ^"#"(line)?[ \t]+[0-9]+[ \t]+STRING([ \t]+[0-9]+)*
function matchLineMarker(t: string, p: number): { end: number; line: number; file: string } | undefined {
  const n = t.length;
  let j = p + 1;
  if (t.startsWith('line', j)) j += 4;
  const ws = (): boolean => {
    const s = j;
    while (j < n && (t.charCodeAt(j) === C_SPACE || t.charCodeAt(j) === C_TAB)) j++;
    return j > s;
  };
  if (!ws()) return undefined;
  const ds = j;
  while (j < n && isDigit(t.charCodeAt(j))) j++;
  if (j === ds) return undefined;
  const line = parseInt(t.slice(ds, j), 10);
  if (!ws() || t.charCodeAt(j) !== 34) return undefined;
  const se = matchString(t, j);
  if (se < 0) return undefined;
  const file = t.slice(j + 1, se - 1);
  j = se;
  for (;;) {
    const save = j;
    if (!ws()) break;
    const d = j;
    while (j < n && isDigit(t.charCodeAt(j))) j++;
    if (j === d) {
      j = save;
      break;
    }
  }
  return { end: j, line, file };
}
