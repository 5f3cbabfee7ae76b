// Maps offsets of the preprocessed text back to original files. The map is a sorted list of
// segments (one per contiguous run of output), searched by binary search: a 5,000-line file with no
// directives is a single segment, never one entry per character or per line.

import type { Position, SourceRange } from '../../common/diagnostics';
import { lineStarts } from '../../common/line-starts';

/** Line-start offsets of a text, computed once per file and shared by its location contexts. */
export class LineTable {
  private lineStarts?: number[];
  constructor(readonly text: string) {}
  /** Offsets where lines start, found on first use: an unchanged text's map is rarely asked (the scanner has its own). */
  get starts(): number[] {
    return (this.lineStarts ??= lineStarts(this.text));
  }
  /** The line found last: lookups mostly move forward a line or stay on it. */
  private lastLine = 0;

  /** Physical 0-based line holding `offset`. */
  lineOf(offset: number): number {
    const s = this.starts;
    const last = this.lastLine;
    if (s[last] <= offset) {
      if (last + 1 >= s.length || s[last + 1] > offset) return last;
      if (last + 2 >= s.length || s[last + 2] > offset) return (this.lastLine = last + 1);
    }
    let lo = 0,
      hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return (this.lastLine = lo);
  }
}

/**
 * Where cpp itself says it is (`__FILE__`, `__LINE__`): the file as cpp spells it, and the line
 * shift of `#line`. `# 12 "x"` markers do not move it: in assembler-with-cpp mode cpp passes them
 * through for dtc.
 */
export interface PresumedLocation {
  name: string;
  lineDelta: number;
}

/**
 * How offsets of one real file read as positions: the name to report and the shift that line
 * markers (`# 12 "x"`, `#line`) apply. A marker starts a new context over the same LineTable.
 */
export class LocationContext {
  constructor(
    readonly lines: LineTable,
    readonly name: string,
    readonly lineDelta: number,
    readonly presumed: PresumedLocation = { name, lineDelta },
  ) {}
  /** `__LINE__` at an offset (1-based). */
  presumedLine(offset: number): number {
    return Math.max(0, this.lines.lineOf(offset) + this.presumed.lineDelta) + 1;
  }
  position(offset: number): Position {
    const phys = this.lines.lineOf(offset);
    return { line: Math.max(0, phys + this.lineDelta), col: offset - this.lines.starts[phys] };
  }
  range(start: number, end: number): SourceRange {
    return { file: this.name, start: this.position(start), end: this.position(end) };
  }
}

export interface MappedPosition {
  file: string;
  line: number;
  col: number;
  /** Set when the character was produced by macro expansion (the position is then the invocation's). */
  expanded?: true;
}

export interface SourceMapper {
  positionAt(offset: number): MappedPosition;
  /**
   * The range from `start` to `end` as positionAt gives their ends, within one file: an end in
   * another file than the start, or before it, is the start. The scanner asks this once per token,
   * so it builds no intermediate position.
   */
  range(start: number, end: number): SourceRange;
}

/**
 * A run of output. `verbatim`: output offset o maps to source offset `src + (o - out)` of `ctx`.
 * Otherwise (macro expansion text) every offset of the run maps to source offset `src`.
 */
export interface Segment {
  out: number;
  ctx: LocationContext;
  src: number;
  verbatim: boolean;
}

/** Accumulates the output text and its segments. */
export class OutputBuilder {
  private readonly chunks: string[] = [];
  private readonly segments: Segment[] = [];
  private length = 0;
  /** The last character written (to avoid accidental token pasting), '' at the start. */
  lastChar = '';

  get offset(): number {
    return this.length;
  }

  /** Append text that is a verbatim copy of `ctx`'s text from `src`. */
  verbatim(text: string, ctx: LocationContext, src: number): void {
    if (text.length === 0) return;
    const last = this.segments[this.segments.length - 1];
    const extends_ = last !== undefined && last.verbatim && last.ctx === ctx && last.src + (this.length - last.out) === src;
    if (!extends_) this.segments.push({ out: this.length, ctx, src, verbatim: true });
    this.append(text);
  }

  /** Append text produced by expansion; all of it maps to `src` in `ctx` (the invocation). */
  synthetic(text: string, ctx: LocationContext, src: number): void {
    if (text.length === 0) return;
    const last = this.segments[this.segments.length - 1];
    const extends_ = last !== undefined && !last.verbatim && last.ctx === ctx && last.src === src;
    if (!extends_) this.segments.push({ out: this.length, ctx, src, verbatim: false });
    this.append(text);
  }

