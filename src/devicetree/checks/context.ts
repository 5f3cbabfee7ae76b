// What every check sees while it runs: the tree, indexed once per run (a CheckNode per live node
// with its properties by name, and per property the nodes having it, so that some ninety checks
// neither scan properties nor visit nodes they have nothing to say about), the per-run state that
// dtc keeps on its nodes (#address-cells/#size-cells as read by addr_size_cells, the bus a bridge
// check recognised), and the reporter that turns a failure into a Diagnostic tagged with the
// check's name.
import type { DtCheckName } from './check-names';
import type { Diagnostic, SourceRange } from '../../common/diagnostics';
import type { DtNode, DtProperty, DtTree } from '../tree';

export type CheckSeverity = 'error' | 'warning' | 'off';

/** What the checks need from a compile (structurally a subset of compile.ts's CompileResult). */
export interface CheckInput {
  tree: DtTree;
  /** Findings of reference resolution (duplicate_label, explicit_phandles, phandle_references, path_references, omit_unused_nodes). */
  fixupDiagnostics: readonly Diagnostic[];
}

export interface CheckDefinition {
  /** dtc's check name: the -W/-E flag, the diagnostic code and the settings key. */
  name: DtCheckName;
  description: string;
  defaultSeverity: CheckSeverity;
  /** Checks that must pass first; when one fails this check is skipped, as dtc does. */
  prerequisites: readonly DtCheckName[];
  run(ctx: CheckContext): void;
}

/** Buses that bridge checks recognise and that later checks consult (dtc's node->bus). */
export type BusKind = 'pci' | 'simple-bus' | 'i2c' | 'spi' | 'graph-port' | 'graph-ports';

/** A slot in every node's property index (see indexedProperty). */
export type PropertySlot = number;

const propertySlots = new Map<string, PropertySlot>();

/**
 * Declare a property name that checks look up on every node. Each run indexes every node's
 * properties once by these names, so a lookup is an array read instead of a scan per check and
 * node (some sixty checks look up a few names each on every node). Call at module load.
 */
export function indexedProperty(name: string): PropertySlot {
  let slot = propertySlots.get(name);
  if (slot === undefined) {
    slot = propertySlots.size;
    propertySlots.set(name, slot);
    nameFacts.clear();
  }
  return slot;
}

/** A kind of property name that a check looks for on every node (every `*-names`, every GPIO list, ...). */
export type PropertyKind = number;

const kindTests: ((name: string) => boolean)[] = [];

/**
 * Declare a kind of property name; each run lists the nodes having a property of that kind, so the
 * check visits only those. Call at module load; the kinds are bits of a 32-bit mask.
 */
export function propertyKind(test: (name: string) => boolean): PropertyKind {
  // A programming error in this folder, caught by the unit tests on import.
  if (kindTests.length >= 31) throw new Error('checks: too many property kinds');
  kindTests.push(test);
  nameFacts.clear();
  return kindTests.length - 1;
}

/** What the index needs to know about a property name: its slot (-1 when none) and its kinds (a bit mask). */
interface NameFacts {
  slot: number;
  kinds: number;
}

/**
 * Per distinct name, worked out once: a tree repeats a few dozen property names thousands of
 * times. Bounded, as the names come from the input.
 */
const nameFacts = new Map<string, NameFacts>();

function factsOf(name: string): NameFacts {
  let facts = nameFacts.get(name);
  if (!facts) {
    let kinds = 0;
    for (let k = 0; k < kindTests.length; k++) if (kindTests[k](name)) kinds |= 1 << k;
    facts = { slot: propertySlots.get(name) ?? -1, kinds };
    if (nameFacts.size >= 4096) nameFacts.clear();
    nameFacts.set(name, facts);
  }
  return facts;
}

/** Per indexed property and per property kind, the visited nodes that have one, in visiting order. */
interface NodesByProperty {
  bySlot: CheckNode[][];
  byKind: CheckNode[][];
}

