// Recursive-descent parser for DTS (dtc-parser.y's grammar) over the scanner's tokens. It never
// throws: every problem becomes a positioned diagnostic, and the parser resynchronises at the next
// `;` or `}` so that one mistake (a missing `;`, a stray character) does not hide the rest.

import type { Diagnostic, SourceRange } from '../common/diagnostics';
import type {
  DtsBody, DtsBodyItem, DtsByte, DtsCell, DtsFile, DtsHeader, DtsLabel, DtsMemReserve, DtsNode, DtsProperty,
  DtsRef, DtsTopItem, DtsValuePart,
} from './ast';
import { C_BINARY_PRECEDENCE, type CBinaryOp, type CExpr } from './cexpr';
import { decodeEscape, type SourceText, type Token } from './lexer';

export interface ParseResult {
  file: DtsFile;
  diagnostics: Diagnostic[];
  /** For each header, /memreserve/ and top-level item: the scanner source index of its first token. */
  sourceOf: Map<object, number>;
}

const MAX_U64 = (1n << 64n) - 1n;
/** Deepest nesting of node bodies or parenthesised expressions accepted. */
export const MAX_NESTING = 256;

/** Value of an integer literal as dtc's eval_literal (strtoull base 0, U/L suffixes); error text when bad. */
export function literalValue(text: string): { value: bigint; error?: string } {
  let start = 0;
  let base = 10;
  if (text.length > 1 && text[0] === '0' && (text[1] === 'x' || text[1] === 'X')) {
    base = 16;
    start = 2;
  } else if (text[0] === '0') base = 8;
  let end = start;
  // Up to 13 digits fit a double exactly: accumulate them as we scan (no substring, no parseInt).
  let small = 0;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    const d = code < 128 ? DIGIT_VALUE[code] : 99;
    if (d >= base) break;
    small = small * base + d;
    end++;
  }
  if (end === start && base !== 8) return { value: 0n, error: 'Bad integer literal' };
  const count = end - start;
  // Longer literals go through BigInt's own parser.
  const value = count === 0 ? 0n : count <= 13 ? BigInt(small) : BigInt((base === 16 ? '0x' : base === 8 ? '0o' : '') + text.slice(start, end));
  for (let j = end; j < text.length; j++) if (text[j] !== 'U' && text[j] !== 'L') return { value, error: 'Bad integer literal' };
  if (value > MAX_U64) return { value: MAX_U64, error: 'Literal value too large' };
  return { value };
}

/** Digit value of each ASCII code; 99 for a non-digit. */
const DIGIT_VALUE = new Uint8Array(128).fill(99);
for (let i = 0; i < 10; i++) DIGIT_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  DIGIT_VALUE[65 + i] = 10 + i;
  DIGIT_VALUE[97 + i] = 10 + i;
}

/** Value of a character literal's contents as dtc's eval_char_literal (one unsigned byte). */
export function charLiteralValue(text: string): { value: bigint; error?: string } {
  const bytes = new TextEncoder().encode(text);
  const s = String.fromCharCode(...bytes);
  if (s.length === 0) return { value: 0n, error: 'Empty character literal' };
  let byte = s.charCodeAt(0);
  let next = 1;
  if (byte === 92) {
    const e = decodeEscape(s, 1);
    if (e.error) return { value: 0n, error: e.error };
    byte = e.byte;
    next = e.next;
  }
  const value = BigInt(byte);
  if (next !== s.length) return { value, error: `Character literal has ${s.length} characters instead of 1` };
  return { value };
}

/** Parse the scanner's tokens (sources from the same scan). */
export function parseTokens(tokens: Token[], sources: SourceText[]): ParseResult {
  return new Parser(tokens, sources).parseFile();
}

