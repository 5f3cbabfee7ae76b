// Quick fixes that move a .system to the selected Microkit release's forms:
// - `pp` on a protection domain (Microkit 1.x: "this PD accepts PPCs") becomes pp="true" on the
//   caller's end of each of its channels (2.0's upgrade notes), and leaves the PD;
// - `id` on a virtual machine becomes a `<vcpu id="..."/>` inside it;
// - an x86 MSI's `bus:dev:func` (accepted before 2.3) becomes `bus:dev.func`;
// - an x86 I/O APIC `polarity` is swapped (2.3 fixed an inversion: a 2.2 file's "low" meant high).
import { CodeActionKind, type CodeAction, type Diagnostic as LspDiagnostic, type Range, type TextEdit } from 'vscode-languageserver/node';
import type { SourceRange } from '../../common/diagnostics';
import { attribute, type SystemModel } from '../../system/model';
import type { XmlAttribute, XmlElement } from '../../system/xml';
import { fromPosition, rangeContains, toRange } from '../convert';
import { pathToUri } from '../uri';
import type { Workspace } from '../workspace';
import { systemUnit } from './system-unit';

function action(title: string, path: string, edits: TextEdit[], diagnostics: LspDiagnostic[], preferred: boolean): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics, isPreferred: preferred, edit: { changes: { [pathToUri(path)]: edits } } };
}

/** Deleting an attribute: from the end of what precedes it (the space before it) to its end. */
function removeAttribute(el: XmlElement, a: XmlAttribute): TextEdit {
  const i = el.attributes.indexOf(a);
  const start = i > 0 ? el.attributes[i - 1].range.end : el.nameRange.end;
  return { range: toRange({ ...a.range, start }), newText: '' };
}

/** pp="true" on an end: its value set when it has one, else added after its last attribute. */
function setPp(end: XmlElement): TextEdit {
  const pp = attribute(end, 'pp');
  if (pp) return { range: toRange(pp.valueRange), newText: 'true' };
  const last = end.attributes[end.attributes.length - 1];
  const at = last ? last.range.end : end.nameRange.end;
  return { range: toRange({ ...(last?.range ?? end.nameRange), start: at, end: at }), newText: ' pp="true"' };
}

function moveProtectedProcedure(model: SystemModel, path: string, el: XmlElement, a: XmlAttribute, diags: LspDiagnostic[]): CodeAction | undefined {
  const name = attribute(el, 'name')?.value;
  const edits: TextEdit[] = [removeAttribute(el, a)];
  const callers: string[] = [];
  if (a.value === 'true') {
    for (const ch of model.channels) {
      const [x, y] = ch.ends;
      const caller = x.pd === name ? y : y.pd === name ? x : undefined;
      if (!caller) continue;
      edits.push(setPp(caller.element));
      callers.push(caller.pd);
    }
  }
  const title =
    callers.length > 0
      ? `Move pp to the callers' channel ends (${callers.join(', ')}), as Microkit 2.0 wants`
      : `Remove pp (Microkit 2.0 puts it on the caller's channel end; '${name}' has no channels)`;
  return action(title, path, edits, diags, true);
}

function vcpuFromId(path: string, el: XmlElement, a: XmlAttribute, diags: LspDiagnostic[]): CodeAction {
  const startTagEnd = el.children[0]?.range.start;
  const selfClosing = startTagEnd === undefined;
  const edits: TextEdit[] = [removeAttribute(el, a)];
  const indent = ' '.repeat(el.nameRange.start.col - 1 + 4);
  if (selfClosing) {
    // <virtual_machine ... /> becomes an element with one vCPU.
    edits.push({
      range: toRange({ ...el.range, start: { line: el.range.end.line, col: el.range.end.col - 2 } }),
      newText: `>\n${indent}<vcpu id="${a.value}" />\n${' '.repeat(el.nameRange.start.col - 1)}</virtual_machine>`,
    });
  } else {
    edits.push({ range: toRange({ ...el.range, start: startTagEnd, end: startTagEnd }), newText: `<vcpu id="${a.value}" />\n${indent}` });
  }
  return action(`Write the vCPU as <vcpu id="${a.value}" /> (Microkit 2.0)`, path, edits, diags, true);
}

function onlyAt(range: SourceRange, at: { line: number; col: number }): boolean {
  return rangeContains(range, at);
}

export function migrationActions(ws: Workspace, path: string, range: Range, diagnostics: LspDiagnostic[]): CodeAction[] {
  const model = systemUnit(ws, path).model;
  if (!model?.root) return [];
  const at = fromPosition(range.start);
  const out: CodeAction[] = [];
  const about = (a: XmlAttribute): LspDiagnostic[] => diagnostics.filter((d) => d.message.startsWith(`invalid attribute '${a.name}'`));
  const stack: XmlElement[] = [model.root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    for (const c of el.children) stack.push(c);
    if (!onlyAt(el.range, at)) continue;
    for (const a of el.attributes) {
      if (!onlyAt(a.range, at) && !about(a).some((d) => onlyAt(a.range, fromPosition(d.range.start)))) continue;
      if (el.tag === 'protection_domain' && a.name === 'pp') out.push(moveProtectedProcedure(model, path, el, a, about(a))!);
      else if (el.tag === 'virtual_machine' && a.name === 'id') out.push(vcpuFromId(path, el, a, about(a)));
      else if (el.tag === 'irq' && a.name === 'pcidev' && /^[^:]*:[^:.]*:[^:.]*$/.test(a.value)) {
        const fixed = a.value.replace(/:([^:]*)$/, '.$1');
        out.push(
          action(
            `Write the PCI address as ${fixed} (bus:dev.func, required from Microkit 2.3)`,
            path,
            [{ range: toRange(a.valueRange), newText: fixed }],
            diagnostics.filter((d) => d.message.includes('bus:device.function')),
            true,
          ),
        );
      } else if (el.tag === 'irq' && a.name === 'polarity' && (a.value === 'low' || a.value === 'high')) {
        const other = a.value === 'low' ? 'high' : 'low';
        out.push(
          action(
            `Swap polarity to "${other}" (a file written for Microkit 2.1/2.2: 2.3 fixed the inverted meaning)`,
            path,
            [{ range: toRange(a.valueRange), newText: other }],
            [],
            false,
          ),
        );
      }
    }
  }
  return out;
}
