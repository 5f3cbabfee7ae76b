// A model of a Linux guest (a small buildroot system), honest about being a model: it is not a
// kernel, but it behaves as Linux does at the driver level. It reads the DTB the VMM placed in its
// RAM, probes the enabled devices it has drivers for (drivers.ts) through their registers, sets up
// its console IRQ through the DT's interrupt-parent chain (programming the i.MX GPC when the chain
// goes through it), drives the virtio-mmio console through registers and split virtqueues, takes
// and acknowledges interrupts, and runs getty and a small shell on hvc0.
//
// What a user sees before and without hvc0 (the real kernel's behaviour depends on its config; this is ours):
// - Kernel messages are kept in the log buffer from the first line (`dmesg` shows them all).
// - With `console=hvc0` on the command line, hvc0 becomes a console when the virtio console driver
//   is up, and, as a real console registered with CON_PRINTBUFFER, it first prints everything
//   logged so far; later kernel messages follow, then the login prompt on /dev/console = hvc0.
// - Without `console=hvc0` but with `earlycon` (any value), the same buffered early lines appear
//   once the virtio port exists, until the kernel drops its boot console at the end of init
//   ("printk: bootconsole [hvc0] disabled"); after that the console is silent. The kernel then logs
//   "Warning: unable to open an initial console." (to dmesg and the emulator log, as on a board with
//   the wrong console= the line goes nowhere visible) and no login prompt appears.
// - With neither, the guest is silent from the start. (A real kernel without any console= would
//   enable the first console that registers, hvc0; the model requires console=hvc0 on purpose, so
//   that a missing argument shows up as the silence it causes on the real board's configuration.)
//
// Console output is coalesced: what programs write while a transmit buffer is with the device goes
// out together in the next one (up to a page), where hvc would call put_chars once per push.
//
// An enabled GPC node is initialised (every line masked) whether or not any device routes through
// it, as Linux's irqchip init does: `interrupt-parent = <&gic>` on the console node avoids the GPC
// only when the GPC node is disabled too (guest-2.dts of the example does both).
//
// Other simplifications: the GIC's registers are not touched (the vGIC is reached through
// GuestMachine.onInterrupt/endOfInterrupt); interrupts are taken between steps of the running
// program (the vCPU's IRQ line is sampled when run() resumes); there is one CPU; a missing
// linux,initrd-* pair means the built-in initramfs.

import { readFdt, readFdtHeader } from '../../../devicetree/fdt-reader';
import { findNodeByPath, getProperty, liveChildren, nodePath, propertyCells, walkNodes, type DtNode, type DtTree } from '../../../devicetree/tree';
import type { GuestMachine, GuestProgram, GuestRunResult } from '../interface';
import {
  DRIVER_PROBE_NS,
  FDT_PARSE_NS_PER_KIB,
  INITRD_UNPACK_NS_PER_MIB,
  IRQ_ENTRY_NS,
  KERNEL_INIT_NS,
  PRINTK_LINE_NS,
  TTY_BYTE_NS,
  USERSPACE_INIT_NS,
} from './costs';
import { regRanges } from '../../../devicetree/addresses';
import {
  chosenInfo,
  compatibles,
  isEnabled,
  memoryWindows,
  parseBootargs,
  resolveInterrupt,
  stringProperty,
  type ChosenInfo,
  type IrqControllerKind,
  type RegWindow,
} from './device-tree-view';
import { DEFAULT_LINUX_DRIVERS, irqChips, matchDriver, platformDeviceName, platformDevices, type LinuxDriver } from './drivers';
import { Mmio, VcpuStopped } from './mmio';
import { PageAllocator, type PhysRange } from './page-allocator';
import { KERNEL_RESERVED_BYTES, memoryFigures, type InterruptLine, type KernelFacts } from './procfs';
import { Shell, type ShellKernel } from './shell';
import { cpu, type Block, type Task } from './task';
import { ByteQueue, LineDiscipline, onlcr } from './console-tty';
import { VirtioConsoleDriver } from './virtio-console-driver';
import type { ConsolePort } from './uart-console-driver';
import { earlyPort, irqName, parseEarlycon, portBanner, serialLine, serialPort, type EarlyUart } from './serial-console';

export const PSCI_SYSTEM_OFF = 0x84000008;
export const PSCI_SYSTEM_RESET = 0x84000009;
/** The arm64 virtual timer's PPI 11 = INTID 27: what onTimer stands for in /proc/interrupts. */
const ARCH_TIMER_INTID = 27;
const KERNEL_RELEASE = '6.1.0-model';
const KERNEL_VERSION = '#1 SMP PREEMPT Thu Jan  1 00:00:00 UTC 1970';
/** i.MX GPC v2 (irq-imx-gpcv2.c): four 32-bit IMR words per core, core 0 at 0x30, core 1 at 0x40, cores 2-3 at 0x1c0/0x1d0. */
const GPC_IMR_WORDS = 4;
const GPC_IMR_CORE_OFFSETS = [0x30, 0x40, 0x1c0, 0x1d0];
/** Console output buffer; tty writers may fill it only up to TTY_OUTPUT_LIMIT, printk and echo use the rest. */
const OUTPUT_CAPACITY = 32 * 1024;
const TTY_OUTPUT_LIMIT = 16 * 1024;
/** A safety valve: no run() executes more program steps than this before yielding the vCPU. */
const MAX_STEPS_PER_RUN = 100_000;
const CPU_PARTS: Record<string, number> = { 'arm,cortex-a53': 0xd03, 'arm,cortex-a55': 0xd05, 'arm,cortex-a57': 0xd07, 'arm,cortex-a72': 0xd08 };

