// A board's UART model and the sDDF driver PD that drives it, chosen by the board's UART model.
import type { BoardDescription } from '../boards';
import type { PdContext, PdProgram } from '../kernel';
import type { SerialQueue } from '../queue';
import { MesonDriver } from '../pds/meson-driver';
import { Pl011Driver } from '../pds/pl011-driver';
import { UartDriver, type UartDriverChannels } from '../pds/uart-driver';
import { ImxUart } from './uart-imx';
import { MesonUart } from './uart-meson';
import type { SerialDevice } from './uart-line';
import { Pl011Uart } from './uart-pl011';

/** The UART models the emulator has: a board whose UART is not among them cannot boot (validate.ts says so). */
export const MODELLED_UARTS: readonly BoardDescription['uart']['model'][] = ['imx', 'pl011', 'meson'];

/** Why a board cannot boot here (its UART has no model), or undefined. */
export function unmodelledUart(board: BoardDescription): string | undefined {
  if (MODELLED_UARTS.includes(board.uart.model)) return undefined;
  return `the ${board.title}'s UART (${board.uart.model}) has no model in this emulator (it models: ${MODELLED_UARTS.join(', ')})`;
}

/** QEMU's PL011 answers UARTPeriphID2 0x14 (hw/char/pl011.c); the TRM's r1p5 is 0x34. */
const QEMU_PL011_PERIPH_ID2 = 0x14;

export function createBoardUart(board: BoardDescription, fast: boolean, now: () => number, setIrq: (high: boolean) => void): SerialDevice {
  const u = board.uart;
  if (u.model === 'pl011') {
    const qemu = board.name === 'qemu_virt_aarch64';
    return new Pl011Uart(fast, now, setIrq, {
      clockHz: u.clockHz,
      fifoDepth: u.fifoDepth,
      periphId2: qemu ? QEMU_PL011_PERIPH_ID2 : undefined,
      transmitsWhileDisabled: qemu,
    });
  }
  if (u.model === 'meson') return new MesonUart(fast, now, setIrq, { xtalHz: u.clockHz, fifoDepth: u.fifoDepth });
  return new ImxUart(fast, now, setIrq);
}

/** sDDF's driver for the UART (drivers/serial/imx, drivers/serial/arm or drivers/serial/meson). */
export function createUartDriver(
  uart: SerialDevice,
  ctx: PdContext,
  rx: SerialQueue | undefined,
  tx: SerialQueue,
  ch: UartDriverChannels,
  baud: number,
  rxEnabled = true,
): PdProgram {
  if (uart instanceof Pl011Uart) {
    // validateConfig refuses a TX-only system on a PL011 board (not modelled there).
    if (!rx) throw new Error('the PL011 driver model needs an RX queue');
    return new Pl011Driver(ctx, uart, rx, tx, ch, baud);
  }
  if (uart instanceof MesonUart) return new MesonDriver(ctx, uart, rxEnabled ? rx : undefined, tx, ch, baud);
  return new UartDriver(ctx, uart as ImxUart, rx, tx, ch, baud, rxEnabled);
}
