// A reader for the parts of a WebAssembly binary the emulator needs about a PD's module: its
// sections, the active data segments (where the linker put each one) and their names from the
// "name" section (wasm-ld keeps a segment per output section, so `.serial_virt_rx_config` is one).

export interface WasmSection {
  id: number;
  /** Offset of the section's id byte (where its header starts). */
  headerStart: number;
  /** Custom sections' names. */
  name?: string;
  /** Offset of the section's contents (after id and size) and their length. */
  start: number;
  size: number;
}

export interface DataSegment {
  index: number;
  name: string | undefined;
  /** Linear-memory address of an active segment (constant i32 offset), undefined when passive. */
  address: number | undefined;
  size: number;
}

export class WasmReader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
  ) {
    this.pos = pos;
  }
  u8(): number {
    if (this.pos >= this.bytes.length) throw new RangeError('unexpected end of the WebAssembly module');
    return this.bytes[this.pos++];
  }
  /** Unsigned LEB128 (up to 32 bits). */
  u32(): number {
    let result = 0,
      shift = 0;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new RangeError('LEB128 too long');
    }
  }
  /** Signed LEB128, as a JS number (exact to 53 bits). */
  s64(): number {
    let result = 0,
      shift = 0,
      b: number;
    do {
      b = this.u8();
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    if (b & 0x40) result -= 2 ** shift;
    return result;
  }
  name(): string {
    const n = this.u32();
    const s = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return String.fromCharCode(...s);
  }
}

export function readSections(bytes: Uint8Array): WasmSection[] {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new RangeError('not a WebAssembly module');
  const r = new WasmReader(bytes, 8);
  const out: WasmSection[] = [];
  while (r.pos < bytes.length) {
    const headerStart = r.pos;
    const id = r.u8(),
      size = r.u32(),
      start = r.pos;
    const s: WasmSection = { id, headerStart, start, size };
    if (id === 0) {
      const nr = new WasmReader(bytes, start);
      s.name = nr.name();
      s.start = nr.pos;
      s.size = start + size - nr.pos;
    }
    out.push(s);
    r.pos = start + size;
  }
  return out;
}

/** The module's data segments with their addresses and, where the name section has them, names. */
export function dataSegments(bytes: Uint8Array): DataSegment[] {
  const sections = readSections(bytes);
  const segs: DataSegment[] = [];
  const data = sections.find((s) => s.id === 11);
  if (data) {
    const r = new WasmReader(bytes, data.start);
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      const flags = r.u32();
      let address: number | undefined;
      if (flags === 0 || flags === 2) {
        if (flags === 2) r.u32();
        const op = r.u8();
        if (op !== 0x41) throw new RangeError('data segment offset is not an i32.const');
        address = r.s64() >>> 0;
        if (r.u8() !== 0x0b) throw new RangeError('data segment offset expression not ended');
      }
      const size = r.u32();
      r.pos += size;
      segs.push({ index: i, name: undefined, address, size });
    }
  }
  for (const [idx, name] of nameMap(bytes, sections, NAME_SUBSECTION_DATA)) if (segs[idx]) segs[idx].name = name;
  return segs;
}

/** The "name" custom section's subsections (WebAssembly extended name section). */
export const NAME_SUBSECTION_FUNCTION = 1;
const NAME_SUBSECTION_DATA = 9;

/** One name map of the "name" section (index to name), empty when the module has none. */
export function nameMap(bytes: Uint8Array, sections: WasmSection[], subsection: number): Map<number, string> {
  const out = new Map<number, string>();
  const names = sections.find((s) => s.id === 0 && s.name === 'name');
  if (!names) return out;
  const r = new WasmReader(bytes, names.start);
  const end = names.start + names.size;
  while (r.pos < end) {
    const sub = r.u8(),
      size = r.u32(),
      next = r.pos + size;
    if (sub === subsection) {
      const count = r.u32();
      for (let i = 0; i < count; i++) {
        const idx = r.u32();
        out.set(idx, r.name());
      }
    }
    r.pos = next;
  }
  return out;
}