export interface LinuxGuestOptions {
  /** Drivers built into the modelled kernel (default DEFAULT_LINUX_DRIVERS). */
  drivers?: readonly LinuxDriver[];
  /** The guest's host name (login prompt, uname -n). */
  hostname?: string;
  /** The board's generic timer frequency (CNTFRQ); default the MaaXBoard's 8.33 MHz. */
  timerHz?: number;
  /** The board UART's reference clock, which a passed-through UART's divisors are set against; default 24 MHz. */
  uartClockHz?: number;
}

const DEFAULT_TIMER_HZ = 8_333_333;
const DEFAULT_UART_CLOCK_HZ = 24_000_000;
/** How often the model looks again while a boot console's bytes leave the UART: about a character at 115200 baud. */
const BOOT_CONSOLE_POLL_NS = 100_000;
/** GICv2 distributor and CPU interface registers the GIC driver programs (GIC architecture spec v2, 4.3 and 4.4). */
const GICD_CTLR = 0x0,
  GICD_TYPER = 0x4,
  GICD_ISENABLER = 0x100,
  GICD_ICENABLER = 0x180,
  GICC_CTLR = 0x0,
  GICC_PMR = 0x4;

/** Where the guest is, for tests and the inspector. */
export type LinuxGuestPhase = 'not-started' | 'booting' | 'userspace' | 'no-console' | 'halted';

interface ConsoleIrq {
  intid: number;
  line: InterruptLine;
}

export class LinuxGuest implements GuestProgram {
  private readonly drivers: readonly LinuxDriver[];
  readonly hostname: string;
  private machine?: GuestMachine;
  private dtbGpa = 0;
  private phase: LinuxGuestPhase = 'not-started';
  private task?: Task;
  private block?: Block;
  private debtNs = 0;
  private sliceLeft = 0;
  private runStartNs = 0n;
  private consumedInRun = 0;
  private armedTimer?: bigint;
  /** Machine time at kernel entry: printk timestamps and uptime count from here, as sched_clock does. */
  private bootNs = 0n;
  private pendingIrqs: number[] = [];
  private sigint = false;
  private output = new ByteQueue(OUTPUT_CAPACITY);
  private logLines: { ns: bigint; text: string }[] = [];
  private consoleMode: 'console' | 'early' | 'none' = 'none';
  private consoleLive = false;
  private virtio?: VirtioConsoleDriver;
  /** The console device output goes to: the virtio console, a UART's boot console, then its tty. */
  private port?: ConsolePort;
  private consoleName = 'hvc0';
  /** The UART console asked for: `console=ttyAMA0`, or the stdout-path node when no console= is given. */
  private uartConsole?: { tty?: string; node?: DtNode };
  private earlyUart?: EarlyUart;
  /** The GICv2 distributor the GIC driver found (request_irq enables a line there); undefined for GICv3. */
  private gicV2Dist?: number;
  private readonly timerHz: number;
  private readonly uartClockHz: number;
  private consoleIrq?: ConsoleIrq;
  private timerCount = 0;
  private spurious = 0;
  private chosen: ChosenInfo = { bootargs: '' };
  private memoryBytes = 0;
  private mmio?: Mmio;
  readonly tty: LineDiscipline;

  constructor(options: LinuxGuestOptions = {}) {
    this.drivers = options.drivers ?? DEFAULT_LINUX_DRIVERS;
    this.hostname = options.hostname ?? 'buildroot';
    this.timerHz = options.timerHz ?? DEFAULT_TIMER_HZ;
    this.uartClockHz = options.uartClockHz ?? DEFAULT_UART_CLOCK_HZ;
    this.tty = new LineDiscipline(
      (bytes) => {
        this.output.push(bytes);
      },
      () => {
        this.sigint = true;
        this.output.clear();
      },
    );
  }

  // ---- GuestProgram ----

  start(machine: GuestMachine, dtbGpa: number): void {
    // A (re)start is a fresh boot: nothing survives a reset.
    this.machine = machine;
    this.dtbGpa = dtbGpa;
    this.phase = 'booting';
    this.block = undefined;
    this.debtNs = 0;
    this.pendingIrqs = [];
    this.sigint = false;
    this.output.clear();
    this.logLines = [];
    this.consoleMode = 'none';
    this.consoleLive = false;
    this.virtio = undefined;
    this.port = undefined;
    this.consoleName = 'hvc0';
    this.uartConsole = undefined;
    this.earlyUart = undefined;
    this.gicV2Dist = undefined;
    this.consoleIrq = undefined;
    this.timerCount = 0;
    this.spurious = 0;
    this.armedTimer = undefined;
    this.tty.flush();
    this.tty.echo = true;
    this.mmio = new Mmio(machine, (ns) => this.charge(ns));
    this.bootNs = machine.now();
    this.task = this.boot();
  }

