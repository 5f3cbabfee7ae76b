// Choosing models or real code per PD, and building the real ones: which sDDF sources make each
// serial role (as sDDF's makefile snippets list them), with the emulator's OS layer in front of
// sDDF's include directory. A missing compiler is a warning and the models run; a build that fails
// is an error with the compiler's message.
import type { Diagnostic } from '../../common/diagnostics';
import { dirname, join } from '../../common/paths';
import type { EmulatorConfig } from '../config';
import { SharedAddressSpace, STACK_SIZE, VMM_SLOTS } from './address-space';
import { rewriteDeviceAccesses } from './mmio-rewrite';
import { LAYOUT_PROBE_EXPORTS, layoutProbeSource, readLayout } from './layout';
import type { RealComponentsConfig, RealPdModule, RealRole } from './real-config';
import { ToolchainBuildError, ToolchainMissingError, type PdBuildSpec, type WasmToolchain } from './toolchain';
import { arm64ImageHeader, vmmBuildSpec } from './vmm-build';
import { spiToIntid } from '../devices/gic';
import { DEFAULT_BOARD, type UartModel } from '../boards';

export type ComponentKind = 'model' | 'real';

export interface ComponentsRequest {
  /** For every PD, or per PD name (PDs not named: 'model'). */
  components: ComponentKind | Record<string, ComponentKind>;
  /** The sDDF checkout the serial components are compiled from. */
  sddf: string;
  /** The libvmm checkout real VMMs are built on; default: `libvmm` beside the sDDF checkout. */
  libvmm?: string;
  /** A native PD's own code: C sources, include dirs, defines (by PD name). */
  pdSources?: Record<string, { sources: string[]; includeDirs?: string[]; defines?: string[] }>;
}

/** sDDF's debug build (its dprintf logs and asserts), printing on, and the fences as compiler barriers. */
const DEFINES = ['CONFIG_DEBUG_BUILD', 'CONFIG_PRINTING', 'CONFIG_ARCH_X86_64'];

const ROLE_SOURCES: Record<Exclude<RealRole, 'client' | 'vmm' | 'driver'>, string[]> = {
  virtRx: ['serial/components/virt_rx.c'],
  virtTx: ['serial/components/virt_tx.c'],
};
/**
 * sDDF's UART driver for each UART model the board has (its serial_driver.mk: the source, its -I),
 * and the platform macro the driver's code tests (the Meson driver divides its clock per board).
 */
const UART_DRIVERS: Record<UartModel, { dir: string; defines: string[] }> = {
  imx: { dir: 'drivers/serial/imx', defines: [] },
  pl011: { dir: 'drivers/serial/arm', defines: [] },
  meson: { dir: 'drivers/serial/meson', defines: ['CONFIG_PLAT_ODROIDC4'] },
};
/** libsddf_util_debug: printf, the debug putchar (seL4_DebugPutChar), assert. */
const UTIL_DEBUG = ['util/printf.c', 'util/putchar_debug.c', 'util/assert.c'];
/** libsddf_util for clients: putchar through the serial TX queue. */
const UTIL_SERIAL = ['util/printf.c', 'util/putchar_serial.c', 'util/assert.c'];
/** Symbols the emulator reads (the inspector's current client). */
const EXPORTS = ['current_client'];

/**
 * The request for a project: the project file's choice unless `override` (the boot flag, the
 * setting, or a recording's choice per PD) says otherwise; sDDF from the project file, else `defaultSddf` (the shared upstream copy
 * beside a clone). undefined when everything runs as models.
 */
export function componentsRequestFor(
  project: { components: { components: ComponentsRequest['components']; sddf?: string; pdSources: NonNullable<ComponentsRequest['pdSources']> } },
  override: ComponentKind | Record<string, ComponentKind> | undefined,
  defaultSddf: string | undefined,
): { request?: ComponentsRequest; diagnostics: Diagnostic[] } {
  const pc = project.components;
  const components = override ?? pc.components;
  const anyReal =
    components === 'real' || (typeof components === 'object' && Object.values(components).includes('real')) || Object.keys(pc.pdSources).length > 0;
  if (!anyReal) return { diagnostics: [] };
  const sddf = pc.sddf ?? defaultSddf;
  if (!sddf) {
    return {
      diagnostics: [
        {
          severity: 'warning',
          code: 'real-components',
          message: 'real components need an sDDF checkout: name it in the project file ("sddf": "../sddf"); booting with the models',
        },
      ],
    };
  }
  return { request: { components, sddf, pdSources: pc.pdSources }, diagnostics: [] };
}

