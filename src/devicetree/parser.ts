// Recursive-descent parser for DTS (dtc-parser.y's grammar) over the scanner's tokens. It never
// throws: every problem becomes a positioned diagnostic, and the parser resynchronises at the next
// `;` or `}` so that one mistake (a missing `;`, a stray character) does not hide the rest. Tokens
// are numbers (indexes into the scanner's TokenList): text is sliced only where the AST keeps it.

import type { Diagnostic, Position, SourceRange } from '../common/diagnostics';
import type {
  DtsBody,
  DtsBodyItem,
  DtsByte,
  DtsCell,
  DtsFile,
  DtsHeader,
  DtsLabel,
  DtsMemReserve,
  DtsNode,
  DtsProperty,
  DtsRef,
  DtsTopItem,
  DtsValuePart,
} from './ast';
import { C_BINARY_PRECEDENCE, type CBinaryOp, type CExpr } from './cexpr';
import { decodeEscape, opCode, TOKEN, type SourceText, type TokenList } from './lexer';

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
  const status: LiteralStatus = {};
  const value = literalValueAt(text, 0, text.length, status);
  return status.error ? { value, error: status.error } : { value };
}

/** Where literalValueAt puts its error: one object the caller reuses (a result object per cell would be garbage). */
interface LiteralStatus {
  error?: string;
}

/** literalValue of text[from, to) (the parser reads literals in place); its error, if any, in `status.error`. */
function literalValueAt(text: string, from: number, to: number, status: LiteralStatus): bigint {
  status.error = undefined;
  let start = from;
  let base = 10;
  const c0 = text.charCodeAt(from);
  if (to - from > 1 && c0 === 48 && (text.charCodeAt(from + 1) === 120 || text.charCodeAt(from + 1) === 88)) {
    base = 16;
    start = from + 2;
  } else if (c0 === 48 && from < to) base = 8;
  let end = start;
  // Up to 13 digits fit a double exactly: accumulate them as we scan (no substring, no parseInt).
  let small = 0;
  while (end < to) {
    const code = text.charCodeAt(end);
    const d = code < 128 ? DIGIT_VALUE[code] : 99;
    if (d >= base) break;
    small = small * base + d;
    end++;
  }
  if (end === start && base !== 8) {
    status.error = 'Bad integer literal';
    return 0n;
  }
  const count = end - start;
  // Longer literals go through BigInt's own parser (and only they can exceed 64 bits).
  const value = count === 0 ? 0n : count <= 13 ? bigintOf(small) : BigInt((base === 16 ? '0x' : base === 8 ? '0o' : '') + text.slice(start, end));
  for (let j = end; j < to; j++) {
    const c = text.charCodeAt(j);
    if (c !== 85 && c !== 76) {
      status.error = 'Bad integer literal';
      return value;
    }
  }
  if (count > 13 && value > MAX_U64) {
    status.error = 'Literal value too large';
    return MAX_U64;
  }
  return value;
}

/** Digit value of each ASCII code; 99 for a non-digit. */
const DIGIT_VALUE = new Uint8Array(128).fill(99);
for (let i = 0; i < 10; i++) DIGIT_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  DIGIT_VALUE[65 + i] = 10 + i;
  DIGIT_VALUE[97 + i] = 10 + i;
}

/** Small values shared (a bigint is immutable): cell values are mostly small. */
const SMALL_BIGINTS: bigint[] = [];
for (let i = 0; i < 1024; i++) SMALL_BIGINTS.push(BigInt(i));
function bigintOf(n: number): bigint {
  return n < 1024 ? SMALL_BIGINTS[n] : BigInt(n);
}

/** Value of a character literal's contents as dtc's eval_char_literal (one unsigned byte). */
export function charLiteralValue(text: string): { value: bigint; error?: string } {
  const bytes = new TextEncoder().encode(text);
  // One byte per character; only the first escape (at most 4 bytes) is decoded, so a prefix does
  // (spreading a 130 KB literal into fromCharCode's arguments overflowed the stack).
  const s = String.fromCharCode(...bytes.subarray(0, 16));
  if (bytes.length === 0) return { value: 0n, error: 'Empty character literal' };
  let byte = s.charCodeAt(0);
  let next = 1;
  if (byte === 92) {
    const e = decodeEscape(s, 1);
    if (e.error) return { value: 0n, error: e.error };
    byte = e.byte;
    next = e.next;
  }
  const value = BigInt(byte);
  if (next !== bytes.length) return { value, error: `Character literal has ${bytes.length} characters instead of 1` };
  return { value };
}

