// The one place where core types become LSP types (API boundary: the cores know nothing of LSP).
import {
  DiagnosticSeverity,
  DiagnosticTag,
  type Diagnostic as LspDiagnostic,
  type Location,
  type Position as LspPosition,
  type Range,
} from 'vscode-languageserver/node';
import type { Diagnostic, Position, Severity, SourceRange } from '../common/diagnostics';
import { pathToUri } from './uri';

export function toPosition(p: Position): LspPosition {
  return { line: Math.max(0, p.line), character: Math.max(0, p.col) };
}

export function fromPosition(p: LspPosition): Position {
  return { line: p.line, col: p.character };
}

export function toRange(r: SourceRange): Range {
  return { start: toPosition(r.start), end: toPosition(r.end) };
}

export function toLocation(r: SourceRange): Location {
  return { uri: pathToUri(r.file), range: toRange(r) };
}

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** `source` tells the user which family produced it ("dtc" checks, "microkit" rules, "dual-guest" cross checks). */
export function toLspDiagnostic(d: Diagnostic, source: string): LspDiagnostic {
  const range = d.range ? toRange(d.range) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const out: LspDiagnostic = { range, severity: severities[d.severity], message: d.message, source };
  if (d.code) out.code = d.code;
  if (d.related && d.related.length > 0) {
    out.relatedInformation = d.related.map((r) => ({ message: r.message, location: toLocation(r.range) }));
  }
  if (d.code === 'sdf-unused-mr') out.tags = [DiagnosticTag.Unnecessary];
  return out;
}

/** True when `p` lies in the half-open range [start, end), or at `end` for empty ranges. */
export function rangeContains(r: SourceRange, p: Position): boolean {
  const afterStart = p.line > r.start.line || (p.line === r.start.line && p.col >= r.start.col);
  const beforeEnd = p.line < r.end.line || (p.line === r.end.line && p.col <= r.end.col);
  return afterStart && beforeEnd;
}

/** Smaller ranges first, to pick the innermost thing under the cursor. */
export function rangeSize(r: SourceRange): number {
  return (r.end.line - r.start.line) * 100000 + (r.end.col - r.start.col);
}
