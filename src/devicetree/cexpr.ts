// C integer expressions, shared by the preprocessor's #if and the DTS parser's `( ... )` cell
// expressions: one AST, one parser, one evaluator. Values are 64-bit: dtc evaluates everything in
// uint64_t, cpp's #if types each subexpression intmax_t or uintmax_t, so the evaluator takes the
// typing rule as a parameter.

import type { SourceRange } from '../common/diagnostics';

export type CBinaryOp = '*' | '/' | '%' | '+' | '-' | '<<' | '>>' | '<' | '>' | '<=' | '>=' | '==' | '!=' | '&' | '^' | '|' | '&&' | '||';
export type CUnaryOp = '-' | '+' | '~' | '!';

export type CExpr =
  /** `unsigned`: the literal has type uintmax_t in cpp's #if (a `u` suffix, or too large for intmax_t). */
  | { kind: 'number'; value: bigint; range: SourceRange; unsigned?: boolean }
  | { kind: 'unary'; op: CUnaryOp; operand: CExpr; range: SourceRange }
  | { kind: 'binary'; op: CBinaryOp; left: CExpr; right: CExpr; range: SourceRange }
  | { kind: 'ternary'; cond: CExpr; then: CExpr; else: CExpr; range: SourceRange };

export type CEvalResult = { ok: true; value: bigint } | { ok: false; message: string; range: SourceRange };

function wrap(v: bigint, signed: boolean): bigint {
  return signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
}

/** Binding power of each binary operator (higher binds tighter), as in C. For the parsers. */
export const C_BINARY_PRECEDENCE: Record<CBinaryOp, number> = {
  '*': 10,
  '/': 10,
  '%': 10,
  '+': 9,
  '-': 9,
  '<<': 8,
  '>>': 8,
  '<': 7,
  '>': 7,
  '<=': 7,
  '>=': 7,
  '==': 6,
  '!=': 6,
  '&': 5,
  '^': 4,
  '|': 3,
  '&&': 2,
  '||': 1,
};

/**
 * Evaluate a cell expression as dtc does: every value is uint64_t. Division or modulo by zero is an
 * error ("Division by zero"), never an exception.
 */
export function evaluateCExpr(expr: CExpr): CEvalResult {
  return evaluateTyped(expr, allUnsigned);
}

const allUnsigned = (): boolean => true;

// ---------------------------------------------------------------------------------------------
// Parsing: a Pratt parser over an abstract token source, so that the preprocessor's #if and the
// DTS parser's `( ... )` share one grammar. The caller lexes; numbers arrive already valued.

export type CExprToken =
  | { kind: 'number'; value: bigint; range: SourceRange; unsigned?: boolean }
  | { kind: 'punct'; text: string; range: SourceRange }
  /** Anything the grammar cannot use (reported as "token is not valid in an expression"). */
  | { kind: 'other'; text: string; range: SourceRange }
  | { kind: 'end'; range: SourceRange };

export interface CExprTokenSource {
  peek(): CExprToken;
  next(): CExprToken;
}

export type CParseResult = { ok: true; expr: CExpr } | { ok: false; message: string; range: SourceRange };

/** Deeper trees are refused rather than risking the evaluator's (recursive) stack. */
const MAX_EXPR_DEPTH = 400;

class CExprError {
  constructor(
    readonly message: string,
    readonly range: SourceRange,
  ) {}
}

function spanOf(a: SourceRange, b: SourceRange): SourceRange {
  return a.file === b.file ? { file: a.file, start: a.start, end: b.end } : a;
}

function depthOf(e: CExpr): number {
  return (e as { depth?: number }).depth ?? 1;
}
function withDepth<T extends CExpr>(e: T, ...children: CExpr[]): T {
  const d = 1 + Math.max(0, ...children.map(depthOf));
  if (d > MAX_EXPR_DEPTH) throw new CExprError('expression is too deeply nested', e.range);
  Object.defineProperty(e, 'depth', { value: d, enumerable: false });
  return e;
}

/**
 * Parse one conditional-expression (C11 6.5.15) from `src`, stopping at the first token that cannot
 * continue it (the caller checks that it is the end). Never throws.
 */
export function parseCExpr(src: CExprTokenSource): CParseResult {
  try {
    return { ok: true, expr: parseConditional(src, 0) };
  } catch (e) {
    if (e instanceof CExprError) return { ok: false, message: e.message, range: e.range };
    throw e;
  }
}

function isPunctTok(t: CExprToken, text: string): boolean {
  return t.kind === 'punct' && t.text === text;
}

