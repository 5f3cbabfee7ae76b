// The seL4 invocations a VMM makes on its VM's vCPUs (include/sel4/arch.h, the "sel4" import
// module of a real PD), over the emulator's vCPU: its TCB registers and VCPU registers (held on the
// Vcpu), its vGIC list registers, suspend and resume. Capabilities are Microkit's slots: the vCPU
// with id n is TCB cap BASE_VM_TCB_CAP + n and VCPU cap BASE_VCPU_CAP + n; another cap is
// seL4_InvalidCapability, as the kernel answers for an empty slot.
//
// Departures from the pinned upstream (sDDF 650ace5, libvmm 7069ab9, Microkit cfd5216):
// - There is no secure firmware: seL4_ARM_SMC_Call answers SMC_UNK (-1 in x0), as TF-A does for a
//   function it does not implement, where libvmm forwards SiP calls (libvmm src/arch/aarch64/smc.c:141-176).
// - The guest model is not an instruction-level CPU: the TCB's registers are what the VMM and the
//   fault messages wrote; the model reads x0 at a restart and the transfer register of an
//   emulated load (libvmm src/arch/aarch64/guest.c:82-109).
import { TCB_PC, USER_CONTEXT_WORDS, VCPU_REGISTERS, type Vcpu } from '../vcpu';
import type { WasmMemory } from './wasm-api';

export const BASE_VM_TCB_CAP = 266n;
export const BASE_VCPU_CAP = 330n;
/** seL4's error codes (libsel4 errors.h). */
export const SEL4_NO_ERROR = 0,
  SEL4_INVALID_ARGUMENT = 1,
  SEL4_INVALID_CAPABILITY = 2,
  SEL4_RANGE_ERROR = 4;
/** SMC Calling Convention's "unknown function" (-1 as a 64-bit word). */
const SMC_UNKNOWN = 0xffffffffffffffffn;
const SMC_CONTEXT_WORDS = 8;
const PPI_FIRST = 16,
  PPI_LAST = 31;

/** What a VMM's invocations reach: its VM's vCPUs by id, and the kernel's record of events. */
export interface VcpuSet {
  vcpu(id: number): Vcpu | undefined;
  event(kind: string, text: string): void;
  /** The VMM loaded a virtual IRQ for its guest (the kernel's observers see it as the model's injection). */
  injected?(vm: string, intid: number): void;
}

export class Sel4VcpuInterface {
  constructor(
    private readonly memory: WasmMemory,
    private readonly vcpus: VcpuSet,
  ) {}

  private byCap(cap: bigint, base: bigint): Vcpu | undefined {
    const id = cap - base;
    return id >= 0n && id < 64n ? this.vcpus.vcpu(Number(id)) : undefined;
  }

  private words(ptr: number, count: number): BigUint64Array | undefined {
    if (!Number.isInteger(ptr) || ptr < 0 || ptr % 8 !== 0 || ptr + count * 8 > this.memory.buffer.byteLength) return undefined;
    return new BigUint64Array(this.memory.buffer, ptr, count);
  }

