// Canonical layout of a DTS buffer, keeping every comment and directive: one statement per line as
// written, indentation by brace depth, no trailing blanks, at most one empty line in a row, a final
// newline. Text inside strings, char literals and comments never counts as braces.

const CPP_DIRECTIVES = ['include', 'define', 'undef', 'if', 'ifdef', 'ifndef', 'elif', 'else', 'endif', 'error', 'warning', 'pragma', 'line'];

function isDirective(trimmed: string): boolean {
  if (!trimmed.startsWith('#')) return false;
  const rest = trimmed.slice(1).trimStart();
  if (rest.length > 0 && rest[0] >= '0' && rest[0] <= '9') return true; // line marker
  return CPP_DIRECTIVES.some((d) => rest.startsWith(d) && !/[A-Za-z0-9_-]/.test(rest[d.length] ?? ' '));
}

export function formatDts(text: string, indentUnit: string): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  let depth = 0;
  let inComment = false;
  let blank = 0;
  let continued = false;
  for (const raw of lines) {
    const trimmed = raw.trim();
    if (inComment || continued) {
      // Inside a block comment or a continued directive: keep the author's text, drop trailing blanks.
      out.push(raw.trimEnd());
    } else if (trimmed === '') {
      if (++blank <= 1) out.push('');
      continue;
    } else if (isDirective(trimmed)) {
      out.push(trimmed);
    } else {
      const closing = trimmed.startsWith('}') ? 1 : 0;
      out.push(indentUnit.repeat(Math.max(0, depth - closing)) + trimmed);
    }
    blank = 0;
    const wasContinued: boolean = continued;
    continued = trimmed.endsWith('\\') && (wasContinued || isDirective(trimmed));
    if (!wasContinued || inComment) ({ depth, inComment } = scanBraces(raw, depth, inComment, isDirective(trimmed)));
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n') + '\n';
}

/** Brace depth after a line, skipping strings, char literals and comments. */
function scanBraces(line: string, depth: number, inComment: boolean, directive: boolean): { depth: number; inComment: boolean } {
  let i = 0;
  while (i < line.length) {
    if (inComment) {
      const end = line.indexOf('*/', i);
      if (end < 0) return { depth, inComment };
      inComment = false;
      i = end + 2;
      continue;
    }
    const c = line[i];
    if (c === '/' && line[i + 1] === '*') { inComment = true; i += 2; continue; }
    if (c === '/' && line[i + 1] === '/') break;
    if (c === '"' || c === "'") {
      i++;
      while (i < line.length && line[i] !== c) i += line[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (!directive) {
      if (c === '{') depth++;
      else if (c === '}') depth = Math.max(0, depth - 1);
    }
    i++;
  }
  return { depth, inComment };
}
