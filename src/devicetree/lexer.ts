// DTS scanner with dtc 1.6.1's lexer semantics (dtc-lexer.l): three start states that the tokens
// themselves switch (after `{` or `;` a node/property name is expected, after `[` hex bytes, after a
// name or `/dts-v1/` ordinary values), longest match between the rules active in a state, `/include/`
// resolved while scanning, and cpp line markers (`# N "file"`) at line starts. Hand-written over char
// codes, tokens kept as parallel typed arrays (no object or string per token): the language server
// re-lexes whole files per keystroke.

import type { Diagnostic, Position, SourceRange } from '../common/diagnostics';
import { lineAt, lineStarts } from '../common/line-starts';

/** The token kinds; a kind's code (TokenList.kinds, TOKEN) is its index here. */
const TOKEN_KINDS = [
  'v1', // /dts-v1/
  'plugin', // /plugin/
  'memreserve',
  'bits',
  'delete-property',
  'delete-node',
  'omit-if-no-ref',
  'incbin',
  'label', // `name:`; text = name
  'literal', // integer literal; text = as written
  'char', // character literal; text = between the quotes
  'ref', // &label or &{/path}; text = label or path
  'byte', // two hex digits inside [ ]; text = the digits
  'name', // node or property name; text = without a leading backslash
  'string', // "..."; bytes = unescaped contents (no NUL added)
  'op', // punctuation and operators; text = the operator
  'eof',
] as const;

export type TokenKind = (typeof TOKEN_KINDS)[number];

/** Each kind's code, by kind. One object: under tsx every imported binding is a getter call, so users copy the codes they test into module constants. */
export const TOKEN = Object.fromEntries(TOKEN_KINDS.map((kind, code) => [kind, code])) as { readonly [K in TokenKind]: number };

const {
  v1: T_V1,
  plugin: T_PLUGIN,
  memreserve: T_MEMRESERVE,
  bits: T_BITS,
  'delete-property': T_DELETE_PROPERTY,
  'delete-node': T_DELETE_NODE,
  'omit-if-no-ref': T_OMIT_IF_NO_REF,
  incbin: T_INCBIN,
  label: T_LABEL,
  literal: T_LITERAL,
  char: T_CHAR,
  ref: T_REF,
  byte: T_BYTE,
  name: T_NAME,
  string: T_STRING,
  op: T_OP,
  eof: T_EOF,
} = TOKEN;

/** Character codes the scanner tests, by name (as TypeScript's scanner names them). */
const enum Ch {
  tab = 9,
  lineFeed = 10,
  verticalTab = 11,
  formFeed = 12,
  carriageReturn = 13,
  space = 32,
  exclamation = 33,
  doubleQuote = 34,
  hash = 35,
  ampersand = 38,
  singleQuote = 39,
  asterisk = 42,
  slash = 47,
  _0 = 48,
  _7 = 55,
  _9 = 57,
  colon = 58,
  equals = 61,
  lessThan = 60,
  greaterThan = 62,
  L = 76,
  U = 85,
  X = 88,
  openBracket = 91,
  backslash = 92,
  closeBracket = 93,
  a = 97,
  b = 98,
  f = 102,
  n = 110,
  r = 114,
  t = 116,
  v = 118,
  x = 120,
  openBrace = 123,
  bar = 124,
  closeBrace = 125,
  semicolon = 59,
}

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

  constructor(
    readonly sources: SourceText[],
    capacity: number,
  ) {
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
    const kinds = new Uint8Array(n),
      srcs = new Int32Array(n),
      starts = new Int32Array(n),
      ends = new Int32Array(n),
      aux = new Int32Array(n);
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
    const start = this.starts[i],
      end = this.ends[i];
    switch (kind) {
      case T_LABEL:
        return t.slice(start, end - 1);
      case T_CHAR:
        return t.slice(start + 1, end - 1);
      case T_REF:
        return t.charCodeAt(start + 1) === Ch.openBrace ? t.slice(start + 2, end - 1) : t.slice(start + 1, end);
      case T_NAME:
        return t.charCodeAt(start) === Ch.backslash ? t.slice(start + 1, end) : t.slice(start, end);
    }
    return t.slice(start, end);
  }

  /** A string token's unescaped contents. */
  bytes(i: number): Uint8Array | undefined {
    return this.kinds[i] === T_STRING ? this.strings[this.aux[i]] : undefined;
  }

  token(i: number): Token {
    return {
      kind: this.kind(i),
      src: this.srcs[i],
      start: this.starts[i],
      end: this.ends[i],
      text: this.text(i),
      bytes: this.bytes(i),
      stray: this.kinds[i] === T_NAME && this.aux[i] === 1,
    };
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
  /**
   * The file a line marker's name stands for, when that differs from the name as written: a text
   * that would have gone through cpp, whose markers cpp reads relative to the file.
   */
  markerFile?: (name: string) => string;
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
  constructor(
    readonly file: string,
    readonly text: string,
    readonly mapper?: PositionMapper,
    readonly includedFrom?: SourceRange,
    readonly markerFile?: (name: string) => string,
  ) {}

  private lines(): number[] {
    return (this.lineStarts ??= lineStarts(this.text));
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
    const ep: Position =
      e.file === s.file && (e.line > s.line || (e.line === s.line && e.col >= s.col)) ? { line: e.line, col: e.col } : { line: s.line, col: s.col };
    return { file: s.file, start: sp, end: ep };
  }
}