function parseConditional(src: CExprTokenSource, nesting: number): CExpr {
  if (nesting > MAX_EXPR_DEPTH) throw new CExprError('expression is too deeply nested', src.peek().range);
  const cond = parseBinary(src, 1, nesting);
  if (!isPunctTok(src.peek(), '?')) return cond;
  src.next();
  const then = parseConditional(src, nesting + 1);
  const colon = src.next();
  if (!isPunctTok(colon, ':')) throw new CExprError("expected ':' in conditional expression", colon.range);
  const els = parseConditional(src, nesting + 1);
  return withDepth({ kind: 'ternary', cond, then, else: els, range: spanOf(cond.range, els.range) }, cond, then, els);
}

function parseBinary(src: CExprTokenSource, minPrec: number, nesting: number): CExpr {
  let left = parseUnary(src, nesting);
  for (;;) {
    const t = src.peek();
    if (t.kind !== 'punct' || !Object.prototype.hasOwnProperty.call(C_BINARY_PRECEDENCE, t.text)) return left;
    const op = t.text as CBinaryOp;
    const prec = C_BINARY_PRECEDENCE[op];
    if (prec < minPrec) return left;
    src.next();
    const right = parseBinary(src, prec + 1, nesting);
    left = withDepth({ kind: 'binary', op, left, right, range: spanOf(left.range, right.range) }, left, right);
  }
}

function parseUnary(src: CExprTokenSource, nesting: number): CExpr {
  if (nesting > MAX_EXPR_DEPTH) throw new CExprError('expression is too deeply nested', src.peek().range);
  const t = src.next();
  switch (t.kind) {
    case 'number':
      return t.unsigned ? { kind: 'number', value: t.value, range: t.range, unsigned: true } : { kind: 'number', value: t.value, range: t.range };
    case 'end':
      throw new CExprError('expected an expression', t.range);
    case 'other':
      throw new CExprError(`token "${t.text}" is not valid in an expression`, t.range);
    case 'punct': {
      if (t.text === '-' || t.text === '+' || t.text === '~' || t.text === '!') {
        const operand = parseUnary(src, nesting + 1);
        return withDepth({ kind: 'unary', op: t.text, operand, range: spanOf(t.range, operand.range) }, operand);
      }
      if (t.text === '(') {
        const inner = parseConditional(src, nesting + 1);
        const close = src.next();
        if (!isPunctTok(close, ')')) throw new CExprError("missing ')' in expression", close.range);
        return inner;
      }
      throw new CExprError(`expected an expression before "${t.text}"`, t.range);
    }
  }
}

/**
 * Value of a C integer constant (decimal, 0x hex, 0 octal, 0b binary, with u/l suffixes), or
 * undefined when the spelling is not one. Values above 64 bits are returned as written; the
 * evaluator wraps them.
 */
