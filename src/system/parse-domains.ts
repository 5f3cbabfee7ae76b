// The elements of Microkit 2.3's advanced features (sdf.rs): a PD's `<cspace>` of capabilities to
// other PDs' objects, and the seL4 domain scheduler's `<domains>` with its `<domain_schedule>`.

import { CAP_MAP_MAX_SLOT, attribute, type CapMap, type DomainDecl, type Domains, type ProtectionDomain, type ScheduleEntry } from './model';
import type { ElementReader, ParseState } from './sdf-reader';
import type { XmlElement } from './xml';

const CAP_TYPES: Record<string, CapMap['type']> = { cap_tcb: 'tcb', cap_sc: 'sc', cap_vspace: 'vspace' };

function parseCapMap(r: ElementReader, el: XmlElement, type: CapMap['type']): CapMap | undefined {
  r.allowOnly(el, ['slot', 'pd']);
  r.noText(el);
  const pd = r.required(el, 'pd');
  const slot = r.reqNumber(el, 'slot');
  if (slot === 0) r.valueError(el, 'The destination slot 0 has been reserved for Microkit CNode', 'sdf-out-of-range', 'slot');
  else if (slot !== undefined && slot >= CAP_MAP_MAX_SLOT) {
    r.valueError(el, `There are only ${CAP_MAP_MAX_SLOT} destination cspace slots available.`, 'sdf-out-of-range', 'slot');
  }
  if (!pd || slot === undefined || slot === 0 || slot >= CAP_MAP_MAX_SLOT) return undefined;
  return { type, pd: pd.value, slot, element: el };
}

export function parseCspace(s: ParseState, pd: ProtectionDomain, el: XmlElement): void {
  const { r } = s;
  r.allowOnly(el, []);
  r.noText(el);
  for (const child of el.children) {
    const type = CAP_TYPES[child.tag];
    if (type) {
      const m = parseCapMap(r, child, type);
      if (m) pd.capMaps.push(m);
    } else if (child.tag.startsWith('cap_')) {
      r.error(`Cap type: '${child.tag.slice(4)}' is not supported`, child.nameRange, 'sdf-invalid-element');
    } else {
      r.error(`Element '${child.tag}' is not supported in a <cspace> element`, child.nameRange, 'sdf-invalid-element');
    }
  }
}

function parseDomain(r: ElementReader, el: XmlElement): { name?: string; id?: number } {
  r.allowOnly(el, ['name', 'id']);
  r.noText(el);
  const name = r.required(el, 'name')?.value;
  const idAttr = attribute(el, 'id');
  let id = r.number(el, idAttr);
  const max = r.target.facts.numDomains;
  if (id !== undefined && id >= max) {
    r.valueError(el, `domain id ${id} should be less than the configured KernelNumDomains value of ${max}`, 'sdf-domain', idAttr);
    id = undefined;
  }
  return { name, id };
}

/** The `<domain>`s in order, each name and given id once; ids not given are the lowest free ones. */
function readDomainList(r: ElementReader, el: XmlElement): { domains: DomainDecl[]; schedules: XmlElement[] } {
  const named = new Map<string, { id?: number; element: XmlElement }>();
  const byId = new Map<number, string>();
  const schedules: XmlElement[] = [];
  for (const child of el.children) {
    if (child.tag === 'domain') {
      const d = parseDomain(r, child);
      if (d.name === undefined) continue;
      const prev = named.get(d.name);
      if (prev) {
        r.valueError(
          child,
          `Each <domain>'s name element must be unique found existing domain '${d.name}' with id '${prev.id === undefined ? 'None' : `Some(${prev.id})`}'`,
          'sdf-domain',
          'name',
        );
        continue;
      }
      named.set(d.name, { id: d.id, element: child });
      if (d.id === undefined) continue;
      const other = byId.get(d.id);
      if (other !== undefined)
        r.valueError(child, `Each <domain>'s id element must be unique found existing domain '${other}' with id '${d.id}'`, 'sdf-domain', 'id');
      else byId.set(d.id, d.name);
    } else if (child.tag === 'domain_schedule') {
      if (schedules.length > 0) r.valueError(child, 'The <domain_schedule> element can only appear once', 'sdf-domain');
      schedules.push(child);
    } else {
      r.invalidElement(child, `invalid XML element as child of <domains> '${child.tag}'`);
    }
  }
  const domains: DomainDecl[] = [];
  let exceeded = false;
  for (const [name, d] of named) {
    let id = d.id;
    if (id === undefined) {
      for (let i = 0; i <= r.target.facts.numDomains && id === undefined; i++) if (!byId.has(i)) id = i;
      if (id === undefined || id >= r.target.facts.numDomains) exceeded = true;
      if (id !== undefined) byId.set(id, name);
    }
    if (id !== undefined) domains.push({ name, id, element: d.element });
  }
  if (exceeded) r.valueError(el, `Number of domains exceeds ${r.target.facts.numDomains}`, 'sdf-domain');
  return { domains, schedules };
}

