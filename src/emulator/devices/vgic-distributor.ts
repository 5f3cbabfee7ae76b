// The distributor libvmm's vGIC emulates for a GICv2 guest (libvmm src/arch/aarch64/vgic/vgic_v2.c):
// the guest's GIC driver reaches it through stage-2 faults the VMM handles. The enable registers
// drive the vGIC's enable set (what the VMM checks before injecting); CTLR, the read-only identity
// registers and priority/target/config storage answer as libvmm's reset values say; the pending and
// active registers read as zero.
//
// Departures from the pinned upstream (sDDF 650ace5, libvmm 7069ab9, Microkit cfd5216):
// - Pending and active state lives in the list registers (gic.ts), so ISPENDR/ISACTIVER read as 0
//   and writes to them are ignored (libvmm include/libvmm/arch/aarch64/vgic/vdist.h:307-330, 487-510).
import type { RegisterDevice } from './bus';
import type { Vgic } from './gic';

export const GICD_CTLR = 0x000,
  GICD_TYPER = 0x004,
  GICD_IIDR = 0x008,
  GICD_ISENABLER = 0x100,
  GICD_ICENABLER = 0x180,
  GICD_IPRIORITYR = 0x400,
  GICD_ITARGETSR = 0x800,
  GICD_ICFGR = 0xc00,
  GICD_PIDR2_V2 = 0xfe8;
/** libvmm's reset values (vgic_v2.c:65-66). */
const TYPER = 0x0000fce7,
  IIDR = 0x0200043b;
/** ArchRev 2 in GICD_PIDR2. */
const PIDR2_V2 = 0x20;
const SPI_WORDS = 32;

export class VgicDistributor implements RegisterDevice {
  readonly name = 'vgic-dist';
  private ctlr = 0;
  /** IPRIORITYR, ITARGETSR (SPIs to CPU 0) and ICFGR storage, one word each. */
  private readonly words = new Map<number, number>();

  constructor(private readonly vgic: Vgic) {}

  read(offset: number): number {
    if (offset === GICD_CTLR) return this.ctlr;
    if (offset === GICD_TYPER) return TYPER;
    if (offset === GICD_IIDR) return IIDR;
    if (offset === GICD_PIDR2_V2) return PIDR2_V2;
    const set = this.enableWord(offset, GICD_ISENABLER) ?? this.enableWord(offset, GICD_ICENABLER);
    if (set !== undefined) {
      let bits = 0;
      for (let i = 0; i < 32; i++) if (this.vgic.isEnabled(set * 32 + i)) bits |= 1 << i;
      // SGIs are always enabled (16-bit read-only, vgic_v2.c:69-70).
      return (set === 0 ? bits | 0xffff : bits) >>> 0;
    }
    if (offset >= GICD_ITARGETSR && offset < GICD_ICFGR && !this.words.has(offset)) return 0x01010101;
    return this.words.get(offset) ?? 0;
  }

  write(offset: number, value: number): void {
    value >>>= 0;
    if (offset === GICD_CTLR) {
      this.ctlr = value & 1;
      return;
    }
    const set = this.enableWord(offset, GICD_ISENABLER);
    const clear = this.enableWord(offset, GICD_ICENABLER);
    if (set !== undefined || clear !== undefined) {
      const word = (set ?? clear)!;
      for (let i = 0; i < 32; i++) {
        if (!(value & (1 << i))) continue;
        if (set !== undefined) this.vgic.enable(word * 32 + i);
        else this.vgic.disable(word * 32 + i);
      }
      return;
    }
    if (offset >= GICD_IPRIORITYR && offset < GICD_ICFGR + 0x100) this.words.set(offset, value);
  }

  getState(): { ctlr: number; enabled: number[] } {
    const enabled: number[] = [];
    for (let i = 0; i < SPI_WORDS * 32; i++) if (this.vgic.isEnabled(i)) enabled.push(i);
    return { ctlr: this.ctlr, enabled };
  }

  reset(): void {
    this.ctlr = 0;
    this.words.clear();
  }

  private enableWord(offset: number, base: number): number | undefined {
    return offset >= base && offset < base + SPI_WORDS * 4 && (offset & 3) === 0 ? (offset - base) >> 2 : undefined;
  }
}
