// Shared set-up for the guest tests: the default example's device trees compiled by the project's
// compiler, and the dual-guest system of examples/dual-guest (the shared example config with that
// file's virtualiser priority and initrd) running the Linux model on the real emulator.
import { readFileSync } from 'fs';
import * as path from 'path';
import { MemoryFileHost } from '../../../src/common/host';
import { compileFiles, writeDtb, type CompileResult } from '../../../src/devicetree/compile';
import type { EmulatorConfig } from '../../../src/emulator/config';
import { createEmulator, type Emulator } from '../../../src/emulator/emulator';
import { EXAMPLE_RAM_GPA, exampleDualGuestConfig } from '../../../src/emulator/example-system';
import type { GuestProgram } from '../../../src/emulator/guest/interface';
import { LinuxGuest, type LinuxGuestOptions } from '../../../src/emulator/guest/linux';

export const EXAMPLE_DIR = path.resolve(__dirname, '..', '..', '..', 'examples', 'dual-guest');
export const RAM_GPA = EXAMPLE_RAM_GPA;
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
  /** A change to the config before it is built (e.g. a PD made passive). */
  edit?: (config: EmulatorConfig) => void;
}

export interface DualSystem {
  /** The config it was built from. */
  config: EmulatorConfig;
  emulator: Emulator;
  guests: LinuxGuest[];
  /** What each guest wrote to its console (as virt_tx takes it), as text. */
  output: [string, string];
  uart(): string;
  logs(): string[];
}

/** The example's dual-guest system on the real emulator, in fast mode. */
export function dualSystem(opts: DualOptions = {}): DualSystem {
  const guests: LinuxGuest[] = [];
  const linux = (n: 1 | 2) => (): GuestProgram => {
    const g = new LinuxGuest(opts.guestOptions);
    guests[n - 1] = g;
    return g;
  };
  const config = exampleDualGuestConfig({
    programs: opts.programs ?? [linux(1), linux(2)],
    ramSize: RAM_SIZE,
    dtbs: opts.dtbs ?? [exampleDtb(1), exampleDtb(2)],
    virtualiserPriority: 99,
    initrd: { gpa: INITRD_GPA, bytes: new Uint8Array(INITRD_END - INITRD_GPA) },
    mapGpc: opts.mapGpc,
    describeAddress: (_vm, gpa) =>
      gpa >= 0x30860000 && gpa < 0x30870000
        ? {
            path: '/soc@0/bus@30800000/serial@30860000',
            driver: 'imx-uart',
            defined: { file: '/board.dts', start: { line: 0, col: 0 }, end: { line: 0, col: 1 } },
            where: '/board.dts:1:1',
          }
        : undefined,
  });
  opts.edit?.(config);
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
    config,
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
