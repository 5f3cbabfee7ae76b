// Runs the rule table (rule-table.ts) stage by stage: each rule's findings get the rule's code and
// severity here, the user's setting over the default for the cross checks, so no check decides
// either. Guests built from the same files share their findings (crossCheck).
import type { Diagnostic } from '../../common/diagnostics';
import type { FileHost } from '../../common/host';
import type { DtTree } from '../../devicetree/tree';
import type { SystemModel } from '../model';
import type { GuestConfig, Project } from '../project-model';
import { findSystemRule, SYSTEM_RULES, type SystemRuleCode, type SystemRuleRecord } from '../rule-table';
import { SEARCH_DEPTH } from '../guest-files';
import { GuestCheck, type GuestTree } from './guest-dt';
import { diagnosticOf, overrideOf, type Finding, type ProjectFacts, type SeverityOverrides } from './rule';

/** Run `stage`'s rules in table order; `overrides` set the severity of the rules settable by name (the guest stage). */
function runStage<S extends SystemRuleRecord['stage']>(stage: S, input: unknown, overrides?: SeverityOverrides): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const rule of SYSTEM_RULES as readonly SystemRuleRecord[]) {
    if (rule.stage !== stage || rule.stage === 'read') continue;
    const severity = (rule.stage === 'guest' ? overrideOf(overrides, rule.code) : undefined) ?? rule.severity;
    if (severity === 'off') continue;
    const code = rule.code as SystemRuleCode;
    (rule.run as (input: unknown, report: (f: Finding) => void) => void)(input, (f) => out.push(diagnosticOf(code, severity, f)));
  }
  return out;
}

/** The microkit tool's system-wide rules over one .system (names, ids, IRQs, PPCs, maps, regions). */
export function checkSystem(model: SystemModel): Diagnostic[] {
  return runStage('system', model);
}

/** The rules over the .system with its serial roles and guests (sDDF regions and priorities, guest RAM). */
export function checkProjectRules(facts: ProjectFacts): Diagnostic[] {
  return runStage('project', facts);
}

/** The cross checks of one guest's compiled tree against the .system and the project file. */
export function checkGuestTree(project: Project, guest: GuestConfig, tree: DtTree, host?: FileHost, overrides?: SeverityOverrides): Diagnostic[] {
  const check = GuestCheck.of(project, guest, tree, host);
  return check ? runStage('guest', check, overrides) : [];
}

/** A guest to boot with no device tree: nothing to cross-check; the boot leaves it out while another VM has trees, else stops there. */
function noTree(g: GuestConfig): Diagnostic {
  const rule = findSystemRule('project-no-dts')!;
  return diagnosticOf('project-no-dts', rule.severity, {
    message: `no device tree found for '${g.vm}' (looked beside the .system and in a folder named after the VM up to ${SEARCH_DEPTH} levels below it): name its files in the project file ("guests": {"${g.vm}": {"dts": [...]}}), or leave it out with "boot": false`,
    range: g.vmRange,
    subject: g.vm,
  });
}

/** Stands for the quoted guest name in a message while findings of several guests are merged. */
const GUESTS = '\u0000guests\u0000';

/** A cross-check finding with the guests it concerns. */
export interface GuestDiagnostic extends Diagnostic {
  guests: string[];
}

/**
 * Every cross check for every booted guest with a compiled tree, each finding once: guests built
 * from the same files give the same finding at the same place, which is reported once naming every
 * guest it concerns ("not mapped into 'client_linux-1', 'client_linux-2'"). `overrides` are the
 * severities the user set by name (`devicetree.checks`, -W/-E); "off" drops a check.
 */
export function crossCheck(project: Project, trees: Map<string, GuestTree>, host?: FileHost, overrides?: SeverityOverrides): GuestDiagnostic[] {
  const merged = new Map<string, { diagnostic: Diagnostic; template: string; guests: string[] }>();
  for (const g of project.guests) {
    if (!g.boot) continue;
    const t = trees.get(g.vm);
    const found = g.dtFiles.length === 0 ? [noTree(g)] : t?.tree ? checkGuestTree(project, g, t.tree, host, overrides) : [];
    const name = `'${g.vm}'`;
    for (const d of found) {
      const template = d.message.split(name).join(GUESTS);
      const key = JSON.stringify([d.severity, d.code, d.range, d.subject, template, d.related]);
      const seen = merged.get(key);
      if (seen) {
        if (!seen.guests.includes(g.vm)) seen.guests.push(g.vm);
      } else merged.set(key, { diagnostic: d, template, guests: [g.vm] });
    }
  }
  return [...merged.values()].map(({ diagnostic, template, guests }) => ({
    ...diagnostic,
    message: template.split(GUESTS).join(guests.map((vm) => `'${vm}'`).join(', ')),
    guests,
  }));
}
