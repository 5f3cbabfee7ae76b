// Macro definition and expansion (C11 6.10.3) by Prosser's algorithm: every token carries the set of
// macros that may not expand it again ("painted blue"), so self-referential macros terminate.
// Tokens taken from arguments keep their source position; tokens from a macro body take the
// position of the invocation in the original file.

import type { Diagnostic, SourceRange } from '../../common/diagnostics';
import { Lexer, lexString, type PPToken } from './lexer';
import { LineTable, LocationContext } from './source-map';
import { pushAll } from '../../common/arrays';

export interface MacroDefinition {
  name: string;
  /** Parameter names for a function-like macro (the variadic one is `__VA_ARGS__` or its GNU name). */
  params?: string[];
  variadic?: boolean;
  /** Replacement list, whitespace-normalised. */
  body: string;
  /** The whole `#define` directive. */
  range?: SourceRange;
  /** The macro's name in its `#define`. */
  nameRange?: SourceRange;
  /** One of cpp's dynamic macros (`__FILE__`, `__DATE__`, ...): its value is computed at each use. */
  dynamic?: true;
}

/** Anything that yields tokens one by one, ending with an 'eof' token (repeated if asked again). */
export interface TokenSource {
  next(): PPToken;
  /** Set while the expander looks past a function-like macro's name for its '('. */
  lookingForParen?: boolean;
  /**
   * Set while the expander asks for a token with nothing pending (no invocation in progress): the
   * source may then write plain text straight to the output instead of returning tokens.
   */
  atTopLevel?: boolean;
}

export interface ExpansionHooks {
  /** Shared by every expander of one preprocessing run. */
  readonly limits: ExpansionLimits;
  /** A macro named by a token of an original file was expanded. */
  onExpansion(name: string, at: PPToken): void;
  /** The value of a dynamic macro used at `at`. */
  dynamicValue(name: string, at: PPToken): { kind: 'number' | 'string'; text: string };
  diagnostic(d: Diagnostic): void;
}

const bodyCache = new WeakMap<MacroDefinition, PPToken[]>();
const bodyContext = new LocationContext(new LineTable(''), '<macro>', 0);

/** The replacement list as tokens (whitespace folded into `spaceBefore`), cached per definition. */
export function bodyTokens(def: MacroDefinition): PPToken[] {
  let toks = bodyCache.get(def);
  if (toks === undefined) {
    toks = [];
    let space = false;
    const lx = new Lexer(def.body, bodyContext);
    for (let t = lx.next(); t.kind !== 'eof'; t = lx.next()) {
      if (t.kind === 'ws' || t.kind === 'nl' || t.kind === 'comment') {
        space = true;
        continue;
      }
      t.spaceBefore = space;
      space = false;
      toks.push(t);
    }
    bodyCache.set(def, toks);
  }
  return toks;
}

/** Two definitions are the same when their parameters and replacement lists agree (no redefinition warning). */
export function sameDefinition(a: MacroDefinition, b: MacroDefinition): boolean {
  if ((a.params === undefined) !== (b.params === undefined)) return false;
  if (a.params && b.params && (a.params.join(',') !== b.params.join(',') || !!a.variadic !== !!b.variadic)) return false;
  return a.body === b.body;
}

function isPunct(t: PPToken | undefined, text: string): boolean {
  return t !== undefined && t.kind === 'punct' && t.text === text;
}

function isSpace(t: PPToken): boolean {
  return t.kind === 'ws' || t.kind === 'nl' || t.kind === 'comment';
}

function eofAfter(t: PPToken): PPToken {
  return { ...t, kind: 'eof', text: '', fromSource: false, spliced: false, hide: undefined };
}

/** A token source over a fixed list (a macro argument, an #if line). */
export class ArraySource implements TokenSource {
  private i = 0;
  constructor(
    private readonly tokens: PPToken[],
    private readonly eof: PPToken,
  ) {}
  next(): PPToken {
    return this.i < this.tokens.length ? this.tokens[this.i++] : this.eof;
  }
}

/**
 * Bounds that keep hostile input from hanging the editor: macros can legitimately grow
 * exponentially (`#define A B B`, `#define B C C`, ...) and arguments can nest without end.
 * One object is shared by all expanders of a run.
 */
export class ExpansionLimits {
  /** Tokens that substitution may still produce in this run. */
  tokensLeft = 300_000;
  exhausted = false;
  static readonly MAX_ARGUMENT_NESTING = 64;
}