  run(sliceNs: number): GuestRunResult {
    const machine = this.machine;
    const task = this.task;
    if (!machine || !task || this.phase === 'halted') return 'halted';
    this.sliceLeft = sliceNs;
    this.runStartNs = machine.now();
    this.consumedInRun = 0;
    try {
      for (let steps = 0; steps < MAX_STEPS_PER_RUN; steps++) {
        this.serviceInterrupts();
        this.pumpOutput();
        if (this.sliceLeft <= 0) return 'preempted';
        if (this.debtNs > 0) {
          const pay = Math.min(this.debtNs, this.sliceLeft);
          this.charge(pay);
          this.debtNs -= pay;
          continue;
        }
        const b = this.block;
        if (b) {
          const waiting = this.stillWaiting(b);
          if (waiting) return waiting;
          this.block = undefined;
        }
        const r = task.next();
        if (r.done) this.block = { kind: 'forever' };
        else if (r.value.kind === 'cpu') this.debtNs += Math.max(0, Math.round(r.value.ns));
        else this.block = r.value;
      }
      return 'preempted';
    } catch (e) {
      if (!(e instanceof VcpuStopped)) throw e;
      this.phase = 'halted';
      machine.log(`model: vCPU stopped by an unhandled ${e.isWrite ? 'write to' : 'read from'} 0x${e.gpa.toString(16)}; the guest halts`);
      return 'halted';
    }
  }

  onInterrupt(intid: number): void {
    this.pendingIrqs.push(intid);
  }

  onTimer(): void {
    this.timerCount++;
    this.armedTimer = undefined;
  }

  // ---- inspection ----

  get currentPhase(): LinuxGuestPhase {
    return this.phase;
  }
  /** Interrupts taken for the console's INTID (what /proc/interrupts shows). */
  get consoleInterrupts(): number {
    return this.consoleIrq?.line.count ?? 0;
  }
  get consoleIntid(): number | undefined {
    return this.consoleIrq?.intid;
  }
  /** The kernel log as dmesg prints it. */
  dmesg(): string {
    return this.logLines.map((l) => formatLogLine(l.ns, l.text) + '\n').join('');
  }

  // ---- the run loop's helpers ----

  private charge(ns: number): void {
    if (ns <= 0 || !this.machine) return;
    this.machine.consume(ns);
    this.sliceLeft -= ns;
    this.consumedInRun += ns;
  }

  /** Virtual time, counting the CPU time charged so far in this slice if the clock has not caught up. */
  private now(): bigint {
    const t = this.machine?.now() ?? 0n;
    const local = this.runStartNs + BigInt(Math.round(this.consumedInRun));
    return t > local ? t : local;
  }

  /** 'idle' / 'halted' while `b` still blocks the program, undefined when it can go on. */
  private stillWaiting(b: Block): GuestRunResult | undefined {
    switch (b.kind) {
      case 'halt':
        this.phase = 'halted';
        return 'halted';
      case 'forever':
        return 'idle';
      case 'sleep':
        if (this.sigint || this.now() >= b.until) return undefined;
        if (this.armedTimer !== b.until) {
          this.armedTimer = b.until;
          this.machine!.setTimer(b.until);
        }
        return 'idle';
      case 'input':
        return this.sigint || this.tty.hasInput() ? undefined : 'idle';
      case 'output':
        return this.sigint || this.ttyRoom() >= b.bytes ? undefined : 'idle';
      case 'drain':
        return this.output.length === 0 && !this.port?.txInFlight ? undefined : this.port?.ready ? 'idle' : undefined;
      case 'cpu':
        return undefined;
    }
  }

  private serviceInterrupts(): void {
    while (this.pendingIrqs.length > 0) {
      const intid = this.pendingIrqs.shift()!;
      this.charge(IRQ_ENTRY_NS);
      if (this.consoleIrq && intid === this.consoleIrq.intid && this.port?.ready) {
        this.consoleIrq.line.count++;
        this.port.handleInterrupt((bytes) => this.tty.receive(bytes));
      } else {
        this.spurious++;
      }
      this.machine!.endOfInterrupt(intid);
    }
  }

  private pumpOutput(): void {
    const v = this.port;
    if (!v?.ready) return;
    while (!v.txInFlight && this.output.length > 0) {
      if (v.transmit((dst, off, max) => this.output.popInto(dst, off, max)) === 0) break;
    }
  }

  private ttyRoom(): number {
    return Math.max(0, TTY_OUTPUT_LIMIT - this.output.length);
  }

