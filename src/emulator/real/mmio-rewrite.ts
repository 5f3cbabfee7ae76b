// Device windows for a driver compiled to WebAssembly: a pass over the linked module that turns
// every load, store, memory.copy and memory.fill of the PD's code into a call to the runtime's
// helper for that access (runtime/mmio.c). A helper compares the effective address with the device
// window and either makes the plain access or calls the emulator's device (its `mmio_read` and
// `mmio_write` imports), so a driver's `uart_regs->rxd` pops a byte from the emulated UART's FIFO.
// Accesses outside the window cost a call and a compare; only window accesses leave WebAssembly.
//
// Only the code section changes: each rewritten instruction is replaced in place
// (`<op> align offset` becomes `i32.const offset; call $helper`), function bodies and the section
// get their new sizes, and every other section is copied as it is (the module has no debug
// sections: builds use -g0). The helpers themselves are not rewritten.
import { nameMap, NAME_SUBSECTION_FUNCTION, readSections, WasmReader } from './wasm-module';

/** The helper's export name for each memory opcode (wasm core spec, 5.4.6). */
const MEMORY_OP_HELPER: Record<number, string> = {
  0x28: '__emu_ld_i32',
  0x29: '__emu_ld_i64',
  0x2a: '__emu_ld_f32',
  0x2b: '__emu_ld_f64',
  0x2c: '__emu_ld_i32_8s',
  0x2d: '__emu_ld_i32_8u',
  0x2e: '__emu_ld_i32_16s',
  0x2f: '__emu_ld_i32_16u',
  0x30: '__emu_ld_i64_8s',
  0x31: '__emu_ld_i64_8u',
  0x32: '__emu_ld_i64_16s',
  0x33: '__emu_ld_i64_16u',
  0x34: '__emu_ld_i64_32s',
  0x35: '__emu_ld_i64_32u',
  0x36: '__emu_st_i32',
  0x37: '__emu_st_i64',
  0x38: '__emu_st_f32',
  0x39: '__emu_st_f64',
  0x3a: '__emu_st_i32_8',
  0x3b: '__emu_st_i32_16',
  0x3c: '__emu_st_i64_8',
  0x3d: '__emu_st_i64_16',
  0x3e: '__emu_st_i64_32',
};
const MEMORY_COPY = '__emu_memory_copy',
  MEMORY_FILL = '__emu_memory_fill';
const HELPERS = [...Object.values(MEMORY_OP_HELPER), MEMORY_COPY, MEMORY_FILL];

const SECTION_IMPORT = 2,
  SECTION_CODE = 10;
const OP_I32_CONST = 0x41,
  OP_CALL = 0x10,
  PREFIX_FC = 0xfc;

export class MmioRewriteError extends Error {}

/** Counts of what the pass rewrote, for tests and messages. */
export interface MmioRewriteResult {
  bytes: Uint8Array;
  accesses: number;
  bulk: number;
}

export function rewriteDeviceAccesses(module: Uint8Array): MmioRewriteResult {
  const sections = readSections(module);
  const importedFuncs = countImportedFunctions(
    module,
    sections.find((s) => s.id === SECTION_IMPORT),
  );
  // By the name section: an export may be wasm-ld's wrapper that runs the constructors first.
  const names = new Map([...nameMap(module, sections, NAME_SUBSECTION_FUNCTION)].map(([idx, name]) => [name, idx]));
  const helper = (name: string): number => {
    const idx = names.get(`${name}_fn`);
    if (idx === undefined) throw new MmioRewriteError(`the module has no ${name}_fn (runtime/mmio.c was not linked into it, or its names were stripped)`);
    return idx;
  };
  const helpers = new Set(HELPERS.map(helper));
  const code = sections.find((s) => s.id === SECTION_CODE);
  if (!code) throw new MmioRewriteError('the module has no code section');

  const out = new ByteWriter();
  const r = new WasmReader(module, code.start);
  const count = r.u32();
  out.u32(count);
  let accesses = 0,
    bulk = 0;
  for (let i = 0; i < count; i++) {
    const size = r.u32(),
      start = r.pos,
      end = start + size;
    if (helpers.has(importedFuncs + i)) {
      out.u32(size);
      out.bytes(module.subarray(start, end));
      r.pos = end;
      continue;
    }
    const body = new ByteWriter();
    const counts = rewriteBody(module, r, start, end, helper, body);
    accesses += counts.accesses;
    bulk += counts.bulk;
    if (r.pos !== end) throw new MmioRewriteError(`function ${importedFuncs + i}: instructions run past the end of its body`);
    out.u32(body.length);
    out.bytes(body.finish());
  }

  return { bytes: withCodeSection(module, sections, out.finish()), accesses, bulk };
}

