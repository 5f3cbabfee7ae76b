// A real VMM's side of its vCPU: what the guest does that traps becomes the seL4 fault the kernel
// delivers to the VMM's `fault` entry (Microkit manual, "fault"; seL4 manual, "Faults"), with the
// message registers libvmm reads (include/sel4/arch.h), and the VMM's reply resumes the vCPU:
// - a load or store outside the VM's mappings: a VM fault whose FSR is the data abort's syndrome
//   with a valid instruction syndrome (ISV): access size, transfer register and direction, so that
//   libvmm's own decoder emulates it; a load returns what the VMM wrote into that register;
// - a PSCI call: a VCPU fault with the SMC64 exception class, the function ID in x0;
// - WFI: a VCPU fault with the WFx exception class;
// - the end of an interrupt the VMM loaded into a list register: a VGIC maintenance fault;
// - the virtual timer's PPI (27): a VPPI event (seL4 masks the PPI until the VMM acks it), which
//   libvmm injects into a list register; the guest's end of it is a maintenance fault, whose ack
//   (microkit_vcpu_arm_ack_vppi) unmasks it.
// A fault the VMM does not reply to leaves the vCPU stopped, as seL4 leaves the faulting thread
// blocked on its fault endpoint.
//
// Departures from the pinned upstream (sDDF 650ace5, libvmm 7069ab9, Microkit cfd5216):
// - A trap costs what the model VMM's handling of the same event costs (500 ns for an emulated
//   device access; nothing for the vGIC's registers, WFI, maintenance and VPPI events, which the
//   model reaches by calls), not the VMM's instruction count (libvmm src/arch/aarch64/fault.c:465-500).
// - The IP of a fault is the TCB's PC as the VMM last wrote it: the guest model has no
//   instruction stream, and libvmm advances the PC by 4 per emulated access (libvmm src/arch/aarch64/fault.c:25-38).
// - The fault's level is 3 (DFSC 0x07) (libvmm src/arch/aarch64/fault.c:451-457).
import type { Kernel, PdThread } from '../kernel';
import type { AddressOwner } from '../config';
import { EC_DATA_ABORT_LOWER, hex } from '../fault';
import { TCB_PC, TCB_X0, tcbSlotOfX, type FaultHandler, type Vcpu } from '../vcpu';
import type { RealPd } from './real-pd';
import type { MmioQueueRegisters } from '../virtio/mmio-queue-registers';

/** seL4's fault labels (MCS, aarch64 with hypervisor support) and message lengths. */
export const FAULT_VM = 6,
  FAULT_VGIC_MAINTENANCE = 7,
  FAULT_VCPU = 8,
  FAULT_VPPI_EVENT = 9;
const EC_WFX = 0x01,
  EC_SMC64 = 0x17;
const IL = 1 << 25,
  ISV = 1 << 24,
  SF = 1 << 15,
  WNR = 1 << 6;
/** DFSC: translation fault, level 3 (no stage-2 page at the address). */
const DFSC_TRANSLATION_L3 = 0x07;
/** The cost of a trap to the VMM and back (the model VMM's, pds/vmm.ts). */
const VM_EXIT_COST_NS = 500;
/** GICv3's distributor window and one vCPU's redistributor frames (libvmm's GIC_DIST_SIZE, GIC_REDIST_INDIVIDUAL_SIZE). */
const GIC_DIST_SIZE = 0x10000,
  GIC_REDIST_SIZE = 0x20000;

const FAULT_NAMES: Record<number, string> = { [FAULT_VGIC_MAINTENANCE]: 'vGIC maintenance', [FAULT_VCPU]: 'vCPU', [FAULT_VPPI_EVENT]: 'VPPI event' };

/** The data abort syndrome of an access: EC 0x24, IL, ISV with SAS, SRT, SF, WnR, and the DFSC. */
export function dataAbortSyndrome(size: 1 | 2 | 4 | 8, reg: number, write: boolean): number {
  const sas = size === 1 ? 0 : size === 2 ? 1 : size === 4 ? 2 : 3;
  return ((EC_DATA_ABORT_LOWER << 26) | IL | ISV | (sas << 22) | ((reg & 0x1f) << 16) | (size === 8 ? SF : 0) | (write ? WNR : 0) | DFSC_TRANSLATION_L3) >>> 0;
}

export class RealVmmFaults implements FaultHandler {
  /** VM faults the VMM did not reply to (the vCPU stopped), as the model VMM records its fatal ones. */
  readonly faults: { timeNs: number; gpa: number; fsr: number; write: boolean; message: string; owner?: AddressOwner }[] = [];