  private printk(text: string): void {
    const ns = this.now() - this.bootNs;
    this.logLines.push({ ns, text });
    this.charge(PRINTK_LINE_NS);
    if (this.consoleLive) this.emitConsole(formatLogLine(ns, text) + '\n');
  }

  private emitConsole(text: string): void {
    const bytes = onlcr(text);
    this.charge(bytes.length * TTY_BYTE_NS);
    this.output.push(bytes);
  }

  // ---- boot ----

  private *boot(): Task {
    const machine = this.machine!;
    const dtb = this.readDtb();
    if (!dtb) return yield { kind: 'halt' };
    const tree = dtb.tree;
    this.chosen = chosenInfo(tree);
    const args = parseBootargs(this.chosen.bootargs);
    this.readConsoleArgs(args);

    const cpuNode = this.cpuNodes(tree)[0];
    const cpuPart = CPU_PARTS[cpuNode ? (compatibles(cpuNode)[0] ?? '') : ''] ?? 0xd03;
    this.printk(`Booting Linux on physical CPU 0x${tree.bootCpuidPhys.toString(16).padStart(10, '0')} [0x410f${cpuPart.toString(16)}4]`);
    this.printk(`Linux version ${KERNEL_RELEASE} (model of a buildroot kernel, Microkit Dual Guest emulator) ${KERNEL_VERSION}`);
    // Without a model property, Linux names the machine by its first root compatible.
    const model = stringProperty(tree.root, 'model') ?? compatibles(tree.root)[0];
    if (model) this.printk(`Machine model: ${model}`);
    if (this.earlyUart) this.startEarlyUart(this.earlyUart);

    const ram = this.ramWindow(tree);
    if (!ram) return yield* this.panic('no memory node covering the RAM this kernel runs in');
    // memblock hands out early allocations top-down, so the first ones land at the top of the RAM
    // the DT describes: when the DT promises more than the VM has, that store faults, as on a board.
    const ramTop = ram.base + ram.size;
    const vmRamTop = machine.ramBase + machine.ram.length;
    if (ramTop > vmRamTop) {
      machine.log(
        `model: the DT memory node ends at 0x${ramTop.toString(16)}, beyond the VM's RAM (ends 0x${vmRamTop.toString(16)}); memblock's first allocation goes there`,
      );
      this.mmio!.write32(ramTop - 0x1000, 0);
    }
    this.memoryBytes = memoryWindows(tree).reduce((sum, w) => sum + w.size, 0);
    const totalKiB = Math.floor(this.memoryBytes / 1024);
    const mem = memoryFigures(this.memoryBytes);
    this.printk(`Memory: ${mem.totalKiB}K/${totalKiB}K available (${KERNEL_RESERVED_BYTES / 1024}K reserved, 0K cma-reserved)`);
    this.printk(`Kernel command line: ${this.chosen.bootargs}`);

    const initrd = this.chosen.initrd;
    if (initrd && (initrd.start < ram.base || initrd.end > ram.base + ram.size)) {
      this.printk(`initrd not fully accessible via the linear mapping -- please check your bootloader ...`);
      return yield* this.panic('VFS: Unable to mount root fs on unknown-block(0,0)');
    }
    const reserved: PhysRange[] = [{ start: this.dtbGpa, end: this.dtbGpa + dtb.size }];
    if (initrd) reserved.push({ start: initrd.start, end: initrd.end });
    for (const r of tree.memreserves) reserved.push({ start: Number(r.address), end: Number(r.address + r.size) });
    const pages = new PageAllocator(machine.ramBase, Math.min(ram.base + ram.size, machine.ramBase + machine.ram.length), reserved);

    this.printk('NR_IRQS: 64, nr_irqs: 64, preallocated irqs: 0');
    yield* this.initIrqchips(tree);
    if (this.findDriverNode(tree, 'arch-timer')) this.startArchTimer();
    this.printk('pid_max: default: 32768 minimum: 301');
    yield cpu(KERNEL_INIT_NS);

    for (const node of platformDevices(tree)) {
      const driver = matchDriver(this.drivers, compatibles(node));
      if (!driver) continue;
      if (driver.role === 'device') yield* this.probeDevice(node, driver);
      else if (driver.role === 'virtio-mmio') yield* this.probeVirtio(tree, node, pages);
      if (driver.serial) yield* this.probeSerialConsole(tree, node, driver);
    }

    if (initrd) {
      this.printk('Trying to unpack rootfs image as initramfs...');
      yield cpu(((initrd.end - initrd.start) / (1024 * 1024)) * INITRD_UNPACK_NS_PER_MIB);
      this.printk(`Freeing initrd memory: ${Math.floor((initrd.end - initrd.start) / 1024)}K`);
    }
    const haveConsole = this.openInitialConsole();
    this.printk('Freeing unused kernel memory: 1536K');
    this.printk('Run /init as init process');
    if (!haveConsole) {
      // init runs without stdin/stdout: getty has no console to open, so nothing more appears.
      this.phase = 'no-console';
      return yield { kind: 'forever' };
    }
    yield cpu(USERSPACE_INIT_NS);
    this.phase = 'userspace';
    const shell = new Shell(this.shellKernel(tree, cpuPart));
    yield* this.writeConsole('Starting syslogd: OK\nStarting klogd: OK\nRunning sysctl: OK\nSaving random seed: OK\n');
    yield* shell.session();
  }

