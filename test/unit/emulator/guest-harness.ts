// Shared set-up for the guest tests: the default example's device trees compiled by the project's
// compiler, and the dual-guest system of examples/dual-guest as an EmulatorConfig built by hand
// (the same PDs, priorities, channels, regions and addresses as dual-guest.system), running the
// Linux model on the real emulator.
import { readFileSync } from 'fs';
import * as path from 'path';
import { MemoryFileHost } from '../../../src/common/host';
import { compileFiles, writeDtb, type CompileResult } from '../../../src/devicetree/compile';
import type { EmulatorConfig, GuestConfig, QueueConnection } from '../../../src/emulator/config';
import { createEmulator, type Emulator } from '../../../src/emulator/emulator';
import type { GuestProgram } from '../../../src/emulator/guest/interface';
import { LinuxGuest, type LinuxGuestOptions } from '../../../src/emulator/guest/linux';

export const EXAMPLE_DIR = path.resolve(__dirname, '..', '..', '..', 'examples', 'dual-guest');
export const RAM_GPA = 0x40000000;
export const RAM_SIZE = 0xf000000;
export const DTB_GPA = 0x44000000;
export const INITRD_GPA = 0x44500000;
export const INITRD_END = 0x47000000;
export const CONSOLE_INTID = 74;

/** board.dts + guest-N.dts (+ an extra overlay appended, like another file) compiled by the project's compiler. */
export function exampleCompile(guest: 1 | 2, extraOverlay?: string): CompileResult {
  const host = new MemoryFileHost();
  const files = [path.join(EXAMPLE_DIR, 'board.dts'), path.join(EXAMPLE_DIR, `guest-${guest}.dts`)];
  for (const f of files) host.set(f, readFileSync(f));
  if (extraOverlay !== undefined) {
    host.set('/extra.dts', extraOverlay);
    files.push('/extra.dts');
  }
  return compileFiles(files, { host });
}

/** The same, as DTB bytes; a compile error fails the test that asked. */
export function exampleDtb(guest: 1 | 2, extraOverlay?: string): Uint8Array {
  const r = exampleCompile(guest, extraOverlay);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`example DT does not compile: ${errors.map((d) => d.message).join('; ')}`);
  return writeDtb(r.tree);
}

export interface DualOptions {
  dtbs?: [Uint8Array, Uint8Array];
  guestOptions?: LinuxGuestOptions;
  /** Map the gpc region into the VMs (the real system does). */
  mapGpc?: boolean;
  /** Programs to run instead of the Linux model. */
  programs?: [() => GuestProgram, () => GuestProgram];
}

export interface DualSystem {
  emulator: Emulator;
  guests: LinuxGuest[];
  /** What each guest wrote to its console (as virt_tx takes it), as text. */
  output: [string, string];
  uart(): string;
  logs(): string[];
}

function conn(queueMr: string, dataMr: string): QueueConnection {
  return { queueMr, dataMr };
}