  /** Where the output is now, for `since`. */
  mark(): { length: number; chunks: number; segments: number } {
    return { length: this.length, chunks: this.chunks.length, segments: this.segments.length };
  }

  /** The text and segments written after `mark` (segment offsets from the mark). */
  since(mark: { length: number; chunks: number; segments: number }): { text: string; segments: Segment[] } {
    const segments = this.segments.slice(mark.segments).map((g) => ({ ...g, out: g.out - mark.length }));
    return { text: this.chunks.slice(mark.chunks).join(''), segments };
  }

  /**
   * Append output recorded by `since` elsewhere. Its segments start at a boundary that never merges
   * with the segment before (they map to another file's context).
   */
  replay(text: string, segments: readonly Segment[], lastChar: string): void {
    if (text.length === 0) return;
    for (const g of segments) this.segments.push({ out: g.out + this.length, ctx: g.ctx, src: g.src, verbatim: g.verbatim });
    this.chunks.push(text);
    this.length += text.length;
    this.lastChar = lastChar;
  }

  private append(text: string): void {
    this.chunks.push(text);
    this.length += text.length;
    this.lastChar = text[text.length - 1];
  }

  finish(fallback: LocationContext): { text: string; map: SourceMapper } {
    return { text: this.chunks.join(''), map: new SegmentMapper(this.segments, this.length, fallback) };
  }
}

class SegmentMapper implements SourceMapper {
  /** The segment found last: the scanner asks about offsets in increasing order. */
  private lastSegment = 0;

  constructor(
    private readonly segments: Segment[],
    private readonly length: number,
    private readonly fallback: LocationContext,
  ) {}

  /** Index of the segment holding output offset `o` (already clamped); the segments are not empty. */
  private segmentAt(o: number): number {
    const segs = this.segments;
    const last = this.lastSegment;
    if (segs[last].out <= o) {
      if (last + 1 >= segs.length || segs[last + 1].out > o) return last;
      if (last + 2 >= segs.length || segs[last + 2].out > o) return (this.lastSegment = last + 1);
    }
    let lo = 0,
      hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid].out <= o) lo = mid;
      else hi = mid - 1;
    }
    return (this.lastSegment = lo);
  }

  positionAt(offset: number): MappedPosition {
    const segs = this.segments;
    if (segs.length === 0) return this.at(this.fallback, 0);
    const o = Math.max(0, Math.min(offset, this.length));
    const seg = segs[this.segmentAt(o)];
    if (seg.verbatim) return this.at(seg.ctx, seg.src + (o - seg.out));
    return { ...this.at(seg.ctx, seg.src), expanded: true };
  }

  range(start: number, end: number): SourceRange {
    const segs = this.segments;
    if (segs.length === 0) return this.fallback.range(0, 0);
    const s = Math.max(0, Math.min(start, this.length));
    const e = Math.max(0, Math.min(end, this.length));
    const sSeg = segs[this.segmentAt(s)];
    const eSeg = segs[this.segmentAt(e)];
    const sCtx = sSeg.ctx,
      eCtx = eSeg.ctx;
    const sSrc = sSeg.verbatim ? sSeg.src + (s - sSeg.out) : sSeg.src;
    const eSrc = eSeg.verbatim ? eSeg.src + (e - eSeg.out) : eSeg.src;
    const sLines = sCtx.lines,
      eLines = eCtx.lines;
    const sPhys = sLines.lineOf(sSrc);
    const startPos: Position = { line: Math.max(0, sPhys + sCtx.lineDelta), col: sSrc - sLines.starts[sPhys] };
    if (eCtx.name === sCtx.name) {
      const ePhys = eLines.lineOf(eSrc);
      const line = Math.max(0, ePhys + eCtx.lineDelta),
        col = eSrc - eLines.starts[ePhys];
      if (line > startPos.line || (line === startPos.line && col >= startPos.col)) return { file: sCtx.name, start: startPos, end: { line, col } };
    }
    return { file: sCtx.name, start: startPos, end: { line: startPos.line, col: startPos.col } };
  }

  private at(ctx: LocationContext, src: number): MappedPosition {
    const p = ctx.position(src);
    return { file: ctx.name, line: p.line, col: p.col };
  }
}
