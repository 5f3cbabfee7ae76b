// Editor features for Microkit .system files, over the model the system core builds.
import {
  CompletionItemKind,
  FoldingRangeKind,
  MarkupKind,
  SymbolKind,
  type CompletionItem,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  type Location,
  type Position,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { SourceRange } from '../../common/diagnostics';
import { findMr, findPd, findVm, formatPerms, type MapEntry, type ProtectionDomain, type SystemModel } from '../../system/model';
import type { XmlElement } from '../../system/xml';
import { fromPosition, toLocation, toRange } from '../convert';
import type { LanguageFeatures } from '../features';
import { hex, humanSize, sizeWithHex } from '../format-values';
import { pathToUri } from '../uri';
import type { Workspace } from '../workspace';
import { createProjectFileActions } from './project-quickfix';
import { migrationActions } from './migration-quickfix';
import { systemUnit } from './system-unit';
import { elementAt, refsTo, symbolRefAt, walkElements, type SystemSymbolRef } from './system-symbols';
import { ATTRIBUTES, CHILD_ELEMENTS, ELEMENT_DOCS, attributeValues } from './system-vocabulary';

function modelOf(ws: Workspace, path: string): { model?: SystemModel; text: string } {
  const u = systemUnit(ws, path);
  return { model: u.model, text: u.text };
}

const SIZE_ATTRIBUTES = new Set(['size', 'page_size', 'stack_size']);
const ADDRESS_ATTRIBUTES = new Set(['vaddr', 'phys_addr']);

export const systemFeatures: LanguageFeatures = {
  hover(ws, path, pos) {
    const { model } = modelOf(ws, path);
    if (!model) return null;
    const p = fromPosition(pos);
    const ref = symbolRefAt(model, p);
    if (ref) return markdown(symbolHover(model, ref.kind, ref.name), ref.attribute.valueRange);
    const at = elementAt(model, p);
    if (!at) return null;
    const { element, attribute } = at;
    if (attribute && (SIZE_ATTRIBUTES.has(attribute.name) || ADDRESS_ATTRIBUTES.has(attribute.name))) {
      return markdown(numberHover(model, element, attribute.name, attribute.value), attribute.range);
    }
    if (attribute && attribute.name === 'priority') return markdown(priorityHover(model, element), attribute.range);
    if (element.tag === 'channel' || element.tag === 'end') {
      const ch = model.channels.find((c) => c.element === element || c.ends.some((e) => e.element === element));
      if (ch)
        return markdown(ch.ends.map((e) => `- \`${e.pd}\` id ${e.id}${e.pp ? ' (pp)' : ''}${e.notify ? '' : ' (no notify)'}`).join('\n'), element.nameRange);
    }
    if (attribute) {
      const doc = ATTRIBUTES[element.tag]?.find((a) => a.name === attribute.name)?.doc;
      if (doc) return markdown(`\`${attribute.name}\` on \`${element.tag}\`: ${doc}`, attribute.nameRange);
    }
    const name = element.attributes.find((a) => a.name === 'name');
    if (name && (element.tag === 'memory_region' || element.tag === 'protection_domain' || element.tag === 'virtual_machine')) {
      return markdown(symbolHover(model, element.tag, name.value), element.nameRange);
    }
    if (element.tag === 'map') {
      const mr = element.attributes.find((a) => a.name === 'mr');
      if (mr) return markdown(symbolHover(model, 'memory_region', mr.value), element.nameRange);
    }
    if (ELEMENT_DOCS[element.tag]) return markdown(`**${element.tag}**: ${ELEMENT_DOCS[element.tag]}`, element.nameRange);
    return null;
  },

  completion(ws, path, pos) {
    const { model, text } = modelOf(ws, path);
    const offset = offsetOf(text, pos);
    const ctx = xmlContext(text, offset);
    const items: CompletionItem[] = [];
    if (ctx.kind === 'element') {
      for (const tag of CHILD_ELEMENTS[ctx.parent] ?? []) items.push({ label: tag, kind: CompletionItemKind.Class, documentation: ELEMENT_DOCS[tag] });
    } else if (ctx.kind === 'attribute') {
      for (const a of ATTRIBUTES[ctx.tag] ?? []) {
        if (ctx.present.includes(a.name)) continue;
        items.push({ label: a.name, kind: CompletionItemKind.Property, documentation: a.doc, insertText: `${a.name}="` });
      }
    } else if (ctx.kind === 'value') {
      let values: readonly string[] = attributeValues(ctx.tag, ctx.attribute);
      if (model && ((ctx.tag === 'map' && ctx.attribute === 'mr') || (ctx.tag === 'setvar' && ctx.attribute === 'region_paddr'))) {
        values = model.memoryRegions.map((m) => m.name);
      } else if (model && ((ctx.tag === 'end' && ctx.attribute === 'pd') || (ctx.tag.startsWith('cap_') && ctx.attribute === 'pd'))) {
        values = model.protectionDomains.map((d) => d.name);
      }
      for (const v of values) items.push({ label: v, kind: CompletionItemKind.Value });
    }
    return items;
  },

  definition(ws, path, pos) {
    const { model } = modelOf(ws, path);
    if (!model) return [];
    const ref = symbolRefAt(model, fromPosition(pos));
    if (!ref) return [];
    return refsTo(model, ref.kind, ref.name)
      .filter((r) => r.declaration)
      .map((r) => toLocation(r.attribute.valueRange));
  },

  references(ws, path, pos, includeDeclaration) {
    const { model } = modelOf(ws, path);
    if (!model) return [];
    const ref = symbolRefAt(model, fromPosition(pos));
    if (!ref) return [];
    return refsTo(model, ref.kind, ref.name)
      .filter((r) => includeDeclaration || !r.declaration)
      .map((r): Location => toLocation(r.attribute.valueRange));
  },

  prepareRename(ws, path, pos) {
    const { model } = modelOf(ws, path);
    if (!model) return null;
    const ref = symbolRefAt(model, fromPosition(pos));
    if (!ref || ref.kind === 'virtual_machine') return ref ? toRange(ref.attribute.valueRange) : null;
    return toRange(ref.attribute.valueRange);
  },

  rename(ws, path, pos, newName) {
    const { model } = modelOf(ws, path);
    if (!model) return null;
    const ref = symbolRefAt(model, fromPosition(pos));
    if (!ref) return null;
    const edits: TextEdit[] = refsTo(model, ref.kind, ref.name).map((r) => ({ range: toRange(r.attribute.valueRange), newText: escapeXmlAttribute(newName) }));
    const out: WorkspaceEdit = { changes: { [pathToUri(path)]: edits } };
    return out;
  },

  documentSymbols(ws, path) {
    const { model } = modelOf(ws, path);
    if (!model) return [];
    const out: DocumentSymbol[] = [];
    for (const mr of model.memoryRegions) {
      out.push(symbol(mr.name, SymbolKind.Struct, `${humanSize(mr.size)}${mr.physAddr !== undefined ? ` @ ${hex(mr.physAddr)}` : ''}`, mr.element));
    }
    const pdSymbol = (pd: ProtectionDomain): DocumentSymbol => {
      const children: DocumentSymbol[] = [];
      for (const m of pd.maps) children.push(mapSymbol(m));
      for (const irq of pd.irqs) children.push(symbol(`irq ${irq.irq}`, SymbolKind.Event, `id ${irq.id}, ${irq.trigger}`, irq.element));
      const vm = pd.virtualMachine;
      if (vm) {
        const vmChildren = vm.maps.map(mapSymbol);
        children.push(symbol(vm.name, SymbolKind.Class, `virtual machine, priority ${vm.priority}, ${vm.vcpus.length} vCPU`, vm.element, vmChildren));
      }
      for (const c of pd.children) children.push(pdSymbol(c));
      return symbol(pd.name, SymbolKind.Module, `priority ${pd.priority}${pd.passive ? ', passive' : ''}`, pd.element, children);
    };
    for (const pd of model.rootDomains) out.push(pdSymbol(pd));
    for (const ch of model.channels) {
      const [a, b] = ch.ends;
      out.push(symbol(`${a.pd} ⇄ ${b.pd}`, SymbolKind.Interface, `channel ${a.id} ⇄ ${b.id}`, ch.element));
    }
    return out;
  },

  foldingRanges(ws, path) {
    const { model } = modelOf(ws, path);
    const out: FoldingRange[] = [];
    for (const el of walkElements(model?.root)) {
      if (el.range.end.line > el.range.start.line) out.push({ startLine: el.range.start.line, endLine: el.range.end.line - 1, kind: FoldingRangeKind.Region });
    }
    return out;
  },

  formatting() {
    // .system files keep the author's layout: XML reformatting is not offered.
    return [];
  },

  codeActions(ws, path, range, diagnostics) {
    return [...migrationActions(ws, path, range, diagnostics), ...createProjectFileActions(ws, path, range, diagnostics)];
  },
};

function markdown(value: string, range: SourceRange): Hover {
  return { contents: { kind: MarkupKind.Markdown, value }, range: toRange(range) };
}

function symbol(name: string, kind: SymbolKind, detail: string, el: XmlElement, children: DocumentSymbol[] = []): DocumentSymbol {
  const nameAttr = el.attributes.find((a) => a.name === 'name');
  return { name: name || '(unnamed)', kind, detail, range: toRange(el.range), selectionRange: toRange(nameAttr?.valueRange ?? el.nameRange), children };
}

function mapSymbol(m: MapEntry): DocumentSymbol {
  return symbol(`map ${m.mr}`, SymbolKind.Field, `${hex(m.vaddr)} ${formatPerms(m.perms)}${m.cached ? '' : ' uncached'}`, m.element);
}

function line(r: SourceRange): number {
  return r.start.line + 1;
}

function mapsOf(model: SystemModel, mr: string): MapEntry[] {
  const out: MapEntry[] = [];
  for (const pd of model.protectionDomains) {
    for (const m of pd.maps) if (m.mr === mr) out.push(m);
    for (const m of pd.virtualMachine?.maps ?? []) if (m.mr === mr) out.push(m);
  }
  return out;
}

function symbolHover(model: SystemModel, kind: SystemSymbolRef['kind'], name: string): string {
  if (kind === 'memory_region') {
    const mr = findMr(model, name);
    if (!mr) return `memory region \`${name}\` is not defined`;
    const lines = [
      `**memory_region** \`${mr.name}\``,
      '',
      `size ${sizeWithHex(mr.size)}, page size ${humanSize(mr.pageSize)}${mr.physAddr !== undefined ? `, physical address ${hex(mr.physAddr)}` : ''}`,
    ];
    const maps = mapsOf(model, mr.name);
    lines.push('', maps.length === 0 ? 'Not mapped by any PD or VM.' : 'Mapped by:');
    for (const m of maps) {
      lines.push(
        `- ${m.owner.kind === 'virtual_machine' ? 'VM' : 'PD'} \`${m.owner.name}\` at ${hex(m.vaddr)}..${hex(m.vaddr + mr.size)} (${formatPerms(m.perms)}${m.cached ? '' : ', uncached'}), line ${line(m.element.range)}`,
      );
    }
    return lines.join('\n');
  }
  if (kind === 'protection_domain') {
    const pd = findPd(model, name);
    if (!pd) return `protection domain \`${name}\` is not defined`;
    const lines = [
      `**protection_domain** \`${pd.name}\``,
      '',
      `priority ${pd.priority}, budget ${pd.budget} µs, period ${pd.period} µs${pd.passive ? ', passive' : ''}`,
    ];
    if (pd.programImage) lines.push(`image \`${pd.programImage}\``);
    const channels = model.channels.filter((c) => c.ends.some((e) => e.pd === pd.name));
    for (const c of channels) {
      const mine = c.ends[0].pd === pd.name ? c.ends[0] : c.ends[1];
      const other = mine === c.ends[0] ? c.ends[1] : c.ends[0];
      lines.push(`- channel ${mine.id} ⇄ \`${other.pd}\` (its id ${other.id})${mine.pp ? ', pp' : ''}`);
    }
    for (const irq of pd.irqs) lines.push(`- irq ${irq.irq} on channel ${irq.id} (${irq.trigger})`);
    if (pd.virtualMachine) lines.push(`- virtual machine \`${pd.virtualMachine.name}\` (priority ${pd.virtualMachine.priority})`);
    return lines.join('\n');
  }
  const vm = findVm(model, name);
  if (!vm) return `virtual machine \`${name}\` is not defined`;
  const lines = [
    `**virtual_machine** \`${vm.name}\``,
    '',
    `priority ${vm.priority}, ${vm.vcpus.length} vCPU, VMM \`${vm.vmm.name}\` (priority ${vm.vmm.priority})`,
  ];
  for (const m of vm.maps) {
    const mr = findMr(model, m.mr);
    lines.push(`- \`${m.mr}\` at guest-physical ${hex(m.vaddr)}${mr ? ` (${humanSize(mr.size)})` : ''}`);
  }
  return lines.join('\n');
}

function numberHover(model: SystemModel, element: XmlElement, attr: string, raw: string): string {
  const digits = raw.split('_').join('');
  let value: bigint | undefined;
  try {
    value = digits === '' ? undefined : BigInt(digits);
  } catch {
    value = undefined;
  }
  if (value === undefined) return `\`${attr}\`: not a number`;
  if (SIZE_ATTRIBUTES.has(attr)) return `\`${attr}\` = ${value} = ${sizeWithHex(value)}`;
  let text = `\`${attr}\` = ${hex(value)} (${value})`;
  if (element.tag === 'map') {
    const mr = findMr(model, element.attributes.find((a) => a.name === 'mr')?.value ?? '');
    if (mr) text += `\n\nmaps \`${mr.name}\` over ${hex(value)}..${hex(value + BigInt(mr.size))} (${humanSize(mr.size)})`;
  }
  return text;
}

function priorityHover(model: SystemModel, element: XmlElement): string {
  const name = element.attributes.find((a) => a.name === 'name')?.value ?? '';
  const all = [...model.protectionDomains, ...model.virtualMachines].sort((a, b) => b.priority - a.priority);
  const me = all.find((x) => x.name === name && x.element === element);
  if (!me) return 'priority';
  const higher = all.filter((x) => x.priority > me.priority).map((x) => `\`${x.name}\` (${x.priority})`);
  const lower = all.filter((x) => x.priority < me.priority).map((x) => `\`${x.name}\` (${x.priority})`);
  return [`priority ${me.priority} of 254`, '', `above: ${lower.join(', ') || 'none'}`, `below: ${higher.join(', ') || 'none'}`].join('\n');
}

function escapeXmlAttribute(s: string): string {
  return s.split('&').join('&amp;').split('"').join('&quot;').split('<').join('&lt;');
}

function offsetOf(text: string, pos: Position): number {
  let line = 0,
    i = 0;
  while (line < pos.line && i < text.length) {
    const nl = text.indexOf('\n', i);
    if (nl < 0) return text.length;
    i = nl + 1;
    line++;
  }
  return Math.min(text.length, i + pos.character);
}

type XmlContext =
  | { kind: 'element'; parent: string }
  | { kind: 'attribute'; tag: string; present: string[] }
  | { kind: 'value'; tag: string; attribute: string }
  | { kind: 'none' };

function isNameChar(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_' || c === '-' || c === ':' || c === '.';
}

/**
 * What the cursor is in, from the text before it (it is usually malformed while typing, so the XML
 * tree may not hold the tag being written): element name after '<', attribute name, or attribute value.
 */
function xmlContext(text: string, offset: number): XmlContext {
  const lt = text.lastIndexOf('<', offset - 1);
  const gt = text.lastIndexOf('>', offset - 1);
  if (lt < 0 || gt > lt) return { kind: 'none' };
  const inTag = text.slice(lt + 1, offset);
  if (inTag.startsWith('!') || inTag.startsWith('?') || inTag.startsWith('/')) return { kind: 'none' };
  let i = 0;
  while (i < inTag.length && isNameChar(inTag[i])) i++;
  if (i === inTag.length) return { kind: 'element', parent: enclosingTag(text, lt) };
  const tag = inTag.slice(0, i);
  // Walk the attributes written so far: name = "value" pairs.
  const present: string[] = [];
  while (i < inTag.length) {
    while (i < inTag.length && !isNameChar(inTag[i])) i++;
    const start = i;
    while (i < inTag.length && isNameChar(inTag[i])) i++;
    const name = inTag.slice(start, i);
    while (i < inTag.length && inTag[i] === ' ') i++;
    if (inTag[i] !== '=') {
      if (i >= inTag.length) return { kind: 'attribute', tag, present };
      continue;
    }
    i++;
    while (i < inTag.length && inTag[i] === ' ') i++;
    const quote = inTag[i];
    if (quote !== '"' && quote !== "'") continue;
    const close = inTag.indexOf(quote, i + 1);
    if (close < 0) return { kind: 'value', tag, attribute: name };
    present.push(name);
    i = close + 1;
  }
  return { kind: 'attribute', tag, present };
}

/** The element that will hold a new tag at `offset`: a stack of the start and end tags before it. */
function enclosingTag(text: string, offset: number): string {
  const stack: string[] = [];
  let i = text.indexOf('<');
  while (i >= 0 && i < offset) {
    const next = text[i + 1];
    if (next === '!' || next === '?') {
      const end = text.indexOf(next === '!' && text.startsWith('<!--', i) ? '-->' : '>', i);
      i = end < 0 ? -1 : text.indexOf('<', end);
      continue;
    }
    const close = text.indexOf('>', i);
    if (close < 0 || close > offset) break;
    let j = i + 1 + (next === '/' ? 1 : 0);
    const s = j;
    while (j < close && isNameChar(text[j])) j++;
    const name = text.slice(s, j);
    if (next === '/') {
      const at = stack.lastIndexOf(name);
      if (at >= 0) stack.length = at;
    } else if (text[close - 1] !== '/') {
      stack.push(name);
    }
    i = text.indexOf('<', close);
  }
  return stack[stack.length - 1] ?? '';
}
