// The one diagnostic shape every core produces. Lines and columns are 0-based (as in LSP); columns
// count UTF-16 code units of the original source line. Only the edges (CLI, language server) turn
// these into their own formats.

export interface Position {
  line: number;
  col: number;
}

export interface SourceRange {
  /** Absolute POSIX path of the original file (after line markers are applied), or a pseudo name like "<stdin>". */
  file: string;
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

/**
 * The registry of diagnostic codes: each layer adds its own from its rule table (dtc's checks in
 * src/devicetree/diagnostic-codes.ts, the system rules in src/system/rule-table.ts, ...) by
 * augmenting this interface, so this file names none and a code no table has does not compile.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DiagnosticCodes {}

/** A code some rule table declares. */
export type DiagnosticCode = keyof DiagnosticCodes;

export interface Diagnostic {
  severity: Severity;
  message: string;
  /** Where the fix belongs. Absent only when there is truly no position (e.g. a missing file given on the command line). */
  range?: SourceRange;
  /** The check's or rule's name (dtc check names for devicetree checks, e.g. "unit_address_vs_reg"). */
  code?: DiagnosticCode;
  /** The node path or element the message is about, e.g. "/soc/serial@30860000". */
  subject?: string;
  /** Further places that explain the message (e.g. the other definition of a duplicate). */
  related?: { message: string; range: SourceRange }[];
  /** The edit that resolves it for certain: what a parser's recovery took to be missing, inserted where it assumed it. */
  fix?: { title: string; range: SourceRange; newText: string };
}

/** Render `file:L.C-L.C` with 1-based numbers, as dtc does. */
export function formatRangeDtc(r: SourceRange): string {
  const s = `${r.start.line + 1}.${r.start.col + 1}`;
  const e = `${r.end.line + 1}.${r.end.col + 1}`;
  return `${r.file}:${s}-${e}`;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const fa = a.range?.file ?? '',
    fb = b.range?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  const la = a.range?.start.line ?? -1,
    lb = b.range?.start.line ?? -1;
  if (la !== lb) return la - lb;
  return (a.range?.start.col ?? -1) - (b.range?.start.col ?? -1);
}
