// Which units a .system document needs: its own model and rules.
import type { AnalysisUnit } from '../unit';
import type { UnitProvider, Workspace } from '../workspace';
import { isSystemFile } from '../workspace';
import { systemUnit } from './system-unit';

export class SystemUnitProvider implements UnitProvider {
  unitsFor(path: string, ws: Workspace): AnalysisUnit[] {
    return isSystemFile(path) ? [systemUnit(ws, path)] : [];
  }
}
