// Turns parsed DTS files into the live tree with dtc 1.6.1's semantics: node bodies are built as
// written (duplicates inside one body kept), later definitions and `&ref { }` reopenings merge into
// earlier ones (livetree.c merge_nodes), deletes are soft, and then dtc's fixup passes run in its
// check-table order: redundant `name` properties, duplicate labels, explicit phandles, phandle
// references (lazy phandle allocation), path references, /omit-if-no-ref/; then `__symbols__`
// (-@) and, for plugins, `__fixups__` and `__local_fixups__`.
//
// Internally the evaluator works on mutable nodes shaped like dtc's (labels keep their own deleted
// flag and dtc's list order), and converts them to tree.ts shapes at the end; properties are built
// as the output objects from the start. This runs on every keystroke, so it allocates little: values
// are views into shared chunks, empty label lists and leading type markers are shared, and the
// fixup checks share two walks over the properties.

import type { Diagnostic, DiagnosticCode, SourceRange } from '../common/diagnostics';
import type { DtCheckName } from './checks/check-names';
import type { FileHost } from '../common/host';
import { dirname, resolve } from '../common/paths';
import type { DtsBody, DtsFile, DtsLabel, DtsRef, DtsValuePart } from './ast';
import { evaluateCExpr, type CExpr } from './cexpr';
import type { DtNode, DtProperty, DtTree, Marker, MemReserve, PropertyValue } from './tree';
import { pushAll } from '../common/arrays';

export interface EvaluateOptions {
  host: FileHost;
  includePaths?: string[];
  /** dtc -@: emit `__symbols__`. */
  symbols?: boolean;
}

export interface EvaluateResult {
  tree: DtTree;
  /** Errors dtc reports while parsing (unknown labels in reopenings, division by zero, /incbin/ failures...). */
  diagnostics: Diagnostic[];
  /** Findings of dtc's fixup checks, coded with the check's name. */
  fixupDiagnostics: Diagnostic[];
  /** Files read by /incbin/. */
  incbinFiles: string[];
}

interface ELabel {
  name: string;
  deleted: boolean;
}

/** A property is built as the output's DtProperty itself; convert() fills `labels` from `labelList`. */
interface EProp extends DtProperty {
  /** dtc list order: most recently added first. Replaced, never mutated, when a label is added (NO_LABELS is shared). */
  labelList: readonly ELabel[];
}

interface ENode {
  name: string;
  parent?: ENode;
  children: ENode[];
  props: EProp[];
  /** As EProp's. */
  labelList: readonly ELabel[];
  deleted: boolean;
  phandle: number;
  omitIfNoRef: boolean;
  referenced: boolean;
  range?: SourceRange;
  nameRange?: SourceRange;
  definitions: SourceRange[];
  fullpath: string;
  /** Some property is one the first fixup walk looks at (named name/phandle/linux,phandle, or labelled on it or in its value). */
  checkProps: boolean;
  /** Some property's value holds a reference (the second fixup walk fills them in). */
  refProps: boolean;
}

// Most nodes and properties have no labels, and most values start with a type marker at offset 0:
// sharing these saves an object per property on every keystroke. Nobody mutates them; they are not
// frozen because V8 gives frozen objects and arrays other shapes, which slowed every loop over them.
const NO_LABELS: readonly ELabel[] = [];
const NO_LABEL_NAMES: string[] = [];
const NO_VALUE: readonly DtsValuePart[] = [];
const LEADING_TYPE_MARKERS = new Map<Marker['kind'], Marker>(
  (['type-u8', 'type-u16', 'type-u32', 'type-u64', 'type-string'] as const).map((kind) => [kind, { kind, offset: 0 }]),
);
/** The marker list of a value that has only its leading type marker (most values): shared too, so replaced, never mutated. */
const SOLE_MARKER_LISTS = new Map<Marker, Marker[]>([...LEADING_TYPE_MARKERS.values()].map((m) => [m, [m]]));

/** Where dtc looks for an `/incbin/` file, in order: beside the file that names it, then the include paths. */
export function incbinCandidates(part: { file: string; includingFile: string }, includePaths: readonly string[]): string[] {
  return [resolve(dirname(part.includingFile), part.file), ...includePaths.map((d) => resolve(d, part.file))];
}

function typeMarker(kind: Marker['kind'], offset: number): Marker {
  return (offset === 0 ? LEADING_TYPE_MARKERS.get(kind) : undefined) ?? { kind, offset };
}

/** Property names the first fixup walk looks for (name_properties, explicit_phandles). */
function isFixupName(name: string): boolean {
  return name === 'name' || name === 'phandle' || name === 'linux,phandle';
}

function newNode(name: string, range?: SourceRange): ENode {
  return {
    name,
    children: [],
    props: [],
    labelList: NO_LABELS,
    deleted: false,
    phandle: 0,
    omitIfNoRef: false,
    referenced: false,
    range,
    definitions: range ? [range] : [],
    fullpath: '',
    checkProps: false,
    refProps: false,
  };
}

/**
 * Label lists are kept oldest first, so adding is an append; dtc's order (add_label puts a new label
 * first) is newestFirst(list). Prepending by copy, and looking a name up by scan, made 20,000 labels
 * on one node take seconds.
 */
const LABELS_BY_NAME = new WeakMap<readonly ELabel[], Map<string, ELabel>>();
/** Scanning beats a map for the short lists nearly every owner has. */
const LABEL_SCAN_LIMIT = 8;

function findLabel(list: readonly ELabel[], name: string): ELabel | undefined {
  if (list.length <= LABEL_SCAN_LIMIT) return list.find((l) => l.name === name);
  let byName = LABELS_BY_NAME.get(list);
  if (!byName) {
    byName = new Map(list.map((l) => [l.name, l]));
    LABELS_BY_NAME.set(list, byName);
  }
  return byName.get(name);
}

