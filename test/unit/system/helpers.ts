// Shared helpers for the system tests: the example's files, the exact range of a piece of text, and
// diagnostics compared by what matters (severity, rule code, message, range).

import * as assert from 'assert';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import type { Diagnostic, SourceRange } from '../../../src/common/diagnostics';

/** The files of examples/dual-guest as texts, keyed by their path under `folder` (for a MemoryFileHost). */
export function exampleFiles(folder: string): Record<string, string> {
  const dir = path.join(__dirname, '../../../examples/dual-guest');
  return Object.fromEntries(readdirSync(dir).map((f) => [`${folder}/${f}`, readFileSync(path.join(dir, f), 'utf8')]));
}

/** The 0-based range of the `occurrence`-th (1-based) appearance of `needle` in `text`. */
export function rangeOf(file: string, text: string, needle: string, occurrence = 1, within?: string, withinOccurrence = 1): SourceRange {
  let at = -1;
  if (within !== undefined) {
    for (let i = 0; i < withinOccurrence; i++) {
      at = text.indexOf(within, at + 1);
      if (at < 0) throw new Error(`'${within}' (occurrence ${withinOccurrence}) not in test input`);
    }
    at -= 1;
  }
  for (let i = 0; i < occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' (occurrence ${occurrence}) not in test input`);
  }
  const pos = (off: number) => {
    const before = text.slice(0, off);
    const line = before.split('\n').length - 1;
    return { line, col: off - (before.lastIndexOf('\n') + 1) };
  };
  return { file, start: pos(at), end: pos(at + needle.length) };
}

export interface Expected {
  severity?: Diagnostic['severity'];
  code: string;
  /** A part of the message that says what and which element. */
  message: string;
  /** The text the range must cover exactly, and which occurrence of it. */
  at: string;
  occurrence?: number;
  /** Look for `at` only from the start of this context (its `inOccurrence`-th appearance). */
  in?: string;
  inOccurrence?: number;
}

/** Assert that `diags` are exactly the expected ones (order-insensitive). */
export function assertDiagnostics(file: string, text: string, diags: Diagnostic[], expected: Expected[]): void {
  const shown = diags.map((d) => `${d.severity} ${d.code} ${JSON.stringify(d.range?.start)}-${JSON.stringify(d.range?.end)} ${d.message}`).join('\n');
  assert.strictEqual(diags.length, expected.length, `expected ${expected.length} diagnostics, got:\n${shown}`);
  for (const e of expected) {
    const range = rangeOf(file, text, e.at, e.occurrence, e.in, e.inOccurrence);
    const match = diags.find(
      (d) => d.code === e.code && d.severity === (e.severity ?? 'error') && d.message.includes(e.message) && JSON.stringify(d.range) === JSON.stringify(range),
    );
    assert.ok(match, `no ${e.severity ?? 'error'} ${e.code} '${e.message}' at ${JSON.stringify(range)}; got:\n${shown}`);
  }
}
