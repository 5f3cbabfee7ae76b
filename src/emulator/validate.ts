// Checks an EmulatorConfig before anything is built, so that a bad configuration yields
// diagnostics instead of a throw. (Positions belong to the `.system` file; from-project.ts adds
// them where it knows them, these messages name the element.)
import type { Diagnostic } from '../common/diagnostics';
import type {} from './diagnostic-codes'; // the codes these diagnostics carry
import type { EmulatorConfig, MachineConfig, QueueConnection, SchedParams } from './config';
import { unmodelledUart } from './devices/board-uart';
import { DEFAULT_BOARD } from './boards';
import { NATIVE_PD_CODE, nativePdMessage } from '../system/checks/native-pds';

/** The most memory (all memory regions together) one emulated system may have: 4 GiB. */
export const MAX_EMULATED_MEMORY = 4 * 1024 ** 3;

function formatSize(bytes: number): string {
  const units: [number, string][] = [
    [1024 ** 3, 'GiB'],
    [1024 ** 2, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [size, unit] of units) if (bytes >= size) return `${+(bytes / size).toFixed(2)} ${unit}`;
  return `${bytes} bytes`;
}

/**
 * Every region is allocated in the emulator's process; beyond MAX_EMULATED_MEMORY the host runs out
 * of memory (or typed arrays refuse the length) long before a guest would notice.
 */
function checkMemoryLimit(c: MachineConfig, error: (message: string, subject?: string) => void): void {
  let total = 0;
  let oneTooLarge = false;
  for (const m of c.memoryRegions) {
    if (!(m.size > 0)) continue;
    total += m.size;
    if (m.size <= MAX_EMULATED_MEMORY) continue;
    oneTooLarge = true;
    error(
      `memory region '${m.name}' is ${formatSize(m.size)}, more than the emulator can hold (${formatSize(MAX_EMULATED_MEMORY)} of emulated memory in all)`,
      m.name,
    );
  }
  // The total is said only when no single region already says it.
  if (total > MAX_EMULATED_MEMORY && !oneTooLarge) {
    error(
      `the memory regions total 0x${total.toString(16)} bytes, more than the emulator can hold (${formatSize(MAX_EMULATED_MEMORY)} of emulated memory in all)`,
    );
  }
}

export function validateConfig(c: MachineConfig): Diagnostic[] {
  const out: Diagnostic[] = [];
  const error = (message: string, subject?: string): void => {
    out.push({ severity: 'error', message, code: 'emulator-config', subject });
  };
  const mrs = new Map(c.memoryRegions.map((m) => [m.name, m]));
  const pds = new Set(c.pds.map((p) => p.name));

  const sched = (what: string, s: SchedParams): void => {
    if (!Number.isInteger(s.priority) || s.priority < 0 || s.priority > 254) error(`${what}: priority ${s.priority} is not in 0..254`, what);
    if (s.budgetUs !== undefined && !(s.budgetUs > 0)) error(`${what}: budget must be positive`, what);
    if (s.periodUs !== undefined && s.periodUs < (s.budgetUs ?? 1000)) error(`${what}: period ${s.periodUs} us is shorter than the budget`, what);
  };
  for (const p of c.pds) sched(`protection domain '${p.name}'`, p);
  for (const m of c.memoryRegions) if (!(m.size > 0) || !Number.isInteger(m.size)) error(`memory region '${m.name}' has size ${m.size}`, m.name);
  checkMemoryLimit(c, error);

  const needPd = (name: string, role: string): void => {
    if (!pds.has(name)) error(`the ${role} '${name}' is not a protection domain of the system`, name);
  };
  const board = c.board ?? DEFAULT_BOARD;
  const unmodelled = unmodelledUart(board);
  if (unmodelled) error(unmodelled);
  if (c.roles) validateSerial(c as EmulatorConfig, pds, mrs, error);
  else if (!c.guests.some((g) => g.name === c.uartOwner)) error(`the virtual machine '${c.uartOwner}' that owns the UART is not booted`, c.uartOwner);

  const s = c.serial;
  if (!Number.isInteger(s.switchChar) || s.switchChar < 0 || s.switchChar > 255) error(`serial switch character ${s.switchChar} is not a byte`);
  if (!(s.baud > 0)) error(`serial baud rate ${s.baud} must be positive`);

  // PDs with no model are never run: said at boot, in the linter's words.
  const r = c.roles;
  const modelled = new Set([...(r ? [r.driver, r.virtRx, r.virtTx] : []), ...c.guests.map((g) => g.vmm)]);
  for (const p of c.pds) {
    if (modelled.has(p.name) || p.vmm) continue;
    const client = r?.clients.some((cl) => cl.pd === p.name) ?? false;
    out.push({ severity: 'warning', code: NATIVE_PD_CODE, subject: p.name, message: nativePdMessage(p.name, client ? r?.virtRx : undefined) });
  }

  for (const g of c.guests) {
    const what = `virtual machine '${g.name}'`;
    needPd(g.vmm, 'VMM');
    sched(what, g.sched);
    if (!(g.ramSize > 0)) error(`${what}: RAM size ${g.ramSize} must be positive`, g.name);
    if (g.ramMr) {
      const mr = mrs.get(g.ramMr);
      if (!mr) error(`${what}: RAM region '${g.ramMr}' does not exist`, g.name);
      else if (mr.size < g.ramSize) error(`${what}: RAM region '${g.ramMr}' is smaller than the guest RAM`, g.name);
    }
    if (g.virtio.spi < 0 || g.virtio.spi > 987) error(`${what}: virtio SPI ${g.virtio.spi} is out of range`, g.name);
    const consoleless = r ? !r.clients.some((cl) => cl.pd === g.vmm) : g.name !== c.uartOwner;
    if (consoleless)
      out.push({ severity: 'warning', message: `${what}: its VMM '${g.vmm}' is not a serial client; the guest has no console`, subject: g.name });
  }
  return out;
}

/** The sDDF serial subsystem's PDs, channels and queues. */
function validateSerial(c: EmulatorConfig, pds: Set<string>, mrs: Map<string, { size: number }>, error: (message: string, subject?: string) => void): void {
  const needPd = (name: string, role: string): void => {
    if (!pds.has(name)) error(`the ${role} '${name}' is not a protection domain of the system`, name);
  };
  const r = c.roles;
  needPd(r.driver, 'UART driver');
  // A TX-only system (RX disabled) has no RX virtualiser and no RX queues; any other needs them.
  if (r.virtRx !== undefined) needPd(r.virtRx, 'RX virtualiser');
  else if (c.serial.rxEnabled) error('serial RX is enabled but the system has no RX virtualiser');
  else if ((c.board ?? DEFAULT_BOARD).uart.model === 'pl011') error('a TX-only serial system is not modelled for the PL011 driver');
  if (r.virtRx !== undefined && (!r.driverRx || r.clients.some((cl) => !cl.rx)))
    error(`the RX virtualiser '${r.virtRx}' needs an RX queue from the driver and to every client`, r.virtRx);
  needPd(r.virtTx, 'TX virtualiser');
  for (const cl of r.clients) needPd(cl.pd, 'serial client');

  const connected = (a: string, b: string): boolean => c.channels.some((ch) => (ch.a.pd === a && ch.b.pd === b) || (ch.a.pd === b && ch.b.pd === a));
  const needChannel = (a: string, b: string | undefined): void => {
    if (b !== undefined && pds.has(a) && pds.has(b) && !connected(a, b)) error(`no channel connects '${a}' and '${b}'`, a);
  };
  needChannel(r.driver, r.virtRx);
  needChannel(r.driver, r.virtTx);
  for (const cl of r.clients) {
    needChannel(cl.pd, r.virtRx);
    needChannel(cl.pd, r.virtTx);
  }
  const driver = c.pds.find((p) => p.name === r.driver);
  if (driver && !(driver.irqs ?? []).some((i) => i.irq === r.uartIrq)) error(`the UART driver '${r.driver}' has no irq ${r.uartIrq}`, r.driver);

  const queue = (what: string, q: QueueConnection | undefined): void => {
    if (!q) return;
    const qr = mrs.get(q.queueMr),
      dr = mrs.get(q.dataMr);
    if (!qr) error(`${what}: queue region '${q.queueMr}' does not exist`, what);
    else if (qr.size < 12) error(`${what}: queue region '${q.queueMr}' is smaller than the 12-byte queue header`, what);
    if (!dr) error(`${what}: data region '${q.dataMr}' does not exist`, what);
    else {
      const cap = q.capacity ?? dr.size;
      if (cap <= 0 || (cap & (cap - 1)) !== 0) error(`${what}: queue capacity ${cap} is not a power of two`, what);
      else if (cap > dr.size) error(`${what}: capacity ${cap} exceeds data region '${q.dataMr}' (${dr.size} bytes)`, what);
    }
  };
  queue('driver RX queue', r.driverRx);
  queue('driver TX queue', r.driverTx);
  r.clients.forEach((cl) => {
    queue(`RX queue of '${cl.pd}'`, cl.rx);
    queue(`TX queue of '${cl.pd}'`, cl.tx);
  });
}
