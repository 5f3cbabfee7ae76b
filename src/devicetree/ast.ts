// Syntax tree of a DTS source, as written (before merging, references and deletes are evaluated).
// Every node carries its full source range in the original file (through line markers and the
// preprocessor's map). Built by parser.ts, consumed by evaluate.ts and the language server.

import type { SourceRange } from '../common/diagnostics';
import type { CExpr } from './cexpr';

export interface DtsLabel {
  name: string;
  range: SourceRange;
}

export interface DtsRef {
  /** A label name, or a path starting with '/' for `&{/path}`. */
  target: string;
  range: SourceRange;
}

export interface DtsHeader {
  kind: 'header';
  plugin: boolean;
  range: SourceRange;
}

export interface DtsMemReserve {
  kind: 'memreserve';
  labels: DtsLabel[];
  address: CExpr;
  size: CExpr;
  range: SourceRange;
}

/** An element of `< >`: an integer expression, a phandle reference or a label between cells. */
export type DtsCell =
  { kind: 'expr'; expr: CExpr; range: SourceRange } | { kind: 'ref'; ref: DtsRef; range: SourceRange } | { kind: 'label'; label: DtsLabel; range: SourceRange };

export type DtsByte = { kind: 'byte'; value: number; range: SourceRange } | { kind: 'label'; label: DtsLabel; range: SourceRange };

/** One comma-separated piece of a property value, or a label between pieces. */
export type DtsValuePart =
  | { kind: 'string'; bytes: Uint8Array; range: SourceRange }
  | { kind: 'cells'; bits: number; bitsRange?: SourceRange; cells: DtsCell[]; range: SourceRange }
  | { kind: 'bytes'; bytes: DtsByte[]; range: SourceRange }
  | { kind: 'path-ref'; ref: DtsRef; range: SourceRange }
  | {
      kind: 'incbin';
      file: string;
      fileRange: SourceRange;
      /** The file actually being read (not a line marker's name): relative names resolve against its folder. */
      includingFile: string;
      offset?: CExpr;
      length?: CExpr;
      range: SourceRange;
    }
  | { kind: 'label'; label: DtsLabel; range: SourceRange };

export interface DtsProperty {
  kind: 'property';
  labels: DtsLabel[];
  name: string;
  nameRange: SourceRange;
  /** Undefined for `name;` (an empty property). */
  value?: DtsValuePart[];
  /** From the name to the semicolon (dtc's srcpos for the property). */
  range: SourceRange;
}

export interface DtsDeleteProperty {
  kind: 'delete-property';
  name: string;
  nameRange: SourceRange;
  range: SourceRange;
}

export interface DtsNode {
  kind: 'node';
  labels: DtsLabel[];
  name: string;
  nameRange: SourceRange;
  omitIfNoRef: boolean;
  body: DtsBody;
  /** From the first label or keyword to the closing `};`. */
  range: SourceRange;
}

export interface DtsDeleteNode {
  kind: 'delete-node';
  name: string;
  nameRange: SourceRange;
  range: SourceRange;
}

export type DtsBodyItem = DtsProperty | DtsDeleteProperty | DtsNode | DtsDeleteNode;

export interface DtsBody {
  items: DtsBodyItem[];
  /** From `{` to the `;` after `}` (dtc's srcpos for a node definition). */
  range: SourceRange;
}

/** `/ { ... };` */
export interface DtsRootNode {
  kind: 'root';
  body: DtsBody;
  range: SourceRange;
}

/** `label: &ref { ... };` or `&{/path} { ... };` */
export interface DtsRefNode {
  kind: 'ref-node';
  labels: DtsLabel[];
  ref: DtsRef;
  body: DtsBody;
  range: SourceRange;
}

/** `/delete-node/ &ref;` at top level. */
export interface DtsDeleteRef {
  kind: 'delete-ref';
  ref: DtsRef;
  range: SourceRange;
}

/** `/omit-if-no-ref/ &ref;` at top level. */
export interface DtsOmitRef {
  kind: 'omit-ref';
  ref: DtsRef;
  range: SourceRange;
}

export type DtsTopItem = DtsRootNode | DtsRefNode | DtsDeleteRef | DtsOmitRef;

export interface DtsFile {
  kind: 'file';
  headers: DtsHeader[];
  memreserves: DtsMemReserve[];
  items: DtsTopItem[];
}
