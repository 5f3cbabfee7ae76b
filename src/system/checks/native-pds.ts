// Native protection domains the emulator has no model for. The emulator runs the sDDF serial
// driver and virtualisers and libvmm's VMMs as models; any other PD (a native serial client such as
// sDDF's examples/serial/client.c, a timer driver, a user's own component) is accepted by Microkit
// but never runs in the emulator, so whatever is queued for it is never consumed. The linter says
// so on the PD; the emulator says the same at boot (emulator/validate.ts).

import { attribute } from '../model';
import type { ProjectFacts, Report } from './rule';

export const NATIVE_PD_CODE = 'sddf-native-pd-not-emulated' as const;

/** The message for PD `name`; `rxFrom` names the virtualiser feeding it when it is a serial client. */
export function nativePdMessage(name: string, rxFrom: string | undefined): string {
  const queues = rxFrom
    ? `its serial RX queue from '${rxFrom}' will fill (then '${rxFrom}' drops its input) and nothing it would print reaches the UART`
    : 'the queues it consumes will fill and it answers no notification';
  return `protection domain '${name}' runs native code the emulator does not model: it is never run, ${queues}`;
}

export function checkNativePds({ system: model, roles }: ProjectFacts, report: Report): void {
  // Without a complete serial subsystem the emulator does not boot at all; that is said elsewhere.
  if (!roles.driver || !roles.virtRx || !roles.virtTx) return;
  const modelled = new Set([roles.driver, roles.virtRx, roles.virtTx]);
  for (const pd of model.protectionDomains) {
    if (modelled.has(pd.name) || pd.virtualMachine) continue;
    const client = roles.clients.some((c) => c.pd === pd.name && c.rxChannel);
    report({
      range: attribute(pd.element, 'name')?.valueRange ?? pd.element.nameRange,
      subject: pd.name,
      message: nativePdMessage(pd.name, client ? roles.virtRx : undefined),
    });
  }
}
