// Flattened device tree (DTB) output, byte-identical to `dtc -O dtb` (flattree.c, version 17):
// header, memory reservation map (each entry then a zero terminator), structure block, strings
// block. Strings are stored once; a name that equals the tail of one already stored reuses it,
// as dtc's stringtable_insert does.

import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_HEADER_V17_SIZE, FDT_LAST_COMP_VERSION, FDT_MAGIC, FDT_PROP, FDT_VERSION } from './fdt-format';
import { liveChildren, liveProperties, type DtNode, type DtTree } from './tree';

/** A growable big-endian byte buffer. */
class ByteWriter {
  private buf = new Uint8Array(1024);
  length = 0;
  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  u32(v: number): void {
    this.ensure(4);
    const b = this.buf,
      o = this.length;
    b[o] = (v >>> 24) & 0xff;
    b[o + 1] = (v >>> 16) & 0xff;
    b[o + 2] = (v >>> 8) & 0xff;
    b[o + 3] = v & 0xff;
    this.length += 4;
  }
  u64(v: bigint): void {
    this.u32(Number((v >> 32n) & 0xffffffffn));
    this.u32(Number(v & 0xffffffffn));
  }
  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
  }
  zeroes(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }
  align(n: number): void {
    const pad = (n - (this.length % n)) % n;
    this.zeroes(pad);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** dtc's string table: first-fit search over every offset (so suffixes of stored names are reused). */
class StringTable {
  private text = '';
  private readonly cache = new Map<string, number>();
  insert(name: string): number {
    const known = this.cache.get(name);
    if (known !== undefined) return known;
    // A match at offset i means text[i..] starts with name followed by NUL.
    const needle = name + '\0';
    const at = this.text.indexOf(needle);
    // Only an exact string from position i counts; indexOf finds the first such position.
    const off = at >= 0 ? at : this.text.length;
    if (at < 0) this.text += needle;
    this.cache.set(name, off);
    return off;
  }
  bytes(): Uint8Array {
    return new TextEncoder().encode(this.text);
  }
}

const encoder = new TextEncoder();

function flatten(node: DtNode, out: ByteWriter, strings: StringTable): void {
  out.u32(FDT_BEGIN_NODE);
  out.bytes(encoder.encode(node.name));
  out.zeroes(1);
  out.align(4);
  for (const p of liveProperties(node)) {
    const nameoff = strings.insert(p.name);
    out.u32(FDT_PROP);
    out.u32(p.value.bytes.length);
    out.u32(nameoff);
    out.bytes(p.value.bytes);
    out.align(4);
  }
  for (const c of liveChildren(node)) flatten(c, out, strings);
  out.u32(FDT_END_NODE);
}

/** The tree as a version-17 DTB, laid out exactly as dtc 1.6.1 lays it out. */
export function writeDtb(tree: DtTree): Uint8Array {
  const reserve = new ByteWriter();
  for (const r of tree.memreserves) {
    reserve.u64(BigInt.asUintN(64, r.address));
    reserve.u64(BigInt.asUintN(64, r.size));
  }
  reserve.zeroes(16);
  const struct = new ByteWriter();
  const strings = new StringTable();
  if (!tree.root.deleted) flatten(tree.root, struct, strings);
  struct.u32(FDT_END);
  const stringBytes = strings.bytes();

  const offRsv = FDT_HEADER_V17_SIZE; // already 8-aligned
  const offStruct = offRsv + reserve.length;
  const offStrings = offStruct + struct.length;
  const total = offStrings + stringBytes.length;
  const out = new ByteWriter();
  out.u32(FDT_MAGIC);
  out.u32(total);
  out.u32(offStruct);
  out.u32(offStrings);
  out.u32(offRsv);
  out.u32(FDT_VERSION);
  out.u32(FDT_LAST_COMP_VERSION);
  out.u32(tree.bootCpuidPhys >>> 0);
  out.u32(stringBytes.length);
  out.u32(struct.length);
  out.bytes(reserve.result());
  out.bytes(struct.result());
  out.bytes(stringBytes);
  return out.result();
}
