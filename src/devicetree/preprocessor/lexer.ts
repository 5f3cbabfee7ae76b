// Preprocessing tokens (C11 6.4), lexed straight from the original text so that every token knows
// its source offsets. Backslash-newline splices are skipped while lexing (translation phase 2)
// rather than removed beforehand, which keeps offsets original; a token that contains a splice is
// marked so the writer can copy it piece by piece.

import type { LocationContext } from './source-map';

export type TokenKind =
  | 'ws' // spaces and tabs (never a newline)
  | 'nl'
  | 'comment'
  | 'ident'
  | 'number'
  | 'string'
  | 'char'
  | 'punct'
  | 'other' // any other single character (e.g. '@', '$' in odd places, non-ASCII)
  | 'placemarker' // an empty macro argument next to ## (C11 6.10.3.3)
  | 'eof';

export interface PPToken {
  kind: TokenKind;
  /** The token's spelling with splices removed. */
  text: string;
  /** Where the token is: its source offsets in `ctx`, or for expansion output the invocation's offset. */
  ctx: LocationContext;
  start: number;
  end: number;
  /** True when [start, end) of the source is this very token (copy it verbatim). */
  fromSource: boolean;
  /** The source span contains backslash-newline splices. */
  spliced: boolean;
  /** Whitespace preceded the token (inside macro bodies and arguments, where whitespace is not kept as tokens). */
  spaceBefore: boolean;
  /** Macros that must not expand this token again (the "painted blue" set). */
  hide?: ReadonlySet<string>;
  /** Block comment without its end. */
  unterminated?: boolean;
}

