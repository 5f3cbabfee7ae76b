// Assembly of the dual-guest system from an EmulatorConfig, and the host-side API the CLI, the
// worker and the inspector use. Time advances only through runFor/runUntilIdle; the same config,
// input and seed give the same bytes.
//
// Departures from the pinned upstream (sDDF 650ace5, libvmm 0.2.0 at 7069ab9, Microkit 2.3.0 at
// cfd5216), one line per file; each file's own list cites the upstream lines
// (test/unit/emulator/departures.test.ts keeps the two in step):
// - kernel.ts: handlers run to completion at a fixed cost; a higher-priority PD runs inside the
//   notifier's turn; budgets as a periodic server; passive PDs on their own budget from the start;
//   PD faults without register dumps; debug output to the log.
// - devices/uart-imx.ts: fast mode is unpaced; no error, escape, aging or DMA features.
// - devices/uart-pl011.ts: fast mode is unpaced; no parity, framing or break errors; no modem
//   lines, IrDA, DMA or loopback.
// - devices/uart-meson.ts: fast mode is unpaced; the interrupt is a level; no parity or framing errors.
// - devices/gic.ts: IRQs enabled by a call, not a distributor register; the distributor is on.
// - devices/vgic-distributor.ts: pending and active state is the list registers'.
// - virtio/console.ts: TX resumes on virt_tx's signal; over-long chains stream; malformed queues set
//   DEVICE_NEEDS_RESET; address halves replace; an out-of-range QueueReady fails; no debug chatter.
// - pds/uart-driver.ts: one RX and one TX pass per IRQ.
// - pds/pl011-driver.ts: RX always enabled.
// - pds/meson-driver.ts: handle_irq leaves when only a full RX queue is left.
// - pds/virt-rx.ts: clients may be numbered from 1.
// - pds/virt-tx.ts: oversized backlogs go in pieces; clients signalled before the driver; no
//   debug-build busy wait.
// - pds/vmm.ts: no register dumps (IP 0); a DT-node line after faults; other virtio devices answer
//   empty; no kernel image; PSCI SYSTEM_RESET restarts the guest; "<PD>|ERROR: " without
//   "(function:line)".
// - real/real-vmm.ts: a trap costs the model VMM's cost; the fault IP is the TCB's PC; level 3.
// - real/sel4-vcpu.ts: SMC answers SMC_UNK; registers are what was written.
import type { Diagnostic, SourceRange } from '../common/diagnostics';
import {
  type EmulatorConfig,
  type GuestConfig,
  type MachineConfig,
  type QueueConnection,
  type SchedParams,
  type SerialRoles,
  DEFAULT_BUDGET_US,
} from './config';
import { Gic, spiToIntid } from './devices/gic';
import { createBoardUart, createUartDriver } from './devices/board-uart';
import { firmwareConsoleState } from './devices/boot-firmware';
import type { SerialDevice } from './devices/uart-line';
import { VgicDistributor } from './devices/vgic-distributor';
import { DEFAULT_BOARD, type BoardDescription } from './boards';
import { PhysicalBus } from './devices/bus';
import { type EventRecord, Kernel, type KernelObserver, type LogRecord, observerSet, type PdThread, type SchedState } from './kernel';
import { ProtocolChecker } from './protocol/checker';
import type { ProtocolFinding } from './protocol/findings';
import type { WatchedQueue } from './protocol/serial-queue-checks';
import type { WatchedVirtq } from './protocol/virtq-checks';
import { MemoryRegions, GuestPhysical, allocateRegion } from './memory';
import { SerialQueue } from './queue';
import { SeededRandom } from './random';
import { VirtRx } from './pds/virt-rx';
import { VirtTx } from './pds/virt-tx';
import { Vmm } from './pds/vmm';
import { Vcpu } from './vcpu';
import { VirtioConsole } from './virtio/console';
import { VIRTQ_DESC_SIZE, type VirtqState } from './virtio/virtq';
import { validateConfig } from './validate';
import { RealSystem, type SerialQueues } from './real/system';
import type { TraceRecorder } from './trace';

export interface QueueSnapshot {
  name: string;
  capacity: number;
  head: number;
  tail: number;
  producerSignalled: number;
  bytes: Uint8Array;
}