/** The example's dual-guest system on the real emulator, in fast mode. */
export function dualSystem(opts: DualOptions = {}): DualSystem {
  const dtbs = opts.dtbs ?? [exampleDtb(1), exampleDtb(2)];
  const guests: LinuxGuest[] = [];
  const mrs = ['driver', 'vmm_1', 'vmm_2'].flatMap((s) => [
    { name: `tx_data_serial_${s}`, size: 0x2000 },
    { name: `rx_data_serial_${s}`, size: 0x2000 },
    { name: `tx_queue_serial_${s}`, size: 0x1000 },
    { name: `rx_queue_serial_${s}`, size: 0x1000 },
  ]);
  const guest = (n: 1 | 2): GuestConfig => ({
    vmm: `CLIENT_VMM-${n}`,
    name: `client_linux-${n}`,
    sched: { priority: 50 },
    ramGpa: RAM_GPA,
    ramSize: RAM_SIZE,
    dtb: dtbs[n - 1],
    dtbGpa: DTB_GPA,
    initrd: { gpa: INITRD_GPA, bytes: new Uint8Array(INITRD_END - INITRD_GPA) },
    virtio: { base: 0x150000, size: 0x200, spi: 42 },
    deviceMaps: [{ name: 'gic_vcpu', gpa: 0x31000000, size: 0x1000 }, ...(opts.mapGpc === false ? [] : [{ name: 'gpc', gpa: 0x303a0000, size: 0x10000 }])],
    program:
      opts.programs?.[n - 1] ??
      (() => {
        const g = new LinuxGuest(opts.guestOptions);
        guests[n - 1] = g;
        return g;
      }),
  });
  const config: EmulatorConfig = {
    memoryRegions: mrs,
    pds: [
      { name: 'CLIENT_VMM-1', priority: 50 },
      { name: 'CLIENT_VMM-2', priority: 50 },
      { name: 'serial_virt_tx', priority: 99 },
      { name: 'serial_virt_rx', priority: 99 },
      { name: 'uart_driver', priority: 100, irqs: [{ irq: 58, id: 0 }] },
    ],
    channels: [
      { a: { pd: 'CLIENT_VMM-1', id: 1 }, b: { pd: 'serial_virt_tx', id: 1 } },
      { a: { pd: 'CLIENT_VMM-2', id: 1 }, b: { pd: 'serial_virt_tx', id: 2 } },
      { a: { pd: 'uart_driver', id: 1 }, b: { pd: 'serial_virt_tx', id: 0 } },
      { a: { pd: 'CLIENT_VMM-1', id: 2 }, b: { pd: 'serial_virt_rx', id: 1 } },
      { a: { pd: 'CLIENT_VMM-2', id: 2 }, b: { pd: 'serial_virt_rx', id: 2 } },
      { a: { pd: 'uart_driver', id: 2 }, b: { pd: 'serial_virt_rx', id: 0 } },
    ],
    serial: { switchChar: 0x40, clientBase: 0, colour: false, beginString: 'Begin input\r\n', rxEnabled: true, baud: 115200, fast: true },
    roles: {
      driver: 'uart_driver',
      virtRx: 'serial_virt_rx',
      virtTx: 'serial_virt_tx',
      uartIrq: 58,
      uartPaddr: 0x30860000,
      driverRx: conn('rx_queue_serial_driver', 'rx_data_serial_driver'),
      driverTx: conn('tx_queue_serial_driver', 'tx_data_serial_driver'),
      clients: [1, 2].map((n) => ({
        pd: `CLIENT_VMM-${n}`,
        name: `client_linux-${n}`,
        rx: conn(`rx_queue_serial_vmm_${n}`, `rx_data_serial_vmm_${n}`),
        tx: conn(`tx_queue_serial_vmm_${n}`, `tx_data_serial_vmm_${n}`),
      })),
    },
    guests: [guest(1), guest(2)],
    describeAddress: (_vm, gpa) => (gpa >= 0x30860000 && gpa < 0x30870000 ? '/soc@0/bus@30800000/serial@30860000' : undefined),
  };
  const r = createEmulator(config);
  if (!r.emulator) throw new Error(`emulator config rejected: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  const emulator = r.emulator;
  const output: [string, string] = ['', ''];
  let uart = '';
  const latin1 = new TextDecoder('latin1');
  emulator.onClientOutput((client, bytes) => {
    output[client] += latin1.decode(bytes);
  });
  emulator.onUartOutput((bytes) => {
    uart += latin1.decode(bytes);
  });
  return {
    emulator,
    guests,
    output,
    uart: () => uart,
    logs: () => emulator.logs().map((l) => `${l.source}: ${l.text}`),
  };
}

/** Run in steps until `done()` or `maxNs` of virtual time passed; returns whether done() became true. */
export function runUntil(sys: DualSystem, done: () => boolean, maxNs: number, stepNs = 2_000_000): boolean {
  const end = sys.emulator.now() + maxNs;
  while (!done()) {
    if (sys.emulator.now() >= end) return false;
    sys.emulator.runFor(stepNs);
  }
  return true;
}

/** Both guests at their login prompt. */
export function bootBoth(sys: DualSystem, maxNs = 2_000_000_000): boolean {
  return runUntil(sys, () => sys.output[0].includes('login: ') && sys.output[1].includes('login: '), maxNs);
}