  /**
   * Linux's order: late initcalls drop the boot console, then /dev/console is opened (or the
   * warning logged); init memory is freed and /init runs after, with or without a console.
   */
  private openInitialConsole(): boolean {
    if (this.consoleMode === 'early' && this.consoleLive) {
      this.printk('printk: bootconsole [hvc0] disabled');
      this.consoleLive = false;
    }
    if (this.earlyUart && this.consoleLive && this.consoleName === 'hvc0') {
      // The boot console goes when no real console took over.
      this.printk(`printk: bootconsole [${this.earlyUart.name}] disabled`);
      this.consoleLive = false;
    }
    const haveConsole = (this.consoleMode === 'console' && this.virtio !== undefined) || this.consoleName !== 'hvc0';
    if (!haveConsole) {
      this.printk('Warning: unable to open an initial console.');
      this.machine!.log(
        'model: Warning: unable to open an initial console. (no console=hvc0 or console=tty... on the kernel command line, or no such console)',
      );
    }
    return haveConsole;
  }

  /** console= and earlycon= from the command line: which console the kernel wants, and a boot console. */
  private readConsoleArgs(args: { key: string; value?: string }[]): void {
    const consoles = args.filter((a) => a.key === 'console').map((a) => (a.value ?? '').split(',')[0]);
    this.earlyUart = parseEarlycon(args.find((a) => a.key === 'earlycon')?.value);
    this.consoleMode = consoles.includes('hvc0') ? 'console' : args.some((a) => a.key === 'earlycon') && !this.earlyUart ? 'early' : 'none';
    // A serial console: named by console=, else (no console= at all) the stdout-path device (of_console_check).
    const tty = consoles.find((c) => c.startsWith('tty'));
    if (tty) this.uartConsole = { tty };
    else if (consoles.length === 0 && this.chosen.stdoutNode) this.uartConsole = { node: this.chosen.stdoutNode };
  }

  /**
   * The arch timer driver: its lines, and enable_percpu_irq of its PPI, at the redistributor on
   * GICv3, where a real VMM's vGIC must have it enabled to inject its VPPI events (a GICv2 guest's
   * timer is not routed through the modelled distributor).
   */
  private startArchTimer(): void {
    this.printTimer();
    if (this.gicV2Dist === undefined) this.machine!.enableInterrupt(ARCH_TIMER_INTID);
  }

  /** The generic timer at the board's CNTFRQ: lpj = CNTFRQ / HZ (250), BogoMIPS = lpj x HZ / 500000, truncated to two places. */
  private printTimer(): void {
    const lpj = Math.floor(this.timerHz / 250);
    const centiBogo = Math.floor((lpj * 250) / 5000);
    this.printk(`arch_timer: cp15 timer(s) running at ${(Math.floor(this.timerHz / 10000) / 100).toFixed(2)}MHz (virt).`);
    this.printk(
      `Calibrating delay loop (skipped), value calculated using timer frequency.. ${Math.floor(centiBogo / 100)}.${String(centiBogo % 100).padStart(2, '0')} BogoMIPS (lpj=${lpj})`,
    );
  }

  /** Read the DTB at x0: its header's totalsize says how much to parse. Undefined when unusable (logged). */
  private readDtb(): { tree: DtTree; size: number } | undefined {
    const machine = this.machine!;
    const off = this.dtbGpa - machine.ramBase;
    const fail = (why: string): undefined => {
      machine.log(`model: Error: invalid device tree blob at physical address 0x${this.dtbGpa.toString(16)}: ${why}; the kernel cannot continue`);
      return undefined;
    };
    if (off < 0 || off >= machine.ram.length) return fail('outside RAM');
    const blob = machine.ram.subarray(off);
    const header = readFdtHeader(blob);
    if ('error' in header) return fail(header.error);
    const size = header.header.totalsize;
    const result = readFdt(blob.subarray(0, size));
    if ('error' in result) return fail(result.error);
    this.charge(Math.ceil(size / 1024) * FDT_PARSE_NS_PER_KIB);
    return { tree: result.tree, size };
  }

  private *panic(reason: string): Task {
    this.printk(`Kernel panic - not syncing: ${reason}`);
    this.machine!.log(`model: Kernel panic - not syncing: ${reason}`);
    this.phase = 'halted';
    yield { kind: 'halt' };
  }

  private cpuNodes(tree: DtTree): DtNode[] {
    const cpus = findNodeByPath(tree, '/cpus');
    return cpus ? liveChildren(cpus).filter((c) => stringProperty(c, 'device_type') === 'cpu') : [];
  }

