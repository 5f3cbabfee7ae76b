// Explanations as lint-style text: `log:L.C-L.C: Error (code): message`, then the related places
// and the fixes, one per indented line (the CLI's output and the editor's output channel).
import { formatRangeDtc, type SourceRange } from '../common/diagnostics';
import type { Explanation } from './explain';

/** The log lines an explanation is about, as a range in the log. */
export function logRange(x: Explanation, logName: string): SourceRange {
  return { file: logName, start: { line: x.span.line, col: x.span.col }, end: { line: x.span.line, col: x.span.endCol } };
}

export function formatExplanation(x: Explanation, logName: string, displayPath: (file: string) => string = (f) => f): string {
  const word = x.severity === 'error' ? 'Error' : x.severity === 'warning' ? 'Warning' : 'Info';
  const lines = [`${formatRangeDtc(logRange(x, logName))}: ${word} (${x.code}): ${x.message}`];
  for (const r of x.related) lines.push(`  ${r.message}: ${formatRangeDtc({ ...r.range, file: displayPath(r.range.file) })}`);
  for (const f of x.fixes) lines.push(`  fix: ${f.title}`);
  return lines.join('\n');
}
