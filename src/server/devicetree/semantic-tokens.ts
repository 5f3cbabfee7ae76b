// Semantic tokens: the written items of one file coloured by what the compiled tree says they are,
// which the TextMate grammar cannot know: a label's definition and its uses, a node name and its
// unit address, a property definition that a later one overrides or deletes (deprecated), a cell
// that is a phandle (also when written as a number), the arguments of a provider's specifier, macro
// uses and definitions, and preprocessor directives. Standard token types only, so every theme
// colours them.
import type { Position, SourceRange } from '../../common/diagnostics';
import type { CExpr } from '../../devicetree/cexpr';
import type { DtsLabel } from '../../devicetree/ast';
import { CPP_DIRECTIVES } from '../../devicetree/preprocessor';
import type { DtIndex } from './dt-index';
import { cellRoles, hasSpecifiers } from './specifiers';

export const TOKEN_TYPES = ['class', 'number', 'property', 'variable', 'parameter', 'macro', 'keyword', 'string'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'deprecated'] as const;

export type TokenType = (typeof TOKEN_TYPES)[number];
const TYPE_INDEX = new Map(TOKEN_TYPES.map((t, i) => [t, i]));
const DECLARATION = 1;
const DEPRECATED = 2;

export interface SemanticToken {
  line: number;
  col: number;
  length: number;
  type: TokenType;
  /** Bits of TOKEN_MODIFIERS. */
  modifiers: number;
  /** Lower wins where two tokens overlap (a macro over the number it expands to). */
  rank: number;
}

class TokenList {
  readonly tokens: SemanticToken[] = [];
  constructor(private readonly file: string) {}

  add(r: SourceRange, type: TokenType, modifiers = 0, rank = 2): void {
    if (r.file !== this.file || r.start.line !== r.end.line || r.end.col <= r.start.col) return;
    this.tokens.push({ line: r.start.line, col: r.start.col, length: r.end.col - r.start.col, type, modifiers, rank });
  }

  at(line: number, col: number, length: number, type: TokenType, modifiers = 0, rank = 2): void {
    if (length > 0) this.tokens.push({ line, col, length, type, modifiers, rank });
  }
}

function labels(out: TokenList, list: DtsLabel[]): void {
  // The label without its colon.
  for (const l of list) out.add({ ...l.range, end: { line: l.range.start.line, col: l.range.start.col + l.name.length } }, 'variable', DECLARATION);
}

/** Number literals of an expression (a macro over them wins by rank). */
function numbers(out: TokenList, e: CExpr, type: TokenType): void {
  switch (e.kind) {
    case 'number':
      out.add(e.range, type, 0, 3);
      break;
    case 'unary':
      numbers(out, e.operand, type);
      break;
    case 'binary':
      numbers(out, e.left, type);
      numbers(out, e.right, type);
      break;
    case 'ternary':
      numbers(out, e.cond, type);
      numbers(out, e.then, type);
      numbers(out, e.else, type);
      break;
  }
}

/** `# name` at the start of a line that is not inside a comment nor a continuation: cpp's directives and line markers. */
function directives(out: TokenList, text: string, comments: SourceRange[]): void {
  let line = 0;
  let continued = false;
  const inComment = (l: number, col: number): boolean => comments.some((r) => before(r.start, l, col) && !before(r.end, l, col + 1));
  for (let start = 0; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let i = start;
    while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
    if (!continued && text[i] === '#' && !inComment(line, i - start)) {
      let j = i + 1;
      while (j < end && (text[j] === ' ' || text[j] === '\t')) j++;
      let k = j;
      while (k < end && /[A-Za-z0-9_]/.test(text[k])) k++;
      const word = text.slice(j, k);
      if (CPP_DIRECTIVES.has(word) || /^[0-9]+$/.test(word)) out.at(line, i - start, k - i, 'keyword', 0, 1);
    }
    const last = end > start && text[end - 1] === '\r' ? end - 2 : end - 1;
    continued = last >= start && text[last] === '\\';
    start = end + 1;
  }
}

function before(p: Position, line: number, col: number): boolean {
  return p.line < line || (p.line === line && p.col <= col);
}

/** The tokens of `file` in position order, none overlapping. `text` is the file's text (for directives). */
export function semanticTokens(index: DtIndex, file: string, text: string | undefined): SemanticToken[] {
  const out = new TokenList(file);
  for (const s of index.nodes) {
    for (const item of s.ast.body.items) {
      if (item.kind === 'delete-node') out.add(item.nameRange, 'class');
      else if (item.kind === 'delete-property') out.add(item.nameRange, 'property');
    }
    if (s.ast.kind === 'root') continue;
    labels(out, s.ast.labels);
    if (s.ast.kind === 'ref-node') continue; // its `&label` is a reference, below
    const deleted = s.node?.deleted ? DEPRECATED : 0;
    const r = s.nameRange;
    const at = s.name.indexOf('@');
    if (at < 0) out.add(r, 'class', DECLARATION | deleted);
    else {
      out.add({ ...r, end: { line: r.start.line, col: r.start.col + at } }, 'class', DECLARATION | deleted);
      out.add({ ...r, start: { line: r.start.line, col: r.start.col + at + 1 } }, 'number', deleted);
    }
  }
  for (const r of index.refs) out.add(r.range, 'variable');
  for (const p of index.properties) {
    if (p.ast.range.file !== file) continue;
    labels(out, p.ast.labels);
    // A definition that does not reach the final tree: overridden by a later one, or deleted.
    out.add(p.ast.nameRange, 'property', DECLARATION | (p.final || !p.property ? 0 : DEPRECATED));
    const specified = p.cells.length > 0 && hasSpecifiers(p.ast.name);
    const roles = specified ? cellRoles(index, p) : undefined;
    const written = specified ? new Map(p.cells.map((c) => [c.cell, c.index])) : undefined;
    for (const part of p.ast.value ?? []) {
      if (part.kind === 'label') labels(out, [part.label]);
      else if (part.kind === 'bytes') {
        for (const b of part.bytes) if (b.kind === 'label') labels(out, [b.label]);
      } else if (part.kind === 'cells') {
        for (const cell of part.cells) {
          if (cell.kind === 'label') labels(out, [cell.label]);
          else if (cell.kind === 'expr') {
            const k = written?.get(cell);
            const role = k === undefined ? undefined : roles?.[k]?.role;
            numbers(out, cell.expr, role === 'phandle' ? 'variable' : role === 'arg' ? 'parameter' : 'number');
          }
        }
      }
    }
  }
  for (const m of index.macros) {
    const declared = m.definition?.nameRange === m.range;
    out.add(m.range, 'macro', declared ? DECLARATION : 0, 0);
  }
  if (text !== undefined) {
    const comments: SourceRange[] = [];
    for (const d of index.compilation.documents) for (const c of d.comments) if (c.range.file === file) comments.push(c.range);
    directives(out, text, comments);
  }
  const sorted = out.tokens.sort((a, b) => a.line - b.line || a.col - b.col || a.rank - b.rank);
  const kept: SemanticToken[] = [];
  for (const t of sorted) {
    const prev = kept[kept.length - 1];
    if (prev && prev.line === t.line && t.col < prev.col + prev.length) {
      // Overlap: the lower rank wins (a macro over its expansion's numbers).
      if (t.rank < prev.rank) kept[kept.length - 1] = t;
      continue;
    }
    kept.push(t);
  }
  return kept;
}

export function tokenTypeIndex(t: TokenType): number {
  return TYPE_INDEX.get(t)!;
}