export class Expander {
  /** Tokens waiting to be rescanned, last element first. */
  private readonly pending: PPToken[] = [];

  constructor(
    private readonly macros: Map<string, MacroDefinition>,
    private readonly source: TokenSource,
    private readonly hooks: ExpansionHooks,
    /** How many argument pre-expansions enclose this expander. */
    private readonly nesting = 0,
  ) {
    this.limits = hooks.limits;
  }
  private readonly limits: ExpansionLimits;

  /** False (with one diagnostic per run) once the expansion budget is spent. */
  private mayExpand(m: MacroDefinition, at: PPToken): boolean {
    if (this.limits.exhausted) return false;
    const size = bodyTokens(m).length + 1;
    this.limits.tokensLeft -= size;
    if (this.limits.tokensLeft >= 0) return true;
    this.limits.exhausted = true;
    this.hooks.diagnostic({ severity: 'error', message: `expansion of macro "${m.name}" is too large; macros are no longer expanded`, range: rangeOf(at) });
    return false;
  }

  private pull(): PPToken {
    return this.pending.length > 0 ? this.pending.pop()! : this.source.next();
  }

  private pushFront(tokens: PPToken[]): void {
    for (let i = tokens.length - 1; i >= 0; i--) this.pending.push(tokens[i]);
  }

  /** The next fully expanded token. */
  next(): PPToken {
    for (;;) {
      this.source.atTopLevel = this.pending.length === 0;
      const t = this.pull();
      this.source.atTopLevel = false;
      if (t.kind !== 'ident') return t;
      const m = this.macros.get(t.text);
      if (m?.dynamic) {
        const v = this.hooks.dynamicValue(m.name, t);
        return { ...t, kind: v.kind, text: v.text, fromSource: false, spliced: false, end: t.start };
      }
      if (m === undefined || t.hide?.has(t.text) || !this.mayExpand(m, t)) return t;
      if (m.params === undefined) {
        if (t.fromSource) this.hooks.onExpansion(m.name, t);
        this.pushFront(this.substitute(m, [], t, withName(t.hide, m.name)));
        continue;
      }
      // Function-like: only an invocation when '(' follows (possibly after whitespace and newlines).
      const skipped: PPToken[] = [];
      this.source.lookingForParen = this.pending.length === 0;
      let u = this.pull();
      while (isSpace(u)) {
        skipped.push(u);
        this.source.lookingForParen = this.pending.length === 0;
        u = this.pull();
      }
      this.source.lookingForParen = false;
      if (!isPunct(u, '(')) {
        skipped.push(u);
        this.pushFront(skipped);
        return t;
      }
      const collected = this.collectArguments(m, t);
      if (collected === undefined) {
        // Not expanded: give back everything after the name.
        this.pushFront([...skipped, u]);
        return t;
      }
      if (t.fromSource) this.hooks.onExpansion(m.name, t);
      const hide = withName(intersect(t.hide, collected.rparen.hide), m.name);
      this.pushFront(this.substitute(m, collected.args, t, hide));
    }
  }

  /**
   * Read the arguments after '('. Whitespace, newlines and comments between tokens become
   * `spaceBefore` flags. Returns undefined (with a diagnostic) when the list is unterminated or the
   * count is wrong; the consumed tokens are then pushed back.
   */
  private collectArguments(m: MacroDefinition, name: PPToken): { args: PPToken[][]; rparen: PPToken } | undefined {
    const params = m.params!;
    const args: PPToken[][] = [[]];
    const consumed: PPToken[] = [];
    let depth = 0;
    let space = false;
    for (;;) {
      const t = this.pull();
      if (t.kind === 'eof') {
        this.hooks.diagnostic({ severity: 'error', message: `unterminated argument list invoking macro "${m.name}"`, range: rangeOf(name) });
        this.pushFront([...consumed, t]);
        return undefined;
      }
      consumed.push(t);
      if (isSpace(t)) {
        space = true;
        continue;
      }
      if (t.kind === 'placemarker') continue;
      if (t.kind === 'punct') {
        if (t.text === '(') depth++;
        else if (t.text === ')') {
          if (depth === 0) {
            const n = args.length === 1 && args[0].length === 0 && params.length === 0 ? 0 : args.length;
            if (n === 0) args.length = 0;
            const min = m.variadic ? params.length - 1 : params.length;
            if (n < min || (!m.variadic && n > params.length)) {
              const msg =
                n < min
                  ? `macro "${m.name}" requires ${params.length} arguments, but only ${n} given`
                  : `macro "${m.name}" passed ${n} arguments, but takes just ${params.length}`;
              this.hooks.diagnostic({ severity: 'error', message: msg, range: rangeOf(name, t) });
              this.pushFront(consumed);
              return undefined;
            }
            while (args.length < params.length) args.push([]);
            return { args, rparen: t };
          }
          depth--;
        } else if (t.text === ',' && depth === 0 && !(m.variadic && args.length === params.length)) {
          args.push([]);
          space = false;
          continue;
        }
      }
      const arg = args[args.length - 1];
      arg.push(arg.length === 0 ? { ...t, spaceBefore: false } : space !== t.spaceBefore ? { ...t, spaceBefore: space } : t);
      space = false;
    }
  }