// Token kind codes as module constants: read once, not through the import on every test.
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

/** Binary operators' precedence by operator code (TokenList.aux of an op token). */
const PRECEDENCE_BY_CODE = new Map<number, number>(Object.entries(C_BINARY_PRECEDENCE).map(([op, prec]) => [opCode(op), prec]));

// Operator codes the grammar tests (their character codes).
const OP_LBRACE = 123,
  OP_RBRACE = 125,
  OP_SEMI = 59,
  OP_EQ = 61,
  OP_COMMA = 44,
  OP_LT = 60,
  OP_GT = 62,
  OP_LBRACKET = 91;
const OP_RBRACKET = 93,
  OP_LPAREN = 40,
  OP_RPAREN = 41,
  OP_SLASH = 47,
  OP_QUESTION = 63,
  OP_COLON = 58,
  OP_MINUS = 45,
  OP_TILDE = 126,
  OP_NOT = 33;

/**
 * The label list of every unlabelled item (most of them): one shared empty list rather than one per
 * item. Nothing appends to an AST's lists; not frozen, as the AST's types are mutable arrays.
 */
const NO_LABELS: DtsLabel[] = [];

/**
 * Parse the scanner's tokens (sources from the same scan). `continuation`: the tokens follow another
 * file's (an overlay after its base, parsed apart for the front-end cache): only top-level items, as
 * the whole input's parse reads them there, with no header expected.
 */
export function parseTokens(tokens: TokenList, sources: SourceText[], continuation = false): ParseResult {
  return new Parser(tokens, sources).parseFile(continuation);
}

class Parser {
  /** Index of the current token. */
  private pos = 0;
  private readonly diagnostics: Diagnostic[] = [];
  /** Index of the token at which an error was last reported: one error per spot, no cascades. */
  private lastErrorToken = -1;
  /** Nesting of node bodies and of expressions: capped so that hostile input cannot exhaust the stack. */
  private depth = 0;
  private readonly sourceOf = new Map<object, number>();
  // The token list's arrays, read directly on the hot path.
  private readonly kinds: Uint8Array;
  private readonly srcs: Int32Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly aux: Int32Array;
  // A value's pieces and a cell list are collected here and copied out at their exact size: a list
  // grown by push keeps room for 16 (most values have one piece, most cell lists two or three).
  // Neither nests (cells hold expressions, not values). Entries past the count are stale, never read.
  private readonly partsScratch: DtsValuePart[] = [];
  private readonly cellsScratch: DtsCell[] = [];
  /** Index of the eof token (the last). */
  private readonly last: number;

  constructor(
    private readonly tokens: TokenList,
    private readonly sources: SourceText[],
  ) {
    this.kinds = tokens.kinds;
    this.srcs = tokens.srcs;
    this.starts = tokens.starts;
    this.ends = tokens.ends;
    this.aux = tokens.aux;
    this.last = tokens.length - 1;
  }

