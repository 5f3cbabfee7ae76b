// The seam between the emulated machine and a guest program. A guest program is what runs on a
// VM's vCPU: the Linux model in linux.ts today, something else later. It sees only what a real
// kernel sees: RAM, MMIO (which traps to the VMM where nothing is mapped), interrupts from the vGIC,
// a timer, and PSCI calls. Everything it does costs virtual time, which it reports with consume().

/** What the VM offers its vCPU. Implemented by the emulator (vcpu/vm model). */
export interface GuestMachine {
  /** Guest-physical base address of RAM (0x40000000 in the real system). */
  readonly ramBase: number;
  /** Guest RAM bytes; the VMM maps the same memory region, so both see every write. */
  readonly ram: Uint8Array;
  /**
   * A load outside RAM. Mapped device regions are read directly; an unmapped address is a stage-2
   * fault delivered to the VMM, which emulates it (virtio-mmio) or cannot (the vCPU stops with
   * libvmm's fault message). Returns undefined when the access stopped the vCPU. `reg` is the
   * general-purpose register the load targets (the data abort's SRT; 0 when omitted, as for
   * Linux's readl, `ldr w0, [x0]`).
   */
  mmioRead(gpa: number, size: 1 | 2 | 4, reg?: number): number | undefined;
  /** A store outside RAM from register `reg` (0 when omitted), as mmioRead. False when the access stopped the vCPU. */
  mmioWrite(gpa: number, size: 1 | 2 | 4, value: number, reg?: number): boolean;
  /** Virtual time in nanoseconds since the machine started. */
  now(): bigint;
  /** Charge CPU time for work the guest did; the scheduler preempts on budget and priority. */
  consume(ns: number): void;
  /** Arm the vCPU's virtual timer (one deadline; a new call replaces it). onTimer() fires at or after it. */
  setTimer(deadlineNs: bigint): void;
  /**
   * The guest's interrupt controller driver enables an INTID at the (virtual) distributor, as
   * request_irq does through GICD_ISENABLER. The VMM's vGIC refuses to inject an IRQ that is not
   * enabled (libvmm logs "vIRQ 0x.. is not enabled").
   */
  enableInterrupt(intid: number): void;
  /** End of interrupt for an INTID taken through onInterrupt (frees the vGIC list register). */
  endOfInterrupt(intid: number): void;
  /** A PSCI call (SYSTEM_OFF 0x84000008, SYSTEM_RESET 0x84000009, ...): the VMM sees it. */
  psci(functionId: number): void;
  /** Text for the emulator's own log (not the guest console): e.g. "model: probing /soc/serial@...". */
  log(message: string): void;
}

/** Why run() returned. */
export type GuestRunResult =
  | 'idle' // WFI: nothing to do until an interrupt or the timer
  | 'preempted' // the slice ran out with work left (e.g. `yes`)
  | 'halted'; // stopped: fault, poweroff, or panic; it runs again only after a reset

/** A program that runs on a vCPU. */
export interface GuestProgram {
  /** Kernel entry: x0 holds the guest-physical address of the DTB the VMM placed in RAM. */
  start(machine: GuestMachine, dtbGpa: number): void;
  /** Run for at most sliceNs of virtual time (reported through consume()). */
  run(sliceNs: number): GuestRunResult;
  /** An interrupt delivered by the vGIC (INTID, e.g. 74 for SPI 42). */
  onInterrupt(intid: number): void;
  /** The virtual timer's deadline passed. */
  onTimer(): void;
  /** The kernel's log as `dmesg` prints it, for showing where a stopped guest got to (optional). */
  dmesg?(): string;
}
