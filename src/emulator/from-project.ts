// From a loaded project (the `.system`, the project file, the guests' device trees) to the
// EmulatorConfig the emulator boots. Any error in the files stops the boot: the diagnostics come
// back with their positions and no configuration is made. Errors of the boot itself sit on the
// `<virtual_machine>` element concerned (the first booted one for system-wide ones), where the
// language server offers to create a project file. Guests the project file leaves out
// (`"boot": false`), and those no file names trees for and none were found for while another VM
// has trees (with a warning), are not booted; their VMMs stay idle.
import type { Diagnostic } from '../common/diagnostics';
import type {} from './diagnostic-codes'; // the codes these diagnostics carry
import { unreadableReason, type FileHost } from '../common/host';
import { writeDtb, type CompileResult } from '../devicetree/compile';
import { getProperty, nodePath, type DtTree } from '../devicetree/tree';
import { describePlace, type LineOrigins } from '../devicetree/physical-lines';
import { compileGuestTrees, findMr, findPd, findVm, resolveVirtioConsole, type GuestConfig as ProjectGuest, type Project } from '../system/index';
import { basename } from '../common/paths';
import { nodeAtAddress } from '../system/dt-facts';
import type { AddressOwner, EmulatorConfig, GuestConfig, MachineConfig, PassthroughConfig, QueueConnection, SerialRoles } from './config';
import { BOARDS, boardByName, chooseBoard, type BoardChoice, type BoardDescription } from './boards';
import { unmodelledUart } from './devices/board-uart';
import type { GuestProgram } from './guest/interface';
import { createLinuxGuest } from './guest/linux/linux-guest';
import { guestDriverList, matchDriver, type LinuxDriver } from './guest/linux/drivers';
import { compatibles } from './guest/linux/device-tree-view';
import { createEmulator, type Emulator, type EmulatorHost } from './emulator';
import { pushAll } from '../common/arrays';
import { buildRealComponents, type ComponentsRequest } from './real/components';
import type { WasmToolchain } from './real/toolchain';

export interface FromProjectOptions {
  host: FileHost;
  /** The program each guest runs; default: the Linux model, with the VM's name as host name. */
  programFor?: (guest: ProjectGuest, tree: DtTree) => () => GuestProgram;
  fast?: boolean;
  seed?: number;
  /** Already compiled trees by VM name (default: compiled here). */
  trees?: Map<string, CompileResult>;
  /** Where lines of cpp output came from (the PhysicalLinesHost the trees were read through), for fault messages. */
  origins?: LineOrigins;
  /** Real components: which PDs run their C code, and the compiler that builds it (default: models). */
  components?: { request: ComponentsRequest; toolchain: WasmToolchain };
}

export interface FromProjectResult {
  config: MachineConfig | undefined;
  diagnostics: Diagnostic[];
}

