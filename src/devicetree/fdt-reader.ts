// Reads a flattened device tree (DTB) into the shared DtTree shape, as the guest's kernel does with
// the blob the VMM placed in its RAM. The header and every token are bounds-checked; bad bytes give
// an error string, never an exception and never a loop that does not end (each step moves forward).
//
// A DTB carries no source, so every range is synthetic: file '<dtb>', line 0, and columns holding
// the byte offsets of the item in the blob (handy when reporting where a blob went wrong). Labels are
// not recorded in a DTB; phandles come from the `phandle` (or legacy `linux,phandle`) property.

import type { SourceRange } from '../common/diagnostics';
export { FDT_MAGIC } from './fdt-format';
import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_HEADER_V16_SIZE, FDT_HEADER_V17_SIZE, FDT_MAGIC, FDT_NOP, FDT_PROP } from './fdt-format';
import type { DtNode, DtTree, MemReserve } from './tree';

/** The oldest layout this reader understands (libfdt's FDT_FIRST_SUPPORTED_VERSION). */
const FIRST_SUPPORTED_VERSION = 16;
const LAST_SUPPORTED_VERSION = 17;

export const DTB_FILE = '<dtb>';
/** Deepest node nesting accepted: Linux's unflattening stops at the same depth (FDT_MAX_DEPTH), and it keeps the tree walkers' recursion bounded. */
export const FDT_MAX_DEPTH = 64;

export interface FdtHeader {
  magic: number;
  totalsize: number;
  offDtStruct: number;
  offDtStrings: number;
  offMemRsvmap: number;
  version: number;
  lastCompVersion: number;
  bootCpuidPhys: number;
  sizeDtStrings: number;
  sizeDtStruct: number;
}

export type FdtReadResult = { tree: DtTree } | { error: string };

function hex(n: number): string {
  return '0x' + n.toString(16);
}

function syntheticRange(start: number, end: number): SourceRange {
  return { file: DTB_FILE, start: { line: 0, col: start }, end: { line: 0, col: end } };
}

