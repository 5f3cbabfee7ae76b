// The one linear memory that all real (WebAssembly) PDs and the emulator share.
//
// Layout (addresses in the wasm32 memory, all multiples of the 4 KiB page):
//   [0, FIRST_SLOT)                  unused (a null pointer reads zeros here; it does not fault)
//   slot i: [FIRST_SLOT + i*SLOT, +SLOT)   PD i's image: data, bss and stack (wasm-ld --global-base)
//   then each device window a real driver maps (its accesses are the device's, never these bytes)
//   then each memory region a real PD maps, in .system order, page aligned
// The regions' bytes are the emulator's MemoryRegions for those names: the models, the inspector and
// the virtio device read the same bytes the C code writes. A PD reaches a region through the address
// its sDDF config holds (the region's place here), not through the `.system`'s vaddr: one memory
// has one address per region. Departures from the board: no W^X and no isolation (a PD can write
// another's slot or a region it does not map without a fault); the memory never grows.

import { wasm, type WasmMemory } from './wasm-api';

export const PAGE = 0x1000;
export const FIRST_SLOT = 0x10000;
export const SLOT_SIZE = 0x40000;
export const STACK_SIZE = 0x10000;
/** Slots a VMM's image takes (2 MiB): libvmm's vGIC state and the guest images it links in. */
export const VMM_SLOTS = 8;
const WASM_PAGE = 0x10000;

export interface RegionPlacement {
  name: string;
  address: number;
  size: number;
}

export class SharedAddressSpace {
  readonly memory: WasmMemory;
  readonly regions = new Map<string, RegionPlacement>();
  readonly windows = new Map<string, RegionPlacement>();
  readonly size: number;

  /**
   * @param slots how many PD images
   * @param regions the memory regions real PDs map, with their sizes
   * @param windows the device windows real drivers map, with their sizes
   */
  constructor(
    readonly slots: number,
    regions: { name: string; size: number }[],
    windows: { name: string; size: number }[] = [],
  ) {
    let at = FIRST_SLOT + slots * SLOT_SIZE;
    for (const w of windows) {
      this.windows.set(w.name, { name: w.name, address: at, size: w.size });
      at += Math.ceil(w.size / PAGE) * PAGE;
    }
    for (const r of regions) {
      this.regions.set(r.name, { name: r.name, address: at, size: r.size });
      at += Math.ceil(r.size / PAGE) * PAGE;
    }
    const pages = Math.ceil(at / WASM_PAGE);
    this.size = pages * WASM_PAGE;
    this.memory = new wasm.Memory({ initial: pages, maximum: pages });
  }

  static slotBase(i: number): number {
    return FIRST_SLOT + i * SLOT_SIZE;
  }

  /** The live bytes of a region placed here. */
  regionBytes(name: string): Uint8Array | undefined {
    const r = this.regions.get(name);
    return r ? new Uint8Array(this.memory.buffer, r.address, r.size) : undefined;
  }
}