  /** Kind code of the current token. */
  private get kind(): number {
    return this.kinds[this.pos];
  }
  private peek(k = 1): number {
    return Math.min(this.pos + k, this.last);
  }
  private advance(): number {
    const t = this.pos;
    if (this.kinds[t] !== T_EOF) this.pos++;
    return t;
  }
  private isOp(code: number, t: number = this.pos): boolean {
    return this.kinds[t] === T_OP && this.aux[t] === code;
  }
  private text(t: number): string {
    return this.tokens.text(t);
  }
  /** From token a's start to token b's end (a's own range if b is in another source); `start`: a's start position if built already. */
  private range(a: number, b: number = a, start?: Position): SourceRange {
    const src = this.srcs[a];
    return this.sources[src].range(this.starts[a], this.ends[src === this.srcs[b] ? b : a], start);
  }
  private prev(): number {
    return Math.max(0, this.pos - 1);
  }
  private error(message: string, range: SourceRange, fix?: Diagnostic['fix']): void {
    this.lastErrorToken = this.pos;
    this.diagnostics.push(fix ? { severity: 'error', message, range, code: 'syntax', fix } : { severity: 'error', message, range, code: 'syntax' });
  }
  private syntaxErrorAt(t: number, expected: string): void {
    if (this.lastErrorToken === this.pos) return;
    const what = this.kinds[t] === T_EOF ? 'end of input' : `'${this.sources[this.srcs[t]].text.slice(this.starts[t], this.ends[t])}'`;
    this.error(`syntax error: expected ${expected}, found ${what}`, this.range(t));
  }
  /** Report a missing token just after the previous one; parsing goes on as if it were there, so inserting it is the fix. */
  private missing(text: string): void {
    if (this.lastErrorToken === this.pos) return;
    const p = this.prev();
    const end = this.ends[p];
    const range = this.sources[this.srcs[p]].range(end, end);
    this.error(`syntax error: missing '${text}'`, range, { title: `Insert '${text}'`, range, newText: text });
  }
  private expectOp(code: number): boolean {
    if (this.isOp(code)) {
      this.advance();
      return true;
    }
    this.missing(String.fromCodePoint(code));
    return false;
  }
  /** Names scanned outside dtc's name state are only accepted after an error here. */
  private takeName(): number {
    const t = this.advance();
    if (this.aux[t] === 1 && this.lastErrorToken !== this.pos - 1) this.error(`syntax error: unexpected '${this.text(t)}'`, this.range(t));
    return t;
  }

  /** Skip to just after the next `;` at this nesting level, or to a `}` that closes it (not consumed). */
  private recover(): void {
    let depth = 0;
    const start = this.pos;
    while (this.kind !== T_EOF) {
      if (this.isOp(OP_LBRACE)) depth++;
      else if (this.isOp(OP_RBRACE)) {
        if (depth === 0) break;
        depth--;
        if (depth === 0 && this.isOp(OP_SEMI, this.peek())) {
          this.advance();
          this.advance();
          return;
        }
      } else if (this.isOp(OP_SEMI) && depth === 0) {
        this.advance();
        return;
      }
      this.advance();
    }
    if (this.pos === start && this.kind !== T_EOF && !this.isOp(OP_RBRACE)) this.advance();
  }

  parseFile(continuation: boolean): ParseResult {
    const headers: DtsHeader[] = [];
    const memreserves: DtsMemReserve[] = [];
    const items: DtsTopItem[] = [];
    if (continuation) {
      this.parseItems(items);
      return { file: { kind: 'file', headers, memreserves, items }, diagnostics: this.diagnostics, sourceOf: this.sourceOf };
    }
    while (this.kind === T_V1) {
      const src = this.srcs[this.pos];
      const h = this.parseHeader();
      this.sourceOf.set(h, src);
      headers.push(h);
    }
    if (headers.length === 0) {
      this.syntaxErrorAt(this.pos, "'/dts-v1/;'");
    }
    for (;;) {
      let k = 0;
      while (this.kinds[this.peek(k)] === T_LABEL) k++;
      if (this.kinds[this.peek(k)] !== T_MEMRESERVE) break;
      const src = this.srcs[this.pos];
      const m = this.parseMemReserve();
      this.sourceOf.set(m, src);
      memreserves.push(m);
    }
    this.parseItems(items);
    const file: DtsFile = { kind: 'file', headers, memreserves, items };
    if (items.length === 0 && this.lastErrorToken < 0) this.syntaxErrorAt(this.pos, "a root node '/ { ... };'");
    return { file, diagnostics: this.diagnostics, sourceOf: this.sourceOf };
  }

  private parseItems(items: DtsTopItem[]): void {
    while (this.kind !== T_EOF) {
      const before = this.pos;
      const src = this.srcs[this.pos];
      const item = this.parseTopItem();
      if (item) {
        this.sourceOf.set(item, src);
        items.push(item);
      }
      if (this.pos === before) this.advance();
    }
  }

  private parseHeader(): DtsHeader {
    const first = this.advance();
    let plugin = false;
    this.expectOp(OP_SEMI);
    if (this.kind === T_PLUGIN) {
      this.advance();
      plugin = true;
      this.expectOp(OP_SEMI);
    }
    return { kind: 'header', plugin, range: this.range(first, this.prev()) };
  }

