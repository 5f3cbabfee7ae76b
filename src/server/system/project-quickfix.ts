// The quick fix for a .system without a project file: create one beside it, filled in with what was
// inferred (src/system/project-writer.ts), so the user corrects what inference got wrong instead of
// writing the file from nothing. Offered on a <virtual_machine> element (where problems that stop a
// boot sit) and on those problems wherever they are.
import { CodeActionKind, type CodeAction, type Diagnostic as LspDiagnostic, type Range } from 'vscode-languageserver/node';
import { basename, dirname, join } from '../../common/paths';
import type { DtTree } from '../../devicetree/tree';
import { findProjectFileFor, inferredProjectText } from '../../system';
import { fromPosition, rangeContains } from '../convert';
import { pathToUri } from '../uri';
import type { Workspace } from '../workspace';
import { projectUnit } from './project-unit';
import { systemUnit } from './system-unit';

/** Problems a project file settles: no tree found, a borrowed base, a boot that cannot start. */
const SETTLED_BY_PROJECT_FILE = new Set(['project-no-dts', 'project-guest-files', 'emulator-boot']);

/** Where the new file goes: dual-guest.json, or `<stem>.json` when a dual-guest.json (for another .system) is there. */
function newProjectFile(systemFile: string, ws: Workspace): string | undefined {
  const dir = dirname(systemFile);
  const name = basename(systemFile);
  const stem = name.endsWith('.system') ? name.slice(0, -'.system'.length) : name;
  return [join(dir, 'dual-guest.json'), join(dir, `${stem}.json`)].find((f) => !ws.host.fileExists(f));
}

export function createProjectFileActions(ws: Workspace, path: string, range: Range, diagnostics: LspDiagnostic[]): CodeAction[] {
  if (findProjectFileFor(path, ws.host)) return [];
  const related = diagnostics.filter((d) => SETTLED_BY_PROJECT_FILE.has(String(d.code)));
  const at = fromPosition(range.start);
  const onVm = systemUnit(ws, path).model?.virtualMachines.some((vm) => rangeContains(vm.element.range, at));
  if (!onVm && related.length === 0) return [];
  const target = newProjectFile(path, ws);
  const unit = projectUnit(ws, path);
  if (!target || !unit.project) return [];
  const trees = new Map<string, DtTree | undefined>([...unit.trees].map(([vm, t]) => [vm, t.tree]));
  const uri = pathToUri(target);
  return [
    {
      title: `Create ${basename(target)} with what was inferred (guest trees, virtio consoles, serial roles)`,
      kind: CodeActionKind.QuickFix,
      diagnostics: related,
      isPreferred: related.length > 0,
      edit: {
        documentChanges: [
          { kind: 'create', uri, options: { overwrite: false, ignoreIfExists: true } },
          {
            textDocument: { uri, version: null },
            edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: inferredProjectText(unit.project, target, trees) }],
          },
        ],
      },
    },
  ];
}
