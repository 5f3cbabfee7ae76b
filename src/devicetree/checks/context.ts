// What every check sees while it runs: the tree, the per-run state that dtc keeps on its nodes
// (#address-cells/#size-cells as read by addr_size_cells, the bus a bridge check recognised), and
// the reporter that turns a failure into a Diagnostic tagged with the check's name.
import type { Diagnostic, SourceRange } from '../../common/diagnostics';
import {
  type DtNode,
  type DtProperty,
  type DtTree,
  liveChildren,
  liveProperties,
  nodePath,
  walkNodes,
} from '../tree';

export type CheckSeverity = 'error' | 'warning' | 'off';

/** What the checks need from a compile (structurally a subset of compile.ts's CompileResult). */
export interface CheckInput {
  tree: DtTree;
  /** Findings of reference resolution (duplicate_label, explicit_phandles, phandle_references, path_references, omit_unused_nodes). */
  fixupDiagnostics: readonly Diagnostic[];
}

export interface CheckDefinition {
  /** dtc's check name: the -W/-E flag, the diagnostic code and the settings key. */
  name: string;
  description: string;
  defaultSeverity: CheckSeverity;
  /** Checks that must pass first; when one fails this check is skipped, as dtc does. */
  prerequisites: readonly string[];
  run(ctx: CheckContext): void;
}

/** Buses that bridge checks recognise and that later checks consult (dtc's node->bus). */
export type BusKind = 'pci' | 'simple-bus' | 'i2c' | 'spi' | 'graph-port' | 'graph-ports';

/** State shared by all checks of one run. */
export class CheckRunState {
  readonly bus = new Map<DtNode, BusKind>();
  /** #address-cells / #size-cells as read by addr_size_cells (-1 when absent). */
  readonly addrCells = new Map<DtNode, number>();
  readonly sizeCells = new Map<DtNode, number>();
  private readonly paths = new Map<DtNode, string>();
  private phandles?: Map<number, DtNode>;

  /** Nodes dtc builds only after its checks (-@ symbols, overlay fixups): checks never see them. */
  private readonly generated = new Set<DtNode>();

  /** Whether the root has a __symbols__/__fixups__/__local_fixups__ child at all (most trees have none). */
  private readonly hasGeneratedArea: boolean = false;

  constructor(readonly input: CheckInput) {
    for (const child of input.tree.root.children) {
      if (!GENERATED_ROOT_CHILDREN.has(child.name)) continue;
      this.hasGeneratedArea = true;
      this.markGenerated(child);
    }
  }

  /** A node under __symbols__/__fixups__/__local_fixups__ with no source-written property below it. */
  private markGenerated(node: DtNode): boolean {
    let written = node.properties.some((p) => isWritten(p));
    for (const c of node.children) if (!this.markGenerated(c)) written = true;
    if (!written) this.generated.add(node);
    return !written;
  }

  private walkOrder?: DtNode[];
  private readonly propsCache = new Map<DtNode, DtProperty[]>();

  /**
   * The live nodes the checks visit, parents first (dtc's check_nodes_props). Computed once per
   * run: some ninety checks each walk the whole tree, and checks never add or remove nodes.
   */
  walk(): readonly DtNode[] {
    if (!this.walkOrder) {
      const order: DtNode[] = [];
      const visit = (node: DtNode): void => {
        if (this.generated.has(node)) return;
        order.push(node);
        for (const child of node.children) if (!child.deleted) visit(child);
      };
      visit(this.tree.root);
      this.walkOrder = order;
    }
    return this.walkOrder;
  }

  get tree(): DtTree {
    return this.input.tree;
  }

  path(node: DtNode): string {
    let p = this.paths.get(node);
    if (p === undefined) {
      p = nodePath(node);
      this.paths.set(node, p);
    }
    return p;
  }

  /** dtc's for_each_property: the live properties (minus generated ones under __fixups__ etc.). */
  props(node: DtNode): DtProperty[] {
    let cached = this.propsCache.get(node);
    if (!cached) {
      const live = liveProperties(node);
      cached = this.isInGeneratedArea(node) ? live.filter(isWritten) : live;
      this.propsCache.set(node, cached);
    }
    return cached;
  }

