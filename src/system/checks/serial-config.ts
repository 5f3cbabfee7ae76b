// A limit of the sDDF serial configuration that a hand-written `.system` can break: with colour on,
// the driver's TX data region needs room for a whole client queue plus the colour codes (virt_tx
// moves a client's backlog only when all of it fits: sddf serial/components/virt_tx.c:86-102 at
// 650ace5, COLOUR_BEGIN_LEN 5 and COLOUR_END_LEN 4 at lines 31-33; a smaller region stalls that
// client for ever). SDDF_SERIAL_MAX_CLIENTS (64, include/sddf/serial/config.h:13) needs no check of
// its own: Microkit's channel ids stop at 61 (sdf.rs:46), so a virtualiser has at most 61 clients.

import { attribute, findMr, findPd, hex, type SystemModel } from '../model';
import type { ProjectFacts, Report } from './rule';

const COLOUR_CODES_LENGTH = 5 + 4;

export function checkSerialColourRoom({ system: model, roles, serial }: ProjectFacts, report: Report): void {
  if (serial.colour && roles.driver && roles.virtTx) {
    const driverData = sharedDataRegion(model, roles.driver, roles.virtTx);
    if (driverData) {
      for (const c of roles.clients) {
        const clientData = sharedDataRegion(model, c.pd, roles.virtTx);
        if (!clientData || clientData.size + COLOUR_CODES_LENGTH <= driverData.size) continue;
        report({
          range: attribute(driverData.element, 'size')?.valueRange ?? driverData.element.nameRange,
          message: `with colour on, the driver's TX data region '${driverData.name}' (${hex(driverData.size)} bytes) must hold '${c.pd}''s whole TX data region '${clientData.name}' (${hex(clientData.size)}) plus ${COLOUR_CODES_LENGTH} bytes of colour codes; virt_tx never moves a fuller queue`,
        });
      }
    }
  }
}

/** The data region two PDs share: named *data*, else the larger of two shared regions. */
function sharedDataRegion(model: SystemModel, a: string, b: string) {
  const pa = findPd(model, a),
    pb = findPd(model, b);
  if (!pa || !pb) return undefined;
  const shared = pa.maps.map((m) => m.mr).filter((mr) => pb.maps.some((m) => m.mr === mr));
  const regions = shared.map((name) => findMr(model, name)).filter((r) => r !== undefined);
  return regions.find((r) => r.name.toLowerCase().includes('data')) ?? (regions.length >= 2 ? regions.reduce((x, y) => (y.size > x.size ? y : x)) : undefined);
}