export interface VirtqSnapshot {
  index: number;
  name: 'receiveq0' | 'transmitq0';
  num: number;
  ready: boolean;
  descGpa: number;
  availGpa: number;
  usedGpa: number;
  lastSeen: number;
  availIdx: number | undefined;
  usedIdx: number | undefined;
  descriptors: { addr: number; len: number; flags: number; next: number }[];
  availRing: number[];
  usedRing: { id: number; len: number }[];
}

export interface GuestSnapshot {
  vm: string;
  vmm: string;
  vcpu: string;
  haltReason: string | undefined;
  cpuNs: number;
  /** Counts as libvmm's (devices/gic.ts); `pending`: waiting in the vGIC's overflow queue for a list register. */
  irq: { intid: number; injected: number; alreadyPending: number; notEnabled: number; delivered: number; acked: number; pending: number[] };
  virtio: { status: number; interruptStatus: number; queues: VirtqSnapshot[]; stats: VirtioConsole['stats']; lastError: string | undefined };
  faults: Vmm['faults'];
  bootError: string | undefined;
}

export interface EmulatorSnapshot {
  timeNs: number;
  queues: QueueSnapshot[];
  guests: GuestSnapshot[];
  serial: { currentClient: number; rxDropped: number[]; uartOverruns: number; uartTxBytes: number; uartRxBytes: number; pendingTxClients: number[] };
  pds: { name: string; priority: number; cpuNs: number; notifications: number; faulted: boolean }[];
  devices: { name: string; base: number; size: number; state: unknown }[];
  events: EventRecord[];
  /** The `.system`'s channels (ends as PD name and channel id), for the inspector's diagram. */
  channels: { a: string; aId: number; b: string; bId: number }[];
  /** What the protocol checker found so far (empty when it is off). */
  findings: ProtocolFinding[];
}

export interface InputRecord {
  timeNs: number;
  bytes: Uint8Array;
  /** Set when the host reset this guest (bytes are then empty): replays must do the same. */
  resetGuest?: number;
}

/** Bytes that left the UART line; timeNs is when the first of them left (virtual). */
type OutputListener = (bytes: Uint8Array, timeNs: number) => void;
type ClientListener = (client: number, bytes: Uint8Array, timeNs: number) => void;

const OUTPUT_FLUSH_BYTES = 1 << 16;
/** The client number of the guest that owns the UART (its terminal's number when there is no sDDF serial). */
export const PASSTHROUGH_CLIENT = 0;
const UART_REGION_SIZE = 0x1000;

/** The sDDF serial subsystem's PDs and queues, as the guests and the real components attach to them. */
interface SerialSubsystem {
  /** Absent in a TX-only serial system. */
  virtRx: VirtRx | undefined;
  virtTx: VirtTx;
  roles: SerialRoles;
  queues: SerialQueues;
  /** The driver's channel for the UART's IRQ. */
  irqChannel: number;
}

export class Emulator {
  readonly kernel: Kernel;
  readonly uart: SerialDevice;
  readonly board: BoardDescription;
  /** Device registers by physical address (the UART at its `.system` address). */
  readonly bus = new PhysicalBus();
  readonly random: SeededRandom;
  private readonly outputListeners: OutputListener[] = [];
  private readonly clientListeners: ClientListener[] = [];
  readonly inputLog: InputRecord[] = [];
  private readonly queues: WatchedQueue[] = [];
  private readonly virtqs: WatchedVirtq[] = [];
  private readonly observers: KernelObserver[] = [];
  /** The live protocol checker (config.protocolChecks; on unless set to false). */
  readonly checker: ProtocolChecker | undefined;
  private readonly vcpus: Vcpu[] = [];
  private readonly vmms: Vmm[] = [];
  private readonly consoles: VirtioConsole[] = [];
  /** The serial subsystem's virtualisers (absent when a guest owns the UART). */
  private readonly virtRx: VirtRx | undefined;
  private readonly virtTx: VirtTx | undefined;
  private readonly guestIntids: number[] = [];
  private readonly mrs: MemoryRegions;
  private readonly channelList: EmulatorSnapshot['channels'];
  /** The PDs running their real code, and the memory they share with everything else. */
  readonly real: RealSystem | undefined;
  /** The VM whose guest owns the UART when there is no sDDF serial subsystem (its console is client PASSTHROUGH_CLIENT). */
  readonly uartOwner: string | undefined;