  /** dtc's get_property: the first live property of that name. */
  prop(node: DtNode, name: string): DtProperty | undefined {
    // A plain loop: this runs for nearly every check on every node.
    const props = node.properties;
    for (let i = 0; i < props.length; i++) {
      const p = props[i];
      if (p.name === name && !p.deleted) return this.hasGeneratedArea && this.isInGeneratedArea(node) && !isWritten(p) ? undefined : p;
    }
    return undefined;
  }

  private isInGeneratedArea(node: DtNode): boolean {
    if (!this.hasGeneratedArea) return false;
    let top = node;
    while (top.parent?.parent) top = top.parent;
    return top.parent !== undefined && GENERATED_ROOT_CHILDREN.has(top.name);
  }

  /** dtc's get_subnode: a live child with exactly this name. */
  child(node: DtNode, name: string): DtNode | undefined {
    return liveChildren(node).find((c) => c.name === name);
  }

  /** dtc's get_node_by_phandle: first node in tree order with that phandle; none for 0 and -1. */
  nodeByPhandle(phandle: number): DtNode | undefined {
    if (phandle === 0 || phandle === 0xffffffff) return undefined;
    if (!this.phandles) {
      this.phandles = new Map();
      for (const n of walkNodes(this.tree.root)) if (n.phandle !== 0 && !this.phandles.has(n.phandle)) this.phandles.set(n.phandle, n);
    }
    return this.phandles.get(phandle);
  }

  /** dtc's node_addr_cells: 2 when #address-cells is absent. Unread nodes count as 0, as in dtc. */
  nodeAddrCells(node: DtNode): number {
    const v = this.addrCells.get(node) ?? 0;
    return v === -1 ? 2 : v;
  }

  nodeSizeCells(node: DtNode): number {
    const v = this.sizeCells.get(node) ?? 0;
    return v === -1 ? 1 : v;
  }

  /** The raw value addr_size_cells read (-1 when the property is absent). */
  rawAddrCells(node: DtNode): number {
    return this.addrCells.get(node) ?? 0;
  }

  rawSizeCells(node: DtNode): number {
    return this.sizeCells.get(node) ?? 0;
  }
}

/** The `related` message for a node's later definitions (the CLI prints them as dtc does). */
export const ALSO_DEFINED = 'also defined here';

const GENERATED_ROOT_CHILDREN = new Set(['__symbols__', '__fixups__', '__local_fixups__']);

/** The evaluator records a 'set' event for every property written in source; generated ones have none. */
function isWritten(p: DtProperty): boolean {
  return p.history.length > 0;
}

/** The handle a check's run() gets: the shared state plus its own reporter. */
export class CheckContext {
  /** Set by any failure, reported or not: a failed prerequisite skips its dependents even when it is off. */
  failed = false;

  constructor(
    readonly state: CheckRunState,
    readonly check: CheckDefinition,
    readonly severity: CheckSeverity,
    private readonly sink: Diagnostic[],
  ) {}

  get tree(): DtTree {
    return this.state.tree;
  }

  /** A message about a node (dtc's FAIL): "/path: message", at the node's name unless a more precise place is known. */
  failNode(node: DtNode, message: string, range?: SourceRange): void {
    // Like dtc's "also defined at" lines: every later definition or reopening of the node.
    const related = node.definitions.slice(1).map((r) => ({ message: ALSO_DEFINED, range: r }));
    this.emit(node, `${this.state.path(node)}: ${message}`, range ?? node.nameRange, related);
  }

  /** A message about a property (dtc's FAIL_PROP): "/path:prop: message", at the property. A missing property degrades to a node message, as in dtc. */
  failProp(node: DtNode, prop: DtProperty | undefined, message: string, range?: SourceRange): void {
    if (!prop) {
      this.failNode(node, message);
      return;
    }
    this.emit(node, `${this.state.path(node)}:${prop.name}: ${message}`, range ?? prop.range);
  }

