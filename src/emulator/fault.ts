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

export interface DecodedFsr {
  exceptionClass: number;
  kind: 'data abort' | 'instruction abort' | 'other';
  write: boolean;
  /** e.g. "translation fault level 2" */
  status: string;
}

export function decodeFsr(fsr: number): DecodedFsr {
  const ec = (fsr >>> 26) & 0x3f;
  const kind = ec === EC_DATA_ABORT_LOWER || ec === 0x25 ? 'data abort' : ec === EC_INSTRUCTION_ABORT_LOWER || ec === 0x21 ? 'instruction abort' : 'other';
  const fsc = fsr & 0x3f;
  let status: string;
  if (fsc >= 0x04 && fsc <= 0x07) status = `translation fault level ${fsc - 0x04}`;
  else if (fsc >= 0x08 && fsc <= 0x0b) status = `access flag fault level ${fsc - 0x08}`;
  else if (fsc >= 0x0c && fsc <= 0x0f) status = `permission fault level ${fsc - 0x0c}`;
  else if (fsc === 0x21) status = 'alignment fault';
  else status = `fault status code 0x${fsc.toString(16)}`;
  return { exceptionClass: ec, kind, write: kind === 'data abort' && (fsr & (1 << 6)) !== 0, status };
}

export function hex(n: number): string {
  return '0x' + n.toString(16);
}