export function parseCIntegerLiteral(text: string): bigint | undefined {
  let end = text.length;
  while (end > 0 && 'uUlL'.includes(text[end - 1])) end--;
  const suffix = text.slice(end).toLowerCase();
  if (!['', 'u', 'l', 'ul', 'lu', 'll', 'ull', 'llu'].includes(suffix)) return undefined;
  const digits = text.slice(0, end);
  let radix = 10,
    body = digits;
  if (/^0[xX]/.test(digits)) {
    radix = 16;
    body = digits.slice(2);
  } else if (/^0[bB]/.test(digits)) {
    radix = 2;
    body = digits.slice(2);
  } else if (digits.length > 1 && digits[0] === '0') {
    radix = 8;
    body = digits.slice(1);
  }
  if (body.length === 0) return undefined;
  let v = 0n;
  const r = BigInt(radix);
  for (const c of body) {
    const d = parseInt(c, radix);
    if (Number.isNaN(d)) return undefined;
    v = v * r + BigInt(d);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// cpp's #if arithmetic (C11 6.10.1p4, gcc's cpp/expr.c): every value is intmax_t or uintmax_t, and
// the usual arithmetic conversions make an operation unsigned when either operand is. Types are
// static, so a ternary's type is known without evaluating the branch it skips.

const INT64_MAX = (1n << 63n) - 1n;

/** Wrap to uintmax_t when `unsigned`, else to intmax_t. */
function wrapAs(v: bigint, unsigned: boolean): bigint {
  return wrap(v, !unsigned);
}

/** Whether `expr` has type uintmax_t under cpp's rules. */
function isUnsignedInCpp(expr: CExpr): boolean {
  switch (expr.kind) {
    case 'number':
      return expr.unsigned === true || expr.value > INT64_MAX;
    case 'unary':
      return expr.op === '!' ? false : isUnsignedInCpp(expr.operand);
    case 'ternary':
      return isUnsignedInCpp(expr.then) || isUnsignedInCpp(expr.else);
    case 'binary':
      switch (expr.op) {
        case '<':
        case '>':
        case '<=':
        case '>=':
        case '==':
        case '!=':
        case '&&':
        case '||':
          return false;
        case '<<':
        case '>>':
          return isUnsignedInCpp(expr.left);
        default:
          return isUnsignedInCpp(expr.left) || isUnsignedInCpp(expr.right);
      }
  }
}

/**
 * Evaluate as cpp's #if does: signed/unsigned per operand, a negative shift count shifts the other
 * way (gcc), division by zero is an error. The value returned is as its type reads it.
 */
export function evaluatePreprocessorExpr(expr: CExpr): CEvalResult {
  return evaluateTyped(expr, isUnsignedInCpp);
}

/**
 * C evaluation in 64 bits where `isUnsigned` gives each subexpression's type (uintmax_t or
 * intmax_t): cpp's typed rules, or dtc's "everything is uint64_t". One evaluator for both.
 */
function evaluateTyped(expr: CExpr, isUnsigned: (e: CExpr) => boolean): CEvalResult {
  const u = isUnsigned(expr);
  switch (expr.kind) {
    case 'number':
      return { ok: true, value: wrapAs(expr.value, u) };
    case 'unary': {
      const r = evaluateTyped(expr.operand, isUnsigned);
      if (!r.ok) return r;
      switch (expr.op) {
        case '-':
          return { ok: true, value: wrapAs(-r.value, u) };
        case '+':
          return r;
        case '~':
          return { ok: true, value: wrapAs(~r.value, u) };
        case '!':
          return { ok: true, value: r.value === 0n ? 1n : 0n };
      }
      throw new Error('unreachable');
    }
    case 'ternary': {
      const c = evaluateTyped(expr.cond, isUnsigned);
      if (!c.ok) return c;
      const r = evaluateTyped(c.value !== 0n ? expr.then : expr.else, isUnsigned);
      return r.ok ? { ok: true, value: wrapAs(r.value, u) } : r;
    }
    case 'binary': {
      const l = evaluateTyped(expr.left, isUnsigned);
      if (!l.ok) return l;
      if (expr.op === '&&' && l.value === 0n) return { ok: true, value: 0n };
      if (expr.op === '||' && l.value !== 0n) return { ok: true, value: 1n };
      const r = evaluateTyped(expr.right, isUnsigned);
      if (!r.ok) return r;
      return binaryValue(expr, l.value, r.value, u, isUnsigned);
    }
  }
}

/** A binary operator on its evaluated operands `l` and `r`, in the operator's result type (`u`: unsigned). */
function binaryValue(expr: Extract<CExpr, { kind: 'binary' }>, l: bigint, r: bigint, u: boolean, isUnsigned: (e: CExpr) => boolean): CEvalResult {
  const bool = (x: boolean): CEvalResult => ({ ok: true, value: x ? 1n : 0n });
  if (expr.op === '&&' || expr.op === '||') return bool(r !== 0n);
  if (expr.op === '<<' || expr.op === '>>') {
    // The count keeps its own type; a negative count shifts the other way.
    const count = r;
    const left = expr.op === '<<' ? count >= 0n : count < 0n;
    const n = count < 0n ? -count : count;
    if (left) return { ok: true, value: n >= 64n ? 0n : wrapAs(l << n, u) };
    if (n >= 64n) return { ok: true, value: !u && l < 0n ? -1n : 0n };
    return { ok: true, value: wrapAs(l >> n, u) };
  }
  // The usual arithmetic conversions: both operands take the common type.
  const common = isUnsigned(expr.left) || isUnsigned(expr.right);
  const a = wrapAs(l, common),
    b = wrapAs(r, common);
  switch (expr.op) {
    case '<':
      return bool(a < b);
    case '>':
      return bool(a > b);
    case '<=':
      return bool(a <= b);
    case '>=':
      return bool(a >= b);
    case '==':
      return bool(a === b);
    case '!=':
      return bool(a !== b);
    case '*':
      return { ok: true, value: wrapAs(a * b, u) };
    case '/':
    case '%':
      if (b === 0n) return { ok: false, message: 'Division by zero', range: expr.range };
      return { ok: true, value: wrapAs(expr.op === '/' ? a / b : a % b, u) };
    case '+':
      return { ok: true, value: wrapAs(a + b, u) };
    case '-':
      return { ok: true, value: wrapAs(a - b, u) };
    case '&':
      return { ok: true, value: wrapAs(a & b, u) };
    case '^':
      return { ok: true, value: wrapAs(a ^ b, u) };
    case '|':
      return { ok: true, value: wrapAs(a | b, u) };
  }
  throw new Error('unreachable');
}
