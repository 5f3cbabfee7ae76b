// Hand-built DtTree values for unit tests of code that reads the live tree (no compiler needed).
// Every node and property gets its own line in a pseudo file, so tests can assert ranges:
// a node's name sits at column 0 of its line, a property's name at column 2 of its line.
import type { SourceRange } from '../../../src/common/diagnostics';
import type { DtNode, DtProperty, DtTree, Marker, PropertyValue } from '../../../src/devicetree/tree';

export const TEST_FILE = '/test.dts';

/** A phandle reference inside u32(): the label's node gets a phandle when the tree is built. */
export interface Ref {
  ref: string;
}
export function ref(label: string): Ref {
  return { ref: label };
}

/** A value as the parser would give it; `refs` are patched with phandles by buildTree. */
export interface ValueSpec {
  bytes: number[];
  markers: Marker[];
}

/** `< ... >` cells, with type marker and ref-phandle markers like the source would produce. */
export function u32(...cells: (number | Ref)[]): ValueSpec {
  const bytes: number[] = [];
  const markers: Marker[] = [{ kind: 'type-u32', offset: 0 }];
  cells.forEach((c, i) => {
    if (typeof c === 'number') bytes.push((c >>> 24) & 0xff, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff);
    else {
      markers.push({ kind: 'ref-phandle', offset: i * 4, ref: c.ref });
      bytes.push(0, 0, 0, 0);
    }
  });
  return { bytes, markers };
}

/** `"a", "b"` */
export function str(...strings: string[]): ValueSpec {
  const bytes: number[] = [];
  for (const s of strings) {
    for (let i = 0; i < s.length; i++) bytes.push(s.charCodeAt(i));
    bytes.push(0);
  }
  return { bytes, markers: [{ kind: 'type-string', offset: 0 }] };
}

/** `[ .. ]` bytes, or any raw value without markers (as if read from a DTB). */
export function raw(...bytes: number[]): ValueSpec {
  return { bytes, markers: [] };
}

/** `prop;` */
export function empty(): ValueSpec {
  return { bytes: [], markers: [] };
}

export interface NodeSpec {
  name: string;
  props: [string, ValueSpec][];
  children: NodeSpec[];
  labels: string[];
  phandle?: number;
  deleted?: boolean;
}

/** n('name@1', { reg: u32(1) }, child1, child2) — props as an object, or as pairs to repeat a name. */
export function n(name: string, props: Record<string, ValueSpec> | [string, ValueSpec][] = {}, ...children: NodeSpec[]): NodeSpec {
  return { name, props: Array.isArray(props) ? props : Object.entries(props), children, labels: [] };
}

/** Give a node labels (for ref()). */
export function labelled(labels: string | string[], node: NodeSpec): NodeSpec {
  return { ...node, labels: typeof labels === 'string' ? [labels] : labels };
}

export function deleted(node: NodeSpec): NodeSpec {
  return { ...node, deleted: true };
}

function range(line: number, startCol: number, endCol: number): SourceRange {
  return { file: TEST_FILE, start: { line, col: startCol }, end: { line, col: endCol } };
}

export interface BuildOptions {
  plugin?: boolean;
}

/** Build the tree: lines in depth-first order, phandles for referenced labels (from 1, in order of first use). */
export function buildTree(rootSpec: NodeSpec, options: BuildOptions = {}): DtTree {
  let line = 0;
  const byLabel = new Map<string, DtNode>();
  const pendingRefs: { prop: DtProperty; offset: number; label: string }[] = [];

  const build = (spec: NodeSpec, parent: DtNode | undefined): DtNode => {
    const nodeLine = line++;
    const node: DtNode = {
      name: spec.name,
      parent,
      children: [],
      properties: [],
      labels: spec.labels,
      deleted: spec.deleted ?? false,
      phandle: spec.phandle ?? 0,
      omitIfNoRef: false,
      referenced: false,
      range: range(nodeLine, 0, 1),
      nameRange: range(nodeLine, 0, Math.max(spec.name.length, 1)),
      definitions: [],
    };
    node.definitions.push(node.range);
    for (const l of spec.labels) byLabel.set(l, node);
    for (const [name, v] of spec.props) {
      const propLine = line++;
      const value: PropertyValue = { bytes: Uint8Array.from(v.bytes), markers: v.markers.map((m) => ({ ...m })) };
      const prop: DtProperty = {
        name,
        value,
        labels: [],
        deleted: false,
        range: range(propLine, 2, 2 + name.length + 1),
        nameRange: range(propLine, 2, 2 + name.length),
        history: [],
      };
      prop.history.push({ kind: 'set', range: prop.range });
      node.properties.push(prop);
      for (const m of value.markers) if (m.kind === 'ref-phandle') pendingRefs.push({ prop, offset: m.offset, label: m.ref! });
      if (name === 'phandle' && v.bytes.length === 4) node.phandle = ((v.bytes[0] << 24) | (v.bytes[1] << 16) | (v.bytes[2] << 8) | v.bytes[3]) >>> 0;
    }
    for (const c of spec.children) node.children.push(build(c, node));
    node.range = { ...node.range, end: { line: line, col: 2 } };
    line++;
    return node;
  };

  const root = build(rootSpec, undefined);
  let next = 1;
  const used = new Set<number>();
  const markUsed = (nd: DtNode): void => {
    if (nd.phandle) used.add(nd.phandle);
    nd.children.forEach(markUsed);
  };
  markUsed(root);
  for (const r of pendingRefs) {
    const target = byLabel.get(r.label);
    let ph = 0xffffffff;
    if (target) {
      if (!target.phandle) {
        while (used.has(next)) next++;
        target.phandle = next;
        used.add(next);
        const b = [(next >>> 24) & 0xff, (next >>> 16) & 0xff, (next >>> 8) & 0xff, next & 0xff];
        target.properties.push({
          name: 'phandle',
          value: { bytes: Uint8Array.from(b), markers: [] },
          labels: [],
          deleted: false,
          range: target.range,
          nameRange: target.nameRange,
          history: [],
        });
      }
      target.referenced = true;
      ph = target.phandle;
    } else if (!options.plugin) ph = 0;
    r.prop.value.bytes.set([(ph >>> 24) & 0xff, (ph >>> 16) & 0xff, (ph >>> 8) & 0xff, ph & 0xff], r.offset);
  }
  return { root, memreserves: [], bootCpuidPhys: 0, isPlugin: options.plugin ?? false };
}

/** The node at a path in a built tree (test convenience; throws when missing). */
export function nodeAt(tree: DtTree, path: string): DtNode {
  let node = tree.root;
  for (const part of path.split('/').filter(Boolean)) {
    const next = node.children.find((c) => c.name === part);
    if (!next) throw new Error(`no node ${path}`);
    node = next;
  }
  return node;
}
