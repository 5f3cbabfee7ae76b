// C integer expressions, shared by the preprocessor's #if and the DTS parser's `( ... )` cell
// expressions: one AST, one evaluator. Values are 64-bit: dtc evaluates in uint64_t, cpp's #if in
// intmax_t, so the evaluator takes the signedness as a mode.

import type { SourceRange } from '../common/diagnostics';

export type CBinaryOp =
  | '*' | '/' | '%' | '+' | '-' | '<<' | '>>' | '<' | '>' | '<=' | '>=' | '==' | '!='
  | '&' | '^' | '|' | '&&' | '||';
export type CUnaryOp = '-' | '+' | '~' | '!';

export type CExpr =
  | { kind: 'number'; value: bigint; range: SourceRange }
  | { kind: 'unary'; op: CUnaryOp; operand: CExpr; range: SourceRange }
  | { kind: 'binary'; op: CBinaryOp; left: CExpr; right: CExpr; range: SourceRange }
  | { kind: 'ternary'; cond: CExpr; then: CExpr; else: CExpr; range: SourceRange };

export type CEvalResult = { ok: true; value: bigint } | { ok: false; message: string; range: SourceRange };

const MASK64 = (1n << 64n) - 1n;

function wrap(v: bigint, signed: boolean): bigint {
  return signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
}

/** Binding power of each binary operator (higher binds tighter), as in C. For the parsers. */
export const C_BINARY_PRECEDENCE: Record<CBinaryOp, number> = {
  '*': 10, '/': 10, '%': 10,
  '+': 9, '-': 9,
  '<<': 8, '>>': 8,
  '<': 7, '>': 7, '<=': 7, '>=': 7,
  '==': 6, '!=': 6,
  '&': 5, '^': 4, '|': 3, '&&': 2, '||': 1,
};

/**
 * Evaluate with C semantics in 64 bits. `signed` selects intmax_t (cpp) or uint64_t (dtc).
 * Division or modulo by zero is an error (dtc: "Division by zero"), never an exception.
 */
export function evaluateCExpr(expr: CExpr, signed: boolean): CEvalResult {
  switch (expr.kind) {
    case 'number':
      return { ok: true, value: wrap(expr.value, signed) };
    case 'unary': {
      const r = evaluateCExpr(expr.operand, signed);
      if (!r.ok) return r;
      const v = r.value;
      switch (expr.op) {
        case '-': return { ok: true, value: wrap(-v, signed) };
        case '+': return { ok: true, value: v };
        case '~': return { ok: true, value: wrap(~v & MASK64, signed) };
        case '!': return { ok: true, value: v === 0n ? 1n : 0n };
      }
      throw new Error('unreachable');
    }
    case 'ternary': {
      const c = evaluateCExpr(expr.cond, signed);
      if (!c.ok) return c;
      return evaluateCExpr(c.value !== 0n ? expr.then : expr.else, signed);
    }
    case 'binary': {
      const l = evaluateCExpr(expr.left, signed);
      if (!l.ok) return l;
      // Short-circuit as C does: the right side of a decided && or || is not evaluated.
      if (expr.op === '&&' && l.value === 0n) return { ok: true, value: 0n };
      if (expr.op === '||' && l.value !== 0n) return { ok: true, value: 1n };
      const r = evaluateCExpr(expr.right, signed);
      if (!r.ok) return r;
      const a = l.value, b = r.value;
      const bool = (x: boolean): CEvalResult => ({ ok: true, value: x ? 1n : 0n });
      switch (expr.op) {
        case '*': return { ok: true, value: wrap(a * b, signed) };
        case '/':
        case '%': {
          if (b === 0n) return { ok: false, message: 'Division by zero', range: expr.range };
          // BigInt division truncates toward zero, as C does.
          return { ok: true, value: wrap(expr.op === '/' ? a / b : a % b, signed) };
        }
        case '+': return { ok: true, value: wrap(a + b, signed) };
        case '-': return { ok: true, value: wrap(a - b, signed) };
        case '<<': {
          const n = BigInt.asUintN(64, b);
          return { ok: true, value: n >= 64n ? 0n : wrap(a << n, signed) };
        }
        case '>>': {
          const n = BigInt.asUintN(64, b);
          if (n >= 64n) return { ok: true, value: signed && a < 0n ? -1n : 0n };
          return { ok: true, value: wrap(a >> n, signed) };
        }
        case '<': return bool(a < b);
        case '>': return bool(a > b);
        case '<=': return bool(a <= b);
        case '>=': return bool(a >= b);
        case '==': return bool(a === b);
        case '!=': return bool(a !== b);
        case '&': return { ok: true, value: wrap(a & b, signed) };
        case '^': return { ok: true, value: wrap(a ^ b, signed) };
        case '|': return { ok: true, value: wrap(a | b, signed) };
        case '&&': return bool(b !== 0n);
        case '||': return bool(b !== 0n);
      }
    }
  }
}