  /** Use createEmulator (it validates the configuration first). */
  constructor(
    private readonly config: MachineConfig,
    host: EmulatorHost = {},
  ) {
    this.random = new SeededRandom(config.seed ?? 1);
    const kernel = (this.kernel = new Kernel(config.eventHistory ?? 256));
    const mrs = (this.mrs = new MemoryRegions());
    const real = (this.real = config.roles && config.real ? new RealSystem(config as EmulatorConfig, config.real) : undefined);
    for (const mr of config.memoryRegions) {
      const shared = real?.regionBytes(mr.name);
      if (shared) mrs.adopt(mr.name, shared);
      else mrs.add(mr.name, mr.size);
    }

    for (const pd of config.pds) kernel.addPd(pd.name, schedState(pd));
    for (const c of config.channels) kernel.connect(c.a, c.b);
    this.channelList = config.channels.map((c) => ({ a: c.a.pd, aId: c.a.id, b: c.b.pd, bId: c.b.id }));
    for (const pd of config.pds) for (const irq of pd.irqs ?? []) kernel.bindIrq(pd.name, irq.irq, irq.id);

    const gic = new Gic((intid) => kernel.raiseIrq(intid));
    kernel.irqLevel = (intid) => gic.isHigh(intid);
    const board = (this.board = config.board ?? DEFAULT_BOARD);
    this.uartOwner = config.roles ? undefined : config.uartOwner;
    const uartIntid = config.roles?.uartIrq ?? board.uart.intid;
    this.uart = createBoardUart(
      board,
      config.serial.fast,
      () => kernel.now,
      (high) => gic.setLevel(uartIntid, high),
    );
    kernel.devices.push(this.uart);
    if (this.uartOwner !== undefined) firmwareConsoleState(board, this.uart, config.serial.baud);
    this.bus.map(config.roles?.uartPaddr ?? board.uart.paddr, UART_REGION_SIZE, this.uart);

    const pd = (name: string): PdThread => kernel.pds.get(name)!;
    const chBetween = (from: string, to: string | undefined): number => {
      if (to === undefined) return -1;
      for (const [id, t] of pd(from).channels) if (t.pd.name === to) return id;
      return -1;
    };
    const serial = config.roles ? this.buildSerial(config as EmulatorConfig, pd, chBetween) : undefined;
    this.virtRx = serial?.virtRx;
    this.virtTx = serial?.virtTx;

    for (const g of config.guests) this.addGuest(g, serial, pd, chBetween);

    if (real && serial) {
      real.attach(
        kernel,
        serial.queues,
        chBetween,
        { uart: this.uart, paddr: config.roles?.uartPaddr ?? board.uart.paddr, size: UART_REGION_SIZE, irqChannel: serial.irqChannel },
        (vmm) => this.vcpuOfVmm(vmm),
      );
      this.watchRealVirtio();
    }
    this.checker = this.installObservers(config, host);
    if (host.onLog) this.onLog(host.onLog);
    if (host.onUartOutput) this.onUartOutput(host.onUartOutput);
    // Microkit starts every PD's init() before any notification is delivered; higher priority first.
    const order = [...kernel.pds.values()].sort((a, b) => b.sched.priority - a.sched.priority);
    kernel.initPds(order);
  }