  /** The memory window that holds the RAM the VMM gave this guest. */
  private ramWindow(tree: DtTree): RegWindow | undefined {
    const base = this.machine!.ramBase;
    return memoryWindows(tree).find((w) => base >= w.base && base < w.base + w.size);
  }

  private findDriverNode(tree: DtTree, role: LinuxDriver['role']): DtNode | undefined {
    for (const n of walkNodes(tree.root)) if (isEnabled(n) && matchDriver(this.drivers, compatibles(n))?.role === role) return n;
    return undefined;
  }

  private controllerKind(node: DtNode): IrqControllerKind | undefined {
    const role = matchDriver(this.drivers, compatibles(node))?.role;
    return role === 'irqchip-gic' ? 'gic' : role === 'irqchip-gpcv2' ? 'gpcv2' : undefined;
  }

  /** of_irq_init: the root controllers (the GIC) first, then the ones stacked on them, in DT order. */
  private *initIrqchips(tree: DtTree): Task {
    for (const { node: chip } of irqChips(tree, this.drivers)) {
      const base = regRanges(chip)[0]?.base;
      if (this.controllerKind(chip) === 'gic') {
        if (matchDriver(this.drivers, compatibles(chip))?.gic === 2) yield* this.initGicV2(chip);
        else
          this.printk(
            `GICv3: ${nodePath(chip)}${base !== undefined ? ` at 0x${base.toString(16)}` : ''} is the VMM's virtual GIC (this model leaves its registers alone)`,
          );
        continue;
      }
      if (base === undefined) {
        this.printk(`imx-gpcv2: ${nodePath(chip)}: unable to map gpc registers`);
        continue;
      }
      this.machine!.log(`model: probing ${nodePath(chip)} (${compatibles(chip)[0]}) at 0x${base.toString(16)}: masking all wakeup interrupts`);
      // Initially mask all interrupts, for each core the SoC has: the driver's match data says 4 for
      // the i.MX8MQ and 2 for the i.MX7D, whatever the DT's cpus node holds.
      const cores = compatibles(chip).includes('fsl,imx8mq-gpc') ? 4 : 2;
      for (let word = 0; word < GPC_IMR_WORDS; word++) {
        for (let core = 0; core < cores; core++) this.mmio!.write32(base + GPC_IMR_CORE_OFFSETS[core] + word * 4, 0xffffffff);
      }
      yield cpu(DRIVER_PROBE_NS);
    }
  }

  private *probeDevice(node: DtNode, driver: LinuxDriver): Task {
    const base = regRanges(node)[0]?.base;
    const dev = platformDeviceName(node.name, base);
    if (base === undefined) {
      this.printk(`${driver.name} ${dev}: no MMIO resource`);
      return;
    }
    this.machine!.log(`model: probing ${nodePath(node)} (${compatibles(node)[0]}) at 0x${base.toString(16)} with ${driver.name}`);
    for (const access of driver.probe ?? []) {
      if (access.op === 'read') this.mmio!.read32(base + access.offset);
      else this.mmio!.write32(base + access.offset, access.value ?? 0);
    }
    if (driver.message)
      this.printk(
        driver.message
          .split('{dev}')
          .join(dev)
          .split('{addr}')
          .join(`0x${base.toString(16)}`),
      );
    yield cpu(DRIVER_PROBE_NS);
  }

  private *probeVirtio(tree: DtTree, node: DtNode, pages: PageAllocator): Task {
    const base = regRanges(node)[0]?.base;
    const dev = platformDeviceName(node.name, base);
    if (base === undefined) {
      this.printk(`virtio-mmio ${dev}: no MMIO resource`);
      return;
    }
    this.machine!.log(`model: probing ${nodePath(node)} (virtio,mmio) at 0x${base.toString(16)}`);
    // virtio_mmio reads the transport's identity first: an empty slot (device ID 0, as the emulated
    // VMM answers for the virtio devices it does not model) is skipped without a word.
    const driver = new VirtioConsoleDriver(this.machine!, this.mmio!, base, dev);
    const id = driver.identify();
    if (typeof id === 'string') {
      this.printk(`virtio-mmio ${dev}: ${id}`);
      return;
    }
    if (id === 0) return;
    if (this.virtio) {
      // One console port is modelled; a second virtio-mmio console stays unbound.
      this.printk(`virtio-mmio ${dev}: a second virtio console is not modelled; left unbound`);
      return;
    }
    const irq = resolveInterrupt(tree, node, (c) => this.controllerKind(c));
    if ('reason' in irq) {
      this.printk(`virtio-mmio ${dev}: failed to get IRQ: ${irq.reason}`);
      return;
    }
    const spec = propertyCells(getProperty(node, 'interrupts')!);
    const gpc = irq.chain.find((c) => this.controllerKind(c) === 'gpcv2');
    const failure = driver.probe(
      id,
      pages,
      (line) => this.printk(line),
      () => this.requestIrq(gpc, irq.hwirq, irq.intid),
    );
    if (failure !== undefined) {
      if (failure !== '') this.printk(`virtio-mmio ${dev}: ${failure}`);
      return;
    }
    this.virtio = driver;
    this.port = driver;
    this.consoleIrq = {
      intid: irq.intid,
      line: { irq: 12, count: 0, chip: gpc ? 'GPCv2' : this.gicChipName(), hwirq: irq.hwirq, trigger: (spec[2] ?? 4) & 3 ? 'Edge' : 'Level', name: 'virtio0' },
    };
    this.printk(`${dev}: ttyHVC0 at MMIO 0x${base.toString(16)} (irq = ${irq.intid}) is a virtio console`);
    if (this.consoleMode !== 'none') {
      // Registering the console replays the log buffer (CON_PRINTBUFFER), then follows new lines.
      this.printk(this.consoleMode === 'console' ? 'printk: console [hvc0] enabled' : 'printk: bootconsole [hvc0] enabled');
      this.consoleLive = true;
      this.emitConsole(this.dmesg());
    }
    yield cpu(DRIVER_PROBE_NS);
  }