  /** Labels at the current token, appended to `labels` (a new list in place of NO_LABELS, sized for one). */
  private parseLabels(labels: DtsLabel[]): DtsLabel[] {
    while (this.kind === T_LABEL) {
      const t = this.advance();
      const label = { name: this.text(t), range: this.range(t) };
      if (labels === NO_LABELS) labels = [label];
      else labels.push(label);
    }
    return labels;
  }

  private parseMemReserve(): DtsMemReserve {
    const first = this.pos;
    const labels = this.parseLabels(NO_LABELS);
    this.advance(); // /memreserve/
    const address = this.parsePrim();
    const size = this.parsePrim();
    if (!this.expectOp(OP_SEMI)) this.recover();
    return { kind: 'memreserve', labels, address, size, range: this.range(first, this.prev()) };
  }

  private parseRef(): DtsRef {
    const t = this.advance();
    return { target: this.text(t), range: this.range(t) };
  }

  private parseTopItem(): DtsTopItem | undefined {
    const first = this.pos;
    const kind = this.kind;
    if (kind === T_V1 || kind === T_MEMRESERVE || kind === T_PLUGIN) {
      this.error(`syntax error: ${this.text(first)} must come before the device tree`, this.range(first));
      this.recover();
      return undefined;
    }
    if (this.isOp(OP_SLASH)) {
      this.advance();
      if (!this.isOp(OP_LBRACE)) {
        this.syntaxErrorAt(this.pos, "'{'");
        this.recover();
        return undefined;
      }
      const body = this.parseBody();
      return { kind: 'root', body, range: this.range(first, this.prev()) };
    }
    if (kind === T_DELETE_NODE || kind === T_OMIT_IF_NO_REF) {
      this.advance();
      if (this.kind !== T_REF) {
        this.syntaxErrorAt(this.pos, 'a reference (&label or &{/path})');
        this.recover();
        return undefined;
      }
      const ref = this.parseRef();
      if (!this.expectOp(OP_SEMI)) this.recover();
      const range = this.range(first, this.prev());
      return kind === T_DELETE_NODE ? { kind: 'delete-ref', ref, range } : { kind: 'omit-ref', ref, range };
    }
    const labels = this.parseLabels(NO_LABELS);
    if (this.kind === T_REF) {
      const ref = this.parseRef();
      if (!this.isOp(OP_LBRACE)) {
        this.syntaxErrorAt(this.pos, "'{'");
        this.recover();
        return undefined;
      }
      const body = this.parseBody();
      return { kind: 'ref-node', labels, ref, body, range: this.range(first, this.prev()) };
    }
    this.syntaxErrorAt(this.pos, labels.length ? 'a reference after the label' : "'/ {', '&label {' or '/delete-node/ &label;'");
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
    const open = this.pos;
    this.error(`nesting deeper than ${MAX_NESTING} levels`, this.range(open));
    let depth = 0;
    while (this.kind !== T_EOF) {
      const t = this.advance();
      if (this.isOp(OP_LBRACE, t)) depth++;
      else if (this.isOp(OP_RBRACE, t) && --depth <= 0) break;
    }
    if (this.isOp(OP_SEMI)) this.advance();
    return { items: [], range: this.range(open, this.prev()) };
  }

  private parseBodyInner(): DtsBody {
    const open = this.advance();
    const items: DtsBodyItem[] = [];
    let seenSubnode = false;
    while (this.kind !== T_EOF && !this.isOp(OP_RBRACE)) {
      const before = this.pos;
      const item = this.parseBodyItem();
      if (item) {
        if (item.kind === 'node' || item.kind === 'delete-node') seenSubnode = true;
        else if (seenSubnode) this.error('Properties must precede subnodes', item.range);
        items.push(item);
      }
      if (this.pos === before) this.advance();
    }
    if (this.isOp(OP_RBRACE)) {
      this.advance();
      this.expectOp(OP_SEMI);
    } else {
      this.error("syntax error: missing '}' (unclosed '{')", this.range(open), this.closingFix(open));
    }
    return { items, range: this.range(open, this.prev()) };
  }