// Character classes of the ASCII codes (everything from 128 up is in none).
const CC_SPACE = 1,
  CC_DIGIT = 2,
  CC_HEX = 4,
  CC_LABEL_START = 8,
  CC_LABEL = 16,
  CC_PROPNODE = 32,
  CC_PATH = 64;
const CHAR_CLASS = new Uint8Array(128);
function addClass(chars: string, k: number): void {
  for (let i = 0; i < chars.length; i++) CHAR_CLASS[chars.charCodeAt(i)] |= k;
}
const LOWER = 'abcdefghijklmnopqrstuvwxyz',
  UPPER = LOWER.toUpperCase(),
  DIGITS = '0123456789';
addClass(' \t\n\r\v\f', CC_SPACE);
addClass(DIGITS, CC_DIGIT);
addClass(DIGITS + 'abcdefABCDEF', CC_HEX);
addClass(LOWER + UPPER + '_', CC_LABEL_START);
addClass(LOWER + UPPER + DIGITS + '_', CC_LABEL);
// PROPNODECHAR: [a-zA-Z0-9,._+*#?@-]; a path adds '/'.
addClass(LOWER + UPPER + DIGITS + ',._+*#?@-', CC_PROPNODE | CC_PATH);
addClass('/', CC_PATH);
function charClass(c: number): number {
  return c < 128 ? CHAR_CLASS[c] : 0;
}
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
const S_V1 = 0,
  S_PROPNODENAME = 1,
  S_BYTESTRING = 2;

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
    case Ch.lessThan:
      return b === Ch.lessThan || b === Ch.equals;
    case Ch.greaterThan:
      return b === Ch.greaterThan || b === Ch.equals;
    case Ch.equals:
      return b === Ch.equals;
    case Ch.exclamation:
      return b === Ch.equals;
    case Ch.ampersand:
      return b === Ch.ampersand;
    case Ch.bar:
      return b === Ch.bar;
  }
  return false;
}

const utf8 = new TextEncoder();

