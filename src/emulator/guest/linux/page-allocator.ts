// Guest-physical pages for the kernel's own buffers (virtqueues, receive buffers), handed out
// from low RAM above the kernel image while stepping around the DTB and the initrd the VMM placed.

const PAGE = 4096;
/** Where the modelled kernel's image ends: allocations start this far into RAM. */
export const KERNEL_IMAGE_END_OFFSET = 0x0200_0000;

export interface PhysRange {
  start: number;
  end: number;
}

export class PageAllocator {
  private next: number;
  constructor(
    private readonly ramBase: number,
    private readonly ramEnd: number,
    private readonly reserved: PhysRange[],
  ) {
    this.next = ramBase + KERNEL_IMAGE_END_OFFSET;
  }
  /** Page-aligned guest-physical address of `bytes` fresh bytes, or undefined when RAM is exhausted. */
  alloc(bytes: number): number | undefined {
    const size = Math.ceil(bytes / PAGE) * PAGE;
    let start = this.next;
    for (let guard = 0; guard <= this.reserved.length; guard++) {
      const clash = this.reserved.find((r) => start < r.end && r.start < start + size);
      if (!clash) break;
      start = Math.ceil(clash.end / PAGE) * PAGE;
    }
    if (start < this.ramBase || start + size > this.ramEnd) return undefined;
    if (this.reserved.some((r) => start < r.end && r.start < start + size)) return undefined;
    this.next = start + size;
    return start;
  }
}