  /** The body of `{` at `open` read to the end of the input: `};` after its last token, indented as the line of its `{`. */
  private closingFix(open: number): Diagnostic['fix'] {
    const last = this.prev();
    const src = this.sources[this.srcs[open]];
    if (this.srcs[last] !== this.srcs[open]) return undefined;
    const text = src.text;
    let lineStart = this.starts[open];
    while (lineStart > 0 && text[lineStart - 1] !== '\n') lineStart--;
    let indentEnd = lineStart;
    while (text[indentEnd] === ' ' || text[indentEnd] === '\t') indentEnd++;
    const range = src.range(this.ends[last], this.ends[last]);
    return { title: "Insert '};'", range, newText: `\n${text.slice(lineStart, indentEnd)}};` };
  }

  private parseBodyItem(): DtsBodyItem | undefined {
    const first = this.pos;
    const firstKind = this.kind;
    if (firstKind === T_DELETE_PROPERTY || firstKind === T_DELETE_NODE) {
      this.advance();
      if (this.kind !== T_NAME) {
        this.syntaxErrorAt(this.pos, firstKind === T_DELETE_NODE ? 'a node name' : 'a property name');
        this.recover();
        return undefined;
      }
      const nameTok = this.takeName();
      if (!this.expectOp(OP_SEMI)) this.recover();
      const range = this.range(first, this.prev());
      return firstKind === T_DELETE_NODE
        ? { kind: 'delete-node', name: this.text(nameTok), nameRange: this.range(nameTok), range }
        : { kind: 'delete-property', name: this.text(nameTok), nameRange: this.range(nameTok), range };
    }
    // Labels and /omit-if-no-ref/ may come in any order before a subnode.
    let labels = NO_LABELS;
    let omit = false;
    for (;;) {
      if (this.kind === T_LABEL) labels = this.parseLabels(labels);
      else if (this.kind === T_OMIT_IF_NO_REF) {
        this.advance();
        omit = true;
      } else break;
    }
    if (this.kind !== T_NAME) {
      this.syntaxErrorAt(this.pos, 'a property or node name');
      this.recover();
      return undefined;
    }
    const nameTok = this.takeName();
    const name = this.text(nameTok);
    const nameRange = this.range(nameTok);
    if (this.isOp(OP_LBRACE)) {
      const body = this.parseBody();
      // The node starts at its first label or at its name, whose start position is built already.
      const start = firstKind === T_LABEL ? labels[0].range.start : firstKind === T_NAME ? nameRange.start : undefined;
      const node: DtsNode = { kind: 'node', labels, name, nameRange, omitIfNoRef: omit, body, range: this.range(first, this.prev(), start) };
      return node;
    }
    if (omit) this.error('syntax error: /omit-if-no-ref/ applies to nodes only', nameRange);
    let value: DtsValuePart[] | undefined;
    if (this.isOp(OP_EQ)) {
      this.advance();
      value = this.parseValue();
    }
    if (!this.isOp(OP_SEMI)) {
      const kind = this.kind;
      if (kind === T_NAME || kind === T_LABEL || this.isOp(OP_RBRACE) || kind === T_DELETE_NODE || kind === T_DELETE_PROPERTY) this.missing(';');
      else {
        this.syntaxErrorAt(this.pos, value ? "',' or ';'" : "'=', ';' or '{'");
        this.recover();
        return { kind: 'property', labels, name, nameRange, value, range: this.range(nameTok, this.prev(), nameRange.start) };
      }
    } else this.advance();
    const prop: DtsProperty = { kind: 'property', labels, name, nameRange, value, range: this.range(nameTok, this.prev(), nameRange.start) };
    return prop;
  }

  /** propdata: comma-separated pieces with labels anywhere between them. */
  private parseValue(): DtsValuePart[] {
    const parts = this.partsScratch;
    let count = 0;
    let needPiece = true;
    for (;;) {
      const t = this.pos;
      if (this.kinds[t] === T_LABEL) {
        this.advance();
        const label = { name: this.text(t), range: this.range(t) };
        parts[count++] = { kind: 'label', label, range: label.range };
        continue;
      }
      if (!needPiece) {
        if (this.isOp(OP_COMMA)) {
          this.advance();
          needPiece = true;
          continue;
        }
        break;
      }
      const piece = this.parsePiece();
      if (!piece) break;
      parts[count++] = piece;
      needPiece = false;
    }
    return parts.slice(0, count);
  }