  /** The sDDF serial subsystem: its queues, the board's UART driver, virt_rx and virt_tx. */
  private buildSerial(config: EmulatorConfig, pd: (name: string) => PdThread, chBetween: (from: string, to: string | undefined) => number): SerialSubsystem {
    const kernel = this.kernel,
      mrs = this.mrs,
      roles = config.roles,
      serial = config.serial;
    const queue = (producer: string, consumer: string, c: QueueConnection): SerialQueue => {
      const qr = mrs.get(c.queueMr)!,
        dr = mrs.get(c.dataMr)!;
      // The regions start zero-filled, as on the board: producer_signalled 0, so every producer
      // starts with a signal requested (sddf include/sddf/serial/queue.h:31, :546).
      const q = new SerialQueue(qr, dr, c.capacity ?? dr.length);
      this.queues.push({ name: `${producer} -> ${consumer}`, q, producer: pd(producer), consumer: pd(consumer) });
      return q;
    };
    // A TX-only system (RX disabled, as sdfgen makes it) has no RX virtualiser and no RX queues.
    const virtRxName = roles.virtRx;
    const drvRx = virtRxName && roles.driverRx ? queue(roles.driver, virtRxName, roles.driverRx) : undefined;
    const drvTx = queue(roles.virtTx, roles.driver, roles.driverTx);
    const cliRx = roles.clients.map((c) => (virtRxName && c.rx ? queue(virtRxName, c.pd, c.rx) : undefined));
    const cliTx = roles.clients.map((c) => queue(c.pd, roles.virtTx, c.tx));

    const driverPd = pd(roles.driver),
      txPd = pd(roles.virtTx);
    const irqCh = [...driverPd.irqs].find(([, intid]) => intid === roles.uartIrq)?.[0] ?? -1;
    const channels = { irq: irqCh, tx: chBetween(roles.driver, roles.virtTx), rx: chBetween(roles.driver, virtRxName) };
    driverPd.program = createUartDriver(this.uart, kernel.contextFor(driverPd), drvRx, drvTx, channels, serial.baud, serial.rxEnabled);
    let virtRx: VirtRx | undefined;
    if (virtRxName && drvRx) {
      const rxPd = pd(virtRxName);
      virtRx = new VirtRx(
        kernel.contextFor(rxPd),
        drvRx,
        cliRx.map((q) => q!),
        chBetween(virtRxName, roles.driver),
        roles.clients.map((c) => chBetween(virtRxName, c.pd)),
        { switchChar: serial.switchChar, clientBase: serial.clientBase, terminateNumChar: serial.terminateNumChar },
      );
      rxPd.program = virtRx;
    }
    const virtTx = new VirtTx(
      kernel.contextFor(txPd),
      drvTx,
      cliTx,
      chBetween(roles.virtTx, roles.driver),
      roles.clients.map((c) => chBetween(roles.virtTx, c.pd)),
      { colour: serial.colour, beginString: serial.beginString, rxEnabled: serial.rxEnabled, clientNames: roles.clients.map((c) => c.name) },
    );
    txPd.program = virtTx;
    return { virtRx, virtTx, roles, queues: { driverRx: drvRx, driverTx: drvTx, clientRx: cliRx, clientTx: cliTx }, irqChannel: irqCh };
  }

  /** A VM: its vCPU, its VMM, and its console (the virtio console of an sDDF client) or the UART it owns. */
  private addGuest(
    g: GuestConfig,
    serial: SerialSubsystem | undefined,
    pd: (name: string) => PdThread,
    chBetween: (from: string, to: string | undefined) => number,
  ): void {
    const kernel = this.kernel,
      mrs = this.mrs;
    const vmmPd = pd(g.vmm);
    const ram = g.ramMr ? mrs.get(g.ramMr)!.subarray(0, g.ramSize) : allocateRegion(g.ramSize);
    // A frame at a modelled device's physical address (the UART passed through) reaches its registers.
    const maps = g.deviceMaps.map((m) => {
      const range = m.paddr === undefined ? undefined : this.bus.find(m.paddr);
      return range ? { ...m, device: { regs: range.device, offset: m.paddr! - range.base } } : m;
    });
    const vcpu = new Vcpu(kernel, g.name, schedState(g.sched), ram, g.ramGpa, maps);
    kernel.addThread(vcpu);
    kernel.devices.push(vcpu.timer);
    const ctx = kernel.contextFor(vmmPd);
    const clientIndex = serial ? serial.roles.clients.findIndex((c) => c.pd === g.vmm) : -1;
    const chs = serial ? { tx: chBetween(g.vmm, serial.roles.virtTx), rx: chBetween(g.vmm, serial.roles.virtRx) } : { tx: -1, rx: -1 };
    const vmm = new Vmm(ctx, kernel, vmmPd, vcpu, g, chs, this.config.describeAddress);
    if (g.vgic?.version === 2) vmm.distributor = new VgicDistributor(vcpu.vgic);
    const intid = spiToIntid(g.virtio.spi);
    if (serial && clientIndex >= 0) {
      const mem = new GuestPhysical(ram, g.ramGpa);
      const console = new VirtioConsole({
        mem,
        txq: serial.queues.clientTx[clientIndex],
        rxq: serial.queues.clientRx[clientIndex],
        injectIrq: () => {
          kernel.event('virq', `${g.vmm} injects INTID ${intid} into ${g.name}`);
          kernel.observer?.virq(vmmPd, g.name, intid);
          if (vcpu.vgic.inject(intid)) return true;
          // libvmm refuses (vdist.h:193-203) and virq_inject (virq.c:83-89) returns false.
          ctx.log(`${g.vmm}|ERROR: vIRQ 0x${intid.toString(16)} is not enabled`, 'error');
          return false;
        },
        notifyTx: () => ctx.notify(chs.tx),
        notifyRx: () => ctx.notify(chs.rx),
        log: (text) => ctx.log(text.startsWith('VIRTIO(') ? text : `${g.vmm}|ERROR: ${text}`, 'error'),
        charge: (ns) => ctx.charge(ns),
      });
      vmm.console = console;
      this.consoles.push(console);
      for (const [qi, state] of console.vqs.entries())
        this.virtqs.push({ vm: g.name, vcpu, vmm: vmmPd, name: VIRTQ_NAMES[qi], state, mem, resets: () => console.stats.resets });
    }
    vmmPd.program = vmm;
    this.vcpus.push(vcpu);
    this.vmms.push(vmm);
    // The INTID the inspector follows: the virtio console's, or the UART's for the guest that owns it.
    this.guestIntids.push(serial ? intid : (g.passthroughIrqs?.[0]?.intid ?? intid));
  }

