// Checks on the sDDF serial subsystem that the microkit tool cannot make: each connection's queue
// and data regions (power-of-two sizes, mapped into both ends) and the priority convention
// (driver above virtualisers above clients).

import type { Diagnostic } from '../../common/diagnostics';
import { attribute, findMr, findPd, hex, type Channel, type ProtectionDomain, type SystemModel } from '../model';
import type { SerialRoles } from '../roles';

function isPowerOfTwo(n: number): boolean {
  if (!Number.isSafeInteger(n) || n <= 0) return false;
  let v = n;
  while (v % 2 === 0) v /= 2;
  return v === 1;
}

/** Region names sDDF generators and the hand-written examples use for queues and data. */
function looksLikeSddfRegion(name: string): boolean {
  const n = name.toLowerCase();
  return n.includes('queue') || n.includes('data');
}

function pdMaps(pd: ProtectionDomain): Set<string> {
  return new Set(pd.maps.map((m) => m.mr));
}

export function checkSerialRegions(model: SystemModel, roles: SerialRoles): Diagnostic[] {
  const out: Diagnostic[] = [];
  const pairs: { a: string; b: string; channel: Channel }[] = [];
  if (roles.driver && roles.driverTx && roles.virtTx) pairs.push({ a: roles.driver, b: roles.virtTx, channel: roles.driverTx.channel });
  if (roles.driver && roles.driverRx && roles.virtRx) pairs.push({ a: roles.driver, b: roles.virtRx, channel: roles.driverRx.channel });
  for (const c of roles.clients) {
    if (c.txChannel && roles.virtTx) pairs.push({ a: c.pd, b: roles.virtTx, channel: c.txChannel.channel });
    if (c.rxChannel && roles.virtRx) pairs.push({ a: c.pd, b: roles.virtRx, channel: c.rxChannel.channel });
  }
  const reported = new Set<string>();
  for (const { a, b, channel } of pairs) {
    const pa = findPd(model, a), pb = findPd(model, b);
    if (!pa || !pb) continue;
    const mb = pdMaps(pb);
    const shared = [...pdMaps(pa)].filter((mr) => mb.has(mr));
    if (shared.length < 2) {
      out.push({ severity: 'warning', code: 'sddf-connection-regions', range: channel.element.nameRange,
        message: `serial connection '${a}' <-> '${b}' shares ${shared.length} memory region(s); sDDF needs a queue region and a data region mapped into both ends` });
    }
    for (const name of shared) {
      const mr = findMr(model, name);
      if (!mr || isPowerOfTwo(mr.size) || reported.has(name)) continue;
      reported.add(name);
      out.push({ severity: 'error', code: 'sddf-region-size', range: attribute(mr.element, 'size')?.valueRange ?? mr.element.nameRange,
        message: `sDDF region '${name}' of connection '${a}' <-> '${b}' has size ${hex(mr.size)}, not a power of two: queue capacity and data indices are taken modulo it` });
    }
  }
  // A queue or data region that only one PD maps cannot connect anything.
  // The names of the PDs mapping each region (a set: one region mapped 16,000 times stays linear).
  const mappers = new Map<string, Set<string>>();
  const addMapper = (mr: string, pd: ProtectionDomain): void => {
    let users = mappers.get(mr);
    if (!users) mappers.set(mr, (users = new Set()));
    users.add(pd.name);
  };
  for (const pd of model.protectionDomains) {
    for (const m of pd.maps) addMapper(m.mr, pd);
    for (const m of pd.virtualMachine?.maps ?? []) addMapper(m.mr, pd);
  }
  const serialPds = new Set([roles.driver, roles.virtRx, roles.virtTx, ...roles.clients.map((c) => c.pd)]);
  for (const pd of model.protectionDomains) {
    if (!serialPds.has(pd.name)) continue;
    for (const m of pd.maps) {
      if (mappers.get(m.mr)?.size === 1 && looksLikeSddfRegion(m.mr) && findMr(model, m.mr)) {
        out.push({ severity: 'warning', code: 'sddf-region-one-end', range: attribute(m.element, 'mr')?.valueRange ?? m.element.nameRange,
          message: `sDDF region '${m.mr}' is mapped only into '${pd.name}'; a queue or data region must be mapped into both ends of its connection` });
      }
    }
  }
  return out;
}

export function checkSerialPriorities(model: SystemModel, roles: SerialRoles): Diagnostic[] {
  const out: Diagnostic[] = [];
  const prioRange = (pd: ProtectionDomain) => attribute(pd.element, 'priority')?.valueRange ?? pd.element.nameRange;
  const driver = roles.driver ? findPd(model, roles.driver) : undefined;
  const virts = [roles.virtTx, roles.virtRx].map((v) => (v ? findPd(model, v) : undefined)).filter((p): p is ProtectionDomain => !!p);
  if (driver) {
    for (const v of virts) {
      if (driver.priority <= v.priority) {
        out.push({ severity: 'warning', code: 'sddf-priority-order', range: prioRange(driver),
          message: `sDDF convention: the driver '${driver.name}' (priority ${driver.priority}) should run above the virtualiser '${v.name}' (priority ${v.priority})` });
      }
    }
  }
  for (const c of roles.clients) {
    const pd = findPd(model, c.pd);
    if (!pd) continue;
    const above = virts.filter((v) => pd.priority >= v.priority);
    if (above.length > 0) {
      out.push({ severity: 'warning', code: 'sddf-priority-order', range: prioRange(pd),
        message: `sDDF convention: the client '${pd.name}' (priority ${pd.priority}) should run below the virtualisers (${above.map((v) => `'${v.name}' ${v.priority}`).join(', ')})` });
    }
  }
  return out;
}