/** dtc's add_label: revive an existing entry, otherwise add a new one (first in dtc's order). */
function addLabel(owner: { labelList: readonly ELabel[] }, name: string): void {
  const existing = findLabel(owner.labelList, name);
  if (existing) {
    existing.deleted = false;
    return;
  }
  const entry: ELabel = { name, deleted: false };
  // The shared empty list is replaced; an owner's own list is appended to (it is never shared).
  if (owner.labelList === NO_LABELS) owner.labelList = [entry];
  else {
    (owner.labelList as ELabel[]).push(entry);
    LABELS_BY_NAME.get(owner.labelList)?.set(name, entry);
  }
}

/** A label list in dtc's order, newest first. */
function newestFirst(list: readonly ELabel[]): readonly ELabel[] {
  return list.length <= 1 ? list : list.slice().reverse();
}

function liveLabels(labels: readonly ELabel[]): string[] {
  if (labels.length === 0) return NO_LABEL_NAMES;
  const names: string[] = [];
  for (let i = labels.length - 1; i >= 0; i--) if (!labels[i].deleted) names.push(labels[i].name);
  return names;
}

function deleteProperty(p: EProp, range?: SourceRange): void {
  p.deleted = true;
  for (const l of p.labelList) l.deleted = true;
  if (range) p.history.push({ kind: 'delete', range });
}

function deleteNode(n: ENode): void {
  n.deleted = true;
  for (const c of n.children) if (!c.deleted) deleteNode(c);
  for (const p of n.props) if (!p.deleted) deleteProperty(p);
  for (const l of n.labelList) l.deleted = true;
}

function addChild(parent: ENode, child: ENode): void {
  child.parent = parent;
  parent.children.push(child);
}

/** livetree.c merge_nodes: fold `next` (a freshly built node) into `old`. */
function mergeNodes(old: ENode, next: ENode): void {
  old.deleted = false;
  for (const l of newestFirst(next.labelList)) addLabel(old, l.name);
  for (const np of next.props) {
    if (np.deleted) {
      const target = old.props.find((p) => p.name === np.name);
      if (target) deleteProperty(target, np.history[0]?.range);
      continue;
    }
    const op = old.props.find((p) => p.name === np.name);
    if (op) {
      for (const l of newestFirst(np.labelList)) addLabel(op, l.name);
      op.value = np.value;
      op.deleted = false;
      op.range = np.range;
      op.nameRange = np.nameRange;
      pushAll(op.history, np.history);
    } else old.props.push(np);
  }
  for (const nc of next.children) {
    if (nc.deleted) {
      const target = old.children.find((c) => c.name === nc.name);
      if (target) deleteNode(target);
      continue;
    }
    const oc = old.children.find((c) => c.name === nc.name);
    if (oc) mergeNodes(oc, nc);
    else addChild(old, nc);
  }
  pushAll(old.definitions, next.definitions);
  if (next.checkProps) old.checkProps = true;
  if (next.refProps) old.refProps = true;
}

function liveKids(n: ENode): ENode[] {
  return n.children.filter((c) => !c.deleted);
}

function getProp(n: ENode, name: string): EProp | undefined {
  return n.props.find((p) => !p.deleted && p.name === name);
}

function nodeByPath(tree: ENode, path: string): ENode | undefined {
  let node: ENode | undefined = tree;
  let rest = path;
  for (;;) {
    while (rest.startsWith('/')) rest = rest.slice(1);
    if (rest === '') return node!.deleted ? undefined : node;
    const slash = rest.indexOf('/');
    const part = slash < 0 ? rest : rest.slice(0, slash);
    const next: ENode | undefined = liveKids(node!).find((c) => c.name === part);
    if (!next) return undefined;
    if (slash < 0) return next;
    node = next;
    rest = rest.slice(slash + 1);
  }
}

function nodeByLabel(n: ENode, label: string): ENode | undefined {
  for (const l of n.labelList) if (!l.deleted && l.name === label) return n;
  for (const c of n.children) {
    if (c.deleted) continue;
    const f = nodeByLabel(c, label);
    if (f) return f;
  }
  return undefined;
}

/** First live node (tree order) carrying each live label: the answer nodeByLabel gives, for a tree that no longer changes shape. */
function labelIndex(nodes: readonly ENode[]): Map<string, ENode> {
  const index = new Map<string, ENode>();
  for (const n of nodes) for (const l of n.labelList) if (!l.deleted && !index.has(l.name)) index.set(l.name, n);
  return index;
}

function nodeByRef(tree: ENode, ref: string, labels?: Map<string, ENode>): ENode | undefined {
  if (ref === '/') return tree;
  if (ref.startsWith('/')) return nodeByPath(tree, ref);
  return labels ? labels.get(ref) : nodeByLabel(tree, ref);
}

function nodeByPhandle(n: ENode, phandle: number): ENode | undefined {
  if (phandle === 0 || phandle === 0xffffffff) return undefined;
  if (n.phandle === phandle) return n;
  for (const c of n.children) {
    if (c.deleted) continue;
    const f = nodeByPhandle(c, phandle);
    if (f) return f;
  }
  return undefined;
}

function isLive(n: ENode): boolean {
  for (let w: ENode | undefined = n; w; w = w.parent) if (w.deleted) return false;
  return true;
}

/** `nodes` as walk() lists them: each parent's path is filled before its children's. */
function fillFullpaths(nodes: readonly ENode[]): void {
  for (const n of nodes) {
    const parent = n === nodes[0] ? undefined : n.parent;
    n.fullpath = parent === undefined ? '/' : parent.fullpath === '/' ? `/${n.name}` : `${parent.fullpath}/${n.name}`;
  }
}

