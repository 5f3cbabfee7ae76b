// The shape of a system rule and how a rule's findings become diagnostics. A rule's `run` reports
// what it found (message, place); its code and severity come from its record in the table
// (rule-table.ts), with the user's setting over the default, so no check decides severity itself.
import type { Diagnostic, DiagnosticCode, Severity, SourceRange } from '../../common/diagnostics';
import type { SystemModel } from '../model';
import type { GuestConfig } from '../project-model';
import type { SerialRoles } from '../roles';

/** A rule's severity as the user may set it: "off" drops its findings. */
export type RuleSeverity = Severity | 'off';

/** One finding of a rule, without its code and severity. */
export interface Finding {
  message: string;
  range?: SourceRange;
  subject?: string;
  related?: Diagnostic['related'];
  /**
   * A milder case of the rule (guest RAM mapped cached differently, a memory node smaller than the
   * RAM map): reported one level below the rule's severity (error to warning, warning to info).
   */
  lesser?: true;
}

export type Report = (finding: Finding) => void;

/** What the project-level rules read: the .system, its serial roles and configuration, and each guest's configuration. */
export interface ProjectFacts {
  system: SystemModel;
  roles: SerialRoles;
  /** The serial settings the rules read. */
  serial: { colour: boolean };
  guests: readonly GuestConfig[];
}

/** Who else makes the check: the microkit tool, libvmm at run time, the emulator at boot, any XML parser, or nobody ('new'; 'project': the project file is ours). */
export type RuleOrigin = 'microkit' | 'libvmm' | 'emulator' | 'xml' | 'project' | 'new';

interface RuleInfo {
  code: string;
  severity: Severity;
  origin: RuleOrigin;
  description: string;
}

/**
 * One rule. `stage` says what it reads and when it runs: `read` rules are found while the files are
 * read (XML, the .system's elements, the project file; no run of their own, as dtc's name_properties);
 * `system` rules read the .system model; `project` rules add the serial roles and the guests;
 * `guest` rules (the cross checks) read one guest's compiled device tree (a GuestCheck) and their
 * severity can be set by name, like dtc's checks (`devicetree.checks` setting, `dual-guest lint -W/-E`).
 */
export type SystemRule<GuestInput = never> = RuleInfo &
  (
    | { stage: 'read' }
    | { stage: 'system'; run(model: SystemModel, report: Report): void }
    | { stage: 'project'; run(facts: ProjectFacts, report: Report): void }
    | { stage: 'guest'; run(guest: GuestInput, report: Report): void }
  );

/** One level down: error to warning, warning to info. */
function lesser(severity: Severity): Severity {
  return severity === 'error' ? 'warning' : 'info';
}

/** The diagnostic for one finding of the rule `code` at `severity` (the rule's default unless the user set one). */
export function diagnosticOf(code: DiagnosticCode, severity: Severity, f: Finding): Diagnostic {
  const d: Diagnostic = { severity: f.lesser ? lesser(severity) : severity, code, message: f.message };
  if (f.range) d.range = f.range;
  if (f.subject !== undefined) d.subject = f.subject;
  if (f.related) d.related = f.related;
  return d;
}

/** Severities by code, as the `devicetree.checks` setting (an object) or the CLI's flags (a map) give them. */
export type SeverityOverrides = ReadonlyMap<string, RuleSeverity> | Readonly<Record<string, RuleSeverity | string>>;

export function overrideOf(overrides: SeverityOverrides | undefined, code: string): RuleSeverity | undefined {
  if (!overrides) return undefined;
  const v = overrides instanceof Map ? overrides.get(code) : (overrides as Record<string, string>)[code];
  return v === 'error' || v === 'warning' || v === 'info' || v === 'off' ? v : undefined;
}