  /** The "sel4" import module of a real VMM. */
  imports(): Record<string, unknown> {
    return {
      tcb_read_registers: (tcb: bigint, _suspend: number, _flags: number, count: bigint, ptr: number) => this.readRegisters(tcb, count, ptr),
      tcb_write_registers: (tcb: bigint, resume: number, _flags: number, count: bigint, ptr: number) => this.writeRegisters(tcb, resume !== 0, count, ptr),
      tcb_suspend: (tcb: bigint) => this.suspend(tcb),
      tcb_resume: (tcb: bigint) => {
        const v = this.byCap(tcb, BASE_VM_TCB_CAP);
        if (!v) return SEL4_INVALID_CAPABILITY;
        v.resume();
        return SEL4_NO_ERROR;
      },
      vcpu_inject_irq: (vcpu: bigint, virq: number, _priority: number, _group: number, index: number) => {
        const v = this.byCap(vcpu, BASE_VCPU_CAP);
        if (!v) return SEL4_INVALID_CAPABILITY;
        const err = v.vgic.loadListRegister(index, virq & 0xffff);
        if (err === SEL4_NO_ERROR) {
          this.vcpus.event('virq', `${v.vmName}: list register ${index} holds INTID ${virq & 0xffff}`);
          this.vcpus.injected?.(v.vmName, virq & 0xffff);
        }
        return err;
      },
      vcpu_ack_vppi: (vcpu: bigint, irq: bigint) => {
        const v = this.byCap(vcpu, BASE_VCPU_CAP);
        if (!v) return SEL4_INVALID_CAPABILITY;
        if (irq < PPI_FIRST || irq > PPI_LAST) return SEL4_INVALID_ARGUMENT;
        v.ackVppi(Number(irq));
        return SEL4_NO_ERROR;
      },
      vcpu_read_reg: (vcpu: bigint, reg: bigint, out: number) => {
        const v = this.byCap(vcpu, BASE_VCPU_CAP);
        if (!v) return SEL4_INVALID_CAPABILITY;
        const slot = this.words(out, 1);
        if (reg < 0n || reg >= BigInt(VCPU_REGISTERS) || !slot) return SEL4_INVALID_ARGUMENT;
        slot[0] = v.vcpuRegisters[Number(reg)];
        return SEL4_NO_ERROR;
      },
      vcpu_write_reg: (vcpu: bigint, reg: bigint, value: bigint) => {
        const v = this.byCap(vcpu, BASE_VCPU_CAP);
        if (!v) return SEL4_INVALID_CAPABILITY;
        if (reg < 0n || reg >= BigInt(VCPU_REGISTERS)) return SEL4_INVALID_ARGUMENT;
        v.vcpuRegisters[Number(reg)] = BigInt.asUintN(64, value);
        return SEL4_NO_ERROR;
      },
      smc_call: (_cap: bigint, args: number, response: number) => {
        const req = this.words(args, SMC_CONTEXT_WORDS),
          res = this.words(response, SMC_CONTEXT_WORDS);
        if (!req || !res) return SEL4_INVALID_ARGUMENT;
        res.fill(0n);
        res[0] = SMC_UNKNOWN;
        return SEL4_NO_ERROR;
      },
    };
  }

  /** seL4_TCB_ReadRegisters: the first `count` words of seL4_UserContext. */
  private readRegisters(tcb: bigint, count: bigint, ptr: number): number {
    const v = this.byCap(tcb, BASE_VM_TCB_CAP);
    if (!v) return SEL4_INVALID_CAPABILITY;
    const n = Number(count > BigInt(USER_CONTEXT_WORDS) ? BigInt(USER_CONTEXT_WORDS) : count < 0n ? 0n : count);
    const out = this.words(ptr, n);
    if (!out) return SEL4_INVALID_ARGUMENT;
    out.set(v.tcb.subarray(0, n));
    return SEL4_NO_ERROR;
  }

  /**
   * seL4_TCB_WriteRegisters: the first `count` words (count 1 writes the PC alone, as
   * microkit_vcpu_restart does); with resume, the thread starts (a stopped vCPU boots afresh).
   */
  private writeRegisters(tcb: bigint, resume: boolean, count: bigint, ptr: number): number {
    const v = this.byCap(tcb, BASE_VM_TCB_CAP);
    if (!v) return SEL4_INVALID_CAPABILITY;
    const n = Number(count > BigInt(USER_CONTEXT_WORDS) ? BigInt(USER_CONTEXT_WORDS) : count < 0n ? 0n : count);
    const src = this.words(ptr, n);
    if (!src) return SEL4_INVALID_ARGUMENT;
    v.tcb.set(src);
    if (resume) {
      this.vcpus.event('vcpu', `${v.vmName} resumed at 0x${v.tcb[TCB_PC].toString(16)}`);
      v.resume();
    }
    return SEL4_NO_ERROR;
  }

  private suspend(tcb: bigint): number {
    const v = this.byCap(tcb, BASE_VM_TCB_CAP);
    if (!v) return SEL4_INVALID_CAPABILITY;
    if (!v.halted()) v.halt('suspended by its VMM (seL4_TCB_Suspend)');
    return SEL4_NO_ERROR;
  }
}