/** Every live node, parents first, in tree order (dtc's check traversal). */
function walk(root: ENode): ENode[] {
  const out: ENode[] = [];
  addLiveSubtree(root, out);
  return out;
}

function addLiveSubtree(n: ENode, out: ENode[]): void {
  out.push(n);
  for (const c of n.children) if (!c.deleted) addLiveSubtree(c, out);
}

/** Each fixup check's findings (the checks share walks; dtc reports them check by check). */
interface FixupFindings {
  name: Diagnostic[];
  duplicate: Diagnostic[];
  explicit: Diagnostic[];
  phandle: Diagnostic[];
  path: Diagnostic[];
}

/** Where a label is written on a property or in its value (for duplicate_label). */
/** Where a label is: on a node, on one of its properties, or inside a property's value (`mark`). */
interface LabelPlace {
  node: ENode;
  prop?: EProp;
  mark?: Marker;
}

/** A label on a property or in its value. */
interface LabelSite extends LabelPlace {
  label: string;
  prop: EProp;
}

function labelMarker(l: DtsLabel, offset: number): Marker {
  return { kind: 'label', offset, ref: l.name, range: l.range };
}

/**
 * Builds property values straight into shared chunks (values are built per property per keystroke):
 * each value's bytes are a view of the chunk it was written in, so a property costs no buffer of its
 * own and no copy; its markers collect in a scratch list and leave as an exact-size array.
 */
class ValueBuilder {
  private chunk = new Uint8Array(1024);
  /** Where the value being built starts in `chunk`, and where the next byte goes. */
  private start = 0;
  private pos = 0;
  private readonly scratch: Marker[] = [];
  private marks = 0;
  /** Whether the value being built has a label, or a reference, in it. */
  labelled = false;
  referencing = false;
  /** Bytes written so far in the value being built (marker offsets). */
  get size(): number {
    return this.pos - this.start;
  }
  begin(): void {
    this.start = this.pos;
    this.marks = 0;
    this.labelled = false;
    this.referencing = false;
  }
  mark(m: Marker): void {
    this.scratch[this.marks++] = m;
    if (m.kind === 'label') this.labelled = true;
    else if (m.kind === 'ref-phandle' || m.kind === 'ref-path') this.referencing = true;
  }
  finish(): PropertyValue {
    const bytes = new Uint8Array(this.chunk.buffer, this.start, this.pos - this.start);
    this.start = this.pos;
    // Most values have one or two markers; an array grown by push() reserves 17 slots.
    const s = this.scratch,
      n = this.marks;
    const markers = n === 1 ? (SOLE_MARKER_LISTS.get(s[0]) ?? [s[0]]) : n === 2 ? [s[0], s[1]] : s.slice(0, n);
    return { bytes, markers };
  }
  /** A fresh chunk when this one is full, carrying over the value built so far (chunks grow to 64 KiB). */
  private ensure(n: number): void {
    if (this.pos + n <= this.chunk.length) return;
    const size = this.pos - this.start;
    const next = new Uint8Array(Math.max(Math.min(this.chunk.length * 2, 65536), 2 * (size + n)));
    next.set(this.chunk.subarray(this.start, this.pos));
    this.chunk = next;
    this.start = 0;
    this.pos = size;
  }
  byte(b: number): void {
    this.ensure(1);
    this.chunk[this.pos++] = b;
  }
  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    // set() has a fixed cost that dominates for the short strings most values hold.
    if (data.length > 64) this.chunk.set(data, this.pos);
    else for (let i = 0; i < data.length; i++) this.chunk[this.pos + i] = data[i];
    this.pos += data.length;
  }
  /** A big-endian element of `bits` bits; false, writing nothing, when the value does not fit. */
  element(value: bigint, bits: number): boolean {
    if (bits === 64) {
      if (value > MAX_U64) return false;
      this.ensure(8);
      this.u32(Number(value >> 32n));
      this.u32(Number(value & 0xffffffffn));
      return true;
    }
    // Number() rounds monotonically and these limits are exact doubles: one conversion, no BigInt compare.
    const v = Number(value);
    if (v > (bits === 32 ? 0xffffffff : bits === 16 ? 0xffff : 0xff)) return false;
    this.ensure(bits / 8);
    if (bits === 32) this.u32(v);
    else for (let shift = bits - 8; shift >= 0; shift -= 8) this.chunk[this.pos++] = v >>> shift;
    return true;
  }
  /** Big-endian u32 (room already ensured). */
  private u32(v: number): void {
    const b = this.chunk;
    b[this.pos] = v >>> 24;
    b[this.pos + 1] = v >>> 16;
    b[this.pos + 2] = v >>> 8;
    b[this.pos + 3] = v;
    this.pos += 4;
  }
}

/** Big-endian u32 into a value in place (phandle fix-ups), without a temporary array. */
function writeU32(bytes: Uint8Array, offset: number, v: number): void {
  bytes[offset] = (v >>> 24) & 0xff;
  bytes[offset + 1] = (v >>> 16) & 0xff;
  bytes[offset + 2] = (v >>> 8) & 0xff;
  bytes[offset + 3] = v & 0xff;
}

