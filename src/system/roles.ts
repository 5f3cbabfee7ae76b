// Who is who in the sDDF serial subsystem: the UART driver, the RX and TX virtualisers and their
// clients (VMMs with their VMs, or native clients), recognised the way the real systems write them
// (program images named *virt_tx*/*virt_rx*, channels from each virtualiser to the driver and to
// each client), or given explicitly by the project file.

import type { Diagnostic, SourceRange } from '../common/diagnostics';
import { basename } from '../common/paths';
import { findPd, type Channel, type ProtectionDomain, type SystemModel } from './model';

export interface SerialClient {
  /** The client PD (a VMM for a guest). */
  pd: string;
  /** The VM the client's VMM runs, when it has one. */
  vm?: string;
  /** 0-based client number as the virtualisers count them (the order of their channel ids). */
  index: number;
  /** Channel id at the client for its TX connection (to virt_tx), and at virt_tx. */
  txChannel?: { client: number; virt: number; channel: Channel };
  rxChannel?: { client: number; virt: number; channel: Channel };
}

export interface SerialRoles {
  driver?: string;
  virtRx?: string;
  virtTx?: string;
  /** Channel ids at the driver towards each virtualiser, and at the virtualiser. */
  driverTx?: { driver: number; virt: number; channel: Channel };
  driverRx?: { driver: number; virt: number; channel: Channel };
  clients: SerialClient[];
  source: 'inferred' | 'project';
}

/** The project file's explicit roles; every field is optional and wins over inference. */
export interface RoleOverride {
  uartDriver?: string;
  rxVirtualiser?: string;
  txVirtualiser?: string;
  /** Client PDs in client order. */
  clients?: string[];
  /** Where the override is written, for diagnostics about names that do not exist. */
  ranges?: Partial<Record<'uartDriver' | 'rxVirtualiser' | 'txVirtualiser' | 'clients', SourceRange>>;
}

function imageStem(pd: ProtectionDomain): string {
  const img = pd.programImage ? basename(pd.programImage) : '';
  const dot = img.lastIndexOf('.');
  return (dot > 0 ? img.slice(0, dot) : img).toLowerCase();
}

function looksLike(pd: ProtectionDomain, marker: string): boolean {
  return imageStem(pd).includes(marker) || pd.name.toLowerCase().includes(marker);
}

/** Channels between a and b, with each side's id. */
function link(model: SystemModel, a: string, b: string): { a: number; b: number; channel: Channel } | undefined {
  for (const ch of model.channels) {
    const [x, y] = ch.ends;
    if (x.pd === a && y.pd === b) return { a: x.id, b: y.id, channel: ch };
    if (y.pd === a && x.pd === b) return { a: y.id, b: x.id, channel: ch };
  }
  return undefined;
}

/** PDs connected to `pd` by a channel, ordered by the channel id at `pd`. */
function neighbours(model: SystemModel, pd: string): { name: string; id: number }[] {
  const out: { name: string; id: number }[] = [];
  for (const ch of model.channels) {
    const [x, y] = ch.ends;
    if (x.pd === pd && y.pd !== pd) out.push({ name: y.pd, id: x.id });
    else if (y.pd === pd && x.pd !== pd) out.push({ name: x.pd, id: y.id });
  }
  return out.sort((p, q) => p.id - q.id);
}

/**
 * Roles from maps and channels alone, for systems whose names say nothing: the driver owns an IRQ
 * and a device region and has channels to exactly two PDs; of those, the RX virtualiser maps a region
 * it shares with the driver read-only (it only reads the driver's RX data), the TX virtualiser does not.
 */
function structuralRoles(model: SystemModel): { driver: string; virtTx: string; virtRx: string } | undefined {
  for (const pd of model.protectionDomains) {
    if (pd.irqs.length === 0 || pd.virtualMachine) continue;
    const ownsDevice = pd.maps.some((m) => !m.cached && model.memoryRegions.some((r) => r.name === m.mr && r.physAddr !== undefined));
    const near = neighbours(model, pd.name);
    if (!ownsDevice || near.length !== 2) continue;
    const readsOnly = near.map(({ name }) => {
      const other = findPd(model, name);
      const sharedMaps = other?.maps.filter((m) => pd.maps.some((d) => d.mr === m.mr)) ?? [];
      return sharedMaps.length > 0 && sharedMaps.some((m) => m.perms.r && !m.perms.w);
    });
    if (readsOnly[0] !== readsOnly[1]) {
      const rx = readsOnly[0] ? near[0].name : near[1].name;
      const tx = readsOnly[0] ? near[1].name : near[0].name;
      return { driver: pd.name, virtTx: tx, virtRx: rx };
    }
  }
  return undefined;
}