/** dtc's get_escape_char: decodes the escape whose letter is at text[i]; returns the byte and the index after it. */
export function decodeEscape(text: string, i: number): { byte: number; next: number; error?: string } {
  const c = text.charCodeAt(i);
  switch (c) {
    case Ch.a:
      return { byte: 7, next: i + 1 };
    case Ch.b:
      return { byte: 8, next: i + 1 };
    case Ch.t:
      return { byte: 9, next: i + 1 };
    case Ch.n:
      return { byte: 10, next: i + 1 };
    case Ch.v:
      return { byte: 11, next: i + 1 };
    case Ch.f:
      return { byte: 12, next: i + 1 };
    case Ch.r:
      return { byte: 13, next: i + 1 };
  }
  if (c >= Ch._0 && c <= Ch._7) {
    let v = 0,
      j = i;
    while (j < i + 3 && j < text.length && text.charCodeAt(j) >= Ch._0 && text.charCodeAt(j) <= Ch._7) v = v * 8 + (text.charCodeAt(j++) - Ch._0);
    return { byte: v & 0xff, next: j };
  }
  if (c === Ch.x) {
    let v = 0,
      j = i + 1;
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
    if (c === Ch.backslash) {
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
    if (c >= 0x80 || c === Ch.backslash) return undefined;
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
    sources.push(new SourceText(input.file, input.text, input.mapper, undefined, input.markerFile));
    scanner.scanText(sources.length - 1, 0);
  }
  const last = sources.length > 0 ? sources.length - 1 : 0;
  const lastLen = sources[last]?.text.length ?? 0;
  scanner.tokens.push(T_EOF, last, lastLen, lastLen, 0);
  if (sources.length === 0) sources.push(new SourceText('<empty>', ''));
  return {
    tokens: scanner.tokens,
    sources,
    comments: scanner.comments,
    diagnostics: scanner.diagnostics,
    includes: scanner.includes,
    endState: scanner.endState,
  };
}

class Scanner {
  readonly comments: Comment[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly includes: string[] = [];
  constructor(
    private readonly sources: SourceText[],
    readonly tokens: TokenList,
    private readonly resolveInclude: IncludeResolver | undefined,
    /** dtc's start state, carried across files (texts are appended). */
    private state: LexerState,
  ) {}

  /** Set after "Includes nested too deeply": no /include/ is followed after it, as dtc stops there. */
  private includesStopped = false;

  get endState(): LexerState {
    return this.state;
  }

  private error(start: number, end: number, message: string): void {
    this.diagnostics.push({ severity: 'error', message, range: this.src.range(start, end), code: 'syntax' });
  }

  // The text being scanned (an /include/ scans another in between and restores these).
  private src!: SourceText;
  private srcIndex = 0;
  private text = '';
  private depth = 0;

  scanText(srcIndex: number, depth: number): void {
    const outer = { src: this.src, srcIndex: this.srcIndex, text: this.text, depth: this.depth };
    this.src = this.sources[srcIndex];
    this.srcIndex = srcIndex;
    this.text = this.src.text;
    this.depth = depth;
    const t = this.text,
      n = t.length;
    let i = 0;
    while (i < n) {
      const c = t.charCodeAt(i);
      // Whitespace first, in runs (indentation): the commonest characters, skipped in every state.
      i = (charClass(c) & CC_SPACE) !== 0 ? skipSpace(t, i + 1) : this.scanToken(i, c);
    }
    ({ src: this.src, srcIndex: this.srcIndex, text: this.text, depth: this.depth } = outer);
  }

  /** Scan what starts with `c` at `i` (a token, a comment, a line marker or an /include/); the offset after it. */
  private scanToken(i: number, c: number): number {
    const t = this.text;
    let end = -1;
    switch (c) {
      case Ch.slash:
        end = this.scanSlash(i);
        break;
      case Ch.hash:
        if (i === 0 || t.charCodeAt(i - 1) === Ch.lineFeed) end = this.scanLineMarker(i);
        break;
      case Ch.doubleQuote:
        end = this.scanString(i);
        break;
      case Ch.singleQuote:
        end = matchChar(t, i);
        if (end > 0) this.push(T_CHAR, i, end, 0);
        break;
      case Ch.ampersand:
        end = this.scanRef(i);
        break;
      case Ch.closeBracket:
        if (this.state === S_BYTESTRING) {
          this.push(T_OP, i, i + 1, c);
          this.state = S_V1;
          return i + 1;
        }
        break;
    }
    if (end > 0) return end;
    end = this.scanWord(i, c);
    return end > 0 ? end : this.scanOperator(i, c);
  }

  private push(kind: number, start: number, end: number, aux: number): void {
    this.tokens.push(kind, this.srcIndex, start, end, aux);
  }

  /** A comment, `/include/ "file"`, or a keyword (`/dts-v1/`, `/delete-node/`, `/incbin/`, ...); -1 if none. */
  private scanSlash(i: number): number {
    const t = this.text,
      n = t.length;
    const c2 = t.charCodeAt(i + 1);
    if (c2 === Ch.asterisk) {
      const close = t.indexOf('*/', i + 2);
      const end = close < 0 ? n : close + 2;
      if (close < 0) this.error(i, n, 'unterminated comment');
      return this.comment(i, end);
    }
    if (c2 === Ch.slash) {
      const end = t.indexOf('\n', i);
      return this.comment(i, end < 0 ? n : end);
    }
    if (t.startsWith('/include/', i)) {
      let j = i + 9;
      while (j < n && isSpace(t.charCodeAt(j))) j++;
      const se = t.charCodeAt(j) === Ch.doubleQuote ? matchString(t, j) : -1;
      if (se > 0) {
        this.include(i, j, se);
        return se;
      }
    }
    let kw: (typeof KEYWORDS)[number] | undefined;
    for (const k of KEYWORDS) if (t.startsWith(k[0], i)) kw = k;
    if (kw) {
      this.push(kw[1], i, i + kw[0].length, 0);
      if (kw[2] >= 0) this.state = kw[2];
      return i + kw[0].length;
    }
    if (this.state === S_V1 && t.startsWith('/incbin/', i)) {
      this.push(T_INCBIN, i, i + 8, 0);
      return i + 8;
    }
    return -1;
  }

  private comment(start: number, end: number): number {
    this.comments.push({ range: this.src.range(start, end), text: this.text.slice(start, end), src: this.srcIndex });
    return end;
  }

  /** A cpp line marker (`# 12 "file.dts" 1`) at a line start; -1 if it is not one. */
  private scanLineMarker(i: number): number {
    const m = matchLineMarker(this.text, i);
    if (!m) return -1;
    const src = this.src;
    if (!src.mapper) src.markers.push({ physLine: src.physicalLine(i) + 1, file: src.markerFile ? src.markerFile(m.file) : m.file, line: m.line - 1 });
    return m.end;
  }

  /** A string literal; -1 (after an error) when it is not terminated. */
  private scanString(i: number): number {
    const t = this.text;
    const se = matchString(t, i);
    if (se < 0) {
      this.error(i, i + 1, 'unterminated string');
      return -1;
    }
    let bytes = asciiBytes(t, i + 1, se - 1);
    if (!bytes) {
      const base = i + 1;
      bytes = unescapeString(t.slice(base, se - 1), (off, message) => this.error(base + off, base + 2 + off, message));
    }
    this.push(T_STRING, i, se, this.tokens.strings.length);
    this.tokens.strings.push(bytes);
    return se;
  }

  /** `&label` or `&{/path}`; -1 if neither. */
  private scanRef(i: number): number {
    const t = this.text,
      n = t.length;
    const c2 = t.charCodeAt(i + 1);
    if (isLabelStart(c2)) {
      let j = i + 2;
      while (j < n && isLabelChar(t.charCodeAt(j))) j++;
      this.push(T_REF, i, j, 0);
      return j;
    }
    if (c2 === Ch.openBrace && t.charCodeAt(i + 2) === Ch.slash) {
      let j = i + 3;
      while (j < n && isPathChar(t.charCodeAt(j))) j++;
      if (t.charCodeAt(j) === Ch.closeBrace) {
        this.push(T_REF, i, j + 1, 0);
        return j + 1;
      }
    }
    return -1;
  }

  /**
   * What a run of name-like characters is in the current state: a label (`name:`, in every state;
   * it wins over a name or hex byte of the same prefix, the longer match), a hex byte inside `[ ]`,
   * a node or property name, an integer literal; -1 if none.
   */
  private scanWord(i: number, c: number): number {
    const t = this.text,
      n = t.length;
    const cls = charClass(c);
    const state = this.state;
    // Where the label characters starting at i end: a name continues from there (label chars are name chars).
    let labelEnd = i;
    if ((cls & CC_LABEL_START) !== 0) {
      let j = i + 1;
      while (j < n && isLabelChar(t.charCodeAt(j))) j++;
      labelEnd = j;
      if (j < n && t.charCodeAt(j) === Ch.colon) {
        // In name state a longer name would not include ':', so the label is always longer.
        this.push(T_LABEL, i, j + 1, 0);
        return j + 1;
      }
    }
    if (state === S_BYTESTRING) {
      if ((cls & CC_HEX) === 0 || i + 1 >= n || !isHex(t.charCodeAt(i + 1))) return -1;
      this.push(T_BYTE, i, i + 2, 0);
      return i + 2;
    }
    if (state === S_PROPNODENAME) {
      if ((cls & CC_PROPNODE) === 0 && !(c === Ch.backslash && i + 1 < n && isPropNodeChar(t.charCodeAt(i + 1)))) return -1;
      let j = c === Ch.backslash ? i + 1 : labelEnd;
      while (j < n && isPropNodeChar(t.charCodeAt(j))) j++;
      this.push(T_NAME, i, j, 0);
      this.state = S_V1;
      return j;
    }
    if ((cls & CC_DIGIT) !== 0) return this.scanLiteral(i, c);
    if ((cls & CC_LABEL_START) !== 0 || c === Ch.hash) {
      // dtc would see single characters here, always a syntax error; one name token lets the
      // parser report one error and resynchronise (typically after a missing `;`).
      let j = i + 1;
      while (j < n && isPropNodeChar(t.charCodeAt(j))) j++;
      this.push(T_NAME, i, j, 1);
      return j;
    }
    return -1;
  }

  /** An integer literal: decimal, octal or 0x hex, with an optional (U|L|UL|LL|ULL) suffix. */
  private scanLiteral(i: number, c: number): number {
    const t = this.text,
      n = t.length;
    let j = i + 1;
    if (c === Ch._0 && (t.charCodeAt(j) === Ch.x || t.charCodeAt(j) === Ch.X) && isHex(t.charCodeAt(j + 1))) {
      j += 2;
      while (j < n && isHex(t.charCodeAt(j))) j++;
    } else {
      while (j < n && isDigit(t.charCodeAt(j))) j++;
    }
    const c1 = t.charCodeAt(j);
    if (c1 === Ch.U || c1 === Ch.L) j += t.startsWith('ULL', j) ? 3 : t.startsWith('UL', j) || t.startsWith('LL', j) ? 2 : 1;
    this.push(T_LITERAL, i, j, 0);
    return j;
  }

  /** A two-character operator, or any other character as a token of its own (dtc's `.` rule). */
  private scanOperator(i: number, c: number): number {
    const t = this.text;
    const c2 = t.charCodeAt(i + 1);
    if (isTwoCharOp(c, c2)) {
      this.push(T_OP, i, i + 2, OP2 | (c << 8) | c2);
      return i + 2;
    }
    const cp = c >= 0xd800 && c <= 0xdbff ? t.codePointAt(i)! : c;
    const len = cp > 0xffff ? 2 : 1;
    if (c === Ch.openBracket) this.state = S_BYTESTRING;
    else if (c === Ch.openBrace || c === Ch.semicolon) this.state = S_PROPNODENAME;
    this.push(T_OP, i, i + len, cp);
    return i + len;
  }

  /** `/include/ "name"` at `at`, the string from `quote` to `end`: scans the file found in place. */
  private include(at: number, quote: number, end: number): void {
    const src = this.src;
    const name = src.text.slice(quote + 1, end - 1);
    const range = src.range(at, end);
    // Fatal in dtc: a file that includes itself twice would otherwise grow as 2^depth.
    if (this.includesStopped) return;
    if (this.depth + 1 >= MAX_INCLUDE_DEPTH) {
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
    this.scanText(this.sources.length - 1, this.depth + 1);
  }
}

/** Skip a run of whitespace (indentation comes in runs: one pass of the loop, not one per character). */
function skipSpace(t: string, i: number): number {
  let d = t.charCodeAt(i);
  while (d === Ch.space || d === Ch.lineFeed || isSpace(d)) d = t.charCodeAt(++i);
  return i;
}

// Match `"..."` at p (STRING rule); returns the end offset (after the closing quote) or -1.
function matchString(t: string, p: number): number {
  const n = t.length;
  let j = p + 1;
  while (j < n) {
    const c = t.charCodeAt(j);
    if (c === Ch.doubleQuote) return j + 1;
    if (c === Ch.backslash) {
      if (j + 1 >= n || t.charCodeAt(j + 1) === Ch.lineFeed) return -1;
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
    if (c === Ch.singleQuote) return j + 1;
    if (c === Ch.backslash && j + 1 < n && t.charCodeAt(j + 1) === Ch.singleQuote) {
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
    while (j < n && (t.charCodeAt(j) === Ch.space || t.charCodeAt(j) === Ch.tab)) j++;
    return j > s;
  };
  if (!ws()) return undefined;
  const ds = j;
  while (j < n && isDigit(t.charCodeAt(j))) j++;
  if (j === ds) return undefined;
  const line = parseInt(t.slice(ds, j), 10);
  if (!ws() || t.charCodeAt(j) !== Ch.doubleQuote) return undefined;
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
