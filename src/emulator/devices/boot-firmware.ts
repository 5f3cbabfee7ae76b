// The state a board's boot firmware leaves the console UART in when it hands over to seL4. A guest
// that owns the UART starts its boot console (earlycon) on that state without programming the UART
// first, as Linux does. QEMU virt has no firmware on the UART (its PL011 transmits while disabled);
// on the MaaXBoard, U-Boot's mxc_serial leaves uart1 enabled at 115200 8N1.
import type { BoardDescription } from '../boards';
import type { RegisterDevice } from './bus';
import { UBIR, UBMR, UCR1, UCR2, UFCR } from './uart-imx';

/** U-Boot's _mxc_serial_setbrg: RFDIV /2, TXTL 2, RXTL 1, UBIR 15, UBMR clock / (2 x baud); 8N1, RX and TX on. */
function ubootMxcSerial(uart: RegisterDevice, clockHz: number, baud: number): void {
  uart.write(UFCR, (4 << 7) | (2 << 10) | 1);
  uart.write(UBIR, 0xf);
  uart.write(UBMR, Math.floor(clockHz / (2 * baud)));
  // WS | IRTS | RXEN | TXEN | SRST (SRST set: no reset).
  uart.write(UCR2, (1 << 5) | (1 << 14) | (1 << 1) | (1 << 2) | (1 << 0));
  uart.write(UCR1, 1 << 0);
}

/** Leave the board's UART as its boot firmware does, before a guest that owns it boots. */
export function firmwareConsoleState(board: BoardDescription, uart: RegisterDevice, baud = 115200): void {
  if (board.uart.model === 'imx') ubootMxcSerial(uart, board.uart.clockHz, baud);
}