/** A live node as the checks see it: its properties indexed by name, plus the per-run state dtc keeps on its nodes. */
export class CheckNode {
  /** dtc's for_each_property: the live properties (minus generated ones under __fixups__ etc.). */
  readonly props: readonly DtProperty[];
  /** Live children, generated ones included (dtc's for_each_child). */
  readonly children: CheckNode[] = [];
  /** Node name up to '@' (dtc's basenamelen). */
  readonly baseName: string;
  /** dtc's get_unitname: after the first '@', "" when there is none. */
  readonly unitName: string;
  /** Built by dtc only after its checks (-@ symbols, overlay fixups): never visited. */
  readonly generated: boolean;
  /** The bus a bridge check recognised. */
  bus: BusKind | undefined = undefined;
  /** #address-cells / #size-cells as read by addr_size_cells (-1 when absent, 0 when unread). */
  rawAddrCells = 0;
  rawSizeCells = 0;
  private readonly indexed: (DtProperty | undefined)[];
  private pathText: string | undefined = undefined;

  /**
   * `lists` (visited nodes only) gets this node appended to the list of every indexed property and
   * every property kind it has, so that a check about one visits only the nodes that have it.
   */
  constructor(
    readonly node: DtNode,
    readonly parent: CheckNode | undefined,
    private readonly inGeneratedArea: boolean,
    generated: boolean,
    lists: NodesByProperty | undefined,
  ) {
    this.generated = generated;
    const name = node.name;
    const at = name.indexOf('@');
    this.baseName = at < 0 ? name : name.slice(0, at);
    this.unitName = at < 0 ? '' : name.slice(at + 1);
    this.indexed = new Array<DtProperty | undefined>(propertySlots.size);
    const all = node.properties;
    let allVisible = true;
    let kinds = 0;
    // The first live property of a name fills its slot; under __symbols__ etc. a generated one
    // leaves it empty, so there a slot is decided even when nothing is stored in it.
    const decided = inGeneratedArea ? new Set<PropertySlot>() : undefined;
    for (let i = 0; i < all.length; i++) {
      const p = all[i];
      if (p.deleted) {
        allVisible = false;
        continue;
      }
      const facts = factsOf(p.name);
      if (inGeneratedArea && !isWritten(p)) allVisible = false;
      else kinds |= facts.kinds;
      const slot = facts.slot;
      if (slot < 0) continue;
      if (decided) {
        if (decided.has(slot)) continue;
        decided.add(slot);
        if (!isWritten(p)) continue;
      } else if (this.indexed[slot] !== undefined) continue;
      this.indexed[slot] = p;
      lists?.bySlot[slot].push(this);
    }
    if (lists) for (let k = 0; kinds !== 0; k++, kinds >>>= 1) if (kinds & 1) lists.byKind[k].push(this);
    // Most nodes have no deleted or generated property: then the node's own list serves as is.
    this.props = allVisible ? all : all.filter((p) => !p.deleted && (!inGeneratedArea || isWritten(p)));
  }

  get name(): string {
    return this.node.name;
  }

  /** Full path as dtc prints it ("/" for the root). */
  get path(): string {
    if (this.pathText === undefined) {
      const parent = this.parent;
      this.pathText = !parent ? '/' : parent.parent ? `${parent.path}/${this.node.name}` : `/${this.node.name}`;
    }
    return this.pathText;
  }

  /** dtc's get_property for a name declared with indexedProperty. */
  prop(slot: PropertySlot): DtProperty | undefined {
    return this.indexed[slot];
  }

  /** dtc's get_property for any name: the first live property of that name. */
  findProp(name: string): DtProperty | undefined {
    const props = this.node.properties;
    for (let i = 0; i < props.length; i++) {
      const p = props[i];
      if (p.name === name && !p.deleted) return this.visible(p);
    }
    return undefined;
  }

  /** dtc's get_subnode: a live child with exactly this name. */
  child(name: string): CheckNode | undefined {
    for (const c of this.children) if (c.node.name === name) return c;
    return undefined;
  }

  /** dtc's node_addr_cells: 2 when #address-cells is absent. Unread nodes count as 0, as in dtc. */
  get addrCells(): number {
    return this.rawAddrCells === -1 ? 2 : this.rawAddrCells;
  }

  get sizeCells(): number {
    return this.rawSizeCells === -1 ? 1 : this.rawSizeCells;
  }

  /** Under __symbols__/__fixups__/__local_fixups__ only source-written properties count. */
  private visible(p: DtProperty): DtProperty | undefined {
    return this.inGeneratedArea && !isWritten(p) ? undefined : p;
  }
}