  /** The trace recorder and the protocol checker, in place before any PD starts. */
  private installObservers(config: MachineConfig, host: EmulatorHost): ProtocolChecker | undefined {
    if (host.trace) {
      host.trace.watch(this.queues, () => this.kernel.now);
      this.observe(host.trace);
    }
    for (const o of host.observers ?? []) this.observe(o);
    if (config.protocolChecks === false) return undefined;
    const checker = new ProtocolChecker(this.kernel, this.queues, this.virtqs, config.protocolChecks);
    this.observe(checker);
    return checker;
  }

  // ---- host API

  /** Watch the kernel from now on (the checker, a trace recorder); install before running to see everything. */
  observe(o: KernelObserver): () => void {
    this.observers.push(o);
    this.kernel.observer = observerSet(this.observers);
    return () => {
      const i = this.observers.indexOf(o);
      if (i >= 0) this.observers.splice(i, 1);
      this.kernel.observer = observerSet(this.observers);
    };
  }

  /** The same system at power-on, with `host`'s listeners (time travel's checkpoints); undefined when it no longer assembles. */
  powerOnCopy(host: EmulatorHost): Emulator | undefined {
    return createEmulator(this.config, host).emulator;
  }

  /** Where a PD's or VM's element is in the `.system` (when the config came from one). */
  elementRange(pdOrVm: string): SourceRange | undefined {
    return this.config.pds.find((p) => p.name === pdOrVm)?.range ?? this.config.guests.find((g) => g.name === pdOrVm)?.range;
  }

  /** The checker's findings so far (live objects: counts go on). */
  findings(): readonly ProtocolFinding[] {
    return this.checker?.findings.list ?? [];
  }

  /** The queues and virtqueues the checker and the trace watch: producer, consumer and memory. */
  watched(): { queues: readonly WatchedQueue[]; virtqs: readonly WatchedVirtq[] } {
    return { queues: this.queues, virtqs: this.virtqs };
  }

  /** Bytes arriving at the physical UART's RX line (recorded in the input log, as guest resets are). */
  typeInput(input: Uint8Array | string): void {
    const bytes = typeof input === 'string' ? Uint8Array.from(input, (c) => c.charCodeAt(0) & 0xff) : input.slice();
    this.inputLog.push({ timeNs: this.kernel.now, bytes });
    // The start of the inspector's key press -> UART IRQ -> ... -> guest IRQ chain.
    if (bytes.length > 0) this.kernel.event('input', `${bytes.length} byte${bytes.length === 1 ? '' : 's'} typed on the UART line`);
    this.uart.type(bytes);
  }

  onUartOutput(cb: OutputListener): () => void {
    return addListener(this.outputListeners, cb);
  }