export function emulatorConfigFromProject(project: Project, opts: FromProjectOptions): FromProjectResult {
  const diagnostics: Diagnostic[] = [...project.diagnostics];
  if (diagnostics.some((d) => d.severity === 'error')) return { config: undefined, diagnostics };

  const sys = project.system,
    roles = project.roles;
  const trees = opts.trees ?? compileGuestTrees(project, opts.host);
  const booted = guestsToBoot(project, trees, diagnostics);
  const fail = (message: string): FromProjectResult => {
    diagnostics.push({ severity: 'error', message, code: 'emulator-boot', range: booted[0]?.vmRange });
    return { config: undefined, diagnostics };
  };
  if (project.board && !boardByName(project.board)) {
    return fail(`cannot boot: the emulator has no model of board '${project.board}' (it models ${BOARDS.map((b) => b.name).join(', ')})`);
  }
  const board = systemBoard(project, trees).board;
  const unmodelled = unmodelledUart(board);
  if (unmodelled) return fail(`cannot boot: ${unmodelled}`);
  let serialPart: Pick<EmulatorConfig, 'roles'> | Pick<PassthroughConfig, 'uartOwner'>;
  // Without virt_rx the serial system is TX-only, as sdfgen makes it with RX disabled.
  const rxEnabled = roles.virtRx !== undefined;
  if (roles.driver && roles.virtTx) {
    const sddf = sddfRoles(project, booted[0]?.vmRange, diagnostics);
    if (typeof sddf === 'string') return fail(sddf);
    if (!sddf) return { config: undefined, diagnostics };
    serialPart = { roles: sddf };
  } else {
    // No sDDF serial: a guest may own the UART, its frame mapped into the VM (libvmm's simple example).
    const owner = booted.find((g) => findVm(sys, g.vm)?.maps.some((m) => findMr(sys, m.mr)?.physAddr === board.uart.paddr));
    if (!owner)
      return fail(
        'cannot boot: the system has no complete sDDF serial subsystem (a UART driver and a TX virtualiser, and an RX virtualiser unless RX is disabled)',
      );
    serialPart = { uartOwner: owner.vm };
  }

  const guests: GuestConfig[] = [];
  const treeByVm = new Map<string, { tree: DtTree; drivers: readonly LinuxDriver[] }>();
  for (const g of booted) {
    const guest = guestConfig(project, g, trees.get(g.vm), board, opts, diagnostics);
    if (!guest) continue;
    guests.push(guest.config);
    treeByVm.set(g.vm, guest.view);
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { config: undefined, diagnostics };

  const config = {
    board,
    ...systemElements(project),
    serial: {
      switchChar: project.serial.switchChar,
      clientBase: project.serial.clientBase,
      terminateNumChar: project.serial.terminateNumChar,
      colour: project.serial.colour,
      beginString: project.serial.beginString,
      rxEnabled: 'roles' in serialPart ? rxEnabled : true, // a guest that owns the UART receives
      baud: project.serial.baud,
      fast: opts.fast ?? true,
    },
    ...serialPart,
    guests,
    seed: opts.seed ?? 1,
    describeAddress: (vm: string, gpa: number) => {
      const guest = treeByVm.get(vm);
      return guest && describeAddress(guest.tree, gpa, guest.drivers, opts.origins);
    },
  } as MachineConfig;
  return { config, diagnostics };
}

/**
 * The VMs to boot: those the project boots, less the ones no project file names trees for and none
 * were found for, when another VM has trees (libvmm's virtio example ships its clients' trees and
 * not the block driver VM's). Each one left out gets a warning and boots as `"boot": false` would
 * not: its VMM stays idle. With no VM to boot, they stay, and the boot stops at them.
 */
function guestsToBoot(project: Project, trees: Map<string, CompileResult>, diagnostics: Diagnostic[]): ProjectGuest[] {
  const wanted = project.guests.filter((g) => g.boot);
  const treeless = (g: ProjectGuest): boolean => !trees.has(g.vm) && g.dtFiles.length === 0 && g.ranges.dts === undefined;
  if (wanted.every(treeless)) return wanted;
  const where = project.file ? `'${basename(project.file)}'` : 'a dual-guest.json beside the .system';
  for (const g of wanted.filter(treeless)) {
    diagnostics.push({
      severity: 'warning',
      code: 'emulator-boot',
      range: g.vmRange,
      subject: g.vm,
      message: `'${g.vm}' is not booted: no device tree is named or found for it, so its VMM '${g.vmm}' stays idle while the other VMs boot; to boot it, name its files in ${where} ("guests": {"${g.vm}": {"dts": [...]}})`,
    });
  }
  return wanted.filter((g) => !treeless(g));
}

/** The `.system`'s memory regions, PDs (with their elements, where findings about them go) and channels. */
function systemElements(project: Project): Pick<EmulatorConfig, 'memoryRegions' | 'pds' | 'channels'> {
  const sys = project.system;
  return {
    memoryRegions: sys.memoryRegions.map((m) => ({ name: m.name, size: m.size })),
    pds: sys.protectionDomains.map((p) => ({
      name: p.name,
      priority: p.priority,
      budgetUs: p.budget,
      periodUs: p.period,
      passive: p.passive,
      vmm: p.virtualMachine !== undefined,
      irqs: p.irqs.map((i) => ({ irq: i.irq, id: i.id })),
      range: p.element.nameRange,
    })),
    channels: sys.channels.map((c) => ({
      a: { pd: c.ends[0].pd, id: c.ends[0].id, pp: c.ends[0].pp },
      b: { pd: c.ends[1].pd, id: c.ends[1].id, pp: c.ends[1].pp },
    })),
  };
}

/** The board of a project: its project file's `board`, else what the guests' trees and the `.system`'s device regions say. */
export function systemBoard(project: Project, trees: Map<string, CompileResult>): BoardChoice {
  const named = project.board ? boardByName(project.board) : undefined;
  const booted = project.guests.filter((g) => g.boot).map((g) => trees.get(g.vm)?.tree);
  const devicePaddrs = project.system.memoryRegions.flatMap((m) => (m.physAddr === undefined ? [] : [m.physAddr]));
  return chooseBoard(named, booted, devicePaddrs);
}

/** The sDDF serial subsystem's roles and connections; a message when the driver has no irq. */
function sddfRoles(project: Project, range: Diagnostic['range'], diagnostics: Diagnostic[]): SerialRoles | string | undefined {
  const sys = project.system,
    roles = project.roles;
  const driverPd = findPd(sys, roles.driver!);
  const uartIrq = driverPd?.irqs[0]?.irq;
  // The UART's registers: the device frame (a region with a physical address) the driver maps.
  const uartPaddr = driverPd?.maps.map((m) => findMr(sys, m.mr)).find((r) => r?.physAddr !== undefined)?.physAddr;
  if (uartIrq === undefined) return `cannot boot: the UART driver '${roles.driver}' has no irq`;

  // The regions two PDs share form their sDDF connection: the queue region and the data region.
  const connection = (a: string, b: string): QueueConnection | undefined => {
    const pa = findPd(sys, a),
      pb = findPd(sys, b);
    if (!pa || !pb) return undefined;
    const shared = pa.maps.map((m) => m.mr).filter((mr) => pb.maps.some((m) => m.mr === mr));
    const named = (word: string) => shared.find((mr) => mr.toLowerCase().includes(word));
    let queueMr = named('queue'),
      dataMr = named('data');
    if (!queueMr || !dataMr) {
      const bySize = [...shared].sort((x, y) => (findMr(sys, x)?.size ?? 0) - (findMr(sys, y)?.size ?? 0));
      if (bySize.length < 2) return undefined;
      [queueMr, dataMr] = [bySize[0], bySize[bySize.length - 1]];
    }
    return { queueMr, dataMr };
  };
  const need = (c: QueueConnection | undefined, what: string): QueueConnection | undefined => {
    if (!c) diagnostics.push({ severity: 'error', message: `cannot boot: no queue and data regions shared for the ${what}`, code: 'emulator-boot', range });
    return c;
  };
  const rxEnabled = roles.virtRx !== undefined;
  const driverRx = rxEnabled ? need(connection(roles.driver!, roles.virtRx!), `connection ${roles.driver} -> ${roles.virtRx}`) : undefined;
  const driverTx = need(connection(roles.virtTx!, roles.driver!), `connection ${roles.virtTx} -> ${roles.driver}`);
  const clients = [...roles.clients]
    .sort((x, y) => x.index - y.index)
    .map((c) => ({
      pd: c.pd,
      name: c.pd,
      rx: rxEnabled ? need(connection(roles.virtRx!, c.pd), `RX connection of '${c.pd}'`) : undefined,
      tx: need(connection(c.pd, roles.virtTx!), `TX connection of '${c.pd}'`),
    }));
  if ((rxEnabled && (!driverRx || clients.some((c) => !c.rx))) || !driverTx || clients.some((c) => !c.tx)) return undefined;
  return {
    driver: roles.driver!,
    virtRx: roles.virtRx,
    virtTx: roles.virtTx!,
    uartIrq,
    uartPaddr,
    driverRx,
    driverTx,
    clients: clients.map((c) => ({ pd: c.pd, name: c.name, rx: c.rx, tx: c.tx! })),
  };
}

/** One booted VM's configuration from its compiled tree; undefined (with diagnostics) when it cannot boot. */
function guestConfig(
  project: Project,
  g: ProjectGuest,
  compiled: CompileResult | undefined,
  board: BoardDescription,
  opts: FromProjectOptions,
  diagnostics: Diagnostic[],
): { config: GuestConfig; view: { tree: DtTree; drivers: readonly LinuxDriver[] } } | undefined {
  const sys = project.system;
  if (!compiled) {
    const hint = project.file
      ? `name them in '${basename(project.file)}'`
      : 'name them in a dual-guest.json beside the .system (in VS Code, the quick fix on this element creates one)';
    diagnostics.push({
      severity: 'error',
      code: 'emulator-boot',
      range: g.ranges.dts ?? g.vmRange,
      subject: g.vm,
      message: `cannot boot '${g.vm}': its device tree files are missing or not named (${g.dtFiles.join(', ') || 'none found'}): ${hint}, or leave it out with "boot": false`,
    });
    return undefined;
  }
  const errors = [...compiled.diagnostics, ...compiled.fixupDiagnostics].filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    pushAll(diagnostics, errors);
    return undefined;
  }
  const vm = findVm(sys, g.vm);
  if (!vm) return undefined;
  let initrd: GuestConfig['initrd'];
  if (g.initrdImage) {
    const bytes = opts.host.readFile(g.initrdImage);
    if (!bytes) {
      diagnostics.push({
        severity: 'error',
        message: `cannot read the initrd '${g.initrdImage}': ${unreadableReason(opts.host, g.initrdImage)}`,
        code: 'emulator-boot',
        range: g.ranges.initrd ?? g.vmRange,
      });
      return undefined;
    }
    initrd = { gpa: g.initrdAddr, bytes };
  }
  const drivers = guestDriverList(g, compiled.tree);
  // The console the VMM serves, found as the linter finds it; the other virtio devices answer empty.
  const virtio = resolveVirtioConsole(g, compiled.tree);
  const vmmPd = findPd(sys, g.vmm);
  const config: GuestConfig = {
    vmm: g.vmm,
    name: g.vm,
    range: g.vmRange,
    sched: { priority: vm.priority, budgetUs: vm.budget, periodUs: vm.period },
    ramGpa: g.ramGpa,
    ramSize: g.ramSize,
    ramMr: g.ramRegion,
    dtb: writeDtb(compiled.tree),
    dtbGpa: g.dtbAddr,
    initrd,
    virtio: virtio.window,
    virtioPlaceholders: virtio.others.map((d) => ({ base: d.base, size: d.size, kind: d.kind })),
    deviceMaps: vm.maps
      .filter((m) => m.mr !== g.ramRegion)
      .map((m) => {
        const mr = findMr(sys, m.mr);
        return { name: m.mr, gpa: m.vaddr, size: mr?.size ?? 0x1000, paddr: mr?.physAddr };
      }),
    passthroughIrqs: vmmPd?.irqs.map((i) => ({ intid: i.irq, ch: i.id })),
    vgic: { version: board.gic.version, ...board.gic.distributor },
    program: opts.programFor
      ? opts.programFor(g, compiled.tree)
      : () => createLinuxGuest({ hostname: g.vm, drivers, timerHz: board.timerHz, uartClockHz: board.uart.clockHz }),
  };
  return { config, view: { tree: compiled.tree, drivers } };
}