  private parsePiece(): DtsValuePart | undefined {
    const t = this.pos;
    const kind = this.kinds[t];
    if (kind === T_STRING) {
      this.advance();
      return { kind: 'string', bytes: this.tokens.bytes(t) ?? new Uint8Array(0), range: this.range(t) };
    }
    if (kind === T_REF) {
      const ref = this.parseRef();
      return { kind: 'path-ref', ref, range: ref.range };
    }
    if (kind === T_BITS || this.isOp(OP_LT)) return this.parseCells();
    if (this.isOp(OP_LBRACKET)) return this.parseBytes();
    if (kind === T_INCBIN) return this.parseIncbin();
    this.syntaxErrorAt(t, 'a value (string, <cells>, [bytes], &reference or /incbin/)');
    return undefined;
  }

  private parseCells(): DtsValuePart {
    const first = this.pos;
    let bits = 32;
    let bitsRange: SourceRange | undefined;
    if (this.kinds[first] === T_BITS) {
      this.advance();
      const lit = this.pos;
      if (this.kinds[lit] === T_LITERAL) {
        this.advance();
        bitsRange = this.range(lit);
        const v = this.literal(lit);
        if (v !== 8n && v !== 16n && v !== 32n && v !== 64n) {
          this.error('Array elements must be 8, 16, 32 or 64-bits', bitsRange);
        } else bits = Number(v);
      } else this.syntaxErrorAt(lit, 'the element size (8, 16, 32 or 64)');
      if (!this.isOp(OP_LT)) {
        this.syntaxErrorAt(this.pos, "'<'");
        return { kind: 'cells', bits, bitsRange, cells: [], range: this.range(first, this.prev()) };
      }
    }
    this.advance(); // <
    const cells = this.cellsScratch;
    let count = 0;
    for (;;) {
      const t = this.pos;
      const kind = this.kinds[t];
      if (this.isOp(OP_GT)) {
        this.advance();
        break;
      }
      if (kind === T_LABEL) {
        this.advance();
        const label = { name: this.text(t), range: this.range(t) };
        cells[count++] = { kind: 'label', label, range: label.range };
      } else if (kind === T_REF) {
        const ref = this.parseRef();
        if (bits !== 32) this.error('References are only allowed in arrays with 32-bit elements.', ref.range);
        cells[count++] = { kind: 'ref', ref, range: ref.range };
      } else if (kind === T_LITERAL || kind === T_CHAR || this.isOp(OP_LPAREN)) {
        const expr = this.parsePrim();
        cells[count++] = { kind: 'expr', expr, range: expr.range };
      } else {
        // `<1 2;`: the list ends where its `>` belongs.
        if (this.isOp(OP_SEMI) || this.isOp(OP_COMMA)) this.missing('>');
        else this.syntaxErrorAt(t, "a cell value or '>'");
        break;
      }
    }
    return { kind: 'cells', bits, bitsRange, cells: cells.slice(0, count), range: this.range(first, this.prev()) };
  }

