// The real components of one emulator: the shared memory, and the WebAssembly PDs that replace the
// models of the serial subsystem's PDs (virt_rx, virt_tx) or run native PDs that have no model. The
// emulator builds it before any region exists (the serial regions live in its memory) and attaches
// the PDs once the queues and channels are known.
import type { EmulatorConfig } from '../config';
import type { Kernel, PdThread } from '../kernel';
import type { SerialQueue } from '../queue';
import { SharedAddressSpace, VMM_SLOTS } from './address-space';
import type { RealComponentsConfig, RealPdModule, RealRole } from './real-config';
import { DEFAULT_TERMINATOR } from '../pds/virt-rx';
import { RealPd, queueCost, type DeviceWindow, type WorkCost } from './real-pd';
import { dataSegments } from './wasm-module';
import { RealVmmFaults } from './real-vmm';
import { NULL_PAGE_WINDOW } from './null-page';
import { Sel4VcpuInterface } from './sel4-vcpu';
import type { Vcpu } from '../vcpu';
import { GuestPhysical } from '../memory';
import { COST_PER_BYTE_NS, COST_PER_CHAIN_NS } from '../virtio/console';
import { MmioQueueRegisters } from '../virtio/mmio-queue-registers';

/** Where libvmm emulates the GIC distributor for the MaaXBoard (include/libvmm/arch/aarch64/vgic/vgic.h). */
const LIBVMM_GIC_DIST_PADDR = 0x38800000,
  LIBVMM_GIC_REDIST_PADDR = 0x38880000;
import { wasm } from './wasm-api';
export type { RealComponentsConfig, RealPdModule, RealRole } from './real-config';
import {
  ConfigWriter,
  writeClientConfig,
  writeDeviceResources,
  writeDriverConfig,
  writeVirtRxConfig,
  writeVirtTxConfig,
  type ConnectionValues,
} from './sddf-config';

/** The config section each role's program declares (sdfgen patches the same sections). */
const CONFIG_SECTION: Record<RealRole, string> = {
  driver: '.serial_driver_config',
  virtRx: '.serial_virt_rx_config',
  virtTx: '.serial_virt_tx_config',
  client: '.serial_client_config',
  vmm: '.serial_client_config',
};

/** The models' per-byte costs (pds/*.ts), so that real and model PDs share a timeline. */
const DRIVER_NS_PER_BYTE = 2;
const VIRT_RX_NS_PER_BYTE = 2;
const VIRT_TX_NS_PER_BYTE = 1;

export interface SerialQueues {
  /** Absent in a TX-only system. */
  driverRx: SerialQueue | undefined;
  driverTx: SerialQueue;
  clientRx: (SerialQueue | undefined)[];
  clientTx: SerialQueue[];
}

/** The UART as the driver's device window reaches it, and what its device_resources name. */
export interface DriverDevice {
  uart: { read(offset: number): number; write(offset: number, value: number): void };
  /** The UART's physical address (device_resources' io_addr) and window size. */
  paddr: number;
  size: number;
  /** The driver's channel for the UART's IRQ. */
  irqChannel: number;
}

/** The name of the UART's window in the shared memory. */
const UART_WINDOW = 'uart';
/** The i.MX UART's register page (sDDF drivers/serial/imx/config.json: "size": 4096). */
const UART_WINDOW_SIZE = 0x1000;

export class RealSystem {
  readonly space: SharedAddressSpace;
  readonly pds = new Map<string, RealPd>();
  /** Each real VMM's side of its vCPU (its faults), by PD name. */
  readonly vmmFaults = new Map<string, RealVmmFaults>();
  /** virt_tx's client output as it consumes it (the same tap as the model's). */
  tap: ((client: number, bytes: Uint8Array) => void) | undefined;

  constructor(
    private readonly config: EmulatorConfig,
    readonly real: RealComponentsConfig,
  ) {
    const r = config.roles;
    const serialMrs = new Set<string>();
    for (const c of [r.driverRx, r.driverTx, ...r.clients.flatMap((x) => [x.rx, x.tx])]) {
      if (!c) continue;
      serialMrs.add(c.queueMr);
      serialMrs.add(c.dataMr);
    }
    // A real VMM's guest RAM lives here too: the guest model, libvmm and the inspector share its bytes.
    const vmms = new Set(real.pds.filter((p) => p.role === 'vmm').map((p) => p.pd));
    for (const g of config.guests) if (vmms.has(g.vmm) && g.ramMr) serialMrs.add(g.ramMr);
    const regions = config.memoryRegions.filter((m) => serialMrs.has(m.name));
    const windows = real.pds.some((p) => p.role === 'driver') ? [{ name: UART_WINDOW, size: UART_WINDOW_SIZE }] : [];
    this.space = new SharedAddressSpace(Math.max(0, ...real.pds.map((p) => p.slot + (p.role === 'vmm' ? VMM_SLOTS : 1))), regions, windows);
  }

  regionBytes(name: string): Uint8Array | undefined {
    return this.space.regionBytes(name);
  }