  constructor(
    private readonly kernel: Kernel,
    private readonly pd: PdThread,
    private readonly program: RealPd,
    private readonly vcpu: Vcpu,
    private readonly vcpuId: number,
    /** The DT node owning an address (from-project.ts), for the line that follows libvmm's fault block. */
    private readonly describeAddress?: (gpa: number) => AddressOwner | undefined,
    /** The virtio console's queue registers, as the accesses libvmm handled set them (the inspector's view). */
    readonly virtio?: MmioQueueRegisters,
  ) {}

  /**
   * Deliver one fault; true when the VMM replied (the vCPU resumes). `costNs`: the trap's virtual
   * cost, the model VMM's for the same event, so that both run on one timeline.
   */
  private deliver(label: number, mrs: bigint[], costNs = 0, stopReason?: string): boolean {
    if (this.pd.faulted) {
      this.vcpu.halt(`its VMM '${this.pd.name}' has faulted`);
      return false;
    }
    const replied = this.kernel.runAs(
      this.pd,
      () => {
        if (costNs > 0) this.kernel.charge(this.pd, costNs);
        return this.program.fault(this.vcpuId, label, mrs);
      },
      false,
    );
    // The VMM faulted while handling it: no reply ever comes (the monitor has reported the VMM).
    if (this.pd.faulted) {
      if (!this.vcpu.halted()) this.vcpu.halt(`its VMM '${this.pd.name}' has faulted`);
      return false;
    }
    if (!replied && !this.vcpu.halted()) this.vcpu.halt(stopReason ?? `its VMM did not reply to a ${FAULT_NAMES[label] ?? 'vCPU'} fault`);
    return replied;
  }

  private vmFault(gpa: number, size: 1 | 2 | 4, reg: number, write: boolean): boolean {
    const fsr = dataAbortSyndrome(size, reg, write);
    // The model's vGIC is reached by calls, not traps: distributor and redistributor accesses cost nothing there.
    const dist = this.vcpu.distributorBase,
      redist = this.vcpu.redistributorBase;
    const inGic =
      (dist !== undefined && gpa >= dist && gpa < dist + GIC_DIST_SIZE) || (redist !== undefined && gpa >= redist && gpa < redist + GIC_REDIST_SIZE);
    const cost = inGic ? 0 : VM_EXIT_COST_NS;
    const mrsIp = this.vcpu.tcb[TCB_PC];
    const ok = this.deliver(FAULT_VM, [mrsIp, BigInt(gpa), 0n, BigInt(fsr)], cost, `unexpected memory fault at ${hex(gpa)}`);
    if (!ok && !this.pd.faulted) {
      const owner = this.describeAddress?.(gpa);
      if (owner) this.kernel.log(this.pd.name, 'error', `${this.pd.name}|ERROR: (emulator) ${hex(gpa)} belongs to ${owner.path} (${owner.where})`);
      const message = `unexpected memory fault on address: ${hex(gpa)}, FSR: ${hex(fsr)}, IP: ${hex(Number(mrsIp))}, is_prefetch: false, is_write: ${write}`;
      this.faults.push({ timeNs: this.kernel.now, gpa, fsr, write, message, owner });
    }
    return ok;
  }

  read(gpa: number, size: 1 | 2 | 4, reg: number): number | undefined {
    const slot = tcbSlotOfX(reg);
    if (!this.vmFault(gpa, size, reg, false)) return undefined;
    const mask = size === 4 ? 0xffffffffn : size === 2 ? 0xffffn : 0xffn;
    const value = slot < 0 ? 0 : Number(this.vcpu.tcb[slot] & mask);
    const off = this.virtio?.offsetOf(gpa, size);
    if (off !== undefined) this.virtio!.answered(off, value);
    return value;
  }

  write(gpa: number, size: 1 | 2 | 4, value: number, reg: number): boolean {
    const slot = tcbSlotOfX(reg);
    if (slot >= 0) this.vcpu.tcb[slot] = BigInt(value >>> 0);
    if (!this.vmFault(gpa, size, reg, true)) return false;
    const off = this.virtio?.offsetOf(gpa, size);
    if (off !== undefined) this.virtio!.written(off, size === 4 ? value : value & (size === 2 ? 0xffff : 0xff));
    return true;
  }

  /** An SMC from the guest (the PSCI conduit of the guests' device trees). */
  psci(functionId: number): void {
    this.vcpu.tcb[TCB_X0] = BigInt(functionId >>> 0);
    this.deliver(FAULT_VCPU, [BigInt(((EC_SMC64 << 26) | IL) >>> 0)]);
  }

  waitForInterrupt(): void {
    this.deliver(FAULT_VCPU, [BigInt(((EC_WFX << 26) | IL) >>> 0)]);
  }

  /** The virtual timer's PPI: a VPPI event, its IRQ in the first message register. */
  virtualTimer(ppi: number): void {
    this.deliver(FAULT_VPPI_EVENT, [BigInt(ppi)]);
  }

  maintenance(lr: number): void {
    this.deliver(FAULT_VGIC_MAINTENANCE, [BigInt(lr)]);
  }
}