export function inferSerialRoles(model: SystemModel, override?: RoleOverride): { roles: SerialRoles; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const explicit = (key: 'uartDriver' | 'rxVirtualiser' | 'txVirtualiser', name: string | undefined): string | undefined => {
    if (name === undefined) return undefined;
    if (!findPd(model, name)) {
      diagnostics.push({
        severity: 'error',
        message: `project file names protection domain '${name}' as ${key}, but the system has no such protection domain`,
        range: override?.ranges?.[key],
        code: 'project-unknown-pd',
      });
      return undefined;
    }
    return name;
  };
  const pds = model.protectionDomains;
  const byMaps = structuralRoles(model);
  const virtTx = explicit('txVirtualiser', override?.txVirtualiser) ?? pds.find((p) => looksLike(p, 'virt_tx'))?.name ?? byMaps?.virtTx;
  const virtRx = explicit('rxVirtualiser', override?.rxVirtualiser) ?? pds.find((p) => looksLike(p, 'virt_rx'))?.name ?? byMaps?.virtRx;

  let driver = explicit('uartDriver', override?.uartDriver);
  if (!driver && (virtTx || virtRx)) {
    // The driver is the neighbour of the virtualisers that owns an IRQ (its device's).
    const txN = virtTx ? neighbours(model, virtTx).map((n) => n.name) : [];
    const rxN = virtRx ? neighbours(model, virtRx).map((n) => n.name) : [];
    const candidates = virtTx && virtRx ? txN.filter((n) => rxN.includes(n)) : [...txN, ...rxN];
    driver = candidates.find((n) => (findPd(model, n)?.irqs.length ?? 0) > 0 && !findPd(model, n)?.virtualMachine);
  }

  const roles: SerialRoles = {
    driver,
    virtTx,
    virtRx,
    clients: [],
    source: override && Object.keys(override).some((k) => k !== 'ranges') ? 'project' : 'inferred',
  };
  if (driver && virtTx) {
    const l = link(model, driver, virtTx);
    if (l) roles.driverTx = { driver: l.a, virt: l.b, channel: l.channel };
  }
  if (driver && virtRx) {
    const l = link(model, driver, virtRx);
    if (l) roles.driverRx = { driver: l.a, virt: l.b, channel: l.channel };
  }

  const clientNames = serialClientNames(model, override, { driver, virtTx, virtRx }, diagnostics);
  clientNames.forEach((name, index) => {
    const pd = findPd(model, name)!;
    const client: SerialClient = { pd: name, vm: pd.virtualMachine?.name, index };
    if (virtTx) {
      const l = link(model, name, virtTx);
      if (l) client.txChannel = { client: l.a, virt: l.b, channel: l.channel };
    }
    if (virtRx) {
      const l = link(model, name, virtRx);
      if (l) client.rxChannel = { client: l.a, virt: l.b, channel: l.channel };
    }
    roles.clients.push(client);
  });
  return { roles, diagnostics };
}

/**
 * The serial clients' names: the project file's list (its unknown names reported), else the
 * virtualisers' other neighbours in the order of their channel ids (virt_tx first, as sDDF numbers them).
 */
function serialClientNames(
  model: SystemModel,
  override: RoleOverride | undefined,
  serial: { driver?: string; virtTx?: string; virtRx?: string },
  diagnostics: Diagnostic[],
): string[] {
  const clientNames: string[] = [];
  if (override?.clients) {
    for (const c of override.clients) {
      if (findPd(model, c)) clientNames.push(c);
      else
        diagnostics.push({
          severity: 'error',
          message: `project file names protection domain '${c}' as a serial client, but the system has no such protection domain`,
          range: override.ranges?.clients,
          code: 'project-unknown-pd',
        });
    }
    return clientNames;
  }
  const skip = new Set([serial.driver, serial.virtTx, serial.virtRx]);
  for (const v of [serial.virtTx, serial.virtRx]) {
    if (!v) continue;
    for (const n of neighbours(model, v)) {
      // A channel end naming no PD is the tool rules' error; it is no client.
      if (!skip.has(n.name) && !clientNames.includes(n.name) && findPd(model, n.name)) clientNames.push(n.name);
    }
  }
  return clientNames;
}