  /** The replacement list with arguments substituted, stringized and pasted (C11 6.10.3.1-3). */
  private substitute(m: MacroDefinition, args: PPToken[][], inv: PPToken, hide: ReadonlySet<string>): PPToken[] {
    const body = bodyTokens(m);
    if (m.params === undefined && !body.some((b) => isPunct(b, '##'))) return copyBody(body, inv, hide);
    const replaced = new Replacement(
      m,
      body,
      args,
      inv,
      (arg) => this.expandArgument(arg, inv),
      (lhs, rhs) => this.paste(lhs, rhs, inv),
    ).tokens();
    return withHideSet(replaced, hide, inv.spaceBefore);
  }

  /**
   * An argument macro-expanded on its own before it is substituted (C11 6.10.3.1); as written once
   * arguments nest too deep or the expansion budget is spent.
   */
  private expandArgument(arg: PPToken[], inv: PPToken): PPToken[] {
    if (this.nesting >= ExpansionLimits.MAX_ARGUMENT_NESTING) {
      if (!this.limits.exhausted) {
        this.limits.exhausted = true;
        this.hooks.diagnostic({
          severity: 'error',
          message: `macro arguments nest more than ${ExpansionLimits.MAX_ARGUMENT_NESTING} deep; macros are no longer expanded`,
          range: rangeOf(inv),
        });
      }
      return arg;
    }
    const expanded: PPToken[] = [];
    const ex = new Expander(this.macros, new ArraySource(arg, eofAfter(inv)), this.hooks, this.nesting + 1);
    for (let t = ex.next(); t.kind !== 'eof'; t = ex.next()) {
      // Out of budget: stop rescanning, so that unwinding deep nesting stays linear.
      if (this.limits.exhausted) return arg;
      expanded.push(t);
    }
    return expanded;
  }

  private paste(lhs: PPToken, rhs: PPToken, inv: PPToken): PPToken[] {
    if (lhs.kind === 'placemarker') return [rhs];
    if (rhs.kind === 'placemarker') return [lhs];
    const text = lhs.text + rhs.text;
    const toks = lexString(text, inv.ctx);
    const at = { ctx: inv.ctx, start: inv.start, end: inv.start, fromSource: false, spliced: false };
    if (toks.length === 1 && toks[0].kind !== 'comment' && toks[0].kind !== 'ws') {
      return [{ ...toks[0], ...at, spaceBefore: lhs.spaceBefore, hide: lhs.hide }];
    }
    // An error in C; cpp -x assembler-with-cpp (the DTS build) accepts it silently, so only warn.
    this.hooks.diagnostic({
      severity: 'warning',
      message: `pasting "${lhs.text}" and "${rhs.text}" does not give a valid preprocessing token`,
      range: rangeOf(inv),
    });
    return [lhs, { ...rhs, spaceBefore: false }];
  }
}

/** An object-like macro's body without pasting (the common case), copied to the invocation. */
function copyBody(body: PPToken[], inv: PPToken, hide: ReadonlySet<string>): PPToken[] {
  const out = new Array<PPToken>(body.length);
  for (let i = 0; i < body.length; i++) {
    const b = body[i];
    out[i] = {
      kind: b.kind,
      text: b.text,
      ctx: inv.ctx,
      start: inv.start,
      end: inv.start,
      fromSource: false,
      spliced: false,
      spaceBefore: i === 0 ? b.spaceBefore || inv.spaceBefore : b.spaceBefore,
      hide,
    };
  }
  return out;
}

