// Encoding and decoding of the fault status libvmm prints for a stage-2 data abort (ESR_EL2 as
// seL4 passes it in the VM fault message). The emulator reports the syndrome without a valid
// instruction syndrome (ISV = 0), like the FSR 0x92000046 libvmm prints for a
// guest write to an unmapped page (src/arch/aarch64/fault.c): EC 0x24 (data
// abort from a lower exception level), IL = 1, WnR for writes, DFSC = translation fault at the
// given level.

export const EC_DATA_ABORT_LOWER = 0x24;
export const EC_INSTRUCTION_ABORT_LOWER = 0x20;

export function encodeStage2Fsr(opts: { write: boolean; level?: 0 | 1 | 2 | 3; prefetch?: boolean }): number {
  const ec = opts.prefetch ? EC_INSTRUCTION_ABORT_LOWER : EC_DATA_ABORT_LOWER;
  const level = opts.level ?? 2;
  return ((ec << 26) | (1 << 25) | (opts.write && !opts.prefetch ? 1 << 6 : 0) | (0x04 + level)) >>> 0;
}

/** Exception classes (ESR_ELx.EC, ARM ARM D17.2.37) that guests and PDs meet on this system. */
const EXCEPTION_CLASSES: ReadonlyMap<number, string> = new Map([
  [0x00, 'unknown reason'],
  [0x01, 'WFI/WFE trapped'],
  [0x07, 'SVE/SIMD/FP access trapped'],
  [0x0e, 'illegal execution state'],
  [0x15, 'SVC from AArch64'],
  [0x16, 'HVC from AArch64'],
  [0x17, 'SMC from AArch64'],
  [0x18, 'MSR/MRS/system instruction trapped'],
  [0x20, 'instruction abort from a lower EL'],
  [0x21, 'instruction abort from the same EL'],
  [0x22, 'PC alignment fault'],
  [0x24, 'data abort from a lower EL'],
  [0x25, 'data abort from the same EL'],
  [0x26, 'SP alignment fault'],
  [0x2f, 'SError'],
  [0x3c, 'BRK instruction'],
]);

export interface DecodedFsr {
  exceptionClass: number;
  /** e.g. "data abort from a lower EL" */
  className: string;
  kind: 'data abort' | 'instruction abort' | 'other';
  /** Instruction length bit: 1 for a 32-bit instruction. */
  il: boolean;
  write: boolean;
  /** Data and instruction aborts: the fault status code (DFSC/IFSC). */
  fsc?: number;
  /** e.g. "translation fault level 2" */
  status: string;
  /** With a valid instruction syndrome (ISV): the access size in bytes and the transfer register. */
  accessBytes?: number;
  register?: number;
}

function faultStatus(fsc: number): string {
  if (fsc <= 0x03) return `address size fault level ${fsc}`;
  if (fsc >= 0x04 && fsc <= 0x07) return `translation fault level ${fsc - 0x04}`;
  if (fsc >= 0x08 && fsc <= 0x0b) return `access flag fault level ${fsc - 0x08}`;
  if (fsc >= 0x0c && fsc <= 0x0f) return `permission fault level ${fsc - 0x0c}`;
  if (fsc === 0x10) return 'synchronous external abort';
  if (fsc === 0x21) return 'alignment fault';
  if (fsc === 0x30) return 'TLB conflict abort';
  return `fault status code 0x${fsc.toString(16)}`;
}

export function decodeFsr(fsr: number): DecodedFsr {
  const ec = (fsr >>> 26) & 0x3f;
  const kind = ec === EC_DATA_ABORT_LOWER || ec === 0x25 ? 'data abort' : ec === EC_INSTRUCTION_ABORT_LOWER || ec === 0x21 ? 'instruction abort' : 'other';
  const out: DecodedFsr = {
    exceptionClass: ec,
    className: EXCEPTION_CLASSES.get(ec) ?? `exception class 0x${ec.toString(16)}`,
    kind,
    il: (fsr & (1 << 25)) !== 0,
    write: kind === 'data abort' && (fsr & (1 << 6)) !== 0,
    status: `exception class 0x${ec.toString(16)}`,
  };
  if (kind === 'other') return out;
  out.fsc = fsr & 0x3f;
  out.status = faultStatus(out.fsc);
  // ISS bit 24 (ISV): SAS (bits 23:22) and SRT (bits 20:16) are valid.
  if (kind === 'data abort' && (fsr & (1 << 24)) !== 0) {
    out.accessBytes = 1 << ((fsr >>> 22) & 3);
    out.register = (fsr >>> 16) & 0x1f;
  }
  return out;
}

/** "data abort from a lower EL, translation fault level 2, write of 4 bytes from w1" */
export function describeFsr(fsr: number): string {
  const d = decodeFsr(fsr);
  const parts = [d.className];
  if (d.kind !== 'other') parts.push(d.status);
  if (d.kind === 'data abort') {
    const reg = d.register === undefined ? '' : d.register === 31 ? ' xzr' : ` ${(fsr & (1 << 15)) !== 0 ? 'x' : 'w'}${d.register}`;
    parts.push(
      d.accessBytes === undefined
        ? d.write
          ? 'write'
          : 'read'
        : `${d.write ? 'write' : 'read'} of ${d.accessBytes} byte${d.accessBytes > 1 ? 's' : ''} ${d.write ? 'from' : 'into'}${reg}`,
    );
  }
  return parts.join(', ');
}

export function hex(n: number): string {
  return '0x' + n.toString(16);
}
