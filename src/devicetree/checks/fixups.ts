// dtc's fixup "checks" (`name` properties, labels, explicit phandles, reference resolution,
// /omit-if-no-ref/): checks that change the tree as they go. The
// evaluator (compile.ts) does that work and records what it found in CompileResult.fixupDiagnostics
// under these codes; these entries only surface those findings so that -W/-E and presets apply.
import type { DtCheckName } from './check-names';
import type { CheckDefinition, CheckSeverity } from './context';

function fixupCheck(name: DtCheckName, description: string, defaultSeverity: CheckSeverity, prerequisites: DtCheckName[]): CheckDefinition {
  return {
    name,
    description,
    defaultSeverity,
    prerequisites,
    run(ctx) {
      for (const d of ctx.state.input.fixupDiagnostics) if (d.code === name) ctx.report(d);
    },
  };
}

export const FIXUP_CHECKS: CheckDefinition[] = [
  fixupCheck('name_properties', 'A legacy `name` property differs from the node base name (a correct one is dropped).', 'error', ['name_is_string']),
  fixupCheck('duplicate_label', 'One label names two different nodes, properties or values.', 'error', []),
  fixupCheck(
    'explicit_phandles',
    "A `phandle`/`linux,phandle` property is malformed, points elsewhere, disagrees with its twin or repeats another node's phandle.",
    'error',
    [],
  ),
  fixupCheck('phandle_references', 'A `&label` or `&{/path}` inside `< >` names no node.', 'error', ['duplicate_node_names', 'explicit_phandles']),
  fixupCheck('path_references', 'A `&label` or `&{/path}` used as a path string names no node.', 'error', ['duplicate_node_names']),
  fixupCheck('omit_unused_nodes', 'Drops `/omit-if-no-ref/` nodes that nothing references (reports only evaluator findings).', 'error', [
    'phandle_references',
    'path_references',
  ]),
];
