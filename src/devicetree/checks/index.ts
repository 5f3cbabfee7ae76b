// dtc's checks (checks.c, version 1.6.1) as one table of named records. The table drives the CLI
// flags (-W/-E), the presets, the settings schema, docs/checks.md and the diagnostic codes. The
// runner follows dtc: prerequisites first, results remembered, a check whose prerequisite failed
// is skipped (and says so), every message tagged with the check name and the node path.
import type { Diagnostic } from '../../common/diagnostics';
import { ADDRESS_CHECKS } from './addresses';
import { ALIAS_CHECKS } from './aliases';
import { BUS_CHECKS } from './buses';
import { CHOSEN_CHECKS } from './chosen';
import { type CheckDefinition, type CheckInput, type CheckSeverity, CheckContext, CheckRunState, nodeCheck } from './context';
import { FIXUP_CHECKS } from './fixups';
import { GPIO_CHECKS } from './gpio';
import { GRAPH_CHECKS } from './graph';
import { INTERRUPT_CHECKS } from './interrupts';
import { NAME_CHECKS } from './names';
import { PHANDLE_ARGS_CHECKS } from './phandle-args';
import { STRING_CHECKS } from './string-props';
import { CHECK_NAMES } from './check-names';

export type { CheckDefinition, CheckInput, CheckSeverity } from './context';
export { CHECK_NAMES, type DtCheckName } from './check-names';
export { ALSO_DEFINED, CheckContext, CheckRunState } from './context';

export interface CheckConfig {
  severities: Map<string, CheckSeverity>;
}

export type CheckPreset = 'dtc' | 'linux';
export const CHECK_PRESETS: readonly CheckPreset[] = ['dtc', 'linux'];

const ALWAYS_FAIL = nodeCheck('always_fail', "Fails on every node; dtc's self-test of the check machinery.", 'off', [], (ctx, node) =>
  ctx.failNode(node, 'always_fail check'),
);

function buildTable(): CheckDefinition[] {
  const all = [
    ...NAME_CHECKS,
    ...STRING_CHECKS,
    ...FIXUP_CHECKS,
    ...ADDRESS_CHECKS,
    ...BUS_CHECKS,
    ...CHOSEN_CHECKS,
    ...PHANDLE_ARGS_CHECKS,
    ...GPIO_CHECKS,
    ...INTERRUPT_CHECKS,
    ...ALIAS_CHECKS,
    ...GRAPH_CHECKS,
    ALWAYS_FAIL,
  ];
  const byName = new Map(all.map((c) => [c.name, c]));
  // A mismatch here is a programming error in this folder, caught by the unit tests on import.
  if (byName.size !== all.length || byName.size !== CHECK_NAMES.length) throw new Error('checks: the table and its families disagree');
  return CHECK_NAMES.map((name) => {
    const c = byName.get(name);
    if (!c) throw new Error(`checks: ${name} is in the order but has no definition`);
    return c;
  });
}

export const CHECKS: readonly CheckDefinition[] = buildTable();

const CHECKS_BY_NAME = new Map<string, CheckDefinition>(CHECKS.map((c) => [c.name, c]));

export function findCheck(name: string): CheckDefinition | undefined {
  return CHECKS_BY_NAME.get(name);
}

/**
 * Checks the Linux kernel build turns off at its default warning level (no W=), as kernels built
 * while dtc's interrupt_provider check was off there (from the dtc 1.6 import until 2024, the
 * kernels vendor i.MX trees such as the MaaXBoard's come from): scripts/Makefile.lib passes
 * `-Wno-interrupt_provider -Wno-unit_address_vs_reg -Wno-avoid_unnecessary_addr_size
 * -Wno-alias_paths -Wno-graph_child_address -Wno-simple_bus_reg -Wno-unique_unit_address`.
 * As in dtc, turning interrupt_provider off also turns off interrupt_map, which needs it.
 */
export const LINUX_DISABLED_CHECKS: readonly string[] = [
  'interrupt_provider',
  'unit_address_vs_reg',
  'avoid_unnecessary_addr_size',
  'alias_paths',
  'graph_child_address',
  'simple_bus_reg',
  'unique_unit_address',
];

/** dtc keeps two switches per check; "error" wins when both are on. */
interface Switches {
  warn: boolean;
  error: boolean;
}

function switchesOf(severity: CheckSeverity): Switches {
  return { warn: severity === 'warning', error: severity === 'error' };
}

function severityOf(s: Switches): CheckSeverity {
  return s.error ? 'error' : s.warn ? 'warning' : 'off';
}