  /**
   * Each guest's console output, by client number: what virt_tx takes from each client; on a system
   * where a guest owns the UART, everything on the line is that guest's (client 0).
   */
  onClientOutput(cb: ClientListener): () => void {
    // The tap is installed only while someone listens: copying costs on the hot path.
    const tap = (client: number, bytes: Uint8Array): void => {
      for (const l of this.clientListeners) l(client, bytes, this.kernel.now);
    };
    if (this.virtTx) this.virtTx.tap = tap;
    if (this.real) this.real.tap = tap;
    const remove = addListener(this.clientListeners, cb);
    return () => {
      remove();
      if (this.clientListeners.length === 0) {
        if (this.virtTx) this.virtTx.tap = undefined;
        if (this.real) this.real.tap = undefined;
      }
    };
  }

  /** The line's bytes to the listeners; with no virt_tx they are the UART owner's console too. */
  private emitOutput(out: Uint8Array, at: number): void {
    for (const l of this.outputListeners) l(out, at);
    if (!this.virtTx) for (const l of this.clientListeners) l(PASSTHROUGH_CLIENT, out, at);
  }

  onLog(cb: (r: LogRecord) => void): () => void {
    return this.kernel.onLog(cb);
  }

  /** Logs so far (the last 1000), e.g. the ones printed during boot before anyone listened. */
  logs(): LogRecord[] {
    return this.kernel.logHistory.slice();
  }

  now(): number {
    return this.kernel.now;
  }

  setFast(fast: boolean): void {
    this.uart.setFast(fast);
  }

  runFor(ns: number): void {
    if (!(ns > 0)) return;
    this.kernel.runUntil(this.kernel.now + ns, () => this.flushIfLarge());
    this.checker?.pollIfDue();
    this.flushOutput();
  }

  /**
   * Run until the kernel records at least one more event (one handler's turn, one IRQ, ...) or maxNs
   * of virtual time pass: the inspector's "step". True when an event was recorded.
   */
  stepEvent(maxNs = 1e9): boolean {
    const k = this.kernel,
      before = k.eventsRecorded;
    k.runUntil(k.now + maxNs, () => k.eventsRecorded !== before);
    this.flushOutput();
    return k.eventsRecorded !== before;
  }

  /** Run until nothing is ready and the UART is quiet, or maxNs passed; true when it went idle. */
  runUntilIdle(maxNs: number): boolean {
    const until = this.kernel.now + maxNs;
    let idle = false;
    this.kernel.runUntil(until, () => {
      this.flushIfLarge();
      idle = this.kernel.quiescent() && !this.uart.busy();
      return idle;
    });
    this.flushOutput();
    return idle;
  }

  private flushIfLarge(): boolean {
    // Listeners see output in pieces of at most ~64 KiB while a long run goes on.
    const at = this.uart.outputStartTime();
    const out = this.uart.drainOutputIfAtLeast(OUTPUT_FLUSH_BYTES);
    if (out) this.emitOutput(out, at);
    return false;
  }

  private flushOutput(): void {
    const at = this.uart.outputStartTime();
    const out = this.uart.drainOutput();
    if (out) this.emitOutput(out, at);
  }

  /** A cheap, side-effect-free picture of the data path for the inspector. */
  snapshot(): EmulatorSnapshot {
    const k = this.kernel;
    return {
      timeNs: k.now,
      queues: this.queues.map(({ name, q }) => ({
        name,
        capacity: q.capacity,
        head: q.head,
        tail: q.tail,
        producerSignalled: q.producerSignalled,
        bytes: q.peekAll(),
      })),
      guests: this.vcpus.map((v, i) => {
        const vmm = this.vmms[i],
          console = vmm.console,
          intid = this.guestIntids[i];
        const c = v.vgic.perIrq.get(intid) ?? { injected: 0, alreadyPending: 0, notEnabled: 0, delivered: 0, acked: 0 };
        return {
          vm: v.vmName,
          vmm: this.config.guests[i].vmm,
          vcpu: v.state,
          haltReason: v.haltReason,
          cpuNs: v.cpuNs,
          irq: { intid, ...c, pending: v.vgic.pendingIrqs() },
          virtio: this.realVirtioSnapshot(i) ?? {
            status: console?.status ?? 0,
            interruptStatus: console?.interruptStatus ?? 0,
            queues: console ? console.vqs.map((s, qi) => snapshotVirtq(s, qi, new GuestPhysical(v.ram, v.ramBase))) : [],
            stats: console ? { ...console.stats } : { txBytes: 0, rxBytes: 0, rxDiscarded: 0, txBlocked: 0, resets: 0, errors: 0 },
            lastError: console?.lastError,
          },
          faults: this.faultsOf(i).slice(),
          bootError: vmm.bootError,
        };
      }),
      serial: {
        currentClient: this.real?.currentClient() ?? this.virtRx?.current ?? PASSTHROUGH_CLIENT,
        rxDropped: this.virtRx?.dropped.slice() ?? [],
        uartOverruns: this.uart.overruns,
        uartTxBytes: this.uart.txBytes,
        uartRxBytes: this.uart.rxBytes,
        pendingTxClients: this.virtTx?.pendingClients() ?? [],
      },
      pds: [...k.pds.values()].map((p) => ({ name: p.name, priority: p.sched.priority, cpuNs: p.cpuNs, notifications: p.notifications, faulted: p.faulted })),
      devices: this.bus.list().map((d) => ({ ...d, state: this.bus.find(d.base)?.device.getState?.() })),
      events: k.recentEvents(),
      channels: this.channelList,
      findings: this.findings().map((f) => ({ ...f, waitChain: f.waitChain?.slice() })),
    };
  }

