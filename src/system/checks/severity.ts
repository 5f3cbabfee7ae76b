// Severities of the cross checks set by name, as dtc's checks are: the `devicetree.checks` setting
// ({"guest-dt-unmapped-device": "off"}) and `dual-guest lint`'s -W/-E flags reach both tables; the
// rule runner (run-rules.ts) applies them.

import { SYSTEM_RULES } from '../rule-table';

export type CrossCheckSeverity = 'error' | 'warning' | 'off';

/** The codes whose severity can be set by name: the cross checks (the rules of the `guest` stage). */
export const CROSS_CHECK_CODES: readonly string[] = SYSTEM_RULES.filter((r) => r.stage === 'guest').map((r) => r.code);

/**
 * The -W/-E flags (dtc's forms: -W<name>, -Wno-<name>, -E<name>, -Eno-<name>, --warning=, --error=)
 * that name cross checks, as severities over the rules' defaults; `rest` keeps the other flags in
 * order for dtc's table. As in dtc, a check that is an error stays one under -W and -Wno-.
 */
export function crossCheckFlags(flags: readonly string[]): { overrides: Map<string, CrossCheckSeverity>; rest: string[] } {
  const overrides = new Map<string, CrossCheckSeverity>();
  const rest: string[] = [];
  for (const flag of flags) {
    let kind: 'W' | 'E' | undefined;
    let arg = '';
    if (flag.startsWith('--warning=')) [kind, arg] = ['W', flag.slice('--warning='.length)];
    else if (flag.startsWith('--error=')) [kind, arg] = ['E', flag.slice('--error='.length)];
    else if (flag.startsWith('-W') || flag.startsWith('-E')) [kind, arg] = [flag[1] as 'W' | 'E', flag.slice(2)];
    const enable = !(arg.startsWith('no-') || arg.startsWith('no_'));
    const name = enable ? arg : arg.slice(3);
    const rule = kind && SYSTEM_RULES.find((r) => r.stage === 'guest' && r.code === name);
    if (!rule) {
      rest.push(flag);
      continue;
    }
    const current = overrides.get(name) ?? (rule.severity === 'error' ? 'error' : rule.severity === 'warning' ? 'warning' : 'info');
    let next: CrossCheckSeverity | 'info' = current;
    if (kind === 'E') next = enable ? 'error' : current === 'error' ? 'off' : current;
    else next = current === 'error' ? 'error' : enable ? 'warning' : 'off';
    // An info-level check left as it is keeps no override.
    if (next !== 'info') overrides.set(name, next);
  }
  return { overrides, rest };
}