  /**
   * request_irq through the chain: the GIC driver enables the INTID at the distributor, and the GPC
   * driver (when the line goes through it) unmasks it in core 0's IMR (imx_gpcv2_irq_unmask).
   */
  private requestIrq(gpc: DtNode | undefined, hwirq: number, intid: number): void {
    if (this.gicV2Dist !== undefined) this.mmio!.write32(this.gicV2Dist + GICD_ISENABLER + Math.floor(intid / 32) * 4, 1 << (intid % 32));
    else this.machine!.enableInterrupt(intid);
    if (!gpc) return;
    const base = regRanges(gpc)[0]?.base;
    if (base === undefined) return;
    const reg = base + GPC_IMR_CORE_OFFSETS[0] + Math.floor(hwirq / 32) * 4;
    this.machine!.log(`model: ${nodePath(gpc)}: unmasking hwirq ${hwirq} (IMR at 0x${reg.toString(16)})`);
    const v = this.mmio!.read32(reg);
    this.mmio!.write32(reg, v & ~(1 << (hwirq % 32)));
  }

  /** /proc/interrupts' chip name: "GIC-0" for the GICv2 driver, "GICv3" for the v3 one. */
  private gicChipName(): string {
    return this.gicV2Dist !== undefined ? 'GIC-0' : 'GICv3';
  }

  /**
   * gic_of_init for a GICv2: the distributor (reg 0; libvmm's vGIC emulates it, through faults) is
   * disabled, every SPI disabled, and enabled again; the CPU interface (reg 1; the VM's mapping of
   * the GICV frame) gets its priority mask and is enabled.
   */
  private *initGicV2(chip: DtNode): Task {
    const [dist, cpuif] = regRanges(chip);
    if (!dist || !cpuif) {
      this.printk(`GIC: ${nodePath(chip)}: unable to map gic dist/cpu registers`);
      return;
    }
    this.machine!.log(`model: probing ${nodePath(chip)} (${compatibles(chip)[0]}) at 0x${dist.base.toString(16)}: GICv2 distributor and CPU interface`);
    const m = this.mmio!;
    m.write32(dist.base + GICD_CTLR, 0);
    const lines = Math.min(1020, 32 * ((m.read32(dist.base + GICD_TYPER) & 0x1f) + 1));
    for (let i = 32; i < lines; i += 32) m.write32(dist.base + GICD_ICENABLER + i / 8, 0xffffffff);
    m.write32(dist.base + GICD_CTLR, 1);
    m.write32(cpuif.base + GICC_PMR, 0xf0);
    m.write32(cpuif.base + GICC_CTLR, 1);
    this.gicV2Dist = dist.base;
    yield cpu(DRIVER_PROBE_NS);
  }

  /** The boot console writes straight to the UART the firmware left running, and prints the log so far. */
  private startEarlyUart(early: EarlyUart): void {
    this.port = earlyPort(early, this.mmio!);
    this.printk(`earlycon: ${early.name} at MMIO 0x${early.base.toString(16).padStart(16, '0')} (options '${early.options}')`);
    this.printk(`printk: bootconsole [${early.name}] enabled`);
    this.consoleLive = true;
    this.emitConsole(this.dmesg());
  }