  /**
   * What its work costs a real PD: the models' per-byte costs for the bytes it moves through its
   * queues and, for a VMM, its virtio console's per-chain cost for each chain used, so both share a timeline.
   */
  private costsOf(m: RealPdModule, queues: SerialQueues, virtio: MmioQueueRegisters | undefined): WorkCost[] {
    if (m.role === 'driver') {
      const costs = [queueCost(queues.driverTx, 'head', DRIVER_NS_PER_BYTE)];
      if (queues.driverRx) costs.push(queueCost(queues.driverRx, 'tail', DRIVER_NS_PER_BYTE));
      return costs;
    }
    if (m.role === 'virtRx') return queues.driverRx ? [queueCost(queues.driverRx, 'head', VIRT_RX_NS_PER_BYTE)] : [];
    if (m.role === 'virtTx') return queues.clientTx.map((q) => queueCost(q, 'head', VIRT_TX_NS_PER_BYTE));
    const client = this.config.roles.clients.findIndex((c) => c.pd === m.pd);
    if (m.role !== 'vmm' || client < 0) return [];
    const rxq = queues.clientRx[client];
    const costs = [queueCost(queues.clientTx[client], 'tail', COST_PER_BYTE_NS)];
    if (rxq) costs.push(queueCost(rxq, 'head', COST_PER_BYTE_NS));
    for (const q of virtio?.vqs ?? []) costs.push({ position: () => q.usedIdx() ?? 0, modulus: 0x10000, nsPerUnit: COST_PER_CHAIN_NS });
    return costs;
  }

  /** Instantiate every real PD, fill its sDDF config and make it the PD's program. */
  attach(
    kernel: Kernel,
    queues: SerialQueues,
    chBetween: (from: string, to: string | undefined) => number,
    device: DriverDevice,
    vcpuOf: (vmm: string) => Vcpu | undefined = () => undefined,
  ): void {
    const r = this.config.roles,
      serial = this.config.serial;
    // An absent connection (RX in a TX-only system) is all zeros, as sdfgen leaves it.
    const conn = (c: { queueMr: string; dataMr: string; capacity?: number } | undefined, id: number): ConnectionValues => {
      if (!c) return { queue: { vaddr: 0, size: 0 }, data: { vaddr: 0, size: 0 }, id: 0 };
      const q = this.space.regions.get(c.queueMr)!,
        d = this.space.regions.get(c.dataMr)!;
      return { queue: { vaddr: q.address, size: q.size }, data: { vaddr: d.address, size: c.capacity ?? d.size }, id };
    };
    for (const m of this.real.pds) {
      const pd = kernel.pds.get(m.pd);
      if (!pd) continue;
      const module = new wasm.Module(m.wasm);
      const vcpu = m.role === 'vmm' ? vcpuOf(m.pd) : undefined;
      const virtio = vcpu && this.virtioRegisters(m.pd, vcpu);
      const costs = this.costsOf(m, queues, virtio);
      const sel4 = vcpu
        ? new Sel4VcpuInterface(this.space.memory, {
            vcpu: (id) => (id === 0 ? vcpu : undefined),
            event: (k, t) => kernel.event(k, t),
            injected: (vm, intid) => kernel.observer?.virq(pd, vm, intid),
          })
        : undefined;
      const program = new RealPd(kernel.contextFor(pd), module, this.space.memory, costs, this.deviceWindowOf(m, device), sel4 ? { sel4: sel4.imports() } : {});
      program.setName(m.pd);
      const section = dataSegments(m.wasm).find((s) => s.name === CONFIG_SECTION[m.role]);
      if (!section || section.address === undefined) throw new Error(`the program of '${m.pd}' has no ${CONFIG_SECTION[m.role]} section for its sDDF config`);
      const w = new ConfigWriter(this.real.layout, this.space.memory.buffer, section.address, section.size);
      if (m.role === 'driver') {
        writeDriverConfig(w, {
          rx: conn(r.driverRx, chBetween(m.pd, r.virtRx)),
          tx: conn(r.driverTx, chBetween(m.pd, r.virtTx)),
          baud: serial.baud,
          rxEnabled: serial.rxEnabled,
        });
        const res = dataSegments(m.wasm).find((s) => s.name === '.device_resources');
        if (!res || res.address === undefined) throw new Error(`the program of '${m.pd}' has no .device_resources section`);
        writeDeviceResources(new ConfigWriter(this.real.layout, this.space.memory.buffer, res.address, res.size), {
          regions: [{ vaddr: this.space.windows.get(UART_WINDOW)!.address, size: UART_WINDOW_SIZE, ioAddr: device.paddr }],
          irqs: [device.irqChannel],
        });
      } else if (m.role === 'virtRx') {
        writeVirtRxConfig(w, {
          driver: conn(r.driverRx, chBetween(m.pd, r.driver)),
          clients: r.clients.map((c) => conn(c.rx, chBetween(m.pd, c.pd))),
          switchChar: serial.switchChar,
          terminator: this.config.serial.terminateNumChar ?? DEFAULT_TERMINATOR,
        });
      } else if (m.role === 'virtTx') {
        writeVirtTxConfig(w, {
          driver: conn(r.driverTx, chBetween(m.pd, r.driver)),
          clients: r.clients.map((c) => ({ conn: conn(c.tx, chBetween(m.pd, c.pd)), name: c.name })),
          beginString: serial.beginString,
          colour: serial.colour,
          rxEnabled: serial.rxEnabled,
        });
        this.installTap(program, queues.clientTx);
      } else {
        if (vcpu) this.attachVmm(kernel, pd, program, vcpu, virtio);
        const i = r.clients.findIndex((c) => c.pd === m.pd);
        writeClientConfig(w, { rx: conn(r.clients[i].rx, chBetween(m.pd, r.virtRx)), tx: conn(r.clients[i].tx, chBetween(m.pd, r.virtTx)) });
      }
      pd.program = program;
      this.pds.set(m.pd, program);
    }
  }

