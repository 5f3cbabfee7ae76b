// The VMM PD (libvmm): places the guest's DTB and initrd in RAM after libvmm's checks, starts the
// vCPU, handles its faults (the virtio-mmio console window; anything else is fatal to the vCPU,
// with libvmm's messages), PSCI calls, and the serial notifications for its console.
//
// Departures from the pinned upstream (sDDF 650ace5, libvmm 7069ab9, Microkit cfd5216):
// - libvmm's register dumps after a fatal fault are not printed (the guest model has no
//   registers), and the IP in the fault message is 0 (libvmm src/arch/aarch64/fault.c:454-457).
// - A line naming the device-tree node that owns a faulting address follows the message when the
//   configuration gives a describeAddress lookup (libvmm src/arch/aarch64/fault.c:454).
// - Virtio devices other than the console (block, net, sound) answer as an empty virtio-mmio
//   transport (device ID 0), as QEMU's unused slots do; libvmm emulates them over other sDDF
//   subsystems (libvmm examples/virtio_mmio/client_vmm.c:173-176).
// - No kernel image is placed: its checks are not made and the DTB and initrd destination messages
//   end at their own size, not the kernel's (libvmm src/arch/aarch64/linux.c:23-64, 111, 123).
// - PSCI SYSTEM_RESET restarts the guest as described below; libvmm 0.2.0 ignores the call
//   (libvmm src/arch/aarch64/psci.c:105-122).
// - Error lines use the prefix "<PD>|ERROR: "; libvmm's LOG_VMM_ERR adds "(function:line)"
//   (libvmm include/libvmm/util/util.h:33).
//
// Guest reset (PSCI SYSTEM_RESET, or the host's Emulator.resetGuest): the VMM restarts its guest as
// at boot: vCPU stopped and reset (vGIC, timer), virtio console back to power-on, RAM zeroed, DTB and
// initrd placed again, a fresh program started at the kernel entry. Zeroing RAM makes a reset guest
// start exactly like a freshly booted one (deterministic; nothing of the old kernel leaks into the
// new one); it costs one fill of the VM's RAM. The other guest and the serial PDs are not touched.
import { FDT_MAGIC } from '../../devicetree/fdt-format';
import type { AddressOwner, GuestConfig } from '../config';
import { encodeStage2Fsr, hex } from '../fault';
import type { PdContext, PdProgram, Kernel, PdThread } from '../kernel';
import type { FaultHandler, Vcpu } from '../vcpu';
import type { VirtioConsole } from '../virtio/console';
import { placeImage } from '../memory';
import type { VgicDistributor } from '../devices/vgic-distributor';

export const PSCI_SYSTEM_OFF = 0x84000008;
export const PSCI_SYSTEM_RESET = 0x84000009;
/** PSCI calls libvmm answers without side effects here (version, features, migrate info type). */
const PSCI_ANSWERED = new Set([0x84000000, 0x8400000a, 0x84000006]);

const VM_EXIT_COST_NS = 500;

/** An empty virtio-mmio transport's registers (VirtIO 1.2 section 4.2.2): MagicValue "virt", Version 2, the rest 0 (DeviceID 0: no device). */
function placeholderRegister(offset: number): number {
  if (offset === 0x000) return 0x74726976;
  if (offset === 0x004) return 2;
  return 0;
}

export interface VmmChannels {
  tx: number;
  rx: number;
}

export class Vmm implements PdProgram, FaultHandler {
  faults: { timeNs: number; gpa: number; fsr: number; write: boolean; message: string; owner?: AddressOwner }[] = [];
  console: VirtioConsole | undefined;
  /** The GICv2 distributor this VMM emulates for its guest (reached through faults), when the board has one. */
  distributor: VgicDistributor | undefined;
  bootError: string | undefined;

  constructor(
    private readonly ctx: PdContext,
    private readonly kernel: Kernel,
    private readonly pd: PdThread,
    private readonly vcpu: Vcpu,
    private readonly guest: GuestConfig,
    private readonly ch: VmmChannels,
    private readonly describeAddress?: (vm: string, gpa: number) => AddressOwner | undefined,
  ) {}

  private err(text: string): void {
    this.ctx.log(`${this.ctx.name}|ERROR: ${text}`, 'error');
  }

  /** libvmm's LOG_VMM (include/libvmm/util/util.h:32): an INFO line the board prints. */
  private info(text: string): void {
    this.ctx.log(`${this.ctx.name}|INFO: ${text}`);
  }

  init(): void {
    this.registerPassthroughs();
    this.bootGuest();
  }

  /** virq_register_passthrough for each of the VMM's `<irq>`s (libvmm src/arch/aarch64/virq.c:116-140). */
  private registerPassthroughs(): void {
    for (const p of this.guest.passthroughIrqs ?? []) {
      this.info(`Register passthrough vIRQ ${hex(p.intid)} on vCPU 0x0 (IRQ channel: ${hex(p.ch)})`);
      // The guest's EOI acks the hardware IRQ (virq_passthrough_ack, virq.c:109-114).
      this.vcpu.eoiHooks.set(p.intid, () => this.kernel.runAs(this.pd, () => this.ctx.irqAck(p.ch), undefined));
    }
  }