const PUNCTUATORS3 = new Set(['...', '<<=', '>>=']);
const PUNCTUATORS2 = new Set(['##', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '->', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=']);
const PUNCTUATOR_CHARS = '[](){}.&*+-~!/%<>^|?:;=,#';

export function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$';
}
export function isIdentChar(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9');
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Lexes one file's text from `pos`. The location context can be swapped when a line marker applies. */
export class Lexer {
  pos = 0;
  private readonly hasSplices: boolean;
  constructor(
    readonly text: string,
    public ctx: LocationContext,
    start = 0,
    readonly end = text.length,
  ) {
    this.pos = start;
    this.hasSplices = text.indexOf('\\', start) >= 0;
  }

  /** Offset of the next real character at or after p (skipping splices). */
  private skip(p: number): number {
    if (!this.hasSplices) return p;
    const t = this.text;
    while (t.charCodeAt(p) === 92 /* \ */) {
      if (t.charCodeAt(p + 1) === 10) p += 2;
      else if (t.charCodeAt(p + 1) === 13 && t.charCodeAt(p + 2) === 10) p += 3;
      else break;
    }
    return p;
  }

  private charAt(p: number): string {
    return p < this.end ? this.text[p] : '';
  }

  atEnd(): boolean {
    return this.skip(this.pos) >= this.end;
  }

  next(): PPToken {
    const begin = this.pos;
    const p = this.skip(begin);
    if (p >= this.end) {
      this.pos = this.end;
      return this.make('eof', begin, this.end, '');
    }
    const c = this.text[p];
    // Newline (a lone '\r' before '\n' belongs to it).
    if (c === '\n' || (c === '\r' && this.charAt(p + 1) === '\n')) return this.finish('nl', begin, c === '\n' ? p + 1 : p + 2);
    if (c === ' ' || c === '\t' || c === '\f' || c === '\v' || c === '\r') return this.finish('ws', begin, this.scanWhiteSpace(p));
    if (isIdentStart(c)) return this.finish('ident', begin, this.scanIdentifier(p));
    const n1 = this.skip(p + 1);
    const c1 = this.charAt(n1);
    if (isDigit(c) || (c === '.' && isDigit(c1))) return this.finish('number', begin, this.scanNumber(p));
    if (c === '"') return this.finish('string', begin, this.scanQuoted(p));
    if (c === "'") return this.finish('char', begin, this.scanQuoted(p));
    if (c === '/' && c1 === '*') return this.blockComment(begin, n1 + 1);
    if (c === '/' && c1 === '/') return this.finish('comment', begin, this.scanToLineEnd(n1 + 1));
    if (PUNCTUATOR_CHARS.includes(c)) return this.finish('punct', begin, this.scanPunctuator(p, n1));
    // One UTF-16 unit, or a whole surrogate pair.
    const code = c.charCodeAt(0);
    return this.finish('other', begin, code >= 0xd800 && code <= 0xdbff && p + 1 < this.end ? p + 2 : p + 1);
  }

  /** True at the end of the text or of a line ('\n', or '\r' before '\n'). */
  private atLineEnd(e: number): boolean {
    const d = this.charAt(e);
    return d === '' || d === '\n' || (d === '\r' && this.charAt(e + 1) === '\n');
  }

  /** The end of the run of blanks starting at p (a '\r' before '\n' is the newline's). */
  private scanWhiteSpace(p: number): number {
    let e = p;
    for (;;) {
      e = this.skip(e);
      const d = this.charAt(e);
      if (d === ' ' || d === '\t' || d === '\f' || d === '\v' || (d === '\r' && this.charAt(e + 1) !== '\n')) e++;
      else return e;
    }
  }

  private scanIdentifier(p: number): number {
    let e = p + 1;
    for (;;) {
      e = this.skip(e);
      if (e < this.end && isIdentChar(this.text[e])) e++;
      else return e;
    }
  }

  /** A pp-number (C11 6.4.8): digits, letters, '.', and a sign after an exponent's e, E, p or P. */
  private scanNumber(p: number): number {
    let e = p + 1;
    for (;;) {
      e = this.skip(e);
      const d = this.charAt(e);
      if (d === '+' || d === '-') {
        const prev = this.lastRealChar(e);
        if (prev !== 'e' && prev !== 'E' && prev !== 'p' && prev !== 'P') return e;
        e++;
      } else if (d !== '' && (isIdentChar(d) || d === '.')) e++;
      else return e;
    }
  }

  /** A string or character literal: to its closing quote or, unterminated, to the end of the line (as cpp). */
  private scanQuoted(p: number): number {
    const quote = this.text[p];
    let e = p + 1;
    for (;;) {
      e = this.skip(e);
      if (this.atLineEnd(e)) return e;
      const d = this.text[e];
      if (d === '\\') {
        e = this.skip(e + 1);
        if (this.atLineEnd(e)) return e;
        e++;
        continue;
      }
      e++;
      if (d === quote) return e;
    }
  }

  /** A block comment whose body starts at `from`; unterminated, it runs to the end of the text. */
  private blockComment(begin: number, from: number): PPToken {
    let e = from;
    while (e < this.end) {
      if (this.text[e] !== '*') {
        e++;
        continue;
      }
      const after = this.skip(e + 1);
      if (this.charAt(after) === '/') return this.finish('comment', begin, after + 1);
      e = after;
    }
    const tok = this.finish('comment', begin, e);
    tok.unterminated = true;
    return tok;
  }

  private scanToLineEnd(from: number): number {
    let e = from;
    for (;;) {
      e = this.skip(e);
      if (this.atLineEnd(e)) return e;
      e++;
    }
  }

  /** The longest punctuator at p (three characters, two, or one); n1 is the offset of its second character. */
  private scanPunctuator(p: number, n1: number): number {
    const c = this.text[p];
    const c1 = this.charAt(n1);
    const n2 = this.skip(n1 + 1);
    if (PUNCTUATORS3.has(c + c1 + this.charAt(n2))) return n2 + 1;
    if (PUNCTUATORS2.has(c + c1)) return n1 + 1;
    return p + 1;
  }

  /** The last non-splice character before offset e (for exponent signs across splices). */
  private lastRealChar(e: number): string {
    let q = e - 1;
    while (q > 0 && this.text[q] === '\n') {
      if (this.text[q - 1] === '\\') q -= 2;
      else if (this.text[q - 1] === '\r' && this.text[q - 2] === '\\') q -= 3;
      else break;
    }
    return this.text[q] ?? '';
  }

  private finish(kind: TokenKind, begin: number, e: number, text?: string): PPToken {
    this.pos = e;
    // A token starts after any splices before it: they belong to no token (they vanish in phase 2).
    const start = this.skip(begin);
    return this.make(kind, start, e, text);
  }

  private make(kind: TokenKind, start: number, end: number, text?: string): PPToken {
    const raw = this.text.slice(start, end);
    const spliced = this.hasSplices && /* cheap test first */ raw.includes('\\') && hasSplice(raw);
    return {
      kind,
      text: text ?? (spliced ? removeSplices(raw) : raw),
      ctx: this.ctx,
      start,
      end,
      fromSource: true,
      spliced,
      spaceBefore: false,
    };
  }
}

function hasSplice(s: string): boolean {
  for (let i = s.indexOf('\\'); i >= 0; i = s.indexOf('\\', i + 1)) {
    if (s[i + 1] === '\n' || (s[i + 1] === '\r' && s[i + 2] === '\n')) return true;
  }
  return false;
}

export function removeSplices(s: string): string {
  let out = '';
  let from = 0;
  for (let i = s.indexOf('\\'); i >= 0; i = s.indexOf('\\', i + 1)) {
    const len = s[i + 1] === '\n' ? 2 : s[i + 1] === '\r' && s[i + 2] === '\n' ? 3 : 0;
    if (len === 0) continue;
    out += s.slice(from, i);
    from = i + len;
    i += len - 1;
  }
  return out + s.slice(from);
}

/** Lex a standalone string (a pasted or stringized spelling) into tokens; for validity checks. */
export function lexString(text: string, ctx: LocationContext): PPToken[] {
  const lx = new Lexer(text, ctx);
  const out: PPToken[] = [];
  for (let t = lx.next(); t.kind !== 'eof'; t = lx.next()) out.push(t);
  return out;
}
