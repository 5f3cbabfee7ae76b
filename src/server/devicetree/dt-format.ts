// Canonical layout of a DTS buffer, keeping every comment and directive: one statement per line as
// written, indentation by brace depth in the file's own indentation unit, no trailing blanks, at most
// one empty line in a row (all of them in cpp output, whose line markers count lines), a final newline,
// the file's line ending. Text inside strings, char literals and comments never counts as braces.
//
// Lines that continue a statement (`clocks = <&clk 1>,` then `<&clk 2>;`) and the inside of block
// comments keep their alignment: they move with the line they hang from. When that line's old
// indentation is a prefix of theirs, the prefix is replaced by its new indentation; otherwise they are
// kept as written. So a file that is already consistent formats to itself, and formatting is
// idempotent.
//
// The indentation unit is learned from the file (detectIndentUnit); the editor's choice applies only
// to a file with no indented statement to learn from. In cpp output (a file with line markers) no
// blank line is dropped, since the markers count lines.

const CPP_DIRECTIVES = ['include', 'define', 'undef', 'if', 'ifdef', 'ifndef', 'elif', 'else', 'endif', 'error', 'warning', 'pragma', 'line'];

function isDirective(trimmed: string): boolean {
  if (!trimmed.startsWith('#')) return false;
  const rest = trimmed.slice(1).trimStart();
  if (isDigit(rest[0])) return true; // line marker
  return CPP_DIRECTIVES.some((d) => rest.startsWith(d) && !/[A-Za-z0-9_-]/.test(rest[d.length] ?? ' '));
}

