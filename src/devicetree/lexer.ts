// DTS scanner with dtc 1.6.1's lexer semantics (dtc-lexer.l): three start states that the tokens
// themselves switch (after `{` or `;` a node/property name is expected, after `[` hex bytes, after a
// name or `/dts-v1/` ordinary values), longest match between the rules active in a state, `/include/`
// resolved while scanning, and cpp line markers (`# N "file"`) at line starts. Hand-written over char
// codes: the language server re-lexes whole files per keystroke.

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

/** Maps an offset of a source's text to the original file position (identity, line markers or the preprocessor's map). */
export type PositionMapper = (offset: number) => { file: string; line: number; col: number };

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
export type IncludeResolver = (name: string, fromFile: string) => { file: string; text: string } | undefined;

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
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.lastLine = lo;
    return lo;
  }

  positionAt(offset: number): { file: string; line: number; col: number } {
    if (offset < 0) offset = 0;
    if (offset > this.text.length) offset = this.text.length;
    if (this.mapper) return this.mapper(offset);
    const pl = this.physicalLine(offset);
    const col = offset - this.lines()[pl];
    for (let i = this.markers.length - 1; i >= 0; i--) {
      const m = this.markers[i];
      if (m.physLine <= pl) return { file: m.file, line: Math.max(0, m.line + (pl - m.physLine)), col };
    }
    return { file: this.file, line: pl, col };
  }

  range(start: number, end: number): SourceRange {
    if (!this.mapper && this.markers.length === 0) {
      // Plain text (the editor's usual case): no intermediate objects.
      const starts = this.lines();
      const sl = this.physicalLine(start);
      const el = this.physicalLine(end);
      return { file: this.file, start: { line: sl, col: start - starts[sl] }, end: { line: el, col: end - starts[el] } };
    }
    const s = this.positionAt(start);
    const e = this.positionAt(end);
    const sp: Position = { line: s.line, col: s.col };
    // A range never spans two files; a marker inside it would, so clamp the end to the start's file.
    const ep: Position = e.file === s.file && (e.line > s.line || (e.line === s.line && e.col >= s.col)) ? { line: e.line, col: e.col } : { line: s.line, col: s.col };
    return { file: s.file, start: sp, end: ep };
  }
}

