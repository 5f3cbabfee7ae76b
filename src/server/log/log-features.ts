// Language features of a serial log: the explanations' quick fixes. A fix edits where the emulator's
// own fault fixes do: the guest's device tree (`status = "disabled"` through dt-quickfix) or the
// .system (a memory region and its map into the VM, an attribute).
import { CodeActionKind, type CodeAction, type Diagnostic as LspDiagnostic, type TextEdit } from 'vscode-languageserver/node';
import type { SourceRange } from '../../common/diagnostics';
import type { LogFix } from '../../explain';
import { attribute, findVm, hex, type Project, type XmlElement } from '../../system';
import { toRange } from '../convert';
import { disableNodeEdit } from '../devicetree/dt-quickfix';
import type { LanguageFeatures } from '../features';
import { pathToUri } from '../uri';
import { logUnit, type LogUnit } from './log-unit';

type Edits = Map<string, TextEdit[]>;

function add(edits: Edits, path: string, edit: TextEdit): void {
  const list = edits.get(path) ?? [];
  list.push(edit);
  edits.set(path, list);
}

function insertAfter(r: SourceRange, text: string): TextEdit {
  const at = toRange(r).end;
  return { range: { start: at, end: at }, newText: text };
}

function setAttribute(edits: Edits, el: XmlElement, name: string, value: string): void {
  const existing = attribute(el, name);
  if (existing) add(edits, existing.valueRange.file, { range: toRange(existing.valueRange), newText: value });
  else add(edits, el.nameRange.file, insertAfter(el.nameRange, ` ${name}="${value}"`));
}

function fixEdits(unit: LogUnit, project: Project, fix: LogFix): Edits | undefined {
  const edits: Edits = new Map();
  switch (fix.kind) {
    case 'set-attribute':
      setAttribute(edits, fix.element, fix.name, fix.value);
      return edits;
    case 'disable-node': {
      const guest = project.guests.find((g) => g.vm === fix.vm);
      // The tree the project unit compiled for this guest (guests on the same files share it).
      const tree = guest && unit.project?.guestUnits.find((u) => u.files.join('\0') === guest.dtFiles.join('\0'));
      const index = tree?.index;
      const found = index ? disableNodeEdit(index, fix.node) : undefined;
      if (!found) return undefined;
      add(edits, found.path, found.edit);
      return edits;
    }
    case 'map-device': {
      const sys = project.system;
      const vm = findVm(sys, fix.vm);
      if (!vm) return undefined;
      const indentOf = (el: XmlElement): string => ' '.repeat(el.range.start.col);
      if (!fix.existing) {
        const last = sys.memoryRegions[sys.memoryRegions.length - 1]?.element;
        const region = `<memory_region name="${fix.mr}" size="${hex(fix.size)}" phys_addr="${hex(fix.base)}" />`;
        if (!last) return undefined;
        add(edits, last.range.file, insertAfter(last.range, `\n${indentOf(last)}${region}`));
      }
      const after = vm.element.children[vm.element.children.length - 1];
      if (!after) return undefined;
      add(edits, after.range.file, insertAfter(after.range, `\n${indentOf(after)}<map mr="${fix.mr}" vaddr="${hex(fix.base)}" perms="rw" cached="false" />`));
      return edits;
    }
  }
}

function noFeatures(): Omit<LanguageFeatures, 'codeActions'> {
  return {
    hover: () => null,
    completion: () => [],
    definition: () => [],
    references: () => [],
    prepareRename: () => null,
    rename: () => null,
    documentSymbols: () => [],
    foldingRanges: () => [],
    formatting: () => [],
  };
}

export const serialLogFeatures: LanguageFeatures = {
  ...noFeatures(),
  codeActions(ws, path, _range, diagnostics: LspDiagnostic[]): CodeAction[] {
    const unit = logUnit(ws, path);
    const project = unit.context?.project;
    if (!project) return [];
    const out: CodeAction[] = [];
    for (const d of diagnostics) {
      const x = unit.explanations.find((e) => e.code === d.code && e.span.line === d.range.start.line);
      if (!x) continue;
      x.fixes.forEach((fix, i) => {
        const edits = fixEdits(unit, project, fix);
        if (!edits) return;
        out.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: i === 0,
          edit: { changes: Object.fromEntries([...edits].map(([file, list]) => [pathToUri(file), list])) },
        });
      });
    }
    return out;
  },
};