class Parser {
  private pos = 0;
  private readonly diagnostics: Diagnostic[] = [];
  /** Index of the token at which an error was last reported: one error per spot, no cascades. */
  private lastErrorToken = -1;
  /** Nesting of node bodies and of expressions: capped so that hostile input cannot exhaust the stack. */
  private depth = 0;
  private readonly sourceOf = new Map<object, number>();

  constructor(private readonly tokens: Token[], private readonly sources: SourceText[]) {}

  private get tok(): Token {
    return this.tokens[this.pos];
  }
  private peek(k = 1): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)];
  }
  private advance(): Token {
    const t = this.tokens[this.pos];
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  private isOp(text: string, t: Token = this.tok): boolean {
    return t.kind === 'op' && t.text === text;
  }
  private range(a: Token, b: Token = a): SourceRange {
    if (a.src === b.src) return this.sources[a.src].range(a.start, b.end);
    return this.sources[a.src].range(a.start, a.end);
  }
  private prev(): Token {
    return this.tokens[Math.max(0, this.pos - 1)];
  }
  private error(message: string, range: SourceRange): void {
    this.lastErrorToken = this.pos;
    this.diagnostics.push({ severity: 'error', message, range, code: 'syntax' });
  }
  private syntaxErrorAt(t: Token, expected: string): void {
    if (this.lastErrorToken === this.pos) return;
    const what = t.kind === 'eof' ? 'end of input' : `'${this.sources[t.src].text.slice(t.start, t.end)}'`;
    this.error(`syntax error: expected ${expected}, found ${what}`, this.range(t));
  }
  /** Report a missing token just after the previous one. */
  private missing(what: string): void {
    if (this.lastErrorToken === this.pos) return;
    const p = this.prev();
    const src = this.sources[p.src];
    this.error(`syntax error: missing ${what}`, src.range(p.end, p.end));
  }
  private expectOp(text: string): boolean {
    if (this.isOp(text)) {
      this.advance();
      return true;
    }
    this.missing(`'${text}'`);
    return false;
  }
  /** Names scanned outside dtc's name state are only accepted after an error here. */
  private takeName(): Token {
    const t = this.advance();
    if (t.stray && this.lastErrorToken !== this.pos - 1) this.error(`syntax error: unexpected '${t.text}'`, this.range(t));
    return t;
  }

  /** Skip to just after the next `;` at this nesting level, or to a `}` that closes it (not consumed). */
  private recover(): void {
    let depth = 0;
    const start = this.pos;
    while (this.tok.kind !== 'eof') {
      if (this.isOp('{')) depth++;
      else if (this.isOp('}')) {
        if (depth === 0) break;
        depth--;
        if (depth === 0 && this.isOp(';', this.peek())) {
          this.advance();
          this.advance();
          return;
        }
      } else if (this.isOp(';') && depth === 0) {
        this.advance();
        return;
      }
      this.advance();
    }
    if (this.pos === start && this.tok.kind !== 'eof' && !this.isOp('}')) this.advance();
  }

  parseFile(): ParseResult {
    const headers: DtsHeader[] = [];
    const memreserves: DtsMemReserve[] = [];
    const items: DtsTopItem[] = [];
    while (this.tok.kind === 'v1') {
      const src = this.tok.src;
      const h = this.parseHeader();
      this.sourceOf.set(h, src);
      headers.push(h);
    }
    if (headers.length === 0) {
      this.syntaxErrorAt(this.tok, "'/dts-v1/;'");
    }
    for (;;) {
      let k = 0;
      while (this.peek(k).kind === 'label') k++;
      if (this.peek(k).kind !== 'memreserve') break;
      const src = this.tok.src;
      const m = this.parseMemReserve();
      this.sourceOf.set(m, src);
      memreserves.push(m);
    }
    while (this.tok.kind !== 'eof') {
      const before = this.pos;
      const src = this.tok.src;
      const item = this.parseTopItem();
      if (item) {
        this.sourceOf.set(item, src);
        items.push(item);
      }
      if (this.pos === before) this.advance();
    }
    const file: DtsFile = { kind: 'file', headers, memreserves, items };
    if (items.length === 0 && this.lastErrorToken < 0) this.syntaxErrorAt(this.tok, "a root node '/ { ... };'");
    return { file, diagnostics: this.diagnostics, sourceOf: this.sourceOf };
  }

  private parseHeader(): DtsHeader {
    const first = this.advance();
    let plugin = false;
    this.expectOp(';');
    if (this.tok.kind === 'plugin') {
      this.advance();
      plugin = true;
      this.expectOp(';');
    }
    return { kind: 'header', plugin, range: this.range(first, this.prev()) };
  }

  private parseLabels(): DtsLabel[] {
    const labels: DtsLabel[] = [];
    while (this.tok.kind === 'label') {
      const t = this.advance();
      labels.push({ name: t.text, range: this.range(t) });
    }
    return labels;
  }

  private parseMemReserve(): DtsMemReserve {
    const first = this.tok;
    const labels = this.parseLabels();
    this.advance(); // /memreserve/
    const address = this.parsePrim();
    const size = this.parsePrim();
    if (!this.expectOp(';')) this.recover();
    return { kind: 'memreserve', labels, address, size, range: this.range(first, this.prev()) };
  }

  private parseRef(): DtsRef {
    const t = this.advance();
    return { target: t.text, range: this.range(t) };
  }

  private parseTopItem(): DtsTopItem | undefined {
    const first = this.tok;
    if (first.kind === 'v1' || first.kind === 'memreserve' || first.kind === 'plugin') {
      this.error(`syntax error: ${first.text} must come before the device tree`, this.range(first));
      this.recover();
      return undefined;
    }
    if (this.isOp('/')) {
      this.advance();
      if (!this.isOp('{')) {
        this.syntaxErrorAt(this.tok, "'{'");
        this.recover();
        return undefined;
      }
      const body = this.parseBody();
      return { kind: 'root', body, range: this.range(first, this.prev()) };
    }
    if (first.kind === 'delete-node' || first.kind === 'omit-if-no-ref') {
      this.advance();
      if (this.tok.kind !== 'ref') {
        this.syntaxErrorAt(this.tok, 'a reference (&label or &{/path})');
        this.recover();
        return undefined;
      }
      const ref = this.parseRef();
      if (!this.expectOp(';')) this.recover();
      const range = this.range(first, this.prev());
      return first.kind === 'delete-node' ? { kind: 'delete-ref', ref, range } : { kind: 'omit-ref', ref, range };
    }
    const labels = this.parseLabels();
    if (this.tok.kind === 'ref') {
      const ref = this.parseRef();
      if (!this.isOp('{')) {
        this.syntaxErrorAt(this.tok, "'{'");
        this.recover();
        return undefined;
      }
      const body = this.parseBody();
      return { kind: 'ref-node', labels, ref, body, range: this.range(first, this.prev()) };
    }
    this.syntaxErrorAt(this.tok, labels.length ? 'a reference after the label' : "'/ {', '&label {' or '/delete-node/ &label;'");
    this.recover();
    return undefined;
  }

  /** `{ items } ;` starting at `{`. */
  private parseBody(): DtsBody {
    if (this.depth >= MAX_NESTING) return this.skipTooDeep();
    this.depth++;
    try {
      return this.parseBodyInner();
    } finally {
      this.depth--;
    }
  }

  /** Skip a body nested beyond MAX_NESTING (one error, no recursion). */
  private skipTooDeep(): DtsBody {
    const open = this.tok;
    this.error(`nesting deeper than ${MAX_NESTING} levels`, this.range(open));
    let depth = 0;
    while (this.tok.kind !== 'eof') {
      const t = this.advance();
      if (this.isOp('{', t)) depth++;
      else if (this.isOp('}', t) && --depth <= 0) break;
    }
    if (this.isOp(';')) this.advance();
    return { items: [], range: this.range(open, this.prev()) };
  }

  private parseBodyInner(): DtsBody {
    const open = this.advance();
    const items: DtsBodyItem[] = [];
    let seenSubnode = false;
    while (this.tok.kind !== 'eof' && !this.isOp('}')) {
      const before = this.pos;
      const item = this.parseBodyItem();
      if (item) {
        if (item.kind === 'node' || item.kind === 'delete-node') seenSubnode = true;
        else if (seenSubnode) this.error('Properties must precede subnodes', item.range);
        items.push(item);
      }
      if (this.pos === before) this.advance();
    }
    if (this.isOp('}')) {
      this.advance();
      this.expectOp(';');
    } else {
      this.error("syntax error: missing '}' (unclosed '{')", this.range(open));
    }
    return { items, range: this.range(open, this.prev()) };
  }

  private parseBodyItem(): DtsBodyItem | undefined {
    const first = this.tok;
    if (first.kind === 'delete-property' || first.kind === 'delete-node') {
      this.advance();
      if (this.tok.kind !== 'name') {
        this.syntaxErrorAt(this.tok, first.kind === 'delete-node' ? 'a node name' : 'a property name');
        this.recover();
        return undefined;
      }
      const nameTok = this.takeName();
      if (!this.expectOp(';')) this.recover();
      const range = this.range(first, this.prev());
      return first.kind === 'delete-node'
        ? { kind: 'delete-node', name: nameTok.text, nameRange: this.range(nameTok), range }
        : { kind: 'delete-property', name: nameTok.text, nameRange: this.range(nameTok), range };
    }
    // Labels and /omit-if-no-ref/ may come in any order before a subnode.
    const labels: DtsLabel[] = [];
    let omit = false;
    for (;;) {
      if (this.tok.kind === 'label') labels.push(...this.parseLabels());
      else if (this.tok.kind === 'omit-if-no-ref') {
        this.advance();
        omit = true;
      } else break;
    }
    if (this.tok.kind !== 'name') {
      this.syntaxErrorAt(this.tok, 'a property or node name');
      this.recover();
      return undefined;
    }
    const nameTok = this.takeName();
    const nameRange = this.range(nameTok);
    if (this.isOp('{')) {
      const body = this.parseBody();
      const node: DtsNode = { kind: 'node', labels, name: nameTok.text, nameRange, omitIfNoRef: omit, body, range: this.range(first, this.prev()) };
      return node;
    }
    if (omit) this.error('syntax error: /omit-if-no-ref/ applies to nodes only', nameRange);
    let value: DtsValuePart[] | undefined;
    if (this.isOp('=')) {
      this.advance();
      value = this.parseValue();
    }
    if (!this.isOp(';')) {
      if (this.tok.kind === 'name' || this.tok.kind === 'label' || this.isOp('}') || this.tok.kind === 'delete-node' || this.tok.kind === 'delete-property') this.missing("';'");
      else {
        this.syntaxErrorAt(this.tok, value ? "',' or ';'" : "'=', ';' or '{'");
        this.recover();
        return { kind: 'property', labels, name: nameTok.text, nameRange, value, range: this.range(nameTok, this.prev()) };
      }
    } else this.advance();
    const prop: DtsProperty = { kind: 'property', labels, name: nameTok.text, nameRange, value, range: this.range(nameTok, this.prev()) };
    return prop;
  }

  /** propdata: comma-separated pieces with labels anywhere between them. */
  private parseValue(): DtsValuePart[] {
    const parts: DtsValuePart[] = [];
    let needPiece = true;
    for (;;) {
      const t = this.tok;
      if (t.kind === 'label') {
        this.advance();
        parts.push({ kind: 'label', label: { name: t.text, range: this.range(t) }, range: this.range(t) });
        continue;
      }
      if (!needPiece) {
        if (this.isOp(',')) {
          this.advance();
          needPiece = true;
          continue;
        }
        return parts;
      }
      const piece = this.parsePiece();
      if (!piece) return parts;
      parts.push(piece);
      needPiece = false;
    }
  }

  private parsePiece(): DtsValuePart | undefined {
    const t = this.tok;
    if (t.kind === 'string') {
      this.advance();
      return { kind: 'string', bytes: t.bytes ?? new Uint8Array(0), range: this.range(t) };
    }
    if (t.kind === 'ref') {
      const ref = this.parseRef();
      return { kind: 'path-ref', ref, range: ref.range };
    }
    if (t.kind === 'bits' || this.isOp('<')) return this.parseCells();
    if (this.isOp('[')) return this.parseBytes();
    if (t.kind === 'incbin') return this.parseIncbin();
    this.syntaxErrorAt(t, 'a value (string, <cells>, [bytes], &reference or /incbin/)');
    return undefined;
  }

  private parseCells(): DtsValuePart {
    const first = this.tok;
    let bits = 32;
    let bitsRange: SourceRange | undefined;
    if (first.kind === 'bits') {
      this.advance();
      const lit = this.tok;
      if (lit.kind === 'literal') {
        this.advance();
        bitsRange = this.range(lit);
        const v = literalValue(lit.text);
        if (v.value !== 8n && v.value !== 16n && v.value !== 32n && v.value !== 64n) {
          this.error('Array elements must be 8, 16, 32 or 64-bits', bitsRange);
        } else bits = Number(v.value);
      } else this.syntaxErrorAt(lit, 'the element size (8, 16, 32 or 64)');
      if (!this.isOp('<')) {
        this.syntaxErrorAt(this.tok, "'<'");
        return { kind: 'cells', bits, bitsRange, cells: [], range: this.range(first, this.prev()) };
      }
    }
    this.advance(); // <
    const cells: DtsCell[] = [];
    for (;;) {
      const t = this.tok;
      if (this.isOp('>')) {
        this.advance();
        break;
      }
      if (t.kind === 'label') {
        this.advance();
        const label = { name: t.text, range: this.range(t) };
        cells.push({ kind: 'label', label, range: label.range });
      } else if (t.kind === 'ref') {
        const ref = this.parseRef();
        if (bits !== 32) this.error('References are only allowed in arrays with 32-bit elements.', ref.range);
        cells.push({ kind: 'ref', ref, range: ref.range });
      } else if (t.kind === 'literal' || t.kind === 'char' || this.isOp('(')) {
        const expr = this.parsePrim();
        cells.push({ kind: 'expr', expr, range: expr.range });
      } else {
        this.syntaxErrorAt(t, "a cell value or '>'");
        break;
      }
    }
    return { kind: 'cells', bits, bitsRange, cells, range: this.range(first, this.prev()) };
  }

  private parseBytes(): DtsValuePart {
    const first = this.advance(); // [
    const bytes: DtsByte[] = [];
    for (;;) {
      const t = this.tok;
      if (this.isOp(']')) {
        this.advance();
        break;
      }
      if (t.kind === 'byte') {
        this.advance();
        bytes.push({ kind: 'byte', value: parseInt(t.text, 16), range: this.range(t) });
      } else if (t.kind === 'label') {
        this.advance();
        const label = { name: t.text, range: this.range(t) };
        bytes.push({ kind: 'label', label, range: label.range });
      } else {
        this.syntaxErrorAt(t, "two hex digits or ']'");
        break;
      }
    }
    return { kind: 'bytes', bytes, range: this.range(first, this.prev()) };
  }

  private parseIncbin(): DtsValuePart | undefined {
    const first = this.advance();
    if (!this.expectOp('(')) return undefined;
    const f = this.tok;
    if (f.kind !== 'string') {
      this.syntaxErrorAt(f, 'a file name string');
      return undefined;
    }
    this.advance();
    const file = new TextDecoder().decode(f.bytes);
    let offset: CExpr | undefined, length: CExpr | undefined;
    if (this.isOp(',')) {
      this.advance();
      offset = this.parsePrim();
      if (!this.expectOp(',')) return undefined;
      length = this.parsePrim();
    }
    if (!this.expectOp(')')) return undefined;
    return { kind: 'incbin', file, fileRange: this.range(f), includingFile: this.sources[f.src].file, offset, length, range: this.range(first, this.prev()) };
  }

  // integer_prim: literal | char literal | '(' expr ')'
  private parsePrim(): CExpr {
    const t = this.tok;
    if (t.kind === 'literal') {
      this.advance();
      const v = literalValue(t.text);
      const range = this.range(t);
      if (v.error) this.error(v.error, range);
      return { kind: 'number', value: v.value, range };
    }
    if (t.kind === 'char') {
      this.advance();
      const v = charLiteralValue(t.text);
      if (v.error) this.error(v.error, this.range(t));
      return { kind: 'number', value: v.value, range: this.range(t) };
    }
    if (this.isOp('(')) {
      this.advance();
      const inner = this.parseExpr();
      if (!this.expectOp(')')) return inner;
      return { ...inner, range: this.range(t, this.prev()) };
    }
    this.syntaxErrorAt(t, 'an integer');
    return { kind: 'number', value: 0n, range: this.range(t) };
  }

  private parseExpr(): CExpr {
    if (this.depth >= MAX_NESTING) {
      const t = this.tok;
      this.error(`expression nested deeper than ${MAX_NESTING} levels`, this.range(t));
      // Skip to the matching ')' of this level so the caller can continue.
      let depth = 0;
      while (this.tok.kind !== 'eof' && !(depth === 0 && this.isOp(')'))) {
        if (this.isOp('(')) depth++;
        else if (this.isOp(')')) depth--;
        this.advance();
      }
      return { kind: 'number', value: 0n, range: this.range(t) };
    }
    this.depth++;
    try {
      return this.parseExprInner();
    } finally {
      this.depth--;
    }
  }

  private parseExprInner(): CExpr {
    const cond = this.parseBinary(1);
    if (!this.isOp('?')) return cond;
    this.advance();
    const then = this.parseExpr();
    this.expectOp(':');
    const otherwise = this.parseExpr();
    return { kind: 'ternary', cond, then, else: otherwise, range: joinRanges(cond.range, otherwise.range) };
  }

  private parseBinary(minPrec: number): CExpr {
    let left = this.parseUnary();
    for (let count = 0; ; count++) {
      if (count > MAX_NESTING * 16) {
        this.error('expression too long', left.range);
        return left;
      }
      const t = this.tok;
      if (t.kind !== 'op') return left;
      const prec = (C_BINARY_PRECEDENCE as Record<string, number | undefined>)[t.text];
      if (prec === undefined || prec < minPrec) return left;
      this.advance();
      const right = this.parseBinary(prec + 1);
      left = { kind: 'binary', op: t.text as CBinaryOp, left, right, range: joinRanges(left.range, right.range) };
    }
  }

  private parseUnary(): CExpr {
    // Prefix operators are collected iteratively (a long run of '-' must not recurse).
    const ops: Token[] = [];
    while (this.tok.kind === 'op' && (this.tok.text === '-' || this.tok.text === '~' || this.tok.text === '!')) ops.push(this.advance());
    if (ops.length > MAX_NESTING) this.error(`more than ${MAX_NESTING} prefix operators`, this.range(ops[0]));
    let e = this.parsePrim();
    for (let i = Math.min(ops.length, MAX_NESTING) - 1; i >= 0; i--) {
      const t = ops[i];
      e = { kind: 'unary', op: t.text as '-' | '~' | '!', operand: e, range: joinRanges(this.range(t), e.range) };
    }
    return e;
  }
}

function joinRanges(a: SourceRange, b: SourceRange): SourceRange {
  if (a.file !== b.file) return a;
  return { file: a.file, start: a.start, end: b.end };
}