  /** Place the images and start a fresh program at the kernel entry (x0 = the DTB's address). */
  private bootGuest(): void {
    const problem = this.checkImages();
    this.bootError = problem;
    if (problem) {
      this.err(problem);
      return;
    }
    const g = this.guest,
      ram = this.vcpu.ram,
      base = this.vcpu.ramBase;
    this.info(`Copying guest DTB to GPA ${hex(g.dtbGpa)} (${hex(g.dtb.length)} bytes)`);
    // RAM is all zero here: fresh at power-on, cleared by resetGuest.
    placeImage(ram, g.dtb, g.dtbGpa - base);
    if (g.initrd) {
      this.info(`Copying guest initial RAM disk to GPA ${hex(g.initrd.gpa)} (${hex(g.initrd.bytes.length)} bytes)`);
      placeImage(ram, g.initrd.bytes, g.initrd.gpa - base);
    }
    // The kernel entry is the start of RAM (a text_offset of 0, as arm64 Images since 3.17 have).
    this.info(`starting guest at ${hex(g.ramGpa)}, DTB at ${hex(g.dtbGpa)}, initial RAM disk at ${hex(g.initrd?.gpa ?? 0)}`);
    this.vcpu.faultHandler = this;
    this.vcpu.start(g.program(), g.dtbGpa);
  }

  /** Restart the guest (see the top of the file), with guest_restart's lines (guest.c:121-141); runs as this PD. */
  resetGuest(): void {
    this.kernel.runAs(
      this.pd,
      () => {
        this.info('Attempting to restart guest');
        this.vcpu.reset();
        this.info('Stopped guest');
        this.console?.powerOnReset();
        this.distributor?.reset();
        this.info('Clearing guest RAM');
        this.vcpu.ram.fill(0);
        this.bootGuest();
        this.info('Restarted guest');
      },
      undefined,
    );
  }

  /**
   * linux_setup_images' checks (libvmm src/arch/aarch64/linux.c:13-131 at 7069ab9), in its order and
   * words; the message for the first that fails. The kernel image's checks (lines 23-28, 32-37,
   * 52-64) are not made: the model places no kernel image. For the same reason the ends printed for
   * the DTB and initrd destinations are those of the DTB and initrd, where libvmm adds the kernel's
   * size (lines 111 and 123).
   */
  private checkImages(): string | undefined {
    const g = this.guest;
    const ramEnd = g.ramGpa + g.ramSize;
    const dtb = g.dtb,
      dtbEnd = g.dtbGpa + dtb.length;
    if (g.initrd) {
      const start = g.initrd.gpa,
        end = start + g.initrd.bytes.length;
      if (!(start >= dtbEnd || end <= g.dtbGpa))
        return `DTB [${hex(g.dtbGpa)}..${hex(dtbEnd)}) overlaps with the destination of the initial RAM disk [${hex(start)}, ${hex(end)})`;
    }
    if (g.ramGpa % 0x200000 !== 0) return `Linux requires that guest RAM starting GPA must be 2MiB aligned, got ${hex(g.ramGpa)}`;
    const magic = dtb.length >= 4 ? ((dtb[0] << 24) | (dtb[1] << 16) | (dtb[2] << 8) | dtb[3]) >>> 0 : 0;
    if (magic !== FDT_MAGIC) return 'Given DTB does not match DTB magic.';
    if (dtb.length > 1 << 21) return `Linux expects size of DTB to be less than 2MB, DTB size is ${hex(dtb.length)} bytes`;
    if (g.dtbGpa % 8 !== 0) return `Linux expects DTB address to be on an 8-byte boundary, DTB address is ${hex(g.dtbGpa)}`;
    if (g.dtbGpa < g.ramGpa || dtbEnd > ramEnd) return `DTB copy destination [${hex(g.dtbGpa)}..${hex(dtbEnd)}) not in valid guest RAM`;
    if (g.initrd) {
      const start = g.initrd.gpa,
        end = start + g.initrd.bytes.length;
      if (start < g.ramGpa || end > ramEnd) return `Initrd copy destination [${hex(start)}..${hex(end)}) not in valid guest RAM`;
    }
    return undefined;
  }

  notified(ch: number): void {
    const passthrough = this.guest.passthroughIrqs?.find((p) => p.ch === ch);
    if (passthrough) {
      // virq_handle_passthrough (virq.c:142-163); the example VMM's message when it fails.
      this.kernel.event('virq', `${this.ctx.name} passes INTID ${passthrough.intid} through to ${this.guest.name}`);
      if (!this.vcpu.vgic.inject(passthrough.intid)) {
        this.err(`could not inject passthrough vIRQ ${hex(passthrough.intid)}, dropped on vCPU 0x0`);
        this.err('Serial IRQ dropped');
        this.ctx.irqAck(ch);
      }
      return;
    }
    if (!this.console) return;
    // virt_rx's signal is a full queue-notify pass in libvmm's client VMM (client_vmm.c:169-170).
    if (ch === this.ch.rx) this.console.queueNotify();
    else if (ch === this.ch.tx)
      this.console.resumeTx(); // virt_tx consumed: resume a blocked TX
    else this.err(`Unexpected channel, ch: ${hex(ch)}`);
  }