/** State shared by all checks of one run. */
export class CheckRunState {
  /**
   * The live nodes the checks visit, parents first (dtc's check_nodes_props). Built once per run:
   * many checks walk the whole tree, and checks never add or remove nodes.
   */
  readonly nodes: CheckNode[] = [];
  private readonly lists: NodesByProperty = { bySlot: [], byKind: [] };
  private phandles?: Map<number, CheckNode>;
  /** Every live node in tree order, generated ones included (what phandle lookups can reach). */
  private readonly all: CheckNode[] = [];

  /** Nodes dtc builds only after its checks (-@ symbols, overlay fixups): checks never see them. */
  private readonly generatedNodes = new Set<DtNode>();

  constructor(readonly input: CheckInput) {
    for (let slot = 0; slot < propertySlots.size; slot++) this.lists.bySlot.push([]);
    for (let kind = 0; kind < kindTests.length; kind++) this.lists.byKind.push([]);
    const root = input.tree.root;
    for (const child of root.children) if (GENERATED_ROOT_CHILDREN.has(child.name)) this.markGenerated(child);
    this.build(root, undefined, false);
  }

  get tree(): DtTree {
    return this.input.tree;
  }

  /** A node under __symbols__/__fixups__/__local_fixups__ with no source-written property below it. */
  private markGenerated(node: DtNode): boolean {
    let written = node.properties.some((p) => isWritten(p));
    for (const c of node.children) if (!this.markGenerated(c)) written = true;
    if (!written) this.generatedNodes.add(node);
    return !written;
  }

  private build(node: DtNode, parent: CheckNode | undefined, inGeneratedArea: boolean): CheckNode {
    const generated = (parent?.generated ?? false) || (inGeneratedArea && this.generatedNodes.has(node));
    const checkNode = new CheckNode(node, parent, inGeneratedArea, generated, generated ? undefined : this.lists);
    this.all.push(checkNode);
    if (!generated) this.nodes.push(checkNode);
    for (const child of node.children) {
      if (child.deleted) continue;
      const childInArea = inGeneratedArea || (!parent && GENERATED_ROOT_CHILDREN.has(child.name));
      checkNode.children.push(this.build(child, checkNode, childInArea));
    }
    return checkNode;
  }

  /** The visited nodes that have this property, in visiting order. */
  nodesWith(slot: PropertySlot): readonly CheckNode[] {
    return this.lists.bySlot[slot];
  }

  /** The visited nodes that have a property of this kind, in visiting order. */
  nodesWithKind(kind: PropertyKind): readonly CheckNode[] {
    return this.lists.byKind[kind];
  }

  /** dtc's get_node_by_phandle: first node in tree order with that phandle; none for 0 and -1. */
  nodeByPhandle(phandle: number): CheckNode | undefined {
    if (phandle === 0 || phandle === 0xffffffff) return undefined;
    if (!this.phandles) {
      this.phandles = new Map();
      for (const n of this.all) if (n.node.phandle !== 0 && !this.phandles.has(n.node.phandle)) this.phandles.set(n.node.phandle, n);
    }
    return this.phandles.get(phandle);
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
    return this.state.input.tree;
  }

  /** A message about a node (dtc's FAIL): "/path: message", at the node's name unless a more precise place is known. */
  failNode(node: CheckNode, message: string, range?: SourceRange): void {
    // Like dtc's "also defined at" lines: every later definition or reopening of the node.
    const related = node.node.definitions.slice(1).map((r) => ({ message: ALSO_DEFINED, range: r }));
    this.emit(node, `${node.path}: ${message}`, range ?? node.node.nameRange, related);
  }

