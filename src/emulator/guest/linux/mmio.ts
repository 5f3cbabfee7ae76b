// Device register access for the modelled kernel. A load or store the VMM cannot handle stops the
// vCPU (GuestMachine returns undefined/false); the kernel code unwinds with VcpuStopped and the
// guest reports 'halted', as a real vCPU stays stopped after an unhandled fault.

import type { GuestMachine } from '../interface';
import { MMIO_ACCESS_NS } from './costs';

export class VcpuStopped extends Error {
  constructor(
    readonly gpa: number,
    readonly isWrite: boolean,
  ) {
    super(`vCPU stopped on ${isWrite ? 'write to' : 'read from'} 0x${gpa.toString(16)}`);
  }
}

export class Mmio {
  constructor(
    private readonly machine: GuestMachine,
    private readonly charge: (ns: number) => void,
  ) {}
  read32(gpa: number): number {
    this.charge(MMIO_ACCESS_NS);
    const v = this.machine.mmioRead(gpa, 4);
    if (v === undefined) throw new VcpuStopped(gpa, false);
    return v >>> 0;
  }
  write32(gpa: number, value: number): void {
    this.charge(MMIO_ACCESS_NS);
    if (!this.machine.mmioWrite(gpa, 4, value >>> 0)) throw new VcpuStopped(gpa, true);
  }
}