  /**
   * Surface a finding made elsewhere (the evaluator's fixups) under this check's name and severity.
   * The evaluator's subject may be "/path:prop"; the message gets dtc's "/path[:prop]: " prefix
   * and the subject becomes the node path, like every other check message.
   */
  report(d: Diagnostic): void {
    this.failed = true;
    if (this.severity === 'off') return;
    const where = d.subject;
    const message = where && !d.message.startsWith(`${where}: `) ? `${where}: ${d.message}` : d.message;
    const subject = where === undefined ? undefined : where.startsWith('/') && where.includes(':') ? where.slice(0, where.indexOf(':')) : where;
    const out: Diagnostic = { ...d, message, severity: this.severity, code: this.check.name };
    if (subject !== undefined) out.subject = subject;
    this.sink.push(out);
  }

  private emit(node: DtNode, message: string, range: SourceRange | undefined, related?: Diagnostic['related']): void {
    this.failed = true;
    if (this.severity === 'off') return;
    const d: Diagnostic = { severity: this.severity, message, code: this.check.name, subject: this.state.path(node) };
    if (range) d.range = range;
    if (related && related.length > 0) d.related = related;
    this.sink.push(d);
  }
}

/** A check that visits every live node, parents first (dtc's check_nodes_props). */
export function nodeCheck(
  name: string,
  description: string,
  defaultSeverity: CheckSeverity,
  prerequisites: readonly string[],
  visit: (ctx: CheckContext, node: DtNode) => void,
): CheckDefinition {
  return {
    name,
    description,
    defaultSeverity,
    prerequisites,
    run(ctx) {
      for (const node of ctx.state.walk()) visit(ctx, node);
    },
  };
}

// ---- value helpers shared by the families (dtc's data.c and livetree.c semantics) ----

export function propLength(p: DtProperty): number {
  return p.value.bytes.length;
}

/** Cell n of a property (big-endian), or 0 past the end (dtc would read past the value). */
export function cellAt(p: DtProperty, n: number): number {
  const b = p.value.bytes;
  const i = n * 4;
  if (i + 4 > b.length) return 0;
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

/** The value as a C string: the bytes up to the first NUL (latin1, as dtc prints them). */
export function cString(p: DtProperty): string {
  const b = p.value.bytes;
  let end = b.indexOf(0);
  if (end < 0) end = b.length;
  let s = '';
  for (let i = 0; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** dtc's data_is_one_string: non-empty, NUL-terminated, no NUL before the end. */
export function isOneString(p: DtProperty): boolean {
  const b = p.value.bytes;
  if (b.length === 0) return false;
  for (let i = 0; i < b.length - 1; i++) if (b[i] === 0) return false;
  return b[b.length - 1] === 0;
}

/** dtc's check_is_string_list condition: every string NUL-terminated (an empty value passes). */
export function isStringList(p: DtProperty): boolean {
  const b = p.value.bytes;
  return b.length === 0 || b[b.length - 1] === 0;
}

/** Node name up to '@' (dtc's basenamelen). */
export function baseName(node: DtNode): string {
  const at = node.name.indexOf('@');
  return at < 0 ? node.name : node.name.slice(0, at);
}

/** dtc's get_unitname: after the first '@', "" when there is none. */
export function unitName(node: DtNode): string {
  const at = node.name.indexOf('@');
  return at < 0 ? '' : node.name.slice(at + 1);
}

/** Length of the prefix of s made only of characters in `allowed` (C's strspn). */
export function spanOf(s: string, allowed: string): number {
  const table = allowedTable(allowed);
  let n = 0;
  while (n < s.length) {
    const c = s.charCodeAt(n);
    if (c >= 128 || table[c] === 0) break;
    n++;
  }
  return n;
}

/** The allowed sets are a few ASCII constants: one lookup table each, built on first use. */
const allowedTables = new Map<string, Uint8Array>();
function allowedTable(allowed: string): Uint8Array {
  let table = allowedTables.get(allowed);
  if (!table) {
    table = new Uint8Array(128);
    for (let i = 0; i < allowed.length; i++) {
      const c = allowed.charCodeAt(i);
      if (c < 128) table[c] = 1;
    }
    allowedTables.set(allowed, table);
  }
  return table;
}

export const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
export const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const DIGITS = '0123456789';

export function isValidPhandle(v: number): boolean {
  return v !== 0 && v !== 0xffffffff;
}

export function hex(v: number | bigint): string {
  return v.toString(16);
}
