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
const PUNCTUATORS2 = new Set([
  '##', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '->', '++', '--',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=',
]);
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
  constructor(readonly text: string, public ctx: LocationContext, start = 0, readonly end = text.length) {
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
    const t = this.text;
    const begin = this.pos;
    const p = this.skip(begin);
    if (p >= this.end) {
      this.pos = this.end;
      return this.make('eof', begin, this.end, '');
    }
    const c = t[p];
    // Newline (a lone '\r' before '\n' belongs to it).
    if (c === '\n' || (c === '\r' && this.charAt(p + 1) === '\n')) {
      const e = c === '\n' ? p + 1 : p + 2;
      return this.finish('nl', begin, e);
    }
    if (c === ' ' || c === '\t' || c === '\f' || c === '\v' || c === '\r') {
      let e = p;
      for (;;) {
        e = this.skip(e);
        const d = this.charAt(e);
        if (d === ' ' || d === '\t' || d === '\f' || d === '\v' || (d === '\r' && this.charAt(e + 1) !== '\n')) e++;
        else break;
      }
      return this.finish('ws', begin, e);
    }
    if (isIdentStart(c)) {
      let e = p + 1;
      for (;;) {
        e = this.skip(e);
        if (e < this.end && isIdentChar(t[e])) e++;
        else break;
      }
      return this.finish('ident', begin, e);
    }
    const n1 = this.skip(p + 1);
    const c1 = this.charAt(n1);
    if (isDigit(c) || (c === '.' && isDigit(c1))) {
      let e = p + 1;
      for (;;) {
        e = this.skip(e);
        const d = this.charAt(e);
        if (d === '+' || d === '-') {
          const prev = this.lastRealChar(e);
          if (prev === 'e' || prev === 'E' || prev === 'p' || prev === 'P') { e++; continue; }
          break;
        }
        if (d !== '' && (isIdentChar(d) || d === '.')) e++;
        else break;
      }
      return this.finish('number', begin, e);
    }
    if (c === '"' || c === "'") {
      // Literals end at their closing quote or, unterminated, at the end of the line (as cpp).
      let e = p + 1;
      for (;;) {
        e = this.skip(e);
        const d = this.charAt(e);
        if (d === '' || d === '\n' || (d === '\r' && this.charAt(e + 1) === '\n')) break;
        if (d === '\\') {
          e = this.skip(e + 1);
          const esc = this.charAt(e);
          if (esc === '' || esc === '\n' || (esc === '\r' && this.charAt(e + 1) === '\n')) break;
          e++;
          continue;
        }
        e++;
        if (d === c) break;
      }
      return this.finish(c === '"' ? 'string' : 'char', begin, e);
    }
    if (c === '/' && c1 === '*') {
      let e = n1 + 1;
      let terminated = false;
      while (e < this.end) {
        const d = t[e];
        if (d === '*') {
          const after = this.skip(e + 1);
          if (this.charAt(after) === '/') { e = after + 1; terminated = true; break; }
          e = after;
          continue;
        }
        e++;
      }
      const tok = this.finish('comment', begin, e);
      if (!terminated) tok.unterminated = true;
      return tok;
    }
    if (c === '/' && c1 === '/') {
      let e = n1 + 1;
      for (;;) {
        e = this.skip(e);
        const d = this.charAt(e);
        if (d === '' || d === '\n' || (d === '\r' && this.charAt(e + 1) === '\n')) break;
        e++;
      }
      return this.finish('comment', begin, e);
    }
    if (PUNCTUATOR_CHARS.includes(c)) {
      const n2 = this.skip(n1 + 1);
      const three = c + c1 + this.charAt(n2);
      if (PUNCTUATORS3.has(three)) return this.finish('punct', begin, n2 + 1);
      if (PUNCTUATORS2.has(c + c1)) return this.finish('punct', begin, n1 + 1);
      return this.finish('punct', begin, p + 1);
    }
    // One UTF-16 unit, or a whole surrogate pair.
    const code = c.charCodeAt(0);
    const e = code >= 0xd800 && code <= 0xdbff && p + 1 < this.end ? p + 2 : p + 1;
    return this.finish('other', begin, e);
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