/** `# 12 "file"` or `#line 12 "file"`: cpp output, where every line counts. */
function isLineMarker(trimmed: string): boolean {
  if (!trimmed.startsWith('#')) return false;
  const rest = trimmed.slice(1).trimStart();
  return isDigit(rest[0]) || (rest.startsWith('line') && (rest[4] === ' ' || rest[4] === '\t'));
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

type LineKind =
  | 'blank'
  | 'directive'
  /** A line of a `\`-continued directive after its first. */
  | 'macro-continuation'
  /** Begins a statement, a closing brace or a comment: indented by depth. */
  | 'statement'
  /** Continues a statement begun on an earlier line. */
  | 'continuation'
  /** Inside a block comment begun on an earlier line. */
  | 'comment';

interface LineInfo {
  raw: string;
  trimmed: string;
  kind: LineKind;
  /** Brace depth of a statement line (one less for a line starting with `}`). */
  depth: number;
  /** A statement line that starts with a comment (it does not vote for the indentation unit). */
  commentFirst: boolean;
  /** The indentation of the statement that opened the node around the line ('' at the top level). */
  parentIndent: string;
}

function leadingBlanks(line: string): string {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return line.slice(0, i);
}

/** Sort each line of the text, tracking brace depth, block comments and unfinished statements. */
function classify(lines: string[]): LineInfo[] {
  const out: LineInfo[] = [];
  const state: ScanState = { depth: 0, inComment: false, open: false, openers: [], statementIndent: '' };
  let macro = false;
  for (const raw of lines) {
    const trimmed = raw.trim();
    let kind: LineKind;
    if (macro) kind = 'macro-continuation';
    else if (state.inComment) kind = 'comment';
    else if (trimmed === '') kind = 'blank';
    else if (isDirective(trimmed)) kind = 'directive';
    else if (state.open) kind = 'continuation';
    else kind = 'statement';
    const depth = Math.max(0, state.depth - (kind === 'statement' && trimmed.startsWith('}') ? 1 : 0));
    if (kind === 'statement') state.statementIndent = leadingBlanks(raw);
    const parentIndent = state.openers[state.depth - 1] ?? '';
    out.push({ raw, trimmed, kind, depth, commentFirst: trimmed.startsWith('/*') || trimmed.startsWith('//'), parentIndent });
    if (kind === 'macro-continuation' || kind === 'directive') {
      // A directive's text is not DTS: its braces do not count, but a comment it opens does (the
      // lines of a `\`-continued directive after its first are its own business).
      if (kind === 'directive') scan(raw, state, true);
      macro = trimmed.endsWith('\\');
    } else {
      scan(raw, state, false);
      // `/include/ "file"` is a whole statement without a `;`.
      if (kind === 'statement' && trimmed.startsWith('/include/') && !state.inComment) state.open = false;
    }
  }
  return out;
}

interface ScanState {
  depth: number;
  inComment: boolean;
  /** A statement has begun and not ended (its last significant character is not `;`, `{` or `}`). */
  open: boolean;
  /** For each open brace, the indentation of the statement that opened it. */
  openers: string[];
  /** The indentation of the last line that began a statement. */
  statementIndent: string;
}

/** Brace depth, comment and statement state after a line, skipping strings, char literals and comments. */
function scan(line: string, s: ScanState, directive: boolean): void {
  let i = 0;
  while (i < line.length) {
    if (s.inComment) {
      const end = line.indexOf('*/', i);
      if (end < 0) return;
      s.inComment = false;
      i = end + 2;
      continue;
    }
    const c = line[i];
    if (c === '/' && line[i + 1] === '*') {
      s.inComment = true;
      i += 2;
      continue;
    }
    if (c === '/' && line[i + 1] === '/') break;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (!directive) s.open = !(c === ';' || c === '{' || c === '}');
    if (c === '"' || c === "'") {
      i++;
      while (i < line.length && line[i] !== c) i += line[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (!directive) {
      if (c === '{') s.openers[s.depth++] = s.statementIndent;
      else if (c === '}') s.depth = Math.max(0, s.depth - 1);
    }
    i++;
  }
}

/**
 * The file's indentation unit, or undefined when it has none to learn from. Each line that begins a
 * statement inside a node (not a continuation line, a comment, a directive or a closing brace) votes
 * for the step from the indentation of the statement that opened its node to its own: one tab, or 1
 * to 8 spaces. The unit with the most votes wins (a tie goes to the one met first); a line whose step
 * is anything else (none, mixed, out-dented) does not vote.
 */
export function detectIndentUnit(text: string): string | undefined {
  return indentUnit(classify(splitLines(text)));
}

function splitLines(text: string): string[] {
  return text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function indentUnit(lines: LineInfo[]): string | undefined {
  const votes = new Map<string, number>();
  for (const l of lines) {
    if (l.kind !== 'statement' || l.depth === 0 || l.commentFirst || l.trimmed.startsWith('}')) continue;
    const ws = leadingBlanks(l.raw);
    if (!ws.startsWith(l.parentIndent)) continue;
    const step = ws.slice(l.parentIndent.length);
    const unit = step === '\t' || (step.length >= 1 && step.length <= 8 && step === ' '.repeat(step.length)) ? step : undefined;
    if (unit) votes.set(unit, (votes.get(unit) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [unit, n] of votes) if (best === undefined || n > votes.get(best)!) best = unit;
  return best;
}

/** Format `text`; `fallbackUnit` indents a file that has no indentation of its own to learn from. */
export function formatDts(text: string, fallbackUnit: string): string {
  const eol = /\r\n/.test(text.slice(0, text.indexOf('\n') + 1)) ? '\r\n' : '\n';
  const lines = classify(splitLines(text));
  const unit = indentUnit(lines) ?? fallbackUnit;
  const keepBlankRuns = lines.some((l) => l.kind === 'directive' && isLineMarker(l.trimmed));
  const out: string[] = [];
  let blank = 0;
  // The last line re-indented, as written and as formatted: lines that hang from it move with it.
  let anchorOld = '';
  let anchorNew = '';
  for (const l of lines) {
    switch (l.kind) {
      case 'blank':
        if (++blank <= 1 || keepBlankRuns) out.push('');
        continue;
      case 'directive':
        out.push(l.trimmed);
        anchorOld = leadingBlanks(l.raw);
        anchorNew = '';
        break;
      case 'macro-continuation':
        out.push(l.raw.trimEnd());
        break;
      case 'statement':
        anchorOld = leadingBlanks(l.raw);
        anchorNew = unit.repeat(l.depth);
        out.push(anchorNew + l.trimmed);
        break;
      case 'continuation':
      case 'comment': {
        const ws = leadingBlanks(l.raw);
        const body = l.raw.trimEnd();
        out.push(body.length > ws.length && ws.startsWith(anchorOld) ? anchorNew + body.slice(anchorOld.length) : body);
        break;
      }
    }
    blank = 0;
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join(eol) + eol;
}