function parseScheduleEntry(r: ElementReader, el: XmlElement, domains: DomainDecl[]): ScheduleEntry {
  r.allowOnly(el, ['domain', 'duration']);
  r.noText(el);
  const domain = r.required(el, 'domain');
  const duration = r.required(el, 'duration');
  const entry: ScheduleEntry = { domain: domain?.value, element: el };
  if (!domain || !duration) return entry;
  if (!domains.some((d) => d.name === domain.value)) r.valueError(el, `domain '${domain.value}' does not exist,`, 'sdf-domain', domain);
  const space = duration.value.indexOf(' ');
  if (space < 0) {
    r.valueError(el, `The duration '${duration.value}' must contain a value and a unit, e.g. '1000 us'`, 'sdf-invalid-value', duration);
    return entry;
  }
  const value = r.number(el, { ...duration, value: duration.value.slice(0, space) });
  const unit = duration.value.slice(space + 1);
  if (value === 0) r.valueError(el, `The duration '${duration.value}' must be non-zero`, 'sdf-invalid-value', duration);
  else if (value !== undefined && unit !== 'us' && unit !== 'ticks') {
    r.valueError(el, `The duration '${duration.value}' must be in either 'ticks' or 'us'`, 'sdf-invalid-value', duration);
  } else if (value !== undefined) {
    entry.duration = value;
    entry.unit = unit as 'us' | 'ticks';
  }
  return entry;
}

function parseSchedule(r: ElementReader, el: XmlElement, out: Domains): void {
  r.allowOnly(el, ['index_shift', 'start_index']);
  r.noText(el);
  const startAttr = attribute(el, 'start_index');
  out.startIndex = r.number(el, startAttr) ?? 0;
  out.indexShift = r.number(el, attribute(el, 'index_shift'));
  for (const child of el.children) {
    if (child.tag === 'schedule_entry') out.schedule.push(parseScheduleEntry(r, child, out.domains));
    else if (child.tag === 'schedule_end_marker') {
      r.allowOnly(child, []);
      out.schedule.push({ element: child });
    } else r.invalidElement(child, `invalid XML element as child of <domain_schedule> '${child.tag}'`);
  }
  const max = r.target.facts.numDomainSchedules;
  const n = out.schedule.length;
  if (n >= max) r.error(`More than configured KernelNumDomainSchedules ${max} number of <schedule_entry> elements found`, el.nameRange, 'sdf-domain');
  if (out.startIndex >= n) {
    r.valueError(el, `schedule_start_index '${out.startIndex}' is greater than the length of the schedule '${n}'`, 'sdf-domain', startAttr);
  }
  if (out.indexShift !== undefined && out.indexShift + n >= max) {
    // The tool prints the start index where it means the shift.
    r.valueError(
      el,
      `schedule_index_shift '${out.startIndex}' on top of the schedule length '${n}' would exceed than the configured KernelNumDomainSchedules ${max}`,
      'sdf-domain',
      'index_shift',
    );
  }
}

export function parseDomains(s: ParseState, el: XmlElement): Domains {
  const { r } = s;
  r.allowOnly(el, []);
  r.noText(el);
  const cores = r.target.facts.numCores;
  if (cores !== undefined && cores !== 1) r.error('The domain scheduler is not supported in multicore builds of seL4', el.nameRange, 'sdf-domain');
  const { domains, schedules } = readDomainList(r, el);
  const out: Domains = { domains, schedule: [], startIndex: 0, element: el };
  if (schedules.length === 0) r.valueError(el, 'The <domain_schedule> element must appear once', 'sdf-domain');
  else parseSchedule(r, schedules[0], out);
  return out;
}