  /** A message about a property (dtc's FAIL_PROP): "/path:prop: message", at the property. A missing property degrades to a node message, as in dtc. */
  failProp(node: CheckNode, prop: DtProperty | undefined, message: string, range?: SourceRange): void {
    if (!prop) {
      this.failNode(node, message);
      return;
    }
    this.emit(node, `${node.path}:${prop.name}: ${message}`, range ?? prop.range);
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

  private emit(node: CheckNode, message: string, range: SourceRange | undefined, related?: Diagnostic['related']): void {
    this.failed = true;
    if (this.severity === 'off') return;
    const d: Diagnostic = { severity: this.severity, message, code: this.check.name, subject: node.path };
    if (range) d.range = range;
    if (related && related.length > 0) d.related = related;
    this.sink.push(d);
  }
}

/** A check that runs `visit` on each node `nodesOf` lists (always a subsequence of the run's nodes, in their order). */
function visitingCheck(
  name: DtCheckName,
  description: string,
  defaultSeverity: CheckSeverity,
  prerequisites: readonly DtCheckName[],
  nodesOf: (state: CheckRunState) => readonly CheckNode[],
  visit: (ctx: CheckContext, node: CheckNode) => void,
): CheckDefinition {
  return {
    name,
    description,
    defaultSeverity,
    prerequisites,
    run(ctx) {
      const nodes = nodesOf(ctx.state);
      for (let i = 0; i < nodes.length; i++) visit(ctx, nodes[i]);
    },
  };
}

/** A check that visits every live node, parents first (dtc's check_nodes_props). */
export function nodeCheck(
  name: DtCheckName,
  description: string,
  defaultSeverity: CheckSeverity,
  prerequisites: readonly DtCheckName[],
  visit: (ctx: CheckContext, node: CheckNode) => void,
): CheckDefinition {
  return visitingCheck(name, description, defaultSeverity, prerequisites, (state) => state.nodes, visit);
}

/**
 * A check about one property: it visits, in the same order as nodeCheck, only the nodes that have
 * it (a nodeCheck that returns at once when the property is absent, without the empty visits).
 */
export function propertyCheck(
  name: DtCheckName,
  description: string,
  defaultSeverity: CheckSeverity,
  prerequisites: readonly DtCheckName[],
  slot: PropertySlot,
  visit: (ctx: CheckContext, node: CheckNode, prop: DtProperty) => void,
): CheckDefinition {
  return visitingCheck(
    name,
    description,
    defaultSeverity,
    prerequisites,
    (state) => state.nodesWith(slot),
    (ctx, node) => visit(ctx, node, node.prop(slot)!),
  );
}

/** A check about every property of a kind: it visits, in nodeCheck's order, only the nodes having one. */
export function propertyKindCheck(
  name: DtCheckName,
  description: string,
  defaultSeverity: CheckSeverity,
  prerequisites: readonly DtCheckName[],
  kind: PropertyKind,
  visit: (ctx: CheckContext, node: CheckNode) => void,
): CheckDefinition {
  return visitingCheck(name, description, defaultSeverity, prerequisites, (state) => state.nodesWithKind(kind), visit);
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

/** An ASCII character set as a lookup table (the allowed sets are a few constants, built at load). */
export type CharSet = Uint8Array;

export function charSet(chars: string): CharSet {
  const table = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) {
    const c = chars.charCodeAt(i);
    if (c < 128) table[c] = 1;
  }
  return table;
}

/** Length of the prefix of s made only of characters in `allowed` (C's strspn). */
export function spanOf(s: string, allowed: CharSet): number {
  let n = 0;
  while (n < s.length) {
    const c = s.charCodeAt(n);
    if (c >= 128 || allowed[c] === 0) break;
    n++;
  }
  return n;
}

export const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
export const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const DIGITS = '0123456789';

export function isValidPhandle(v: number): boolean {
  return v !== 0 && v !== 0xffffffff;
}

export function hex(v: number): string {
  return v.toString(16);
}

/** The 64-bit value hi:lo (two u32 cells) in hex, as dtc prints a uint64_t with %llx. */
export function hex64(hi: number, lo: number): string {
  return hi === 0 ? hex(lo) : hex(hi) + hex(lo).padStart(8, '0');
}

const HEX_DIGITS = '0123456789abcdef';

/**
 * Whether text === hex64(hi, lo) (lowercase, no leading zeros), without building the string:
 * the bus checks compare nearly every unit address this way and rarely need the text.
 */
export function isHexOf(text: string, hi: number, lo: number): boolean {
  const bits = hi !== 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(lo);
  const digits = bits === 0 ? 1 : (bits + 3) >> 2;
  if (text.length !== digits) return false;
  for (let k = 0; k < digits; k++) {
    const nibble = k < 8 ? (lo >>> (4 * k)) & 15 : (hi >>> (4 * (k - 8))) & 15;
    if (text.charCodeAt(digits - 1 - k) !== HEX_DIGITS.charCodeAt(nibble)) return false;
  }
  return true;
}
