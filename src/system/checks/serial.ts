// Checks on the sDDF serial subsystem that the microkit tool cannot make: each connection's queue
// and data regions (power-of-two sizes, mapped into both ends) and the priority convention
// (driver above virtualisers above clients).

import { attribute, findMr, findPd, hex, type Channel, type ProtectionDomain } from '../model';
import type { SerialRoles } from '../roles';
import type { ProjectFacts, Report } from './rule';

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

/** The serial connections: each pair of PDs the roles say a queue joins, with its channel. */
function connections(roles: SerialRoles): { a: string; b: string; channel: Channel }[] {
  const pairs: { a: string; b: string; channel: Channel }[] = [];
  if (roles.driver && roles.driverTx && roles.virtTx) pairs.push({ a: roles.driver, b: roles.virtTx, channel: roles.driverTx.channel });
  if (roles.driver && roles.driverRx && roles.virtRx) pairs.push({ a: roles.driver, b: roles.virtRx, channel: roles.driverRx.channel });
  for (const c of roles.clients) {
    if (c.txChannel && roles.virtTx) pairs.push({ a: c.pd, b: roles.virtTx, channel: c.txChannel.channel });
    if (c.rxChannel && roles.virtRx) pairs.push({ a: c.pd, b: roles.virtRx, channel: c.rxChannel.channel });
  }
  return pairs;
}

/** Each connection whose ends are both found, with the regions both ends map. */
function* sharedRegions({ system, roles }: ProjectFacts): Generator<{ a: string; b: string; channel: Channel; shared: string[] }> {
  for (const { a, b, channel } of connections(roles)) {
    const pa = findPd(system, a),
      pb = findPd(system, b);
    if (!pa || !pb) continue;
    const mb = pdMaps(pb);
    yield { a, b, channel, shared: [...pdMaps(pa)].filter((mr) => mb.has(mr)) };
  }
}

/** sddf-connection-regions: each connection's ends share a queue region and a data region. */
export function checkConnectionRegions(facts: ProjectFacts, report: Report): void {
  for (const { a, b, channel, shared } of sharedRegions(facts)) {
    if (shared.length >= 2) continue;
    report({
      range: channel.element.nameRange,
      message: `serial connection '${a}' <-> '${b}' shares ${shared.length} memory region(s); sDDF needs a queue region and a data region mapped into both ends`,
    });
  }
}

/** sddf-region-size: queue capacity and data indices are taken modulo the region size, a power of two. */
export function checkRegionSizes(facts: ProjectFacts, report: Report): void {
  const reported = new Set<string>();
  for (const { a, b, shared } of sharedRegions(facts)) {
    for (const name of shared) {
      const mr = findMr(facts.system, name);
      if (!mr || isPowerOfTwo(mr.size) || reported.has(name)) continue;
      reported.add(name);
      report({
        range: attribute(mr.element, 'size')?.valueRange ?? mr.element.nameRange,
        message: `sDDF region '${name}' of connection '${a}' <-> '${b}' has size ${hex(mr.size)}, not a power of two: queue capacity and data indices are taken modulo it`,
      });
    }
  }
}

/** sddf-region-one-end: a queue or data region that only one PD maps cannot connect anything. */
export function checkRegionsBothEnds({ system, roles }: ProjectFacts, report: Report): void {
  // The names of the PDs mapping each region (a set: one region mapped 16,000 times stays linear).
  const mappers = new Map<string, Set<string>>();
  const addMapper = (mr: string, pd: ProtectionDomain): void => {
    let users = mappers.get(mr);
    if (!users) mappers.set(mr, (users = new Set()));
    users.add(pd.name);
  };
  for (const pd of system.protectionDomains) {
    for (const m of pd.maps) addMapper(m.mr, pd);
    for (const m of pd.virtualMachine?.maps ?? []) addMapper(m.mr, pd);
  }
  const serialPds = new Set([roles.driver, roles.virtRx, roles.virtTx, ...roles.clients.map((c) => c.pd)]);
  for (const pd of system.protectionDomains) {
    if (!serialPds.has(pd.name)) continue;
    for (const m of pd.maps) {
      if (mappers.get(m.mr)?.size === 1 && looksLikeSddfRegion(m.mr) && findMr(system, m.mr)) {
        report({
          range: attribute(m.element, 'mr')?.valueRange ?? m.element.nameRange,
          message: `sDDF region '${m.mr}' is mapped only into '${pd.name}'; a queue or data region must be mapped into both ends of its connection`,
        });
      }
    }
  }
}

/** sddf-priority-order: the driver above the virtualisers above the clients. */
export function checkSerialPriorities({ system: model, roles }: ProjectFacts, report: Report): void {
  const prioRange = (pd: ProtectionDomain) => attribute(pd.element, 'priority')?.valueRange ?? pd.element.nameRange;
  const driver = roles.driver ? findPd(model, roles.driver) : undefined;
  const virts = [roles.virtTx, roles.virtRx].map((v) => (v ? findPd(model, v) : undefined)).filter((p): p is ProtectionDomain => !!p);
  if (driver) {
    for (const v of virts) {
      if (driver.priority <= v.priority) {
        report({
          range: prioRange(driver),
          message: `sDDF convention: the driver '${driver.name}' (priority ${driver.priority}) should run above the virtualiser '${v.name}' (priority ${v.priority})`,
        });
      }
    }
  }
  for (const c of roles.clients) {
    const pd = findPd(model, c.pd);
    if (!pd) continue;
    const above = virts.filter((v) => pd.priority >= v.priority);
    if (above.length > 0) {
      report({
        range: prioRange(pd),
        message: `sDDF convention: the client '${pd.name}' (priority ${pd.priority}) should run below the virtualisers (${above.map((v) => `'${v.name}' ${v.priority}`).join(', ')})`,
      });
    }
  }
}
