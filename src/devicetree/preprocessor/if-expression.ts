// `#if` / `#elif` conditions (C11 6.10.1): `defined` first, then macro expansion, then identifiers
// become 0, then the shared C expression grammar evaluates in intmax_t.

import type { Diagnostic, SourceRange } from '../../common/diagnostics';
import { evaluatePreprocessorExpr, parseCExpr, parseCIntegerLiteral, type CExprToken } from '../cexpr';
import type { PPToken } from './lexer';
import { ArraySource, Expander, ExpansionLimits, rangeOf, type ExpansionHooks, type MacroDefinition } from './macros';
import { LineTable, LocationContext } from './source-map';

/** Replace `defined X` and `defined ( X )` by 1 or 0; reports malformed uses. */
function resolveDefined(tokens: PPToken[], macros: Map<string, MacroDefinition>, diag: (d: Diagnostic) => void): PPToken[] {
  const out: PPToken[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'ident' || t.text !== 'defined') {
      out.push(t);
      continue;
    }
    let j = i + 1;
    const paren = tokens[j]?.kind === 'punct' && tokens[j].text === '(';
    if (paren) j++;
    const name = tokens[j];
    if (name === undefined || name.kind !== 'ident') {
      diag({ severity: 'error', message: 'operator "defined" requires an identifier', range: rangeOf(t) });
      out.push({ ...t, kind: 'number', text: '0' });
      i = j - 1;
      continue;
    }
    let last = name;
    if (paren) {
      const close = tokens[j + 1];
      if (close === undefined || close.kind !== 'punct' || close.text !== ')') {
        diag({ severity: 'error', message: 'missing \')\' after "defined"', range: rangeOf(t, name) });
      } else {
        last = close;
        j++;
      }
    }
    const isDefined = macros.has(name.text);
    out.push({ ...t, kind: 'number', text: isDefined ? '1' : '0', end: last.end, hide: undefined });
    i = j;
  }
  return out;
}

/** Value of a character constant such as 'a' or '\n' (the first character, as gcc for plain char). */
function charValue(text: string): bigint | undefined {
  const body = text.slice(1, -1);
  if (text.length < 3 || text[text.length - 1] !== "'") return undefined;
  if (body[0] !== '\\') return BigInt(body.codePointAt(0)!);
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, e: 27, '\\': 92, "'": 39, '"': 34, '?': 63 };
  const c = body[1];
  if (c in simple) return BigInt(simple[c]);
  if (c === 'x') {
    const v = parseCIntegerLiteral('0x' + body.slice(2));
    return v === undefined ? undefined : BigInt.asIntN(8, v);
  }
  if (c >= '0' && c <= '7') {
    const v = parseCIntegerLiteral('0' + body.slice(1));
    return v === undefined ? undefined : BigInt.asIntN(8, v);
  }
  return undefined;
}

/**
 * Evaluate the tokens after `#if` / `#elif` (whitespace already removed). Errors are reported and
 * make the condition false, as gcc does.
 */
export function evaluateCondition(tokens: PPToken[], directive: PPToken, macros: Map<string, MacroDefinition>, hooks: ExpansionHooks): boolean {
  if (tokens.length === 0) {
    hooks.diagnostic({ severity: 'error', message: `#${directive.text} with no expression`, range: rangeOf(directive) });
    return false;
  }
  const value = evaluateIntegerExpression(tokens, `#${directive.text}`, macros, hooks, 'zero');
  return value !== undefined && value !== 0n;
}

/**
 * The value of a (non-empty) token list as `#if` computes it: `defined`, macro expansion, then the
 * shared C grammar in intmax_t. `where` names it in messages ("#if"). An identifier left after
 * expansion reads as 0 in #if (C11 6.10.1p4); elsewhere ('error') it makes the value unknown.
 * Errors are reported and give undefined.
 */
