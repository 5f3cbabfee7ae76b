// The serial consoles the Linux model has drivers for, as data: the boot console an `earlycon=`
// names, and the tty driver's port, its banner and its line in /proc/interrupts, per UART kind.
import type { DtNode, DtTree } from '../../../devicetree/tree';
import { findNodeByPath, liveProperties, nodePath } from '../../../devicetree/tree';
import { stringProperty } from './device-tree-view';
import { ImxConsoleDriver } from './imx-uart-console-driver';
import type { Mmio } from './mmio';
import { Pl011ConsoleDriver, type UartConsolePort } from './uart-console-driver';

export type SerialKind = 'pl011' | 'imx';

/** A boot console from `earlycon=<name>,[<iotype>,]<address>[,<options>]`. */
export interface EarlyUart {
  kind: SerialKind;
  /** As earlycon_init names it: the match name with its trailing digits as the index ("pl011" -> "pl11", "ec_imx6q" -> "ec_imx6q0"). */
  name: string;
  base: number;
  options: string;
}

/** The earlycon match names (OF_EARLYCON_DECLARE) of the drivers here. */
const EARLYCON_NAMES: Readonly<Record<string, SerialKind>> = { pl011: 'pl011', ec_imx6q: 'imx', ec_imx21: 'imx' };
const IOTYPES = new Set(['mmio', 'mmio16', 'mmio32', 'mmio32be', 'mmio32native']);

/** The boot console a command line's `earlycon=` value names, or undefined (no value, another driver, no address). */
export function parseEarlycon(value: string | undefined): EarlyUart | undefined {
  const parts = (value ?? '').split(',');
  const kind = EARLYCON_NAMES[parts[0]];
  if (!kind) return undefined;
  let i = 1;
  if (IOTYPES.has(parts[i] ?? '')) i++;
  const base = Number(parts[i]);
  if (!Number.isSafeInteger(base) || base <= 0) return undefined;
  const digits = /\d+$/.exec(parts[0]);
  const name = digits ? `${parts[0].slice(0, digits.index)}${Number(digits[0])}` : `${parts[0]}0`;
  return { kind, name, base, options: parts.slice(i + 1).join(',') };
}

/** A serial driver's port: the PL011's or the i.MX UART's. */
export type SerialPort = UartConsolePort;

/** The tty driver's port for a UART of that kind; its probe (imx-uart's; amba-pl011 has none beyond the AMBA bus's ID reads). */
export function serialPort(kind: SerialKind, mmio: Mmio, base: number, clockHz?: number): SerialPort {
  return kind === 'imx' ? new ImxConsoleDriver(mmio, base, 115200, clockHz) : new Pl011ConsoleDriver(mmio, base, 115200, clockHz);
}

/** A boot console writing to the UART as the firmware left it: polled, no interrupts. */
export function earlyPort(early: EarlyUart, mmio: Mmio): SerialPort {
  const port = serialPort(early.kind, mmio, early.base);
  port.ready = true;
  port.polled = true;
  return port;
}

/** The banner the tty driver logs when it registers the port. */
export function portBanner(kind: SerialKind, port: SerialPort, tty: string, clockHz: number): string {
  const addr = `0x${port.base.toString(16)}`;
  return kind === 'imx'
    ? `${tty} at MMIO ${addr} (irq = 13, base_baud = ${Math.floor(clockHz / 16)}) is a IMX`
    : `${tty} at MMIO ${addr} (irq = 13, base_baud = 0) is a PL011 rev${(port as Pl011ConsoleDriver).revision}`;
}

/** The name request_irq gives the line (/proc/interrupts): amba-pl011 its driver's, imx-uart the device's. */
export function irqName(kind: SerialKind, deviceName: string): string {
  return kind === 'imx' ? deviceName : 'uart-pl011';
}

/** The line number of a UART's tty: its `serialN` alias (of_alias_get_id), else 0. */
export function serialLine(tree: DtTree, node: DtNode): number {
  const aliases = findNodeByPath(tree, '/aliases');
  if (!aliases) return 0;
  const path = nodePath(node);
  for (const p of liveProperties(aliases)) {
    const m = /^serial(\d+)$/.exec(p.name);
    if (m && stringProperty(aliases, p.name) === path) return Number(m[1]);
  }
  return 0;
}