class SwitchBoard {
  readonly state = new Map<string, Switches>();
  constructor(config: CheckConfig) {
    for (const c of CHECKS) this.state.set(c.name, switchesOf(config.severities.get(c.name) ?? 'off'));
  }
  /** Raising a check raises its prerequisites too (dtc's enable_warning_error). */
  enable(name: string, warn: boolean, error: boolean): void {
    const s = this.state.get(name)!;
    if ((warn && !s.warn) || (error && !s.error)) for (const p of CHECKS_BY_NAME.get(name)!.prerequisites) this.enable(p, warn, error);
    s.warn ||= warn;
    s.error ||= error;
  }
  /** Lowering a check lowers what depends on it too (dtc's disable_warning_error). */
  disable(name: string, warn: boolean, error: boolean): void {
    const s = this.state.get(name)!;
    if ((warn && s.warn) || (error && s.error))
      for (const c of CHECKS) if ((c.prerequisites as readonly string[]).includes(name)) this.disable(c.name, warn, error);
    s.warn &&= !warn;
    s.error &&= !error;
  }
  config(): CheckConfig {
    const severities = new Map<string, CheckSeverity>();
    for (const [name, s] of this.state) severities.set(name, severityOf(s));
    return { severities };
  }
}

export function defaultCheckConfig(preset: CheckPreset = 'dtc'): CheckConfig {
  const severities = new Map<string, CheckSeverity>();
  for (const c of CHECKS) severities.set(c.name, c.defaultSeverity);
  if (preset === 'dtc') return { severities };
  const board = new SwitchBoard({ severities });
  for (const name of LINUX_DISABLED_CHECKS) board.disable(name, true, false);
  return board.config();
}

/**
 * dtc's -W/-E options on top of a preset: `-W<name>`, `-Wno-<name>` (or `no_`), `-E<name>`,
 * `-Eno-<name>`, and the long forms `--warning=<name>`, `--error=<name>`. Unknown flags and check
 * names come back as errors; the rest still applies.
 */
export function checkConfigFromFlags(flags: string[], preset: CheckPreset = 'dtc'): { config: CheckConfig; errors: string[] } {
  const board = new SwitchBoard(defaultCheckConfig(preset));
  const errors: string[] = [];
  for (const flag of flags) {
    let kind: 'W' | 'E';
    let arg: string;
    if (flag.startsWith('--warning=')) [kind, arg] = ['W', flag.slice('--warning='.length)];
    else if (flag.startsWith('--error=')) [kind, arg] = ['E', flag.slice('--error='.length)];
    else if (flag.startsWith('-W') || flag.startsWith('-E')) [kind, arg] = [flag[1] as 'W' | 'E', flag.slice(2)];
    else {
      errors.push(`Unrecognized check option "${flag}" (expected -W<name>, -Wno-<name>, -E<name> or -Eno-<name>)`);
      continue;
    }
    const enable = !(arg.startsWith('no-') || arg.startsWith('no_'));
    const name = enable ? arg : arg.slice(3);
    if (!CHECKS_BY_NAME.has(name)) {
      errors.push(`Unrecognized check name "${name}"`);
      continue;
    }
    const [warn, error] = kind === 'W' ? [true, false] : [false, true];
    if (enable) board.enable(name, warn, error);
    else board.disable(name, warn, error);
  }
  return { config: board.config(), errors };
}

type Status = 'passed' | 'failed' | 'prereq';

/**
 * Run the enabled checks (and, silently, the prerequisites they need) over a compiled tree, in
 * table order, exactly as dtc 1.6.1 does: once an error-severity check has failed, no further
 * check runs (dtc's `error = error || run_check(...)` short-circuits), and a prerequisite that did
 * not run counts as failed. Never throws: a check that breaks on odd input yields an error
 * diagnostic under its name.
 */
export function runChecks(result: CheckInput, config: CheckConfig): Diagnostic[] {
  const state = new CheckRunState(result);
  const out: Diagnostic[] = [];
  const status = new Map<string, Status>();
  const severity = (name: string): CheckSeverity => config.severities.get(name) ?? 'off';

  /** dtc's run_check: true when this check or a prerequisite it ran is a failed error check. */
  const run = (check: CheckDefinition): boolean => {
    const sev = severity(check.name);
    let error = false;
    if (!status.has(check.name)) {
      status.set(check.name, 'prereq'); // in progress; the table has no cycles, this only guards
      let blocked = false;
      for (const p of check.prerequisites) {
        const prereq = CHECKS_BY_NAME.get(p);
        if (prereq && !error) error = run(prereq);
        if (status.get(p) !== 'passed') {
          blocked = true;
          if (sev !== 'off') out.push({ severity: sev, code: check.name, message: `Failed prerequisite '${p}'` });
        }
      }
      if (!blocked) {
        const ctx = new CheckContext(state, check, sev, out);
        try {
          check.run(ctx);
        } catch (err) {
          ctx.failed = true;
          out.push({
            severity: 'error',
            code: check.name,
            message: `internal error in check ${check.name}: ${err instanceof Error ? err.message : String(err)}`,
          });
        }
        status.set(check.name, ctx.failed ? 'failed' : 'passed');
      }
    }
    if (status.get(check.name) !== 'passed' && sev === 'error') error = true;
    return error;
  };

  let error = false;
  for (const check of CHECKS) if (severity(check.name) !== 'off' && !error) error = run(check);
  return out;
}
