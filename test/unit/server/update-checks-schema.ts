// Rewrites the `microkitDualGuest.devicetree.checks` settings schema in package.json from the check
// table (src/devicetree/checks) and the cross checks (src/system/rule-table.ts). Run it when either
// changes: `npx tsx test/unit/server/update-checks-schema.ts`.
import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { CHECKS } from '../../../src/devicetree/checks';
import { SYSTEM_RULES } from '../../../src/system/rule-table';

export function checksSchema(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const c of CHECKS)
    properties[c.name] = { type: 'string', enum: ['error', 'warning', 'off'], markdownDescription: `${c.description} (default: ${c.defaultSeverity})` };
  // The checks across a .system and its guests' trees take severities by name too.
  for (const r of SYSTEM_RULES)
    if (r.stage === 'guest')
      properties[r.code] = {
        type: 'string',
        enum: ['error', 'warning', 'off'],
        markdownDescription: `Cross check: ${r.description}. (default: ${r.severity})`,
      };
  return properties;
}

if (require.main === module) {
  const file = path.resolve(__dirname, '..', '..', '..', 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  pkg.contributes.configuration.properties['microkitDualGuest.devicetree.checks'].properties = checksSchema();
  writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
}