export function kindOf(req: ComponentsRequest, pd: string): ComponentKind {
  return typeof req.components === 'string' ? req.components : (req.components[pd] ?? 'model');
}

export interface BuildResult {
  real: RealComponentsConfig | undefined;
  diagnostics: Diagnostic[];
}

export function buildRealComponents(config: EmulatorConfig, req: ComponentsRequest, toolchain: WasmToolchain): BuildResult {
  const diagnostics: Diagnostic[] = [];
  const wanted = wantedComponents(config, req, diagnostics);
  if (wanted.length === 0 || diagnostics.some((d) => d.severity === 'error')) return { real: undefined, diagnostics };
  const missing = toolchain.available();
  if (missing) {
    diagnostics.push({ severity: 'warning', code: 'real-components', message: `${missing}; booting with the models` });
    return { real: undefined, diagnostics };
  }
  const include = join(req.sddf, 'include');
  try {
    const probe = toolchain.build({
      name: 'sDDF layout probe',
      sources: [],
      generated: [{ name: 'sddf_layout_probe.c', text: layoutProbeSource() }],
      includeDirs: [include],
      defines: DEFINES,
      globalBase: 1024,
      stackSize: 0x4000,
      exports: LAYOUT_PROBE_EXPORTS,
    });
    const layout = readLayout(probe);
    let nextSlot = 0;
    const pds: RealPdModule[] = wanted.map((w) => {
      const slot = nextSlot;
      nextSlot += w.role === 'vmm' ? VMM_SLOTS : 1;
      return { pd: w.pd, role: w.role, slot, wasm: buildPd(config, req, toolchain, w, slot) };
    });
    // Said at every boot, so that a user (and the Problems view) can tell real code from the models.
    diagnostics.push({
      severity: 'info',
      code: 'real-components',
      message: `running as C code compiled to WebAssembly: ${pds.map((p) => `'${p.pd}'`).join(', ')}; the other PDs are models`,
    });
    return { real: { layout, pds }, diagnostics };
  } catch (e) {
    if (e instanceof ToolchainMissingError) {
      diagnostics.push({ severity: 'warning', code: 'real-components', message: `${e.message}; booting with the models` });
      return { real: undefined, diagnostics };
    }
    const message = e instanceof ToolchainBuildError || e instanceof Error ? e.message : String(e);
    diagnostics.push({ severity: 'error', code: 'real-components', message: `cannot build the real components: ${message}` });
    return { real: undefined, diagnostics };
  }
}

/** The PDs that run their C code: asked for as real and buildable (sources for a VMM or a native client). */
function wantedComponents(config: EmulatorConfig, req: ComponentsRequest, diagnostics: Diagnostic[]): { pd: string; role: RealRole }[] {
  const r = config.roles;
  const wanted: { pd: string; role: RealRole }[] = [];
  if (kindOf(req, r.driver) === 'real') wanted.push({ pd: r.driver, role: 'driver' });
  if (r.virtRx !== undefined && kindOf(req, r.virtRx) === 'real') wanted.push({ pd: r.virtRx, role: 'virtRx' });
  if (kindOf(req, r.virtTx) === 'real') wanted.push({ pd: r.virtTx, role: 'virtTx' });
  const isVmm = (pd: string): boolean => config.guests.some((g) => g.vmm === pd);
  for (const g of config.guests) {
    if (kindOf(req, g.vmm) !== 'real') continue;
    if (!req.pdSources?.[g.vmm]) {
      diagnostics.push({
        severity: 'warning',
        code: 'real-components',
        message: `'${g.vmm}' runs as the model VMM: name its VMM program in the project file to run it on libvmm ("pds": {"${g.vmm}": {"sources": ["vmm.c"]}})`,
      });
    } else wanted.push({ pd: g.vmm, role: 'vmm' });
  }
  for (const c of r.clients) {
    if (isVmm(c.pd)) continue;
    if (req.pdSources?.[c.pd]) wanted.push({ pd: c.pd, role: 'client' });
    else if (kindOf(req, c.pd) === 'real') {
      diagnostics.push({
        severity: 'error',
        code: 'real-components',
        message: `'${c.pd}' has no model and no sources: name its C files in the project file ("pds": {"${c.pd}": {"sources": [...]}})`,
      });
    }
  }
  const rx = wanted.findIndex((w) => w.role === 'virtRx');
  if (config.serial.clientBase !== 0 && rx >= 0) {
    diagnostics.push({
      severity: 'warning',
      code: 'real-components',
      message: `sDDF's virt_rx numbers clients from 0; the project's clientBase ${config.serial.clientBase} needs the model: '${r.virtRx}' runs as the model`,
    });
    wanted.splice(rx, 1);
  }
  return wanted;
}