  /** A real VMM's virtio console is libvmm's: the checker watches its queues through the registers the guest set. */
  private watchRealVirtio(): void {
    for (const w of this.virtqs) {
      const regs = this.real?.vmmFaults.get(w.vmm.name)?.virtio;
      if (!regs) continue;
      w.state = regs.vqs[VIRTQ_NAMES.indexOf(w.name as (typeof VIRTQ_NAMES)[number])];
      w.resets = () => regs.resets;
      const i = this.config.guests.findIndex((g) => g.vmm === w.vmm.name),
        intid = this.guestIntids[i];
      // libvmm does not inject again an IRQ its vGIC holds pending (vdist.h's set_pending, cleared at the EOI's maintenance fault).
      w.interruptOutstanding = () => this.vcpus[i].vgic.listRegisters().some((lr) => lr.intid === intid && lr.state !== 'empty');
    }
  }

  /**
   * Guest i's virtio console when its VMM is the real libvmm: the queues read in guest RAM where the
   * registers the guest set place them; the byte counts are the VMM's sDDF queue positions.
   */
  private realVirtioSnapshot(i: number): GuestSnapshot['virtio'] | undefined {
    const vmm = this.config.guests[i].vmm;
    const regs = this.real?.vmmFaults.get(vmm)?.virtio;
    if (!regs) return undefined;
    const v = this.vcpus[i],
      mem = new GuestPhysical(v.ram, v.ramBase);
    const tx = this.queues.find((w) => w.producer.name === vmm)?.q,
      rx = this.queues.find((w) => w.consumer.name === vmm)?.q;
    return {
      status: regs.status,
      interruptStatus: regs.interruptStatus,
      queues: regs.vqs.map((s, qi) => snapshotVirtq(s, qi, mem)),
      stats: { txBytes: tx?.tail ?? 0, rxBytes: rx?.head ?? 0, rxDiscarded: 0, txBlocked: 0, resets: regs.resets, errors: 0 },
      lastError: undefined,
    };
  }

  /** The bytes of a memory region of the system (live, not a copy), e.g. for the inspector's hex view. */
  memoryRegion(name: string): Uint8Array | undefined {
    return this.mrs.get(name);
  }

  /**
   * Reset guest `index` alone, as its VMM would (pds/vmm.ts): the other guest and the serial PDs run
   * on, bytes in the sDDF queues stay. The VM's vGIC counts start again from zero (they then match the
   * new guest's own); the console's stats, the PDs' and the vCPU's CPU time go on. An index that names
   * no guest does nothing.
   */
  resetGuest(index: number): void {
    const vmm = Number.isInteger(index) ? this.vmms[index] : undefined;
    if (!vmm) return;
    const g = this.config.guests[index];
    if (this.real?.vmmFaults.has(g.vmm)) {
      // libvmm 0.2.0 restarts no guest (its SYSTEM_RESET does nothing, guest_restart places no images).
      this.kernel.log(g.vmm, 'error', `(emulator) '${g.name}' is not reset: its VMM is the real libvmm, which cannot restart a guest`);
      return;
    }
    this.inputLog.push({ timeNs: this.kernel.now, bytes: new Uint8Array(0), resetGuest: index });
    vmm.resetGuest();
  }

