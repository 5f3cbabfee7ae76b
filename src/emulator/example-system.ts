// The sel4devkit MaaXBoard dual-guest system (corpus/sel4devkit-dual/program.system) as an
// EmulatorConfig, with the guest programs supplied by the caller. Tests, benchmarks and demos use
// it when no `.system` file is at hand; from-project.ts builds the same shape from real files.
// The default example (examples/dual-guest) is the same system with the virtualisers at priority
// 99 and an initrd: the options below give it.
import type { EmulatorConfig, GuestConfig, SerialConfig } from './config';
import type { GuestProgram } from './guest/interface';

export const EXAMPLE_RAM_GPA = 0x40000000;
export const EXAMPLE_VIRTIO_BASE = 0x150000;
export const EXAMPLE_VIRTIO_SPI = 42;
export const EXAMPLE_UART_IRQ = 58;

export interface ExampleOptions {
  programs: [() => GuestProgram, () => GuestProgram];
  serial?: Partial<SerialConfig>;
  /** Guest RAM bytes (the real system has 0xf000000; tests use less). */
  ramSize?: number;
  vmSched?: [GuestConfig['sched'], GuestConfig['sched']];
  dtbs?: [Uint8Array, Uint8Array];
  /** Priority of serial_virt_tx and serial_virt_rx (100 here; examples/dual-guest has 99). */
  virtualiserPriority?: number;
  /** An initrd loaded into each guest (read only, so one copy serves both). */
  initrd?: GuestConfig['initrd'];
  /** Map the gpc region into the VMs, as the real system does (default true). */
  mapGpc?: boolean;
  seed?: number;
  describeAddress?: EmulatorConfig['describeAddress'];
}

/** The smallest valid flattened device tree: an empty root node. */
export function minimalDtb(): Uint8Array {
  const b = new Uint8Array(72);
  const v = new DataView(b.buffer);
  const words = [0xd00dfeed, 72, 56, 40, 72, 17, 16, 0, 0, 16];
  words.forEach((w, i) => v.setUint32(i * 4, w, false));
  // reserve map: one empty entry (40..55); structure block: BEGIN_NODE "", END_NODE, END.
  v.setUint32(56, 1, false);
  v.setUint32(60, 0, false);
  v.setUint32(64, 2, false);
  v.setUint32(68, 9, false);
  return b;
}

export function exampleDualGuestConfig(o: ExampleOptions): EmulatorConfig {
  const ramSize = o.ramSize ?? 0xf000000;
  const serial: SerialConfig = {
    switchChar: 0x40,
    clientBase: 0,
    terminateNumChar: 0x0d,
    colour: false,
    beginString: 'Begin input\r\n',
    rxEnabled: true,
    baud: 115200,
    fast: true,
    ...o.serial,
  };
  const memoryRegions = exampleMemoryRegions(ramSize);
  const virtualiserPriority = o.virtualiserPriority ?? 100;
  return {
    memoryRegions,
    pds: [
      { name: 'CLIENT_VMM-1', priority: 50, vmm: true },
      { name: 'CLIENT_VMM-2', priority: 50, vmm: true },
      { name: 'serial_virt_tx', priority: virtualiserPriority },
      { name: 'serial_virt_rx', priority: virtualiserPriority },
      { name: 'uart_driver', priority: 100, irqs: [{ irq: EXAMPLE_UART_IRQ, id: 0 }] },
    ],
    channels: [
      { a: { pd: 'CLIENT_VMM-1', id: 1 }, b: { pd: 'serial_virt_tx', id: 1 } },
      { a: { pd: 'CLIENT_VMM-2', id: 1 }, b: { pd: 'serial_virt_tx', id: 2 } },
      { a: { pd: 'uart_driver', id: 1 }, b: { pd: 'serial_virt_tx', id: 0 } },
      { a: { pd: 'CLIENT_VMM-1', id: 2 }, b: { pd: 'serial_virt_rx', id: 1 } },
      { a: { pd: 'CLIENT_VMM-2', id: 2 }, b: { pd: 'serial_virt_rx', id: 2 } },
      { a: { pd: 'uart_driver', id: 2 }, b: { pd: 'serial_virt_rx', id: 0 } },
    ],
    serial,
    roles: {
      driver: 'uart_driver',
      virtRx: 'serial_virt_rx',
      virtTx: 'serial_virt_tx',
      uartIrq: EXAMPLE_UART_IRQ,
      uartPaddr: 0x30860000,
      driverRx: { queueMr: 'rx_queue_serial_driver', dataMr: 'rx_data_serial_driver' },
      driverTx: { queueMr: 'tx_queue_serial_driver', dataMr: 'tx_data_serial_driver' },
      clients: [1, 2].map((i) => ({
        pd: `CLIENT_VMM-${i}`,
        name: `CLIENT_VMM-${i}`,
        rx: { queueMr: `rx_queue_serial_vmm_${i}`, dataMr: `rx_data_serial_vmm_${i}` },
        tx: { queueMr: `tx_queue_serial_vmm_${i}`, dataMr: `tx_data_serial_vmm_${i}` },
      })),
    },
    guests: [exampleGuest(o, 1, ramSize), exampleGuest(o, 2, ramSize)],
    seed: o.seed ?? 1,
    describeAddress: o.describeAddress,
  };
}