  /**
   * A serial driver binds a probed UART (amba-pl011, imx-uart): imx-uart probes every port and logs
   * its banner; the port whose tty console= names (or whose node the stdout-path names, with no
   * console=) starts up and becomes the console, and a boot console hands over to it.
   */
  private *probeSerialConsole(tree: DtTree, node: DtNode, driver: LinuxDriver): Task {
    const base = regRanges(node)[0]?.base;
    if (base === undefined) return;
    const kind = driver.serial!.kind;
    const tty = `${driver.serial!.tty}${serialLine(tree, node)}`;
    const dev = platformDeviceName(node.name, base);
    const want = this.uartConsole;
    const isConsole = want !== undefined && (want.tty !== undefined ? want.tty === tty : want.node === node) && this.consoleName === 'hvc0';
    const port = serialPort(kind, this.mmio!, base, this.uartClockHz);
    port.probe();
    if (!isConsole) {
      // amba-pl011's other ports are left unregistered here; imx-uart reports each one it adds.
      if (kind === 'imx') this.printk(`${dev}: ${portBanner(kind, port, tty, this.uartClockHz)}`);
      return;
    }
    const irq = resolveInterrupt(tree, node, (c) => this.controllerKind(c));
    if ('reason' in irq) {
      this.printk(`${driver.name} ${dev}: failed to get IRQ: ${irq.reason}`);
      return;
    }
    if (this.consoleLive && this.earlyUart?.base === base) yield* this.drainBootConsole();
    port.consoleSetup();
    port.startup();
    this.requestIrq(undefined, irq.hwirq, irq.intid);
    this.printk(`${dev}: ${portBanner(kind, port, tty, this.uartClockHz)}`);
    const spec = propertyCells(getProperty(node, 'interrupts')!);
    this.consoleIrq = {
      intid: irq.intid,
      line: { irq: 13, count: 0, chip: this.gicChipName(), hwirq: irq.intid, trigger: (spec[2] ?? 4) & 3 ? 'Edge' : 'Level', name: irqName(kind, dev) },
    };
    const early = this.consoleLive && this.earlyUart ? this.earlyUart : undefined;
    // The pending boot-console bytes stay in the output queue; the tty port takes them over.
    this.port = port;
    this.consoleName = tty;
    this.printk(`printk: console [${tty}] enabled`);
    if (early) this.printk(`printk: bootconsole [${early.name}] disabled`);
    else {
      this.consoleLive = true;
      this.emitConsole(this.dmesg());
    }
  }

  /**
   * Let the boot console's output leave the UART before the tty port resets it: printk writes
   * through a boot console synchronously on a real kernel, where here its bytes queue behind the line.
   */
  private *drainBootConsole(): Task {
    yield cpu(0); // a step, so that the run loop hands the queue to the port
    while (this.output.length > 0 || this.port?.txInFlight) yield { kind: 'sleep', until: this.now() + BigInt(BOOT_CONSOLE_POLL_NS) };
  }

  private *writeConsole(text: string): Task {
    const bytes = onlcr(text);
    let done = 0;
    while (done < bytes.length) {
      const n = Math.min(bytes.length - done, this.ttyRoom());
      this.output.push(bytes.subarray(done, done + n));
      done += n;
      if (done < bytes.length) yield { kind: 'output', bytes: Math.min(4096, bytes.length - done) };
    }
  }

  private shellKernel(tree: DtTree, cpuPart: number): ShellKernel {
    const facts: KernelFacts = {
      tree,
      memoryBytes: this.memoryBytes,
      bootargs: this.chosen.bootargs,
      release: KERNEL_RELEASE,
      version: KERNEL_VERSION,
      cpuPart,
      uptimeNs: () => this.now() - this.bootNs,
      interrupts: () => {
        const lines: InterruptLine[] = [
          { irq: 11, count: this.timerCount, chip: this.gicChipName(), hwirq: ARCH_TIMER_INTID, trigger: 'Level', name: 'arch_timer' },
        ];
        if (this.consoleIrq) lines.push(this.consoleIrq.line);
        return lines;
      },
      spuriousInterrupts: () => this.spurious,
    };
    return {
      facts,
      hostname: this.hostname,
      tty: this.tty,
      now: () => this.now(),
      ttyWrite: (bytes) => {
        const n = Math.min(bytes.length, this.ttyRoom());
        this.output.push(bytes.subarray(0, n));
        return n;
      },
      takeSigint: () => {
        const s = this.sigint;
        this.sigint = false;
        return s;
      },
      sigintPending: () => this.sigint,
      dmesg: () => this.dmesg(),
      shutdown: (reset) => this.shutdown(reset),
    };
  }

  /** BusyBox init's shutdown, then the kernel's last line and the PSCI call the VMM sees. */
  private *shutdown(reset: boolean): Task {
    yield* this.writeConsole(
      `The system is going down NOW!\nSent SIGTERM to all processes\nSent SIGKILL to all processes\nRequesting system ${reset ? 'reboot' : 'poweroff'}\n`,
    );
    yield cpu(KERNEL_INIT_NS / 4);
    this.printk(reset ? 'reboot: Restarting system' : 'reboot: Power down');
    yield { kind: 'drain' };
    this.machine!.psci(reset ? PSCI_SYSTEM_RESET : PSCI_SYSTEM_OFF);
    this.phase = 'halted';
    yield { kind: 'halt' };
  }
}

/** "[    1.234567] text", as printk prefixes lines. */
export function formatLogLine(ns: bigint, text: string): string {
  const us = ns / 1000n;
  return `[${String(us / 1_000_000n).padStart(5)}.${String(us % 1_000_000n).padStart(6, '0')}] ${text}`;
}

export function createLinuxGuest(options?: LinuxGuestOptions): GuestProgram {
  return new LinuxGuest(options);
}