// Character classes.
const C_NL = 10, C_SPACE = 32, C_TAB = 9, C_CR = 13, C_VT = 11, C_FF = 12;
function isSpace(c: number): boolean {
  return c === C_SPACE || c === C_TAB || c === C_NL || c === C_CR || c === C_VT || c === C_FF;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isLabelStart(c: number): boolean {
  return isAlpha(c) || c === 95;
}
function isLabelChar(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === 95;
}
/** PROPNODECHAR: [a-zA-Z0-9,._+*#?@-] */
export function isPropNodeChar(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === 44 || c === 46 || c === 95 || c === 43 || c === 42 || c === 35 || c === 63 || c === 64 || c === 45;
}
function isPathChar(c: number): boolean {
  return isPropNodeChar(c) || c === 47;
}

type LexState = 'V1' | 'PROPNODENAME' | 'BYTESTRING';

const KEYWORDS: [string, TokenKind, LexState | undefined][] = [
  ['/dts-v1/', 'v1', 'V1'],
  ['/plugin/', 'plugin', undefined],
  ['/memreserve/', 'memreserve', 'V1'],
  ['/bits/', 'bits', 'V1'],
  ['/delete-property/', 'delete-property', 'PROPNODENAME'],
  ['/delete-node/', 'delete-node', 'PROPNODENAME'],
  ['/omit-if-no-ref/', 'omit-if-no-ref', 'PROPNODENAME'],
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
  // Plain ASCII (nearly every string in a tree): copy the codes, no encoder call.
  const ascii = new Uint8Array(text.length);
  let k = 0;
  for (; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c >= 0x80 || c === 92) break;
    ascii[k] = c;
  }
  if (k === text.length) return ascii;
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

export interface ScanResult {
  tokens: Token[];
  sources: SourceText[];
  comments: Comment[];
  diagnostics: Diagnostic[];
  /** Files read through `/include/`. */
  includes: string[];
}

/**
 * Scan the given sources one after another as one input (as dtc sees texts appended in order),
 * following `/include/` through `resolveInclude`. Never throws.
 */
export function scan(inputs: ScanSource[], resolveInclude?: IncludeResolver): ScanResult {
  const sources: SourceText[] = [];
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  const diagnostics: Diagnostic[] = [];
  const includes: string[] = [];
  let state: LexState = 'V1';

  const scanText = (srcIndex: number, depth: number): void => {
    const src = sources[srcIndex];
    const t = src.text;
    const n = t.length;
    let i = 0;
    const err = (start: number, end: number, message: string): void => {
      diagnostics.push({ severity: 'error', message, range: src.range(start, end), code: 'syntax' });
    };
    // Every token has the same shape (one hidden class keeps the parser's property reads fast).
    const push = (kind: TokenKind, start: number, end: number, text: string, bytes?: Uint8Array): void => {
      tokens.push({ kind, src: srcIndex, start, end, text, bytes, stray: false });
    };
    const atLineStart = (p: number): boolean => p === 0 || t.charCodeAt(p - 1) === C_NL;

    // Match `"..."` at p (STRING rule); returns the end offset (after the closing quote) or -1.
    const matchString = (p: number): number => {
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
    };
    // CHAR_LITERAL: '([^']|\\')*' with flex's longest match.
    const matchChar = (p: number): number => {
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
    };
    // ^"#"(line)?[ \t]+[0-9]+[ \t]+STRING([ \t]+[0-9]+)*
    const matchLineMarker = (p: number): { end: number; line: number; file: string } | undefined => {
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
      const se = matchString(j);
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
    };

    while (i < n) {
      const c = t.charCodeAt(i);
      // Whitespace and comments are skipped in every state.
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (c === 47 && i + 1 < n) {
        const c2 = t.charCodeAt(i + 1);
        if (c2 === 42) {
          const close = t.indexOf('*/', i + 2);
          const end = close < 0 ? n : close + 2;
          if (close < 0) err(i, n, 'unterminated comment');
          comments.push({ range: src.range(i, end), text: t.slice(i, end), src: srcIndex });
          i = end;
          continue;
        }
        if (c2 === 47) {
          let end = t.indexOf('\n', i);
          if (end < 0) end = n;
          comments.push({ range: src.range(i, end), text: t.slice(i, end), src: srcIndex });
          i = end;
          continue;
        }
      }
      // Line markers from cpp.
      if (c === 35 && atLineStart(i)) {
        const m = matchLineMarker(i);
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
          const se = t.charCodeAt(j) === 34 ? matchString(j) : -1;
          if (se > 0) {
            const name = t.slice(j + 1, se - 1);
            const range = src.range(i, se);
            if (depth + 1 >= MAX_INCLUDE_DEPTH) {
              diagnostics.push({ severity: 'error', message: 'Includes nested too deeply', range, code: 'include' });
            } else {
              const found = resolveInclude?.(name, src.file);
              if (!found) diagnostics.push({ severity: 'error', message: `Couldn't open "${name}": No such file or directory`, range, code: 'include' });
              else {
                includes.push(found.file);
                sources.push(new SourceText(found.file, found.text, undefined, range));
                scanText(sources.length - 1, depth + 1);
              }
            }
            i = se;
            continue;
          }
        }
        let kw: (typeof KEYWORDS)[number] | undefined;
        for (const k of KEYWORDS) if (t.startsWith(k[0], i)) kw = k;
        if (kw) {
          push(kw[1], i, i + kw[0].length, kw[0]);
          if (kw[2]) state = kw[2];
          i += kw[0].length;
          continue;
        }
        if (state === 'V1' && t.startsWith('/incbin/', i)) {
          push('incbin', i, i + 8, '/incbin/');
          i += 8;
          continue;
        }
      }
      if (c === 34) {
        const se = matchString(i);
        if (se > 0) {
          const bytes = unescapeString(t.slice(i + 1, se - 1), (off, message) => err(i + 1 + off, i + 3 + off, message));
          push('string', i, se, t.slice(i, se), bytes);
          i = se;
          continue;
        }
        err(i, i + 1, 'unterminated string');
      }
      // LABEL ':' in every state; it wins over a name or hex byte of the same prefix (longer match).
      // Where the label characters starting at i end: a name continues from there (label chars are name chars).
      let labelEnd = i;
      if (isLabelStart(c)) {
        let j = i + 1;
        while (j < n && isLabelChar(t.charCodeAt(j))) j++;
        labelEnd = j;
        if (j < n && t.charCodeAt(j) === 58) {
          // In name state a longer name would not include ':', so the label is always longer.
          push('label', i, j + 1, t.slice(i, j));
          i = j + 1;
          continue;
        }
      }
      if (state === 'BYTESTRING') {
        if (isHex(c) && i + 1 < n && isHex(t.charCodeAt(i + 1))) {
          push('byte', i, i + 2, t.slice(i, i + 2));
          i += 2;
          continue;
        }
        if (c === 93) {
          push('op', i, i + 1, ']');
          state = 'V1';
          i++;
          continue;
        }
      }
      if (state === 'PROPNODENAME' && (isPropNodeChar(c) || (c === 92 && i + 1 < n && isPropNodeChar(t.charCodeAt(i + 1))))) {
        const s = c === 92 ? i + 1 : i;
        let j = c === 92 ? s : labelEnd;
        while (j < n && isPropNodeChar(t.charCodeAt(j))) j++;
        push('name', i, j, t.slice(s, j));
        state = 'V1';
        i = j;
        continue;
      }
      if (state === 'V1' && isDigit(c)) {
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
        push('literal', i, j, t.slice(i, j));
        i = j;
        continue;
      }
      if (state === 'V1' && (isLabelStart(c) || c === 35)) {
        // dtc would see single characters here, always a syntax error; one name token lets the
        // parser report one error and resynchronise (typically after a missing `;`).
        let j = i + 1;
        while (j < n && isPropNodeChar(t.charCodeAt(j))) j++;
        tokens.push({ kind: 'name', src: srcIndex, start: i, end: j, text: t.slice(i, j), bytes: undefined, stray: true });
        i = j;
        continue;
      }
      if (c === 39) {
        const ce = matchChar(i);
        if (ce > 0) {
          push('char', i, ce, t.slice(i + 1, ce - 1));
          i = ce;
          continue;
        }
      }
      if (c === 38) {
        const c2 = t.charCodeAt(i + 1);
        if (isLabelStart(c2)) {
          let j = i + 2;
          while (j < n && isLabelChar(t.charCodeAt(j))) j++;
          push('ref', i, j, t.slice(i + 1, j));
          i = j;
          continue;
        }
        if (c2 === 123 && t.charCodeAt(i + 2) === 47) {
          let j = i + 3;
          while (j < n && isPathChar(t.charCodeAt(j))) j++;
          if (t.charCodeAt(j) === 125) {
            push('ref', i, j + 1, t.slice(i + 2, j));
            i = j + 1;
            continue;
          }
        }
      }
      const c2 = t.charCodeAt(i + 1);
      if (isTwoCharOp(c, c2)) {
        push('op', i, i + 2, t.slice(i, i + 2));
        i += 2;
        continue;
      }
      // Any other character is a token of its own (dtc's `.` rule).
      const cp = t.codePointAt(i)!;
      const len = cp > 0xffff ? 2 : 1;
      if (c === 91) state = 'BYTESTRING';
      else if (c === 123 || c === 59) state = 'PROPNODENAME';
      push('op', i, i + len, len === 1 ? t[i] : t.slice(i, i + len));
      i += len;
    }
  };

  for (const input of inputs) {
    sources.push(new SourceText(input.file, input.text, input.mapper));
    scanText(sources.length - 1, 0);
  }
  const last = sources.length > 0 ? sources.length - 1 : 0;
  const lastLen = sources[last]?.text.length ?? 0;
  tokens.push({ kind: 'eof', src: last, start: lastLen, end: lastLen, text: '', bytes: undefined, stray: false });
  if (sources.length === 0) sources.push(new SourceText('<empty>', ''));
  return { tokens, sources, comments, diagnostics, includes };
}
