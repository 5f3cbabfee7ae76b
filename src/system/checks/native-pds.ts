// Native protection domains the emulator has no model for. The emulator runs the sDDF serial
// driver and virtualisers and libvmm's VMMs as models; any other PD (a native serial client such as
// sDDF's examples/serial/client.c, a timer driver, a user's own component) is accepted by Microkit
// but never runs in the emulator, so whatever is queued for it is never consumed. The linter says
// so on the PD; the emulator says the same at boot (emulator/validate.ts).

import type { Diagnostic } from '../../common/diagnostics';
import { attribute, type SystemModel } from '../model';
import type { SerialRoles } from '../roles';
import type { SystemRule } from '../rule-table';

export const NATIVE_PD_RULE: SystemRule = {
  code: 'sddf-native-pd-not-emulated',
  severity: 'warning',
  origin: 'new',
  summary: 'a protection domain that is neither the serial driver, a serial virtualiser nor a VMM: the emulator does not run it, so the queues it consumes fill',
};

/** The message for PD `name`; `rxFrom` names the virtualiser feeding it when it is a serial client. */
export function nativePdMessage(name: string, rxFrom: string | undefined): string {
  const queues = rxFrom
    ? `its serial RX queue from '${rxFrom}' will fill (then '${rxFrom}' drops its input) and nothing it would print reaches the UART`
    : 'the queues it consumes will fill and it answers no notification';
  return `protection domain '${name}' runs native code the emulator does not model: it is never run, ${queues}`;
}

export function checkNativePds(model: SystemModel, roles: SerialRoles): Diagnostic[] {
  // Without a complete serial subsystem the emulator does not boot at all; that is said elsewhere.
  if (!roles.driver || !roles.virtRx || !roles.virtTx) return [];
  const modelled = new Set([roles.driver, roles.virtRx, roles.virtTx]);
  const out: Diagnostic[] = [];
  for (const pd of model.protectionDomains) {
    if (modelled.has(pd.name) || pd.virtualMachine) continue;
    const client = roles.clients.some((c) => c.pd === pd.name && c.rxChannel);
    out.push({ severity: NATIVE_PD_RULE.severity, code: NATIVE_PD_RULE.code, range: attribute(pd.element, 'name')?.valueRange ?? pd.element.nameRange, subject: pd.name,
      message: nativePdMessage(pd.name, client ? roles.virtRx : undefined) });
  }
  return out;
}