/** One function body with each memory access (and bulk copy or fill) replaced by a call to its helper. */
function rewriteBody(
  module: Uint8Array,
  r: WasmReader,
  start: number,
  end: number,
  helper: (name: string) => number,
  body: ByteWriter,
): { accesses: number; bulk: number } {
  let accesses = 0,
    bulk = 0;
  const localGroups = r.u32();
  for (let g = 0; g < localGroups; g++) {
    r.u32();
    r.u8();
  }
  body.bytes(module.subarray(start, r.pos));
  while (r.pos < end) {
    const at = r.pos,
      op = r.u8();
    const name = MEMORY_OP_HELPER[op];
    if (name !== undefined) {
      r.u32(); // alignment: a hint, dropped
      const offset = r.u32();
      body.u8(OP_I32_CONST);
      body.s32(offset | 0);
      body.u8(OP_CALL);
      body.u32(helper(name));
      accesses++;
      continue;
    }
    if (op === PREFIX_FC) {
      const sub = r.u32();
      if (sub === 10 || sub === 11) {
        r.pos += sub === 10 ? 2 : 1; // memory index bytes
        body.u8(OP_CALL);
        body.u32(helper(sub === 10 ? MEMORY_COPY : MEMORY_FILL));
        bulk++;
        continue;
      }
      skipFcImmediates(r, sub);
    } else skipImmediates(r, op, at);
    body.bytes(module.subarray(at, r.pos));
  }
  return { accesses, bulk };
}

/** The module with its code section's contents replaced, every other section as it was. */
function withCodeSection(module: Uint8Array, sections: ReturnType<typeof readSections>, contents: Uint8Array): Uint8Array {
  const result = new ByteWriter();
  result.bytes(module.subarray(0, 8));
  for (const s of sections) {
    if (s.id === SECTION_CODE) {
      result.u8(SECTION_CODE);
      result.u32(contents.length);
      result.bytes(contents);
    } else {
      result.bytes(module.subarray(s.headerStart, s.start + s.size));
    }
  }
  return result.finish();
}

function countImportedFunctions(module: Uint8Array, section: { start: number } | undefined): number {
  if (!section) return 0;
  const r = new WasmReader(module, section.start);
  const n = r.u32();
  let funcs = 0;
  for (let i = 0; i < n; i++) {
    r.name();
    r.name();
    const kind = r.u8();
    if (kind === 0) {
      r.u32();
      funcs++;
    } else if (kind === 1) {
      r.u8();
      skipLimits(r);
    } else if (kind === 2) skipLimits(r);
    else if (kind === 3) {
      r.u8();
      r.u8();
    } else throw new MmioRewriteError(`unknown import kind ${kind}`);
  }
  return funcs;
}

function skipLimits(r: WasmReader): void {
  const flags = r.u8();
  r.u32();
  if (flags & 1) r.u32();
}

/** Skips the immediates of an instruction of the MVP, sign-extension, reference-types and bulk-memory sets. */
function skipImmediates(r: WasmReader, op: number, at: number): void {
  if (op === 0x02 || op === 0x03 || op === 0x04) {
    // blocktype: 0x40, a value type (one byte), or a type index (s33).
    r.s64();
    return;
  }
  if (op === 0x0c || op === 0x0d || op === 0x10 || (op >= 0x20 && op <= 0x26) || op === 0xd2) {
    r.u32();
    return;
  }
  if (op === 0x0e) {
    const n = r.u32();
    for (let i = 0; i <= n; i++) r.u32();
    return;
  }
  if (op === 0x11) {
    r.u32();
    r.u32();
    return;
  }
  if (op === 0x1c) {
    const n = r.u32();
    r.pos += n;
    return;
  }
  if (op === 0x3f || op === 0x40 || op === 0xd0) {
    r.u8();
    return;
  }
  if (op === 0x41 || op === 0x42) {
    r.s64();
    return;
  }
  if (op === 0x43) {
    r.pos += 4;
    return;
  }
  if (op === 0x44) {
    r.pos += 8;
    return;
  }
  if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || (op >= 0x45 && op <= 0xc4) || op === 0xd1) return;
  throw new MmioRewriteError(`unsupported instruction 0x${op.toString(16)} at byte ${at} of the module`);
}

function skipFcImmediates(r: WasmReader, sub: number): void {
  if (sub <= 7) return;
  if (sub === 8) {
    r.u32();
    r.u8();
  } else if (sub === 9 || sub === 13 || sub === 15 || sub === 16 || sub === 17) r.u32();
  else if (sub === 12 || sub === 14) {
    r.u32();
    r.u32();
  } else throw new MmioRewriteError(`unsupported instruction 0xfc ${sub}`);
}

class ByteWriter {
  private buf = new Uint8Array(1024);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
  }
  u8(b: number): void {
    this.room(1);
    this.buf[this.length++] = b;
  }
  u32(v: number): void {
    v >>>= 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.u8(b);
    } while (v !== 0);
  }
  s32(v: number): void {
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.u8(b);
        return;
      }
      this.u8(b | 0x80);
    }
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