export function evaluateIntegerExpression(
  tokens: PPToken[],
  where: string,
  macros: Map<string, MacroDefinition>,
  hooks: ExpansionHooks,
  identifiers: 'zero' | 'error',
): bigint | undefined {
  const diag = hooks.diagnostic.bind(hooks);
  const before = resolveDefined(tokens, macros, diag);
  const eof: PPToken = { ...tokens[tokens.length - 1], kind: 'eof', text: '', start: tokens[tokens.length - 1].end };
  const ex = new Expander(macros, new ArraySource(before, eof), hooks);
  const expanded: PPToken[] = [];
  for (let t = ex.next(); t.kind !== 'eof'; t = ex.next()) {
    if (t.kind !== 'ws' && t.kind !== 'nl' && t.kind !== 'comment' && t.kind !== 'placemarker') expanded.push(t);
  }
  // `defined` produced by expansion: gcc evaluates it too (non-portably); so do we.
  const resolved = resolveDefined(expanded, macros, diag);

  const cTokens: CExprToken[] = [];
  for (const t of resolved) {
    const range = rangeOf(t);
    if (t.kind === 'number') {
      const v = parseCIntegerLiteral(t.text);
      if (v === undefined) {
        diag({ severity: 'error', message: `invalid integer constant "${t.text}" in ${where}`, range });
        return undefined;
      }
      // A `u` can only be in the suffix (hex digits stop at f).
      const unsigned = t.text.includes('u') || t.text.includes('U');
      cTokens.push(unsigned ? { kind: 'number', value: v, range, unsigned } : { kind: 'number', value: v, range });
    } else if (t.kind === 'char') {
      const v = charValue(t.text);
      if (v === undefined) {
        diag({ severity: 'error', message: `invalid character constant ${t.text} in ${where}`, range });
        return undefined;
      }
      cTokens.push({ kind: 'number', value: v, range });
    } else if (t.kind === 'ident') {
      if (identifiers === 'error') {
        diag({ severity: 'error', message: `'${t.text}' is not a macro defined here, so ${where} has no value`, range });
        return undefined;
      }
      // An identifier that is not a macro reads as 0 (C11 6.10.1p4).
      cTokens.push({ kind: 'number', value: 0n, range });
    } else if (t.kind === 'punct') {
      cTokens.push({ kind: 'punct', text: t.text, range });
    } else {
      cTokens.push({ kind: 'other', text: t.text, range });
    }
  }
  const endRange: SourceRange = rangeOf(eof);
  let i = 0;
  const source = {
    peek: (): CExprToken => cTokens[i] ?? { kind: 'end', range: endRange },
    next: (): CExprToken => cTokens[i++] ?? { kind: 'end', range: endRange },
  };
  const parsed = parseCExpr(source);
  if (!parsed.ok) {
    diag({ severity: 'error', message: `${parsed.message} in ${where}`, range: parsed.range });
    return undefined;
  }
  if (i < cTokens.length) {
    const extra = cTokens[i];
    diag({
      severity: 'error',
      message: `missing binary operator before token "${'text' in extra ? extra.text : String((extra as { value: bigint }).value)}"`,
      range: extra.range,
    });
    return undefined;
  }
  const value = evaluatePreprocessorExpr(parsed.expr);
  if (!value.ok) {
    diag({ severity: 'error', message: `${value.message} in ${where}`, range: value.range });
    return undefined;
  }
  return value.value;
}

/**
 * The integer value of the object-like macro `name` in a preprocessed file's final macro table (a
 * configuration header's `#define SERIAL_SWITCH_CHAR '@'`), computed as a use of it in `#if` would
 * be, except that an identifier left undefined is an error rather than 0. Diagnostics point at the
 * macro's name in its `#define`. Undefined value (and no diagnostic) when the macro is not defined.
 */
export function evaluateMacro(name: string, macros: Map<string, MacroDefinition>): { value?: bigint; diagnostics: Diagnostic[] } {
  const def = macros.get(name);
  const at = def?.nameRange;
  if (!def || !at) return { diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  if (def.params) {
    diagnostics.push({ severity: 'error', message: `${name} is a function-like macro, not a value`, range: at });
    return { diagnostics };
  }
  // A one-line context whose offsets are the columns of the name's line: the use sits on the name.
  const ctx = new LocationContext(new LineTable(''), at.file, at.start.line);
  const use: PPToken = { kind: 'ident', text: name, ctx, start: at.start.col, end: at.end.col, fromSource: false, spliced: false, spaceBefore: false };
  const hooks: ExpansionHooks = {
    limits: new ExpansionLimits(),
    onExpansion: () => {},
    // Outside a preprocessing run: __LINE__ is the definition's line and __FILE__ its file; the clock
    // and counters are not known here, so they read as 0.
    dynamicValue: (macro, tok) =>
      macro === '__LINE__'
        ? { kind: 'number', text: String(tok.ctx.presumedLine(tok.start)) }
        : macro === '__FILE__'
          ? { kind: 'string', text: JSON.stringify(at.file) }
          : { kind: 'number', text: '0' },
    diagnostic: (d) => diagnostics.push(d),
  };
  const value = evaluateIntegerExpression([use], name, macros, hooks, 'error');
  return value === undefined ? { diagnostics } : { value, diagnostics };
}