/**
 * One invocation's replacement list with its arguments put in: `#param` stringized, `a ## b`
 * pasted, other parameters replaced by their expanded arguments. The result still holds
 * placemarkers and the arguments' own hide sets.
 */
class Replacement {
  private readonly out: PPToken[] = [];
  private readonly body: PPToken[];
  private readonly params: string[] | undefined;
  /** Each argument's expansion, made once however often its parameter appears. */
  private readonly expanded = new Map<number, PPToken[]>();

  constructor(
    private readonly m: MacroDefinition,
    body: PPToken[],
    private readonly args: PPToken[][],
    private readonly inv: PPToken,
    private readonly expand: (arg: PPToken[]) => PPToken[],
    private readonly paste: (lhs: PPToken, rhs: PPToken) => PPToken[],
  ) {
    this.params = m.params;
    // C23 / gcc: `__VA_OPT__(x)` is x when the variable arguments have tokens, else nothing.
    this.body = m.variadic ? applyVaOpt(body, args[m.params!.length - 1].length > 0) : body;
  }

  tokens(): PPToken[] {
    const body = this.body;
    for (let i = 0; i < body.length; i++) {
      const b = body[i];
      if (this.params !== undefined && isPunct(b, '#') && this.paramIndex(body[i + 1]) >= 0) {
        this.out.push(this.stringized(b, body[i + 1]));
        i++;
      } else if (isPunct(b, '##') && i > 0 && i + 1 < body.length) {
        i = this.pasteAt(i);
      } else {
        const p = this.paramIndex(b);
        if (p >= 0) pushAll(this.out, this.withSpace(isPunct(body[i + 1], '##') ? this.args[p] : this.expandedArg(p), b.spaceBefore));
        else this.out.push(this.fromBody(b));
      }
    }
    return this.out;
  }

  /** `lhs ## rhs` with the `##` at body[i]; returns the index of the last body token it used. */
  private pasteAt(i: number): number {
    const body = this.body;
    // Consecutive `##` act as one (gcc).
    while (i + 2 < body.length && isPunct(body[i + 1], '##')) i++;
    const next = body[i + 1];
    const q = this.paramIndex(next);
    const lhs = this.out[this.out.length - 1];
    // GNU: `, ## __VA_ARGS__` drops the comma when the variable arguments are absent.
    if (this.m.variadic && q === this.params!.length - 1 && isPunct(lhs, ',') && lhs !== undefined && !lhs.fromSource) {
      if (this.args[q].length === 0) this.out.pop();
      else pushAll(this.out, this.withSpace(this.args[q], next.spaceBefore));
      return i + 1;
    }
    let rhs: PPToken[];
    if (q >= 0) rhs = this.withSpace(this.args[q], next.spaceBefore);
    else if (this.params !== undefined && isPunct(next, '#') && this.paramIndex(body[i + 2]) >= 0) {
      rhs = [this.stringized(next, body[i + 2])];
      i++;
    } else rhs = [this.fromBody(next)];
    this.out.pop();
    pushAll(pushAll(this.out, this.paste(lhs, rhs[0])), rhs.slice(1));
    return i + 1;
  }

  private paramIndex(t: PPToken | undefined): number {
    return this.params !== undefined && t !== undefined && t.kind === 'ident' ? this.params.indexOf(t.text) : -1;
  }

  private expandedArg(i: number): PPToken[] {
    let e = this.expanded.get(i);
    if (e === undefined) {
      e = this.expand(this.args[i]);
      this.expanded.set(i, e);
    }
    return e;
  }

  /** `#param` at `hash`: the argument of `param` as a string literal. */
  private stringized(hash: PPToken, param: PPToken): PPToken {
    return { ...this.fromBody(hash), kind: 'string', text: stringize(this.args[this.paramIndex(param)]) };
  }

  /** A body token, placed at the invocation. */
  private fromBody(b: PPToken): PPToken {
    const inv = this.inv;
    return { kind: b.kind, text: b.text, ctx: inv.ctx, start: inv.start, end: inv.start, fromSource: false, spliced: false, spaceBefore: b.spaceBefore };
  }