/** Reads and validates the header only; the guest uses it to learn totalsize before copying the blob. */
export function readFdtHeader(bytes: Uint8Array): { header: FdtHeader } | { error: string } {
  if (bytes.length < FDT_HEADER_V16_SIZE) return { error: `DTB too short for a header: ${bytes.length} bytes` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (off: number): number => view.getUint32(off, false);
  const magic = u32(0);
  if (magic !== FDT_MAGIC) return { error: `bad DTB magic ${hex(magic)} (expected ${hex(FDT_MAGIC)})` };
  const version = u32(20);
  const lastCompVersion = u32(24);
  if (version < FIRST_SUPPORTED_VERSION) return { error: `unsupported DTB version ${version} (at least ${FIRST_SUPPORTED_VERSION} is needed)` };
  if (lastCompVersion > LAST_SUPPORTED_VERSION)
    return { error: `DTB last_comp_version ${lastCompVersion} is newer than this reader (${LAST_SUPPORTED_VERSION})` };
  const headerSize = version >= 17 ? FDT_HEADER_V17_SIZE : FDT_HEADER_V16_SIZE;
  if (bytes.length < headerSize) return { error: `DTB too short for a version ${version} header: ${bytes.length} bytes` };
  const header: FdtHeader = {
    magic,
    totalsize: u32(4),
    offDtStruct: u32(8),
    offDtStrings: u32(12),
    offMemRsvmap: u32(16),
    version,
    lastCompVersion,
    bootCpuidPhys: u32(28),
    sizeDtStrings: u32(32),
    sizeDtStruct: version >= 17 ? u32(36) : 0,
  };
  const total = header.totalsize;
  if (total < headerSize) return { error: `DTB totalsize ${total} is smaller than its header` };
  if (total > bytes.length) return { error: `DTB totalsize ${total} exceeds the ${bytes.length} bytes available` };
  if (version < 17) header.sizeDtStruct = total >= header.offDtStruct ? total - header.offDtStruct : 0;
  const within = (what: string, off: number, size: number): string | undefined => {
    if (off < headerSize || off > total || size > total - off) return `DTB ${what} [${hex(off)}, +${hex(size)}) is outside the blob (totalsize ${hex(total)})`;
    return undefined;
  };
  const problem =
    within('structure block', header.offDtStruct, header.sizeDtStruct) ??
    within('strings block', header.offDtStrings, header.sizeDtStrings) ??
    within('memory reservation map', header.offMemRsvmap, 0);
  if (problem) return { error: problem };
  if (header.offDtStruct % 4 !== 0) return { error: `DTB structure block offset ${hex(header.offDtStruct)} is not 4-byte aligned` };
  if (header.offMemRsvmap % 8 !== 0) return { error: `DTB memory reservation map offset ${hex(header.offMemRsvmap)} is not 8-byte aligned` };
  return { header };
}

/** Parse a DTB. Never throws: malformed input yields `{ error }` naming the offset. */
export function readFdt(bytes: Uint8Array): FdtReadResult {
  const h = readFdtHeader(bytes);
  if ('error' in h) return h;
  const header = h.header;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const memreserves = readMemReserves(view, header);
  if ('error' in memreserves) return memreserves;
  const structure = new StructureBlock(bytes, view, header).read();
  if ('error' in structure) return structure;
  const root = structure.root;
  const isPlugin = root.children.some((c) => c.name === '__fixups__' || c.name === '__local_fixups__');
  return { tree: { root, memreserves: memreserves.entries, bootCpuidPhys: header.bootCpuidPhys, isPlugin } };
}

/** The memory reservation map: (u64 address, u64 size) pairs up to an all-zero entry. */
function readMemReserves(view: DataView, header: FdtHeader): { entries: MemReserve[] } | { error: string } {
  const entries: MemReserve[] = [];
  for (let off = header.offMemRsvmap; ; off += 16) {
    if (off + 16 > header.totalsize) return { error: `DTB memory reservation map runs past the blob at ${hex(off)}` };
    const address = view.getBigUint64(off, false);
    const size = view.getBigUint64(off + 8, false);
    if (address === 0n && size === 0n) return { entries };
    entries.push({ address, size, labels: [], range: syntheticRange(off, off + 16) });
  }
}

const latin1 = new TextDecoder('latin1');

function align4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * The structure block's tokens, read in order into nodes. Each token handler moves `off` past its
 * token and returns an error message, or undefined to go on.
 */
class StructureBlock {
  private off: number;
  private readonly end: number;
  private root: DtNode | undefined;
  /** The open nodes, innermost last. */
  private readonly stack: DtNode[] = [];

  constructor(
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
    private readonly header: FdtHeader,
  ) {
    this.off = header.offDtStruct;
    this.end = header.offDtStruct + header.sizeDtStruct;
  }

  read(): { root: DtNode } | { error: string } {
    while (true) {
      if (this.off + 4 > this.end) return { error: `DTB structure block ends at ${hex(this.off)} without an END token` };
      const tokenOff = this.off;
      const token = this.view.getUint32(tokenOff, false);
      this.off += 4;
      let error: string | undefined;
      switch (token) {
        case FDT_BEGIN_NODE:
          error = this.beginNode(tokenOff);
          break;
        case FDT_END_NODE:
          error = this.endNode(tokenOff);
          break;
        case FDT_PROP:
          error = this.property(tokenOff);
          break;
        case FDT_NOP:
          break;
        case FDT_END:
          if (this.stack.length > 0) return { error: `DTB END token at ${hex(tokenOff)} while node "${this.stack[this.stack.length - 1].name}" is still open` };
          return this.root ? { root: this.root } : { error: 'DTB has no root node' };
        default:
          return { error: `DTB has an unknown token ${hex(token)} at ${hex(tokenOff)}` };
      }
      if (error !== undefined) return { error };
    }
  }

  private beginNode(tokenOff: number): string | undefined {
    const nul = this.bytes.subarray(this.off, this.end).indexOf(0);
    if (nul < 0) return `DTB node name at ${hex(this.off)} is not NUL-terminated inside the structure block`;
    const name = latin1.decode(this.bytes.subarray(this.off, this.off + nul));
    this.off = align4(this.off + nul + 1);
    if (!this.root && name !== '') return `DTB root node at ${hex(tokenOff)} has a name ("${name}")`;
    if (this.root && this.stack.length === 0) return `DTB has a second top-level node at ${hex(tokenOff)}`;
    if (this.stack.length >= FDT_MAX_DEPTH) return `DTB nests nodes deeper than ${FDT_MAX_DEPTH} levels at ${hex(tokenOff)}`;
    const range = syntheticRange(tokenOff, this.off);
    const node: DtNode = {
      name,
      parent: this.stack[this.stack.length - 1],
      children: [],
      properties: [],
      labels: [],
      deleted: false,
      phandle: 0,
      omitIfNoRef: false,
      referenced: false,
      range,
      nameRange: range,
      definitions: [range],
    };
    if (node.parent) node.parent.children.push(node);
    else this.root = node;
    this.stack.push(node);
    return undefined;
  }

  private endNode(tokenOff: number): string | undefined {
    const node = this.stack.pop();
    if (!node) return `DTB END_NODE at ${hex(tokenOff)} without an open node`;
    node.range = syntheticRange(node.range.start.col, this.off);
    return undefined;
  }

  private property(tokenOff: number): string | undefined {
    if (this.off + 8 > this.end) return `DTB property header at ${hex(tokenOff)} runs past the structure block`;
    const node = this.stack[this.stack.length - 1];
    if (!node) return `DTB property at ${hex(tokenOff)} outside any node`;
    const len = this.view.getUint32(this.off, false);
    const nameoff = this.view.getUint32(this.off + 4, false);
    this.off += 8;
    if (len > this.end - this.off) return `DTB property at ${hex(tokenOff)} claims ${len} bytes, past the structure block`;
    const name = this.stringAt(nameoff);
    if (name === undefined) return `DTB property at ${hex(tokenOff)} has a bad name offset ${hex(nameoff)}`;
    const value = this.bytes.slice(this.off, this.off + len);
    this.off = align4(this.off + len);
    const range = syntheticRange(tokenOff, this.off);
    node.properties.push({
      name,
      value: { bytes: value, markers: [] },
      labels: [],
      deleted: false,
      range,
      nameRange: range,
      history: [{ kind: 'set', range }],
    });
    if ((name === 'phandle' || (name === 'linux,phandle' && node.phandle === 0)) && len === 4) {
      node.phandle = ((value[0] << 24) | (value[1] << 16) | (value[2] << 8) | value[3]) >>> 0;
    }
    return undefined;
  }

  /** The NUL-terminated name at `nameoff` in the strings block, or undefined if it is not one. */
  private stringAt(nameoff: number): string | undefined {
    if (nameoff >= this.header.sizeDtStrings) return undefined;
    const start = this.header.offDtStrings + nameoff;
    const nul = this.bytes.subarray(start, this.header.offDtStrings + this.header.sizeDtStrings).indexOf(0);
    return nul < 0 ? undefined : latin1.decode(this.bytes.subarray(start, start + nul));
  }
}