/** One PD's module: sDDF's program for its role, or the user's sources; a driver's and a VMM's memory accesses rewritten. */
function buildPd(config: EmulatorConfig, req: ComponentsRequest, toolchain: WasmToolchain, w: { pd: string; role: RealRole }, slot: number): Uint8Array {
  const own = req.pdSources?.[w.pd];
  // A VMM's accesses are checked against the null page (null-page.ts), where libvmm's NULL goes.
  if (w.role === 'vmm') return rewriteDeviceAccesses(toolchain.build(vmmSpec(config, req, w.pd, own!, slot))).bytes;
  const include = join(req.sddf, 'include');
  const driver = UART_DRIVERS[(config.board ?? DEFAULT_BOARD).uart.model];
  const roleSources = w.role === 'driver' ? [`${driver.dir}/uart.c`] : w.role === 'client' ? [] : ROLE_SOURCES[w.role];
  const spec: PdBuildSpec = {
    name: w.pd,
    sources:
      w.role === 'client'
        ? [...own!.sources, ...UTIL_SERIAL.map((f) => join(req.sddf, f))]
        : [...roleSources.map((f) => join(req.sddf, f)), ...UTIL_DEBUG.map((f) => join(req.sddf, f))],
    includeDirs: [...(own?.includeDirs ?? []), ...(w.role === 'driver' ? [join(req.sddf, driver.dir, 'include')] : []), include],
    defines: [...DEFINES, ...(w.role === 'driver' ? driver.defines : []), ...(own?.defines ?? [])],
    globalBase: SharedAddressSpace.slotBase(slot),
    stackSize: STACK_SIZE,
    exports: EXPORTS,
    runtime: w.role === 'driver' ? ['mmio.c'] : [],
  };
  const built = toolchain.build(spec);
  // A driver's loads and stores reach its device window through the runtime's helpers.
  return w.role === 'driver' ? rewriteDeviceAccesses(built).bytes : built;
}

/** A real VMM's build: its program and libvmm, with the guest's addresses from the project as -D definitions. */
function vmmSpec(
  config: EmulatorConfig,
  req: ComponentsRequest,
  pd: string,
  own: NonNullable<ComponentsRequest['pdSources']>[string],
  slot: number,
): PdBuildSpec {
  const g = config.guests.find((x) => x.vmm === pd)!;
  const hex = (n: number): string => `0x${n.toString(16)}`;
  return vmmBuildSpec({
    name: pd,
    programSources: own.sources,
    includeDirs: own.includeDirs,
    defines: [
      `GUEST_RAM_START_GPA=${hex(g.ramGpa)}`,
      `GUEST_RAM_SIZE=${hex(g.ramSize)}`,
      `GUEST_DTB_GPA=${hex(g.dtbGpa)}`,
      `GUEST_INIT_RAM_DISK_GPA=${hex(g.initrd?.gpa ?? noInitrdGpa(g))}`,
      `VIRTIO_CONSOLE_BASE=${hex(g.virtio.base)}`,
      `VIRTIO_CONSOLE_SIZE=${hex(g.virtio.size)}`,
      `VIRTIO_CONSOLE_SPI=${spiToIntid(g.virtio.spi) - 32}`,
      ...(own.defines ?? []),
    ],
    libvmm: req.libvmm ?? join(dirname(req.sddf), 'libvmm'),
    sddf: req.sddf,
    images: { kernel: arm64ImageHeader(64), dtb: g.dtb, initrd: g.initrd?.bytes ?? new Uint8Array(0) },
    globalBase: SharedAddressSpace.slotBase(slot),
    stackSize: STACK_SIZE,
  });
}

/** Where a VMM program is told the (empty) initrd goes when the guest has none: 5 MiB above the DTB, or right after it in a small RAM. */
function noInitrdGpa(g: EmulatorConfig['guests'][number]): number {
  const above = g.dtbGpa + 0x500000;
  return above < g.ramGpa + g.ramSize ? above : Math.ceil((g.dtbGpa + g.dtb.length) / 8) * 8;
}