  // ---- faults from the vCPU (the kernel delivers them to this PD; it runs them at once)

  read(gpa: number, size: 1 | 2 | 4): number | undefined {
    return this.kernel.runAs(
      this.pd,
      () => {
        this.kernel.charge(this.pd, VM_EXIT_COST_NS);
        const dist = this.distributorOffset(gpa, size);
        if (dist !== undefined) return this.distributor!.read(dist);
        const v = this.inVirtio(gpa, size) ? this.console!.read(gpa - this.guest.virtio.base, size) : undefined;
        if (v !== undefined && v >= 0) return v;
        const placeholder = this.placeholderAt(gpa, size);
        if (placeholder) return placeholderRegister(gpa - placeholder.base);
        this.fatal(gpa, false, v !== undefined || this.inVirtio(gpa, size));
        return undefined;
      },
      undefined,
    );
  }

  write(gpa: number, size: 1 | 2 | 4, value: number): boolean {
    return this.kernel.runAs(
      this.pd,
      () => {
        this.kernel.charge(this.pd, VM_EXIT_COST_NS);
        const dist = this.distributorOffset(gpa, size);
        if (dist !== undefined) {
          this.distributor!.write(dist, value);
          return true;
        }
        if (this.inVirtio(gpa, size) && this.console!.write(gpa - this.guest.virtio.base, size, value)) return true;
        if (this.placeholderAt(gpa, size)) return true;
        this.fatal(gpa, true, this.inVirtio(gpa, size));
        return false;
      },
      false,
    );
  }

  psci(functionId: number): void {
    this.kernel.runAs(
      this.pd,
      () => {
        if (functionId === PSCI_SYSTEM_OFF) {
          // guest_stop (psci.c:124-127, guest.c:114-119).
          this.info('Stopping guest');
          this.vcpu.halt('PSCI SYSTEM_OFF');
          this.info('Stopped guest');
        } else if (functionId === PSCI_SYSTEM_RESET) {
          this.resetGuest();
        } else if (PSCI_ANSWERED.has(functionId)) {
          // PSCI_VERSION, PSCI_FEATURES, MIGRATE_INFO_TYPE: libvmm answers them; the guest runs on.
        } else {
          this.err(`Unhandled PSCI function ID ${hex(functionId)}`);
          this.err('Failed to handle VCPU fault');
          this.vcpu.halt(`unhandled PSCI function ${hex(functionId)}`);
        }
      },
      undefined,
    );
  }

  /** The offset into the emulated distributor of a 32-bit access, or undefined when it is not one. */
  private distributorOffset(gpa: number, size: number): number | undefined {
    const d = this.guest.vgic;
    if (!this.distributor || !d || size !== 4 || gpa < d.base || gpa + size > d.base + d.size) return undefined;
    return gpa - d.base;
  }

  private placeholderAt(gpa: number, size: number): { base: number; size: number } | undefined {
    return this.guest.virtioPlaceholders?.find((p) => gpa >= p.base && gpa + size <= p.base + p.size);
  }

  private inVirtio(gpa: number, size: number): boolean {
    const v = this.guest.virtio;
    return this.console !== undefined && gpa >= v.base && gpa + size <= v.base + v.size;
  }

  /**
   * A fault libvmm cannot handle (fault.c:410-463, 494-497): a registered handler that failed says
   * so first, and then, as for an address with no handler, "unexpected memory fault".
   */
  private fatal(gpa: number, write: boolean, registered: boolean): void {
    const fsr = encodeStage2Fsr({ write });
    const unexpected = `unexpected memory fault on address: ${hex(gpa)}, FSR: ${hex(fsr)}, IP: 0x0, is_prefetch: false, is_write: ${write}`;
    let message = unexpected;
    if (registered) {
      const v = this.guest.virtio;
      message = `registered virtual memory exception handler for region [${hex(v.base)}..${hex(v.base + v.size)}) at address ${hex(gpa)} failed`;
      this.err(message);
    }
    this.err(unexpected);
    const owner = registered ? undefined : this.describeAddress?.(this.guest.name, gpa);
    if (owner) this.ctx.log(`${this.ctx.name}|ERROR: (emulator) ${hex(gpa)} belongs to ${owner.path} (${owner.where})`, 'error');
    this.err('Failed to handle virtual memory fault');
    this.faults.push({ timeNs: this.kernel.now, gpa, fsr, write, message, owner });
    this.vcpu.halt(registered ? 'virtio fault not handled' : `unexpected memory fault at ${hex(gpa)}`);
  }
}