  /** An argument's tokens led by the parameter's spacing; an empty argument leaves a placemarker. */
  private withSpace(toks: PPToken[], spaceBefore: boolean): PPToken[] {
    if (toks.length > 0) return [{ ...toks[0], spaceBefore }, ...toks.slice(1)];
    return [{ ...this.fromBody({ ...this.inv, kind: 'placemarker', text: '' }), spaceBefore }];
  }
}

/**
 * The substituted tokens ready to rescan: placemarkers dropped (their space kept), and each token's
 * hide set joined with the invocation's `hide`.
 */
function withHideSet(tokens: PPToken[], hide: ReadonlySet<string>, invocationSpace: boolean): PPToken[] {
  const unions = new Map<ReadonlySet<string> | undefined, ReadonlySet<string>>();
  const result: PPToken[] = [];
  // An empty argument still leaves its leading space (gcc: `[a __VA_ARGS__]` gives `[a ]`).
  let pendingSpace = false;
  for (const t of tokens) {
    if (t.kind === 'placemarker') {
      pendingSpace ||= t.spaceBefore;
      continue;
    }
    let h = unions.get(t.hide);
    if (h === undefined) {
      h = t.hide === undefined ? hide : union(t.hide, hide);
      unions.set(t.hide, h);
    }
    result.push({ ...t, hide: h, spaceBefore: t.spaceBefore || pendingSpace });
    pendingSpace = false;
  }
  // The expansion's first token takes the invocation's leading space.
  if (result.length > 0 && invocationSpace && !result[0].spaceBefore) result[0] = { ...result[0], spaceBefore: true };
  return result;
}

/** Resolve each `__VA_OPT__( ... )` of a variadic macro's body to its contents or to a placemarker. */
function applyVaOpt(body: PPToken[], present: boolean): PPToken[] {
  if (!body.some((t) => t.kind === 'ident' && t.text === '__VA_OPT__')) return body;
  const out: PPToken[] = [];
  for (let i = 0; i < body.length; i++) {
    const t = body[i];
    if (t.kind !== 'ident' || t.text !== '__VA_OPT__' || !isPunct(body[i + 1], '(')) {
      out.push(t);
      continue;
    }
    let depth = 0;
    let close = i + 1;
    for (; close < body.length; close++) {
      if (isPunct(body[close], '(')) depth++;
      else if (isPunct(body[close], ')') && --depth === 0) break;
    }
    if (close >= body.length) {
      out.push(t);
      continue;
    } // unbalanced: left as written
    const inner = body.slice(i + 2, close);
    if (present && inner.length > 0) out.push({ ...inner[0], spaceBefore: t.spaceBefore }, ...inner.slice(1));
    else out.push({ ...t, kind: 'placemarker', text: '' });
    i = close;
  }
  return out;
}

/** `#param`: the argument's spelling as a string literal (C11 6.10.3.2). */
export function stringize(arg: PPToken[]): string {
  let s = '"';
  arg.forEach((t, i) => {
    if (i > 0 && t.spaceBefore) s += ' ';
    if (t.kind === 'string' || t.kind === 'char') {
      for (const c of t.text) s += c === '"' || c === '\\' ? '\\' + c : c;
    } else s += t.text;
  });
  return s + '"';
}

/** `{name}` sets are shared: most expansions start from a token with no hide set. */
const singletonHideSets = new Map<string, ReadonlySet<string>>();

function withName(h: ReadonlySet<string> | undefined, name: string): ReadonlySet<string> {
  if (h === undefined || h.size === 0) {
    let s = singletonHideSets.get(name);
    if (s === undefined) {
      s = new Set([name]);
      if (singletonHideSets.size < 10000) singletonHideSets.set(name, s);
    }
    return s;
  }
  if (h.has(name)) return h;
  const s = new Set(h);
  s.add(name);
  return s;
}

function intersect(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): ReadonlySet<string> | undefined {
  if (a === undefined || b === undefined) return undefined;
  const s = new Set<string>();
  for (const x of a) if (b.has(x)) s.add(x);
  return s;
}

function union(a: ReadonlySet<string>, b: ReadonlySet<string>): ReadonlySet<string> {
  const s = new Set(a);
  for (const x of b) s.add(x);
  return s;
}

/** Range of a token (or from one token to another) in its original file. */
export function rangeOf(t: PPToken, last: PPToken = t): SourceRange {
  const r = t.ctx.range(t.start, t.ctx === last.ctx ? Math.max(t.start, last.end) : t.end);
  return r;
}
