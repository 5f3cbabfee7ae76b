// Memory the emulator shares between parties: memory regions of the `.system` (sDDF queue and data
// regions, guest RAM) and a bounds-checked guest-physical view of a VM's RAM for the VMM. Guest RAM
// is one Uint8Array that the vCPU and its VMM both see (as the same frames mapped twice).

/** Large regions (guest RAM) live in a SharedArrayBuffer where the platform has one: its pages are
 * committed lazily and it puts less pressure on the garbage collector than a 240 MiB ArrayBuffer. */
const LARGE_REGION = 1 << 20;

export function allocateRegion(size: number): Uint8Array {
  const shared = (globalThis as { SharedArrayBuffer?: typeof SharedArrayBuffer }).SharedArrayBuffer;
  if (size >= LARGE_REGION && shared) {
    try {
      return new Uint8Array(new shared(size));
    } catch {
      // Not allowed here (e.g. a page without cross-origin isolation): fall through.
    }
  }
  return new Uint8Array(size);
}

const PAGE = 4096;
/** Per image, its runs of pages holding a non-zero byte (images are shared by every machine built from one config). */
const nonZeroRuns = new WeakMap<Uint8Array, [number, number][]>();

/**
 * Copy an image into RAM that is all zero there (fresh, or cleared by a guest reset): only its pages
 * that hold a non-zero byte are written, so a sparse image commits no memory for its zero pages.
 */
export function placeImage(ram: Uint8Array, bytes: Uint8Array, offset: number): void {
  let runs = nonZeroRuns.get(bytes);
  if (!runs) nonZeroRuns.set(bytes, (runs = pageRuns(bytes)));
  for (const [start, end] of runs) ram.set(bytes.subarray(start, end), offset + start);
}

function pageRuns(bytes: Uint8Array): [number, number][] {
  const runs: [number, number][] = [];
  for (let page = 0; page < bytes.length; page += PAGE) {
    const end = Math.min(bytes.length, page + PAGE);
    let i = page;
    while (i < end && bytes[i] === 0) i++;
    if (i === end) continue;
    const last = runs[runs.length - 1];
    if (last && last[1] === page) last[1] = end;
    else runs.push([page, end]);
  }
  return runs;
}

export class MemoryRegions {
  private readonly regions = new Map<string, Uint8Array>();
  add(name: string, size: number): Uint8Array {
    const bytes = allocateRegion(size);
    this.regions.set(name, bytes);
    return bytes;
  }
  /** A region whose bytes live elsewhere (the real PDs' shared memory). */
  adopt(name: string, bytes: Uint8Array): Uint8Array {
    this.regions.set(name, bytes);
    return bytes;
  }
  get(name: string): Uint8Array | undefined {
    return this.regions.get(name);
  }
  names(): string[] {
    return [...this.regions.keys()];
  }
}

/** Guest-physical access to RAM as the VMM does it; every access is checked against RAM's bounds. */
export class GuestPhysical {
  private readonly view: DataView;
  constructor(
    readonly ram: Uint8Array,
    readonly ramBase: number,
  ) {
    this.view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  }
  /** True when [gpa, gpa+len) lies inside RAM. */
  contains(gpa: number, len: number): boolean {
    const off = gpa - this.ramBase;
    return Number.isFinite(off) && off >= 0 && len >= 0 && off + len <= this.ram.length;
  }
  /** Offset into `ram` of gpa, or -1 when [gpa, gpa+len) is not inside RAM. */
  offset(gpa: number, len: number): number {
    return this.contains(gpa, len) ? gpa - this.ramBase : -1;
  }
  u16(gpa: number): number {
    const o = this.offset(gpa, 2);
    return o < 0 ? -1 : this.view.getUint16(o, true);
  }
  u32(gpa: number): number {
    const o = this.offset(gpa, 4);
    return o < 0 ? -1 : this.view.getUint32(o, true);
  }
  /** A u64 as a JS number (exact below 2^53; larger values are outside any RAM anyway). */
  u64(gpa: number): number {
    const o = this.offset(gpa, 8);
    if (o < 0) return -1;
    return this.view.getUint32(o, true) + this.view.getUint32(o + 4, true) * 0x100000000;
  }
  setU16(gpa: number, v: number): boolean {
    const o = this.offset(gpa, 2);
    if (o < 0) return false;
    this.view.setUint16(o, v & 0xffff, true);
    return true;
  }
  setU32(gpa: number, v: number): boolean {
    const o = this.offset(gpa, 4);
    if (o < 0) return false;
    this.view.setUint32(o, v >>> 0, true);
    return true;
  }
}
