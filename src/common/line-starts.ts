// Offsets to lines and columns: one table of line-start offsets per text, searched by bisection.
// The devicetree scanner, the preprocessor's source map and the .system/.json readers share it.
import type { Position, SourceRange } from './diagnostics';

/** The offsets where the lines of `text` start (the first is 0; a line ends at '\n'). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  // indexOf searches natively: much faster than a per-character loop on long texts.
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The line (index into `starts`, at most `hi`) that contains `offset`. */
export function lineAt(starts: readonly number[], offset: number, hi = starts.length - 1): number {
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Maps string offsets (UTF-16 code units) of one file's text to 0-based lines and columns. */
export class LineMap {
  readonly starts: number[];
  constructor(
    readonly file: string,
    text: string,
  ) {
    this.starts = lineStarts(text);
  }
  position(offset: number): Position {
    const line = lineAt(this.starts, offset);
    return { line, col: offset - this.starts[line] };
  }
  /** Half-open [start, end) range of offsets. */
  range(start: number, end: number): SourceRange {
    return { file: this.file, start: this.position(start), end: this.position(Math.max(start, end)) };
  }
}

/**
 * Ranges for offsets that mostly move forward (a scanner's): the line found last is the start of
 * the next search, so a pass over a file costs a step per line, not a bisection per range.
 */
export class LineCursor {
  private line = 0;
  constructor(private readonly map: LineMap) {}

  position(offset: number): Position {
    const starts = this.map.starts;
    let line = this.line;
    if (offset < starts[line]) line = lineAt(starts, offset);
    else while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
    this.line = line;
    return { line, col: offset - starts[line] };
  }

  range(start: number, end: number): SourceRange {
    return { file: this.map.file, start: this.position(start), end: this.position(Math.max(start, end)) };
  }
}