function u32(v: number): Uint8Array {
  return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

const MAX_U64 = (1n << 64n) - 1n;
const ELEMENT_MASK: Record<number, bigint> = { 8: 0xffn, 16: 0xffffn, 32: 0xffffffffn, 64: MAX_U64 };
const TYPE_MARKER: Record<number, Marker['kind']> = { 8: 'type-u8', 16: 'type-u16', 32: 'type-u32', 64: 'type-u64' };
const textEncoder = new TextEncoder();

class Evaluator {
  readonly diagnostics: Diagnostic[] = [];
  readonly fixupDiagnostics: Diagnostic[] = [];
  readonly incbinFiles: string[] = [];
  private root: ENode | undefined;
  private plugin = false;
  private nextOrphan = 0;
  private nextPhandle = 1;
  private readonly memreserves: MemReserve[] = [];
  /** Nodes holding each phandle value (dtc searches the live tree; we check liveness on lookup). */
  private readonly phandles = new Map<number, ENode[]>();
  /** Label lookups once the tree's shape is final (during the fixups). */
  private labels: Map<string, ENode> | undefined;
  /** Label to node while the top-level items are applied (see itemTarget). */
  private itemLabels: Map<string, ENode> | undefined;
  /** A range for things dtc synthesises (no source position of their own). */
  private fallbackRange: SourceRange = { file: '<generated>', start: { line: 0, col: 0 }, end: { line: 0, col: 0 } };

  private readonly values = new ValueBuilder();

  constructor(private readonly options: EvaluateOptions) {}

  private error(message: string, range: SourceRange | undefined, code?: DiagnosticCode): void {
    this.diagnostics.push({ severity: 'error', message, range, code });
  }

  private fixup(found: Diagnostic[], code: DtCheckName, node: ENode, message: string, prop?: EProp): void {
    const where = prop ? `${node.fullpath}:${prop.name}` : node.fullpath;
    found.push({ severity: 'error', code, message, subject: where, range: prop?.range ?? node.range ?? this.fallbackRange });
  }

  private evalExpr(e: CExpr): bigint {
    try {
      const r = evaluateCExpr(e);
      if (r.ok) return r.value;
      this.error(r.message, r.range);
    } catch {
      this.error('expression too deeply nested to evaluate', e.range);
    }
    return 0n;
  }

  run(files: DtsFile[]): DtTree {
    // Headers must agree (dtc: "Header flags don't match earlier ones").
    let first: boolean | undefined;
    for (const f of files) {
      for (const h of f.headers) {
        if (first === undefined) first = h.plugin;
        else if (h.plugin !== first) this.error("Header flags don't match earlier ones", h.range);
      }
    }
    this.plugin = first ?? false;
    for (const f of files) {
      for (const m of f.memreserves) {
        const address = this.evalExpr(m.address);
        const size = this.evalExpr(m.size);
        this.memreserves.push({ address, size, labels: m.labels.map((l) => l.name), range: m.range });
      }
    }
    for (const f of files) for (const item of f.items) this.applyItem(item);
    const root = this.root ?? newNode('', undefined);
    this.root = root;
    const bootCpuid = this.guessBootCpuid(root);
    // The fixups up to /omit-if-no-ref/ add properties but no nodes: they share one walk.
    const nodes = walk(root);
    fillFullpaths(nodes);
    this.labels = labelIndex(nodes);
    this.runFixupChecks(root, nodes);
    if (this.omitUnusedNodes(root)) this.labels = labelIndex(walk(root));
    if (this.options.symbols) this.generateSymbols(root);
    if (this.plugin) {
      this.generateFixups(root);
      this.generateLocalFixups(root);
    }
    return { root: this.convert(root, undefined), memreserves: this.memreserves, bootCpuidPhys: bootCpuid, isPlugin: this.plugin };
  }

  /** One top-level item applied to the tree: a root node merged, `&ref { }` merged into its target, a node deleted or marked. */
  private applyItem(item: DtsFile['items'][number]): void {
    switch (item.kind) {
      case 'root': {
        const n = this.buildNode(item.body, '');
        if (!this.root) {
          this.root = n;
          this.fallbackRange = item.range;
        } else mergeNodes(this.root, n);
        this.itemLabels = undefined;
        break;
      }
      case 'ref-node': {
        if (!this.root) {
          this.root = newNode('', item.range);
          this.fallbackRange = item.range;
        }
        if (item.labels.length > 1) this.error('syntax error: only one label may precede a reference', item.labels[1].range, 'syntax');
        const n = this.buildNode(item.body, '');
        // In a plugin, a path always names a node of the base tree: it becomes a fragment.
        const pluginPath = this.plugin && item.ref.target.startsWith('/') && item.labels.length === 0;
        const target = pluginPath ? undefined : this.itemTarget(item.ref.target);
        if (target) {
          for (const l of item.labels) addLabel(target, l.name);
          mergeNodes(target, n);
          // Properties alone change no node's labels or liveness (the target is live already).
          if (item.labels.length > 0 || n.labelList.length > 0 || n.children.length > 0) this.itemLabels = undefined;
        } else if (this.plugin && item.labels.length === 0) {
          this.addOrphan(n, item.ref);
          this.itemLabels = undefined;
        } else this.error(`Label or path ${item.ref.target} not found`, item.ref.range, 'unresolved_reference');
        break;
      }
      case 'delete-ref':
      case 'omit-ref': {
        const target = this.root ? this.itemTarget(item.ref.target) : undefined;
        if (!target) this.error(`Label or path ${item.ref.target} not found`, item.ref.range, 'unresolved_reference');
        else if (item.kind === 'delete-ref') {
          deleteNode(target);
          this.itemLabels = undefined;
        } else target.omitIfNoRef = true;
        break;
      }
    }
  }

  /**
   * The node a top-level item's reference names: nodeByRef's answer, with labels looked up in a
   * table built on first use and kept until an item changes which live node carries a label (a
   * board's hundreds of `&label { ... }` items would otherwise each walk the whole tree).
   */
  private itemTarget(ref: string): ENode | undefined {
    const root = this.root!;
    if (ref.startsWith('/')) return nodeByRef(root, ref);
    this.itemLabels ??= labelIndex(walk(root));
    return this.itemLabels.get(ref);
  }

  /** dtc's build_node for one `{ ... }`: items as written, nothing applied yet. */
  private buildNode(body: DtsBody, name: string): ENode {
    const node = newNode(name, body.range);
    for (const item of body.items) {
      switch (item.kind) {
        case 'property': {
          const p: EProp = {
            name: item.name,
            value: this.buildValue(item.value ?? NO_VALUE),
            labels: NO_LABEL_NAMES,
            labelList: NO_LABELS,
            deleted: false,
            range: item.range,
            nameRange: item.nameRange,
            history: [{ kind: 'set', range: item.range }],
          };
          for (let i = item.labels.length - 1; i >= 0; i--) addLabel(p, item.labels[i].name);
          node.props.push(p);
          if (item.labels.length > 0 || this.values.labelled || isFixupName(item.name)) node.checkProps = true;
          if (this.values.referencing) node.refProps = true;
          break;
        }
        case 'delete-property':
          if (isFixupName(item.name)) node.checkProps = true;
          node.props.push({
            name: item.name,
            value: { bytes: new Uint8Array(0), markers: [] },
            labels: NO_LABEL_NAMES,
            labelList: NO_LABELS,
            deleted: true,
            range: item.range,
            nameRange: item.nameRange,
            history: [{ kind: 'delete', range: item.range }],
          });
          break;
        case 'node': {
          const child = this.buildNode(item.body, item.name);
          child.nameRange = item.nameRange;
          if (item.omitIfNoRef) child.omitIfNoRef = true;
          for (let i = item.labels.length - 1; i >= 0; i--) addLabel(child, item.labels[i].name);
          addChild(node, child);
          break;
        }
        case 'delete-node': {
          const child = newNode(item.name, item.range);
          child.nameRange = item.nameRange;
          child.deleted = true;
          addChild(node, child);
          break;
        }
      }
    }
    return node;
  }

  /** propdata: the bytes and dtc's markers (types, labels, references). */
  private buildValue(parts: readonly DtsValuePart[]): PropertyValue {
    const out = this.values;
    out.begin();
    for (const part of parts) {
      switch (part.kind) {
        case 'label':
          out.mark(labelMarker(part.label, out.size));
          break;
        case 'string':
          out.mark(typeMarker('type-string', out.size));
          out.bytes(part.bytes);
          out.byte(0);
          break;
        case 'path-ref':
          out.mark(typeMarker('type-string', out.size));
          out.mark({ kind: 'ref-path', offset: out.size, ref: part.ref.target, range: part.ref.range });
          break;
        case 'bytes':
          out.mark(typeMarker('type-u8', out.size));
          for (const b of part.bytes) {
            if (b.kind === 'label') out.mark(labelMarker(b.label, out.size));
            else out.byte(b.value);
          }
          break;
        case 'cells': {
          const bits = part.bits;
          out.mark(typeMarker(TYPE_MARKER[bits], out.size));
          const mask = ELEMENT_MASK[bits];
          for (const cell of part.cells) {
            if (cell.kind === 'label') out.mark(labelMarker(cell.label, out.size));
            else if (cell.kind === 'ref') {
              if (bits === 32) out.mark({ kind: 'ref-phandle', offset: out.size, ref: cell.ref.target, range: cell.ref.range });
              out.element(mask, bits);
            } else {
              const v = cell.expr.kind === 'number' ? cell.expr.value : this.evalExpr(cell.expr);
              if (out.element(v, bits)) continue;
              // Bits above the element must be all zero, or all one (a sign-extended negative value).
              if ((v | mask) !== MAX_U64) this.error(`Value out of range for ${bits}-bit array element`, cell.range, 'syntax');
              out.element(v & mask, bits);
            }
          }
          break;
        }
        case 'incbin': {
          const data = this.readIncbin(part);
          if (data) out.bytes(data);
          break;
        }
      }
    }
    return out.finish();
  }

  private readIncbin(part: Extract<DtsValuePart, { kind: 'incbin' }>): Uint8Array | undefined {
    const candidates = incbinCandidates(part, this.options.includePaths ?? []);
    const path = candidates.find((p) => this.options.host.fileExists(p));
    const data = path ? this.options.host.readFile(path) : undefined;
    if (!path || !data) {
      this.error(`Couldn't open "${part.file}": No such file or directory`, part.fileRange, 'incbin');
      return undefined;
    }
    this.incbinFiles.push(path);
    if (!part.offset) return data;
    const offset = this.evalExpr(part.offset);
    const length = part.length ? this.evalExpr(part.length) : MAX_U64;
    if (offset > BigInt(data.length)) {
      this.error(`Couldn't seek to offset ${offset} in "${part.file}"`, part.range, 'incbin');
      return new Uint8Array(0);
    }
    const start = Number(offset);
    const end = length >= BigInt(data.length - start) ? data.length : start + Number(length);
    return data.subarray(start, end);
  }

  /** dtc's add_orphan_node: an unresolved `&ref { }` in a plugin becomes fragment@N. */
  private addOrphan(overlay: ENode, ref: DtsRef): void {
    const root = this.root!;
    let prop: EProp;
    if (ref.target.startsWith('/')) {
      const bytes = Uint8Array.from([...textEncoder.encode(ref.target), 0]);
      prop = {
        name: 'target-path',
        value: { bytes, markers: [typeMarker('type-string', 0)] },
        labels: NO_LABEL_NAMES,
        labelList: NO_LABELS,
        deleted: false,
        range: ref.range,
        nameRange: ref.range,
        history: [],
      };
    } else {
      prop = {
        name: 'target',
        value: { bytes: u32(0xffffffff), markers: [{ kind: 'ref-phandle', offset: 0, ref: ref.target, range: ref.range }] },
        labels: NO_LABEL_NAMES,
        labelList: NO_LABELS,
        deleted: false,
        range: ref.range,
        nameRange: ref.range,
        history: [],
      };
    }
    overlay.name = '__overlay__';
    const frag = newNode(`fragment@${this.nextOrphan++}`, undefined);
    frag.range = ref.range;
    frag.nameRange = ref.range;
    frag.props.push(prop);
    frag.refProps = prop.name === 'target';
    addChild(frag, overlay);
    addChild(root, frag);
  }

  private guessBootCpuid(root: ENode): number {
    const cpus = nodeByPath(root, '/cpus');
    const boot = cpus?.children[0];
    const reg = boot ? getProp(boot, 'reg') : undefined;
    if (!reg || reg.value.bytes.length !== 4) return 0;
    return new DataView(reg.value.bytes.buffer, reg.value.bytes.byteOffset, 4).getUint32(0);
  }

  /**
   * dtc's checks name_properties, duplicate_label, explicit_phandles, phandle_references and
   * path_references, in two walks over the properties instead of five. Each check looks at one node
   * at a time, except that duplicate_label needs every label's first site, and phandle allocation
   * every explicit phandle, before the second walk. Findings are kept per check and reported in
   * dtc's check order.
   */
  private runFixupChecks(root: ENode, nodes: readonly ENode[]): void {
    const found: FixupFindings = { name: [], duplicate: [], explicit: [], phandle: [], path: [] };
    // Labels on properties and in values, in tree order, with the first site of each label: dtc
    // searches nodes first (this.labels), then property labels, then value labels.
    const sites: LabelSite[] = [];
    const firstPropSite = new Map<string, LabelSite>();
    const firstMarkSite = new Map<string, LabelSite>();
    for (const node of nodes) {
      if (!node.checkProps) continue;
      let nameProp: EProp | undefined, phandleProp: EProp | undefined, linuxProp: EProp | undefined;
      for (const prop of node.props) {
        // name_properties looks at the first `name` property, deleted or not.
        if (!nameProp && prop.name === 'name') {
          nameProp = prop;
          this.checkNameProperty(node, prop, found.name);
        }
        if (prop.deleted) continue;
        if (prop.name === 'phandle') phandleProp ??= prop;
        else if (prop.name === 'linux,phandle') linuxProp ??= prop;
        for (const l of newestFirst(prop.labelList)) {
          if (l.deleted) continue;
          const site: LabelSite = { label: l.name, node, prop, mark: undefined };
          sites.push(site);
          if (!firstPropSite.has(l.name)) firstPropSite.set(l.name, site);
        }
        for (const mark of prop.value.markers) {
          if (mark.kind !== 'label') continue;
          const site: LabelSite = { label: mark.ref!, node, prop, mark };
          sites.push(site);
          if (!firstMarkSite.has(mark.ref!)) firstMarkSite.set(mark.ref!, site);
        }
      }
      if (phandleProp || linuxProp) this.checkExplicitPhandles(root, node, phandleProp, linuxProp, found.explicit);
    }
    let next = 0;
    for (const node of nodes) {
      // duplicate_label in dtc's order: the node's own labels, then its properties' sites.
      for (const l of newestFirst(node.labelList)) {
        if (l.deleted) continue;
        const first = this.labels!.get(l.name)!;
        if (first !== node) this.duplicateLabel(found.duplicate, { label: l.name, node }, { node: first });
      }
      for (; next < sites.length && sites[next].node === node; next++) {
        const site = sites[next];
        const byNode = this.labels!.get(site.label);
        if (byNode) this.duplicateLabel(found.duplicate, site, { node: byNode });
        else {
          const first = firstPropSite.get(site.label) ?? firstMarkSite.get(site.label)!;
          if (first !== site) this.duplicateLabel(found.duplicate, site, first);
        }
      }
      if (!node.refProps) continue;
      for (const prop of node.props) {
        if (prop.deleted) continue;
        // Phandles first: a path inserted later moves the cells after it.
        for (const m of prop.value.markers) if (m.kind === 'ref-phandle') this.fixPhandleReference(root, node, prop, m, found.phandle);
        for (let i = 0; i < prop.value.markers.length; i++)
          if (prop.value.markers[i].kind === 'ref-path') this.fixPathReference(root, node, prop, i, found.path);
      }
    }
    for (const list of [found.name, found.duplicate, found.explicit, found.phandle, found.path]) pushAll(this.fixupDiagnostics, list);
  }

  // check_name_properties: a `name` property equal to the node's base name is dropped.
  private checkNameProperty(n: ENode, p: EProp, found: Diagnostic[]): void {
    const at = n.name.indexOf('@');
    const base = textEncoder.encode(at < 0 ? n.name : n.name.slice(0, at));
    const same = p.value.bytes.length === base.length + 1 && base.every((b, i) => p.value.bytes[i] === b);
    if (same) {
      // dtc unlinks the property; keeping it soft-deleted lets the editor still show it.
      deleteProperty(p);
    } else if (!p.deleted) {
      const text = new TextDecoder('latin1').decode(p.value.bytes.subarray(0, p.value.bytes.indexOf(0) < 0 ? p.value.bytes.length : p.value.bytes.indexOf(0)));
      this.fixup(found, 'name_properties', n, `"name" property is incorrect ("${text}" instead of base node name)`);
    }
  }

  private describeLabelSite({ node, prop, mark }: LabelPlace): string {
    return `${mark ? 'value of ' : ''}${prop ? `'${prop.name}' in ` : ''}${node.fullpath}`;
  }

  /** duplicate_label: `site` carries a label already defined at `other`. */
  private duplicateLabel(found: Diagnostic[], site: LabelPlace & { label: string }, other: LabelPlace): void {
    found.push({
      severity: 'error',
      code: 'duplicate_label',
      subject: site.node.fullpath,
      message: `Duplicate label '${site.label}' on ${this.describeLabelSite(site)} and ${this.describeLabelSite(other)}`,
      range: site.node.range ?? this.fallbackRange,
    });
  }

  private phandleProp(root: ENode, node: ENode, p: EProp | undefined, name: string, found: Diagnostic[]): number {
    if (!p) return 0;
    if (p.value.bytes.length !== 4) {
      this.fixup(found, 'explicit_phandles', node, `bad length (${p.value.bytes.length}) ${name} property`, p);
      return 0;
    }
    const ref = p.value.markers.find((m) => m.kind === 'ref-phandle');
    if (ref) {
      if (nodeByRef(root, ref.ref!, this.labels) !== node) this.fixup(found, 'explicit_phandles', node, `${name} is a reference to another node`);
      // A reference to the node itself asks for a phandle to be allocated (filled in later).
      return 0;
    }
    const v = new DataView(p.value.bytes.buffer, p.value.bytes.byteOffset, 4).getUint32(0);
    if (v === 0 || v === 0xffffffff) {
      this.fixup(found, 'explicit_phandles', node, `bad value (0x${v.toString(16)}) in ${name} property`, p);
      return 0;
    }
    return v;
  }

  /** check_explicit_phandles for one node, given its first live `phandle` and `linux,phandle`. */
  private checkExplicitPhandles(root: ENode, n: ENode, phandleProp: EProp | undefined, linuxProp: EProp | undefined, found: Diagnostic[]): void {
    let phandle = this.phandleProp(root, n, phandleProp, 'phandle', found);
    const linux = this.phandleProp(root, n, linuxProp, 'linux,phandle', found);
    if (!phandle && !linux) return;
    if (linux && phandle && phandle !== linux) this.fixup(found, 'explicit_phandles', n, "mismatching 'phandle' and 'linux,phandle' properties");
    if (linux && !phandle) phandle = linux;
    const other = this.nodeWithPhandle(root, phandle);
    if (other && other !== n) {
      this.fixup(found, 'explicit_phandles', n, `duplicated phandle 0x${phandle.toString(16)} (seen before at ${other.fullpath})`);
      return;
    }
    this.setPhandle(n, phandle);
  }

  private setPhandle(n: ENode, phandle: number): void {
    n.phandle = phandle;
    const list = this.phandles.get(phandle);
    if (list) list.push(n);
    else this.phandles.set(phandle, [n]);
  }

  /** dtc's get_node_by_phandle: the first live node in tree order with that phandle. */
  private nodeWithPhandle(root: ENode, phandle: number): ENode | undefined {
    const list = this.phandles.get(phandle);
    if (!list) return undefined;
    const live = list.filter(isLive);
    if (live.length <= 1) return live[0];
    return nodeByPhandle(root, phandle);
  }

  /** A property the evaluator adds (no source of its own), placed where its node is. */
  private addedProperty(node: ENode, name: string, value: PropertyValue): EProp {
    const range = this.rangeOf(node);
    return { name, value, labels: NO_LABEL_NAMES, labelList: NO_LABELS, deleted: false, range, nameRange: node.nameRange ?? range, history: [] };
  }

  /** The range a node reports: its own, else its nearest ancestor's, else the fallback. */
  private rangeOf(n: ENode): SourceRange {
    for (let w: ENode | undefined = n; w; w = w.parent) if (w.range) return w.range;
    return this.fallbackRange;
  }

  /** dtc's get_node_phandle: allocate the next free phandle and add a `phandle` property. */
  private nodePhandle(root: ENode, node: ENode): number {
    if (node.phandle !== 0 && node.phandle !== 0xffffffff) return node.phandle;
    while (this.nodeWithPhandle(root, this.nextPhandle)) this.nextPhandle++;
    this.setPhandle(node, this.nextPhandle);
    if (!getProp(node, 'phandle')) {
      node.props.push(this.addedProperty(node, 'phandle', { bytes: u32(node.phandle), markers: [typeMarker('type-u32', 0)] }));
    }
    return node.phandle;
  }

  /** fixup_phandle_references for one `<&ref>`: the target's phandle (allocated on first use) into the cell. */
  private fixPhandleReference(root: ENode, n: ENode, p: EProp, m: Marker, found: Diagnostic[]): void {
    const target = nodeByRef(root, m.ref!, this.labels);
    if (!target) {
      if (!this.plugin) {
        found.push({
          severity: 'error',
          code: 'phandle_references',
          subject: n.fullpath,
          message: `Reference to non-existent node or label "${m.ref}"`,
          range: m.range ?? p.range ?? this.fallbackRange,
        });
      } else writeU32(p.value.bytes, m.offset, 0xffffffff);
      return;
    }
    const ph = this.nodePhandle(root, target);
    writeU32(p.value.bytes, m.offset, ph);
    target.referenced = true;
  }

  /** fixup_path_references for the marker at index i: the target's path inserted into the value. */
  private fixPathReference(root: ENode, n: ENode, p: EProp, i: number, found: Diagnostic[]): void {
    const m = p.value.markers[i];
    const target = nodeByRef(root, m.ref!, this.labels);
    if (!target) {
      found.push({
        severity: 'error',
        code: 'path_references',
        subject: n.fullpath,
        message: `Reference to non-existent node or label "${m.ref}"`,
        range: m.range ?? p.range ?? this.fallbackRange,
      });
      return;
    }
    const path = [...textEncoder.encode(target.fullpath), 0];
    const bytes = new Uint8Array(p.value.bytes.length + path.length);
    bytes.set(p.value.bytes.subarray(0, m.offset), 0);
    bytes.set(path, m.offset);
    bytes.set(p.value.bytes.subarray(m.offset), m.offset + path.length);
    p.value.bytes = bytes;
    // Markers after this one (in list order) move with the bytes (a new list: lists may be shared).
    const markers = p.value.markers.slice();
    for (let j = i + 1; j < markers.length; j++) markers[j] = { ...markers[j], offset: markers[j].offset + path.length };
    p.value.markers = markers;
    target.referenced = true;
  }

  /** Deletes the unreferenced /omit-if-no-ref/ nodes under `n`; true when it deleted any. */
  private omitUnusedNodes(n: ENode): boolean {
    if (!(this.options.symbols && n.labelList.length > 0) && n.omitIfNoRef && !n.referenced) {
      deleteNode(n);
      return true;
    }
    let omitted = false;
    for (const c of n.children) if (!c.deleted && this.omitUnusedNodes(c)) omitted = true;
    return omitted;
  }

  /** dtc's build_root_node: the live child of the root with that name, or a new one at the end. */
  private rootChild(root: ENode, name: string): ENode {
    const existing = liveKids(root).find((c) => c.name === name);
    if (existing) return existing;
    const n = newNode(name, undefined);
    addChild(root, n);
    return n;
  }

  private appendToProperty(node: ENode, name: string, data: Uint8Array, type: Marker['kind']): void {
    const p = getProp(node, name);
    if (p) {
      p.value.markers = [...p.value.markers, typeMarker(type, p.value.bytes.length)];
      const bytes = new Uint8Array(p.value.bytes.length + data.length);
      bytes.set(p.value.bytes);
      bytes.set(data, p.value.bytes.length);
      p.value.bytes = bytes;
    } else {
      node.props.push(this.addedProperty(node, name, { bytes: data, markers: [typeMarker(type, 0)] }));
    }
  }

  private generateSymbols(root: ENode): void {
    const anyLabel = (n: ENode): boolean => n.labelList.length > 0 || liveKids(n).some(anyLabel);
    if (!anyLabel(root)) return;
    const symbols = this.rootChild(root, '__symbols__');
    const visit = (n: ENode): void => {
      if (n.labelList.length > 0) {
        for (const l of newestFirst(n.labelList)) {
          if (l.deleted) continue;
          if (getProp(symbols, l.name)) {
            // dtc prints this outside its check table: an ordinary warning.
            this.diagnostics.push({
              severity: 'warning',
              code: 'symbols',
              subject: n.fullpath,
              message: `label ${l.name} already exists in /${symbols.name}`,
              range: n.range ?? this.fallbackRange,
            });
            continue;
          }
          symbols.props.push(this.addedProperty(symbols, l.name, { bytes: Uint8Array.from([...textEncoder.encode(n.fullpath), 0]), markers: [] }));
        }
        this.nodePhandle(root, n);
      }
      for (const c of liveKids(n)) visit(c);
    };
    visit(root);
  }

  private generateFixups(root: ENode): void {
    const unresolved: { node: ENode; prop: EProp; m: Marker }[] = [];
    for (const n of walk(root)) {
      for (const p of n.props) {
        if (p.deleted) continue;
        for (const m of p.value.markers) if (m.kind === 'ref-phandle' && !nodeByRef(root, m.ref!, this.labels)) unresolved.push({ node: n, prop: p, m });
      }
    }
    if (unresolved.length === 0) return;
    const fixups = this.rootChild(root, '__fixups__');
    for (const { node, prop, m } of unresolved) {
      if (node.fullpath.includes(':') || prop.name.includes(':')) {
        this.error("arguments should not contain ':'", prop.range ?? node.range, 'fixups');
        continue;
      }
      const entry = `${node.fullpath}:${prop.name}:${m.offset}`;
      this.appendToProperty(fixups, m.ref!, Uint8Array.from([...textEncoder.encode(entry), 0]), 'type-string');
    }
  }

  private generateLocalFixups(root: ENode): void {
    const resolved: { node: ENode; prop: EProp; m: Marker }[] = [];
    for (const n of walk(root)) {
      for (const p of n.props) {
        if (p.deleted) continue;
        for (const m of p.value.markers) if (m.kind === 'ref-phandle' && nodeByRef(root, m.ref!, this.labels)) resolved.push({ node: n, prop: p, m });
      }
    }
    if (resolved.length === 0) return;
    const lfn = this.rootChild(root, '__local_fixups__');
    for (const { node, prop, m } of resolved) {
      const names: string[] = [];
      for (let w: ENode | undefined = node; w?.parent; w = w.parent) names.unshift(w.name);
      let wn = lfn;
      for (const name of names) {
        let next = liveKids(wn).find((c) => c.name === name);
        if (!next) {
          next = newNode(name, undefined);
          addChild(wn, next);
        }
        wn = next;
      }
      this.appendToProperty(wn, prop.name, u32(m.offset), 'type-u32');
    }
  }

  /** The output nodes; the properties are already output objects, only their labels are filled in. */
  private convert(n: ENode, parent: DtNode | undefined): DtNode {
    const range = n.range ?? parent?.range ?? this.fallbackRange;
    const node: DtNode = {
      name: n.name,
      parent,
      children: [],
      properties: n.props,
      labels: liveLabels(n.labelList),
      deleted: n.deleted,
      phandle: n.phandle,
      omitIfNoRef: n.omitIfNoRef,
      referenced: n.referenced,
      range,
      nameRange: n.nameRange ?? range,
      definitions: n.definitions.length ? n.definitions : [range],
    };
    for (const p of n.props) if (p.labelList.length > 0) p.labels = liveLabels(p.labelList);
    for (const c of n.children) node.children.push(this.convert(c, node));
    return node;
  }
}

/** Evaluate parsed files (in order, as if their texts were appended) into the live tree. */
export function evaluateFiles(files: DtsFile[], options: EvaluateOptions): EvaluateResult {
  const ev = new Evaluator(options);
  const tree = ev.run(files);
  return { tree, diagnostics: ev.diagnostics, fixupDiagnostics: ev.fixupDiagnostics, incbinFiles: ev.incbinFiles };
}