/** The example's memory regions: each guest's RAM, the devices, and sDDF's serial queues and data regions. */
function exampleMemoryRegions(ramSize: number): { name: string; size: number }[] {
  const mr = (name: string, size: number) => ({ name, size });
  const memoryRegions = [mr('client_vm_ram_1', ramSize), mr('client_vm_ram_2', ramSize), mr('gic_vcpu', 0x1000), mr('uart', 0x1000), mr('gpc', 0x10000)];
  for (const n of [
    'tx_data_serial_driver',
    'rx_data_serial_driver',
    'tx_data_serial_vmm_1',
    'rx_data_serial_vmm_1',
    'tx_data_serial_vmm_2',
    'rx_data_serial_vmm_2',
  ])
    memoryRegions.push(mr(n, 0x2000));
  for (const n of [
    'rx_queue_serial_driver',
    'tx_queue_serial_driver',
    'tx_queue_serial_vmm_1',
    'rx_queue_serial_vmm_1',
    'tx_queue_serial_vmm_2',
    'rx_queue_serial_vmm_2',
  ])
    memoryRegions.push(mr(n, 0x1000));
  return memoryRegions;
}

/** Guest `i` of the example (1 or 2): its VMM, RAM, DTB placement, virtio console and device maps. */
function exampleGuest(o: ExampleOptions, i: 1 | 2, ramSize: number): GuestConfig {
  return {
    vmm: `CLIENT_VMM-${i}`,
    name: `client_linux-${i}`,
    sched: o.vmSched?.[i - 1] ?? { priority: 50 },
    ramGpa: EXAMPLE_RAM_GPA,
    ramSize,
    ramMr: `client_vm_ram_${i}`,
    dtb: o.dtbs?.[i - 1] ?? minimalDtb(),
    dtbGpa: 0x44000000 < EXAMPLE_RAM_GPA + ramSize ? 0x44000000 : EXAMPLE_RAM_GPA + ramSize - 0x10000,
    initrd: o.initrd,
    virtio: { base: EXAMPLE_VIRTIO_BASE, size: 0x200, spi: EXAMPLE_VIRTIO_SPI },
    deviceMaps: [
      { name: 'gic_vcpu', gpa: 0x31000000, size: 0x1000, paddr: 0x31020000 },
      ...(o.mapGpc === false ? [] : [{ name: 'gpc', gpa: 0x303a0000, size: 0x10000, paddr: 0x303a0000 }]),
    ],
    program: o.programs[i - 1],
  };
}
