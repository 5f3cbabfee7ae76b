// The live tree: what evaluating a DTS (base + overlays) produces, after merging, reopening,
// deletes and phandle assignment. The checks, the DTB/DTS writers, the language server's hover and
// the system cross-checks all read this one shape.
//
// Deleted nodes and properties stay in the tree with `deleted = true` (dtc's soft delete: a later
// definition revives them, and the editor wants to show where something was deleted); every
// consumer iterates with liveChildren()/liveProperties().

import type { SourceRange } from '../common/diagnostics';

/** dtc's marker types (dtc.h `enum markertype`). Type markers record how the source wrote the bytes. */
export type MarkerKind =
  | 'ref-phandle' // &label or &{/path} inside < >: 4 bytes at offset to be filled with the target's phandle
  | 'ref-path' // &label outside < >: the target's full path, NUL-terminated, inserted at offset
  | 'label' // a label inside a value (`prop = <1 lbl: 2>`)
  | 'type-u8'
  | 'type-u16'
  | 'type-u32'
  | 'type-u64'
  | 'type-string'
  | 'type-none'; // e.g. /incbin/ data

export interface Marker {
  kind: MarkerKind;
  /** Byte offset into the property value. */
  offset: number;
  /** For refs: the label name or the path (for `&{/path}`, the path); for 'label': the label name. */
  ref?: string;
  /** Where the reference or label is written in the source. */
  range?: SourceRange;
}

export interface PropertyValue {
  /** May be a view into a buffer shared with other values: read it through byteOffset/length, never `.buffer` alone. */
  bytes: Uint8Array;
  /** Marker lists and markers may be shared between values: replace a list, never mutate it or a marker. */
  markers: Marker[];
}

export interface PropertyEvent {
  kind: 'set' | 'delete';
  range: SourceRange;
}

export interface DtProperty {
  name: string;
  value: PropertyValue;
  /** Live labels; the empty list is shared between properties and nodes: never mutate it. */
  labels: string[];
  deleted: boolean;
  /** The winning (last) definition: `name = value;` including the semicolon. */
  range: SourceRange;
  /** The property name in the winning definition. */
  nameRange: SourceRange;
  /** Every definition and deletion, in evaluation order (for hover: where set, overridden, deleted). */
  history: PropertyEvent[];
}

export interface DtNode {
  /** Node name with unit address ("serial@30860000"); "" for the root. */
  name: string;
  parent?: DtNode;
  children: DtNode[];
  properties: DtProperty[];
  /** As DtProperty's. */
  labels: string[];
  deleted: boolean;
  /** Assigned or explicit phandle; 0 when the node has none. */
  phandle: number;
  omitIfNoRef: boolean;
  /** Set when some reference (phandle or path) targets this node. */
  referenced: boolean;
  /** dtc's srcpos for the node: the first definition (used for check messages). */
  range: SourceRange;
  /** The node name in its first definition. */
  nameRange: SourceRange;
  /** Every definition or reopening (`&label { }`, `&{/path} { }`, a repeated node) in evaluation order. */
  definitions: SourceRange[];
}

export interface MemReserve {
  address: bigint;
  size: bigint;
  labels: string[];
  range: SourceRange;
}

export interface DtTree {
  root: DtNode;
  memreserves: MemReserve[];
  bootCpuidPhys: number;
  /** True for a `/plugin/;` overlay (fragments, __fixups__ and __local_fixups__ are already built into the tree). */
  isPlugin: boolean;
}

export function liveChildren(node: DtNode): DtNode[] {
  return node.children.filter((c) => !c.deleted);
}

export function liveProperties(node: DtNode): DtProperty[] {
  return node.properties.filter((p) => !p.deleted);
}

export function getProperty(node: DtNode, name: string): DtProperty | undefined {
  return node.properties.find((p) => p.name === name && !p.deleted);
}

export function getChild(node: DtNode, name: string): DtNode | undefined {
  return node.children.find((c) => c.name === name && !c.deleted);
}

/** Full path as dtc prints it ("/" for the root). */
export function nodePath(node: DtNode): string {
  if (!node.parent) return '/';
  const parentPath = nodePath(node.parent);
  return parentPath === '/' ? `/${node.name}` : `${parentPath}/${node.name}`;
}

/** Node name without the unit address. */
export function nodeBaseName(node: DtNode): string {
  const at = node.name.indexOf('@');
  return at < 0 ? node.name : node.name.slice(0, at);
}

/** Unit address ("30860000"), or undefined when the name has no '@'. */
export function unitAddress(node: DtNode): string | undefined {
  const at = node.name.indexOf('@');
  return at < 0 ? undefined : node.name.slice(at + 1);
}

/** Resolve "/a/b@1" (live nodes only). A component without '@' also matches a node whose base name equals it, as dtc does. */
export function findNodeByPath(tree: DtTree, path: string): DtNode | undefined {
  if (!path.startsWith('/')) return undefined;
  let node: DtNode | undefined = tree.root;
  for (const part of path.split('/').filter(Boolean)) {
    const kids: DtNode[] = liveChildren(node!);
    node = kids.find((c) => c.name === part) ?? (part.includes('@') ? undefined : kids.find((c) => nodeBaseName(c) === part));
    if (!node) return undefined;
  }
  return node;
}

/**
 * Depth-first, parents before children, in tree order; live nodes only. One generator with its own
 * stack (a generator per level would pass each node up through every level above it).
 */
export function* walkNodes(node: DtNode): Generator<DtNode> {
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    yield n;
    for (let i = n.children.length - 1; i >= 0; i--) if (!n.children[i].deleted) stack.push(n.children[i]);
  }
}

export function findNodeByLabel(tree: DtTree, label: string): DtNode | undefined {
  for (const n of walkNodes(tree.root)) if (n.labels.includes(label)) return n;
  return undefined;
}

export function findNodeByPhandle(tree: DtTree, phandle: number): DtNode | undefined {
  if (phandle === 0 || phandle === 0xffffffff) return undefined;
  for (const n of walkNodes(tree.root)) if (n.phandle === phandle) return n;
  return undefined;
}

/** Big-endian u32 cells of a property value (trailing bytes that do not make a whole cell are ignored). */
export function propertyCells(p: DtProperty): number[] {
  const b = p.value.bytes;
  const out: number[] = [];
  for (let i = 0; i + 4 <= b.length; i += 4) out.push(((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0);
  return out;
}

/** The NUL-separated strings of a property value (a missing final NUL still yields the last string). */
export function propertyStrings(p: DtProperty): string[] {
  const b = p.value.bytes;
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0) {
      out.push(latin1.decode(b.subarray(start, i)));
      start = i + 1;
    }
  }
  if (start < b.length) out.push(latin1.decode(b.subarray(start)));
  return out;
}

/** One decoder for every property string (the checks read `compatible` and `status` of every node). */
const latin1 = new TextDecoder('latin1');