  /**
   * A real VMM manages its VM's vCPU through seL4 (sel4-vcpu.ts): the vCPU's faults go to its
   * `fault` entry, it loads the list registers, and it starts the guest program itself. Microkit
   * patches guest_ram_vaddr (setvar_vaddr) with where the RAM is in the PD: here, in this memory.
   */
  private attachVmm(kernel: Kernel, pd: PdThread, program: RealPd, vcpu: Vcpu, virtio: MmioQueueRegisters | undefined): void {
    const g = this.config.guests.find((x) => x.vmm === pd.name)!;
    const ram = g.ramMr ? this.space.regions.get(g.ramMr) : undefined;
    if (!ram) throw new Error(`the guest RAM of '${g.name}' must be a memory region of the system for its real VMM to map`);
    const at = program.symbolAddress('guest_ram_vaddr');
    if (at === undefined) throw new Error(`the VMM program of '${pd.name}' defines no guest_ram_vaddr (Microkit's setvar_vaddr for the guest RAM)`);
    new DataView(this.space.memory.buffer).setBigUint64(at, BigInt(ram.address), true);
    vcpu.programFactory = g.program;
    vcpu.vgic.vmmLoadsListRegisters = true;
    vcpu.distributorBase = LIBVMM_GIC_DIST_PADDR;
    vcpu.redistributorBase = LIBVMM_GIC_REDIST_PADDR;
    const describe = this.config.describeAddress;
    const faults = new RealVmmFaults(kernel, pd, program, vcpu, 0, describe ? (gpa) => describe(g.name, gpa) : undefined, virtio);
    vcpu.faultHandler = faults;
    this.vmmFaults.set(pd.name, faults);
  }

  /** The window whose accesses leave a PD's WebAssembly: a driver's device registers, a VMM's null page. */
  private deviceWindowOf(m: RealPdModule, device: DriverDevice): DeviceWindow | undefined {
    if (m.role === 'vmm') return NULL_PAGE_WINDOW;
    const window = m.role === 'driver' ? this.space.windows.get(UART_WINDOW) : undefined;
    return window && { base: window.address, size: window.size, read: (o) => device.uart.read(o), write: (o, v) => device.uart.write(o, v) };
  }

  /** The queue registers of a VMM's virtio console (an sDDF client's), read back from the guest's accesses. */
  private virtioRegisters(vmm: string, vcpu: Vcpu): MmioQueueRegisters | undefined {
    const g = this.config.guests.find((x) => x.vmm === vmm);
    if (!g || !this.config.roles.clients.some((c) => c.pd === vmm)) return undefined;
    return new MmioQueueRegisters(g.virtio, new GuestPhysical(vcpu.ram, vcpu.ramBase), 2);
  }

  /** The client virt_rx sends to (its `current_client`), when virt_rx is real. */
  currentClient(): number | undefined {
    const rx = this.config.roles.virtRx === undefined ? undefined : this.pds.get(this.config.roles.virtRx);
    const at = rx?.symbolAddress('current_client');
    return at === undefined ? undefined : new DataView(this.space.memory.buffer).getUint32(at, true);
  }

  isReal(pd: PdThread | string): boolean {
    return this.pds.has(typeof pd === 'string' ? pd : pd.name);
  }

  private installTap(program: RealPd, clientTx: SerialQueue[]): void {
    const heads = clientTx.map(() => 0);
    program.beforeHandler = () => {
      if (this.tap) clientTx.forEach((q, i) => (heads[i] = q.head));
    };
    program.afterHandler = () => {
      const tap = this.tap;
      if (!tap) return;
      clientTx.forEach((q, i) => {
        const n = (q.head - heads[i]) >>> 0;
        if (n === 0) return;
        const out = new Uint8Array(n);
        for (let k = 0; k < n; k++) out[k] = q.data[(heads[i] + k) & (q.capacity - 1)];
        tap(i, out);
      });
    };
  }
}