  /** Guest i's last fatal fault since it last booted, if any (what the VMM printed, and the node it hit). */
  lastFault(i: number): Vmm['faults'][number] | undefined {
    const faults = this.faultsOf(i);
    return faults?.[faults.length - 1];
  }

  private vcpuOfVmm(vmm: string): Vcpu | undefined {
    return this.vcpus[this.config.guests.findIndex((g) => g.vmm === vmm)];
  }

  /** Guest i's VMM's record of the faults that stopped its vCPU: libvmm's when the VMM is real. */
  private faultsOf(i: number): Vmm['faults'] {
    const g = this.config.guests[i];
    return (g && this.real?.vmmFaults.get(g.vmm)?.faults) ?? this.vmms[i]?.faults ?? [];
  }

  /** The vCPU of guest i, for tests and tools. */
  vcpu(i: number): Vcpu {
    return this.vcpus[i];
  }

  console(i: number): VirtioConsole | undefined {
    return this.consoles[i];
  }
}

const VIRTQ_NAMES = ['receiveq0', 'transmitq0'] as const;

function snapshotVirtq(s: VirtqState, index: number, mem: GuestPhysical): VirtqSnapshot {
  const num = Math.min(s.num, 128);
  const descriptors: VirtqSnapshot['descriptors'] = [];
  const availRing: number[] = [];
  const usedRing: VirtqSnapshot['usedRing'] = [];
  const ok = num > 0 && mem.contains(s.descGpa, num * VIRTQ_DESC_SIZE) && mem.contains(s.availGpa, 4 + 2 * num) && mem.contains(s.usedGpa, 4 + 8 * num);
  if (ok) {
    for (let i = 0; i < num; i++) {
      const d = s.descGpa + i * VIRTQ_DESC_SIZE;
      descriptors.push({ addr: mem.u64(d), len: mem.u32(d + 8), flags: mem.u16(d + 12), next: mem.u16(d + 14) });
      availRing.push(mem.u16(s.availGpa + 4 + 2 * i));
      usedRing.push({ id: mem.u32(s.usedGpa + 4 + 8 * i), len: mem.u32(s.usedGpa + 8 + 8 * i) });
    }
  }
  return {
    index,
    name: VIRTQ_NAMES[index],
    num: s.num,
    ready: s.ready,
    descGpa: s.descGpa,
    availGpa: s.availGpa,
    usedGpa: s.usedGpa,
    lastSeen: s.lastIdx,
    availIdx: ok ? mem.u16(s.availGpa + 2) : undefined,
    usedIdx: ok ? mem.u16(s.usedGpa + 2) : undefined,
    descriptors,
    availRing,
    usedRing,
  };
}

function schedState(p: SchedParams): SchedState {
  const budgetNs = (p.budgetUs ?? DEFAULT_BUDGET_US) * 1000;
  const periodNs = (p.periodUs ?? p.budgetUs ?? DEFAULT_BUDGET_US) * 1000;
  return { priority: p.priority, budgetNs, periodNs: Math.max(periodNs, budgetNs), passive: p.passive ?? false };
}

function addListener<T>(list: T[], cb: T): () => void {
  list.push(cb);
  return () => {
    const i = list.indexOf(cb);
    if (i >= 0) list.splice(i, 1);
  };
}

/** Listeners the host wants in place before the PDs' init() runs (boot-time logs, the begin string). */
export interface EmulatorHost {
  onLog?: (r: LogRecord) => void;
  onUartOutput?: OutputListener;
  /** Record the session as a Chrome/Perfetto trace from power-on (trace.ts). */
  trace?: TraceRecorder;
  /** Other observers to have from power-on (time-travel.ts counts activations with one). */
  observers?: KernelObserver[];
}

export interface CreateEmulatorResult {
  emulator: Emulator | undefined;
  diagnostics: Diagnostic[];
}

/** Validate the configuration and build the machine; errors come back as diagnostics, never thrown. */
export function createEmulator(config: MachineConfig, host?: EmulatorHost): CreateEmulatorResult {
  const diagnostics = validateConfig(config);
  if (diagnostics.some((d) => d.severity === 'error')) return { emulator: undefined, diagnostics };
  try {
    return { emulator: new Emulator(config, host), diagnostics };
  } catch (e) {
    diagnostics.push({ severity: 'error', message: `emulator: could not assemble the system: ${e instanceof Error ? e.message : String(e)}` });
    return { emulator: undefined, diagnostics };
  }
}