/**
 * The deepest DT node (enabled or not) whose `reg` covers gpa: its path, the driver of `drivers`
 * that binds it, where it is defined and where it is enabled.
 */
export function describeAddress(tree: DtTree | undefined, gpa: number, drivers: readonly LinuxDriver[] = [], origins?: LineOrigins): AddressOwner | undefined {
  const found = tree ? nodeAtAddress(tree, gpa) : undefined;
  if (!found) return undefined;
  const status = getProperty(found, 'status');
  return {
    path: nodePath(found),
    driver: matchDriver(drivers, compatibles(found))?.name,
    defined: found.nameRange,
    enabledAt: status?.range,
    where: describePlace(found.nameRange, origins),
    enabledWhere: status && describePlace(status.range, origins),
  };
}

/** loadProject's result to a running emulator in one step (for the CLI and the worker). */
export function bootProject(
  project: Project,
  opts: FromProjectOptions & { emulatorHost?: EmulatorHost },
): { emulator: Emulator | undefined; diagnostics: Diagnostic[] } {
  const { config, diagnostics } = emulatorConfigFromProject(project, opts);
  if (!config) return { emulator: undefined, diagnostics };
  if (opts.components && config.roles) {
    const built = buildRealComponents(config as EmulatorConfig, opts.components.request, opts.components.toolchain);
    pushAll(diagnostics, built.diagnostics);
    if (built.diagnostics.some((d) => d.severity === 'error')) return { emulator: undefined, diagnostics };
    config.real = built.real;
  }
  const created = createEmulator(config, opts.emulatorHost);
  return { emulator: created.emulator, diagnostics: [...diagnostics, ...created.diagnostics] };
}