  private parseBytes(): DtsValuePart {
    const first = this.advance(); // [
    const bytes: DtsByte[] = [];
    for (;;) {
      const t = this.pos;
      const kind = this.kinds[t];
      if (this.isOp(OP_RBRACKET)) {
        this.advance();
        break;
      }
      if (kind === T_BYTE) {
        this.advance();
        // Always two hex digits (the scanner's BYTESTRING rule).
        const text = this.sources[this.srcs[t]].text,
          at = this.starts[t];
        bytes.push({ kind: 'byte', value: DIGIT_VALUE[text.charCodeAt(at)] * 16 + DIGIT_VALUE[text.charCodeAt(at + 1)], range: this.range(t) });
      } else if (kind === T_LABEL) {
        this.advance();
        const label = { name: this.text(t), range: this.range(t) };
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
    if (!this.expectOp(OP_LPAREN)) return undefined;
    const f = this.pos;
    if (this.kinds[f] !== T_STRING) {
      this.syntaxErrorAt(f, 'a file name string');
      return undefined;
    }
    this.advance();
    const file = new TextDecoder().decode(this.tokens.bytes(f));
    let offset: CExpr | undefined, length: CExpr | undefined;
    if (this.isOp(OP_COMMA)) {
      this.advance();
      offset = this.parsePrim();
      if (!this.expectOp(OP_COMMA)) return undefined;
      length = this.parsePrim();
    }
    if (!this.expectOp(OP_RPAREN)) return undefined;
    return {
      kind: 'incbin',
      file,
      fileRange: this.range(f),
      includingFile: this.sources[this.srcs[f]].file,
      offset,
      length,
      range: this.range(first, this.prev()),
    };
  }

  /** The last literal's error (set by literal()). */
  private readonly literalStatus: LiteralStatus = {};

  /** The value of literal token t, read in place (its error, if any, in literalStatus.error). */
  private literal(t: number): bigint {
    return literalValueAt(this.sources[this.srcs[t]].text, this.starts[t], this.ends[t], this.literalStatus);
  }

  // integer_prim: literal | char literal | '(' expr ')'
  private parsePrim(): CExpr {
    const t = this.pos;
    const kind = this.kinds[t];
    if (kind === T_LITERAL) {
      this.advance();
      const value = this.literal(t);
      const range = this.range(t);
      if (this.literalStatus.error) this.error(this.literalStatus.error, range);
      return { kind: 'number', value, range };
    }
    if (kind === T_CHAR) {
      this.advance();
      const v = charLiteralValue(this.text(t));
      const range = this.range(t);
      if (v.error) this.error(v.error, range);
      return { kind: 'number', value: v.value, range };
    }
    if (this.isOp(OP_LPAREN)) {
      this.advance();
      const inner = this.parseExpr();
      if (!this.expectOp(OP_RPAREN)) return inner;
      return { ...inner, range: this.range(t, this.prev()) };
    }
    this.syntaxErrorAt(t, 'an integer');
    return { kind: 'number', value: 0n, range: this.range(t) };
  }

  private parseExpr(): CExpr {
    if (this.depth >= MAX_NESTING) {
      const t = this.pos;
      this.error(`expression nested deeper than ${MAX_NESTING} levels`, this.range(t));
      // Skip to the matching ')' of this level so the caller can continue.
      let depth = 0;
      while (this.kind !== T_EOF && !(depth === 0 && this.isOp(OP_RPAREN))) {
        if (this.isOp(OP_LPAREN)) depth++;
        else if (this.isOp(OP_RPAREN)) depth--;
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
    if (!this.isOp(OP_QUESTION)) return cond;
    this.advance();
    const then = this.parseExpr();
    this.expectOp(OP_COLON);
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
      const t = this.pos;
      if (this.kinds[t] !== T_OP) return left;
      const prec = PRECEDENCE_BY_CODE.get(this.aux[t]);
      if (prec === undefined || prec < minPrec) return left;
      this.advance();
      const right = this.parseBinary(prec + 1);
      left = { kind: 'binary', op: this.text(t) as CBinaryOp, left, right, range: joinRanges(left.range, right.range) };
    }
  }

  private parseUnary(): CExpr {
    if (!this.isOp(OP_MINUS) && !this.isOp(OP_TILDE) && !this.isOp(OP_NOT)) return this.parsePrim();
    // Prefix operators are collected iteratively (a long run of '-' must not recurse).
    const ops: number[] = [];
    while (this.isOp(OP_MINUS) || this.isOp(OP_TILDE) || this.isOp(OP_NOT)) ops.push(this.advance());
    if (ops.length > MAX_NESTING) this.error(`more than ${MAX_NESTING} prefix operators`, this.range(ops[0]));
    let e = this.parsePrim();
    for (let i = Math.min(ops.length, MAX_NESTING) - 1; i >= 0; i--) {
      const t = ops[i];
      e = { kind: 'unary', op: this.text(t) as '-' | '~' | '!', operand: e, range: joinRanges(this.range(t), e.range) };
    }
    return e;
  }
}

function joinRanges(a: SourceRange, b: SourceRange): SourceRange {
  if (a.file !== b.file) return a;
  return { file: a.file, start: a.start, end: b.end };
}
