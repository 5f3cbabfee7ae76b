// Real components (called by bench/run.ts): sDDF's i.MX UART driver, virt_rx and virt_tx compiled
// to WebAssembly against the models, in the same run: full-path throughput (both guests flooding
// through the virtualisers, the driver and the UART, fast mode) with the models, with the real
// virtualisers over the model driver, and with all three real (the driver's register accesses
// through its device window); boot of the default example to both shells; memory; and the VMMs as
// libvmm 0.2.0 with the example's vmm.c against the model VMM (boot to both shells, the shared
// memory holding both 240 MiB guests, and what that costs in RSS).
import * as os from 'os';
import * as path from 'path';
import type { EmulatorConfig } from '../src/emulator/config';
import { createEmulator, type Emulator } from '../src/emulator/emulator';
import { exampleDualGuestConfig } from '../src/emulator/example-system';
import { emulatorConfigFromProject } from '../src/emulator/from-project';
import { ConsoleTestGuest } from '../src/emulator/guest/console-test-guest';
import { buildRealComponents } from '../src/emulator/real/components';
import { NodeFileHost } from '../src/node/file-host';
import { NodeWasmToolchain, sharedUpstreamSddf } from '../src/node/wasm-toolchain';
import { loadProject } from '../src/system/index';

const toolchain = new NodeWasmToolchain(path.join(os.tmpdir(), 'dual-guest-bench-wasm-cache'));
const sddf = sharedUpstreamSddf(path.resolve(__dirname, '..'));
const fill = (off: number, dst: Uint8Array): void => {
  for (let i = 0; i < dst.length; i++) dst[i] = 0x20 + ((off + i) % 95);
};

const EXAMPLE = path.resolve(__dirname, '../examples/dual-guest/dual-guest.json');
const VMMS = { 'CLIENT_VMM-1': 'real', 'CLIENT_VMM-2': 'real' } as const;

/** model: every PD a model; virtualisers: virt_rx and virt_tx real; all: the driver real too; vmms: the VMMs on libvmm. */
type Kind = 'model' | 'virtualisers' | 'all' | 'vmms';

function withReal(config: EmulatorConfig, kind: Kind): EmulatorConfig {
  if (kind === 'model') return config;
  const r = config.roles;
  const components =
    kind === 'all' ? ('real' as const) : kind === 'vmms' ? VMMS : { [r.virtRx ?? 'serial_virt_rx']: 'real' as const, [r.virtTx]: 'real' as const };
  const pdSources = kind === 'vmms' ? loadProject(EXAMPLE, new NodeFileHost()).components.pdSources : undefined;
  const built = buildRealComponents(config, { components, sddf: sddf!, pdSources }, toolchain);
  if (!built.real) throw new Error(built.diagnostics.map((d) => d.message).join('; '));
  return { ...config, real: built.real };
}

const idle = () => () => new ConsoleTestGuest({ virtioBase: 0x150000 });

function throughput(real: Kind, bytesPerGuest: number, reps: number): number {
  let best = 0;
  for (let r = 0; r < reps; r++) {
    const mk = () => () => new ConsoleTestGuest({ virtioBase: 0x150000, txTotal: bytesPerGuest, queueSize: 128, fill });
    const emu = createEmulator(withReal(exampleDualGuestConfig({ programs: [mk(), mk()], ramSize: 0x1000000 }), real)).emulator!;
    let out = 0;
    emu.onUartOutput((b) => {
      out += b.length;
    });
    const t0 = performance.now();
    emu.runUntilIdle(60e9);
    best = Math.max(best, out / 1e6 / ((performance.now() - t0) / 1000));
  }
  return best;
}

/** The default example from power-on to a root shell on both guests (fast mode), wall ms. */
function bootToShells(real: Kind, keep?: (emu: Emulator) => void): number {
  const host = new NodeFileHost();
  const project = loadProject(EXAMPLE, host);
  const { config } = emulatorConfigFromProject(project, { host, fast: true });
  const t0 = performance.now();
  const emu = createEmulator(withReal(config as EmulatorConfig, real)).emulator!;
  let text = '';
  emu.onUartOutput((b) => {
    text += Buffer.from(b).toString('latin1');
  });
  const count = (s: string): number => text.split(s).length - 1;
  const until = (done: () => boolean): void => {
    while (!done() && emu.now() < 30e9) emu.runFor(1_000_000);
    if (!done()) throw new Error('the example did not reach its shells');
  };
  until(() => count('login:') >= 2);
  emu.typeInput('root\r');
  until(() => count('# ') >= 1);
  emu.typeInput('@1\rroot\r');
  until(() => count('# ') >= 2);
  const ms = performance.now() - t0;
  keep?.(emu);
  return ms;
}

export function runRealComponentsBench(): Record<string, number> {
  const missing = toolchain.available() ?? (sddf ? undefined : 'no sDDF sources');
  if (missing) throw new Error(`real components cannot be built here: ${missing}`);
  // Build (or find in the cache) once before timing.
  withReal(exampleDualGuestConfig({ programs: [idle(), idle()], ramSize: 0x1000000 }), 'all');
  withReal(exampleDualGuestConfig({ programs: [idle(), idle()], ramSize: 0x1000000 }), 'virtualisers');
  const model = throughput('model', 5_000_000, 3);
  const virtualisers = throughput('virtualisers', 5_000_000, 3);
  const all = throughput('all', 5_000_000, 3);
  bootToShells('model');
  bootToShells('all');
  const bootModel = Math.min(bootToShells('model'), bootToShells('model'));
  const bootReal = Math.min(bootToShells('all'), bootToShells('all'));
  bootToShells('vmms');
  const bootVmms = Math.min(bootToShells('vmms'), bootToShells('vmms'));
  const rssBefore = process.memoryUsage().rss;
  let kept: Emulator | undefined;
  bootToShells('vmms', (e) => {
    kept = e;
  });
  const vmmsRss = (process.memoryUsage().rss - rssBefore) / 1e6;
  const vmmsMemory = (kept?.real?.space.size ?? 0) / 2 ** 20;
  const before = process.memoryUsage();
  const emu = createEmulator(withReal(exampleDualGuestConfig({ programs: [idle(), idle()], ramSize: 0x1000000 }), 'all')).emulator!;
  const after = process.memoryUsage();
  return {
    model_full_path_throughput_MBps: model,
    real_virtualisers_full_path_throughput_MBps: virtualisers,
    real_virtualisers_to_model_throughput_ratio: virtualisers / model,
    real_driver_and_virtualisers_full_path_throughput_MBps: all,
    real_driver_and_virtualisers_to_model_throughput_ratio: all / model,
    model_boot_to_both_shells_wall_ms: bootModel,
    real_boot_to_both_shells_wall_ms: bootReal,
    real_to_model_boot_ratio: bootReal / bootModel,
    real_shared_wasm_memory_KiB: (emu.real?.space.size ?? 0) / 1024,
    real_rss_delta_one_system_MB: (after.rss - before.rss) / 1e6,
    real_vmms_boot_to_both_shells_wall_ms: bootVmms,
    real_vmms_to_model_boot_ratio: bootVmms / bootModel,
    real_vmms_shared_wasm_memory_MiB: vmmsMemory,
    real_vmms_rss_delta_booted_system_MB: vmmsRss,
  };
}

if (require.main === module) console.log(runRealComponentsBench());
