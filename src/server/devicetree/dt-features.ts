// Editor features for device trees, over the compiled tree(s) that read the document and their index.
import {
  CodeActionKind,
  CompletionItemKind,
  FoldingRangeKind,
  MarkupKind,
  SymbolKind,
  type CodeAction,
  type CompletionItem,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  type Location,
  type Position,
  type SymbolInformation,
  type TextEdit,
  type WorkspaceEdit,
  type Diagnostic as LspDiagnostic,
} from 'vscode-languageserver/node';
import type { SourceRange } from '../../common/diagnostics';
import { decodeUtf8 } from '../../common/host';
import { basename } from '../../common/paths';
import { liveChildren, liveProperties, nodePath, propertyStrings, walkNodes, type DtNode, type DtProperty, type PropertyEvent } from '../../devicetree/tree';
import { fromPosition, toLocation, toRange } from '../convert';
import type { LanguageFeatures } from '../features';
import { pathToUri } from '../uri';
import type { Workspace } from '../workspace';
import { quickFixes } from './dt-quickfix';
import { formatDts } from './dt-format';
import type { DtIndex, NodeSite } from './dt-index';
import { DtUnit } from './dt-unit';
import { describeHistory, describeValue } from './dt-values';
import { pushAll } from '../../common/arrays';
import type { Diagnostic as CoreDiagnostic, Position as CorePosition } from '../../common/diagnostics';
import { documentLinks } from './links';
import { semanticTokens } from './semantic-tokens';
import { signatureHelp } from './signature-help';
import { cellRoles } from './specifiers';

/** The trees that read `path` (compiled), first the one a project names. */
export function treeUnitsFor(ws: Workspace, path: string): DtUnit[] {
  return ws.unitsFor(path).filter((u): u is DtUnit => u instanceof DtUnit && u.index !== undefined);
}

function indexFor(ws: Workspace, path: string): DtIndex | undefined {
  return treeUnitsFor(ws, path)[0]?.index;
}

function where(r: SourceRange): string {
  return `${basename(r.file)}:${r.start.line + 1}`;
}

function markdown(value: string, range: SourceRange): Hover {
  return { contents: { kind: MarkupKind.Markdown, value }, range: toRange(range) };
}

export function nodeHover(node: DtNode, index: DtIndex): string {
  const lines = [`**${nodePath(node)}**${node.labels.length ? ` (${node.labels.map((l) => l + ':').join(' ')})` : ''}${node.deleted ? ' — deleted' : ''}`];
  if (node.phandle) lines.push(`phandle ${node.phandle}`);
  lines.push('', `defined at ${node.definitions.map(where).join(', ') || where(node.range)}`, '', '```dts');
  for (const p of liveProperties(node)) {
    const value = p.value.bytes.length ? shortValue(p, index) : undefined;
    const decimal = value?.decimal ? `= <${value.decimal}>, ` : '';
    lines.push(`${p.name}${value ? ' = ' + value.text : ''}; /* ${decimal}${historyWords(p.history)} */`);
  }
  for (const p of node.properties.filter((x) => x.deleted)) lines.push(`/delete-property/ ${p.name}; /* ${historyWords(p.history)} */`);
  for (const c of liveChildren(node)) lines.push(`${c.name} { ... };`);
  lines.push('```');
  return lines.join('\n');
}

/** "set at a.dts:3, overridden at b.dts:9, deleted at c.dts:2". */
function historyWords(history: PropertyEvent[]): string {
  if (history.length === 0) return 'added by the compiler';
  return history.map((e, i) => `${e.kind === 'delete' ? 'deleted' : i === 0 ? 'set' : 'overridden'} at ${where(e.range)}`).join(', ');
}

/** The final value as DTS (cells in hex, phandles as paths), and the cells in decimal where that reads differently. */
function shortValue(p: DtProperty, index: DtIndex): { text: string; decimal?: string } {
  const strings = p.value.markers.some((m) => m.kind === 'type-string');
  if (strings)
    return {
      text: propertyStrings(p)
        .map((s) => JSON.stringify(s))
        .join(', '),
    };
  const b = p.value.bytes;
  if (b.length % 4 !== 0) return { text: `[${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ')}]` };
  const targets = index.phandleTargets(p);
  const cells: string[] = [];
  const decimal: string[] = [];
  let differs = false;
  for (let i = 0; i + 4 <= b.length; i += 4) {
    const v = ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
    const t = targets[i / 4];
    cells.push(t ? `&{${nodePath(t)}}` : '0x' + v.toString(16));
    decimal.push(t ? `&${t.labels[0] ?? t.name}` : String(v));
    if (!t && v >= 10) differs = true;
  }
  return { text: `<${cells.join(' ')}>`, decimal: differs ? decimal.join(' ') : undefined };
}

function propertyHover(node: DtNode, index: DtIndex, name: string): string {
  const p = node.properties.find((x) => x.name === name);
  if (!p) return `\`${name}\` (not in the final tree)`;
  const lines = [`**${name}** of \`${nodePath(node)}\`${p.deleted ? ' — deleted' : ''}`, ''];
  if (!p.deleted) pushAll(lines, describeValue(index.tree, node, p, index.nodeByPhandle)).push('');
  pushAll(lines, describeHistory(p));
  return lines.join('\n');
}

function targetOfSite(index: DtIndex, path: string, pos: Position): DtNode | undefined {
  const at = index.siteAt(path, fromPosition(pos));
  if (!at) return undefined;
  if (at.kind === 'ref') return at.site.node;
  if (at.kind === 'label') return at.site.node;
  if (at.kind === 'node') return at.site.node;
  if (at.kind === 'cell') {
    const p = at.site.property.property;
    if (p && at.site.property.final) return index.phandleTargets(p)[at.site.index];
  }
  return undefined;
}

/** The label under the cursor (a definition `name:` or a use `&name`), for rename and references. */
function labelAt(index: DtIndex, path: string, pos: Position): { name: string; range: SourceRange } | undefined {
  const at = index.siteAt(path, fromPosition(pos));
  if (at?.kind === 'label') return { name: at.site.name, range: labelNameRange(at.site.range, at.site.name) };
  if (at?.kind === 'ref' && !at.site.target.startsWith('/')) return { name: at.site.target, range: refNameRange(at.site.range, at.site.target) };
  return undefined;
}

/** The label's own characters (a definition range may include the colon). */
function labelNameRange(r: SourceRange, name: string): SourceRange {
  return { file: r.file, start: r.start, end: { line: r.start.line, col: r.start.col + name.length } };
}

/** The label's characters in `&name` (without the ampersand). */
function refNameRange(r: SourceRange, name: string): SourceRange {
  return { file: r.file, start: { line: r.end.line, col: r.end.col - name.length }, end: r.end };
}

function allLabelSites(ws: Workspace, path: string, name: string): SourceRange[] {
  const out = new Map<string, SourceRange>();
  for (const u of treeUnitsFor(ws, path)) {
    for (const l of u.index!.labels)
      if (l.name === name) {
        const r = labelNameRange(l.range, name);
        out.set(key(r), r);
      }
    for (const ref of u.index!.refs)
      if (ref.target === name) {
        const r = refNameRange(ref.range, name);
        out.set(key(r), r);
      }
  }
  return [...out.values()];
}

/**
 * A rename must change every use: refuse when one lies in a file that cannot be edited (a name from
 * cpp line markers, like the decompiled MaaXBoard tree's tmp/linux-imx/... sources).
 */
function renameable(ws: Workspace, sites: SourceRange[]): boolean {
  return sites.every((r) => ws.host.fileExists(r.file));
}

function key(r: SourceRange): string {
  return `${r.file}:${r.start.line}:${r.start.col}`;
}

const STATUS_VALUES = ['okay', 'disabled', 'reserved', 'fail'];
const COMMON_PROPERTIES = [
  'compatible',
  'reg',
  'status',
  'interrupts',
  'interrupt-parent',
  'interrupts-extended',
  '#address-cells',
  '#size-cells',
  'ranges',
  'dma-ranges',
  'clocks',
  'clock-names',
  'resets',
  'power-domains',
  'pinctrl-0',
  'pinctrl-names',
  'phandle',
  'device_type',
  'model',
  'bootargs',
  'stdout-path',
  'linux,initrd-start',
  'linux,initrd-end',
  'interrupt-controller',
  '#interrupt-cells',
  'label',
];

function linePrefix(ws: Workspace, path: string, pos: Position): string {
  const doc = ws.docs.get(path);
  const text = doc ? doc.getText({ start: { line: pos.line, character: 0 }, end: pos }) : lineOf(ws, path, pos.line).slice(0, pos.character);
  return text;
}

function lineOf(ws: Workspace, path: string, line: number): string {
  const doc = ws.docs.get(path);
  if (doc) return doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
  const bytes = ws.host.readFile(path);
  return bytes ? (decodeUtf8(bytes).split('\n')[line] ?? '') : '';
}

export const devicetreeFeatures: LanguageFeatures = {
  hover(ws, path, pos) {
    const index = indexFor(ws, path);
    if (!index) return null;
    const at = index.siteAt(path, fromPosition(pos));
    if (!at) return null;
    switch (at.kind) {
      case 'node':
        return at.site.node ? markdown(nodeHover(at.site.node, index), at.site.nameRange) : null;
      case 'property': {
        const node = at.site.owner.node;
        return node ? markdown(propertyHover(node, index, at.site.ast.name), at.site.ast.nameRange) : null;
      }
      case 'label':
      case 'ref': {
        const node = at.site.node;
        const name = at.kind === 'label' ? at.site.name : at.site.target;
        if (!node) return markdown(`\`${name}\`: no such node in this tree`, at.site.range);
        return markdown(nodeHover(node, index), at.site.range);
      }
      case 'cell': {
        const p = at.site.property.property;
        const node = at.site.property.owner.node;
        if (!p || !node) return null;
        const target = at.site.property.final ? index.phandleTargets(p)[at.site.index] : undefined;
        return markdown(target ? `phandle → ${nodeHover(target, index)}` : propertyHover(node, index, p.name), at.site.cell.range);
      }
      case 'include':
        return markdown(at.target ? `\`${at.target}\`` : 'include file not found', at.range);
      case 'macro': {
        const def = at.site.definition;
        if (!def) return markdown(`\`${at.site.name}\`: not defined at the end of the file`, at.site.range);
        const head = def.params ? `${at.site.name}(${def.params.join(', ')})` : at.site.name;
        return markdown(['```c', `#define ${head} ${def.body}`, '```', def.range ? `defined at ${where(def.range)}` : 'predefined'].join('\n'), at.site.range);
      }
    }
  },

  completion(ws, path, pos) {
    const index = indexFor(ws, path);
    const prefix = linePrefix(ws, path, pos);
    const items: CompletionItem[] = [];
    const tree = index?.tree;
    const quote = prefix.lastIndexOf('"');
    const inString = (prefix.split('"').length - 1) % 2 === 1;
    const amp = prefix.lastIndexOf('&');
    // An `&` inside a string is a character, not a reference.
    const afterAmp = amp >= 0 && !(inString && amp > quote) ? prefix.slice(amp + 1) : undefined;
    // The replace range covers what was typed from the `&` on (VS Code's word there starts at the `&`,
    // see language-configuration/devicetree.json's wordPattern), and the edit writes the whole
    // reference, so the editor filters `&usd` against `&usdhc1`.
    if (afterAmp !== undefined && afterAmp.startsWith('{') && !afterAmp.includes('}')) {
      // A path: also take in the `}` the editor closed after the cursor, and always end with one.
      const closed = lineOf(ws, path, pos.line)[pos.character] === '}';
      const range = { start: { line: pos.line, character: amp }, end: { line: pos.line, character: pos.character + (closed ? 1 : 0) } };
      if (tree) {
        for (const n of walkNodes(tree.root)) {
          const text = `&{${nodePath(n)}}`;
          items.push({ label: nodePath(n), kind: CompletionItemKind.Module, filterText: text.slice(0, -1), textEdit: { range, newText: text } });
        }
      }
      return items;
    }
    if (afterAmp !== undefined && /^[A-Za-z0-9_]*$/.test(afterAmp)) {
      const range = { start: { line: pos.line, character: amp }, end: pos };
      const seen = new Set<string>();
      if (tree) {
        for (const n of walkNodes(tree.root)) {
          for (const l of n.labels) {
            if (seen.has(l)) continue;
            seen.add(l);
            items.push({ label: l, kind: CompletionItemKind.Reference, detail: nodePath(n), filterText: `&${l}`, textEdit: { range, newText: `&${l}` } });
          }
        }
      }
      return items;
    }
    if (inString) {
      const before = prefix.slice(0, quote).trimEnd();
      if (before.endsWith('=') || before.endsWith(',')) {
        // The property the index places the cursor in; while a string is open the file does not
        // parse, so then the name written before the `=` on this line.
        const propName =
          index?.propertyAt(path, fromPosition(pos))?.ast.name ??
          before
            .replace(/[=,]\s*$/, '')
            .trim()
            .split(/\s+/)
            .pop() ??
          '';
        if (propName === 'status') for (const v of STATUS_VALUES) items.push({ label: v, kind: CompletionItemKind.EnumMember });
        else if (propName === 'compatible') {
          for (const c of workspaceCompatibles(ws)) items.push({ label: c, kind: CompletionItemKind.Value });
        }
      }
      return items;
    }
    if (prefix.includes('=')) return items;
    // A new statement in a node body: property names and child node names.
    const names = new Set(COMMON_PROPERTIES);
    const nodeNames = new Set<string>();
    if (tree) {
      for (const n of walkNodes(tree.root)) {
        for (const p of liveProperties(n)) names.add(p.name);
        const at = n.name.indexOf('@');
        if (n.name) nodeNames.add(at < 0 ? n.name : n.name.slice(0, at));
      }
    }
    for (const n of names) items.push({ label: n, kind: CompletionItemKind.Property });
    for (const n of nodeNames) items.push({ label: n, kind: CompletionItemKind.Module, insertText: `${n} {\n\t$0\n};`, insertTextFormat: 2 });
    return items;
  },

  definition(ws, path, pos) {
    const index = indexFor(ws, path);
    if (!index) return [];
    const at = index.siteAt(path, fromPosition(pos));
    if (at?.kind === 'include')
      return at.target ? [{ uri: pathToUri(at.target), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }] : [];
    if (at?.kind === 'macro') {
      const r = at.site.definition?.nameRange ?? at.site.definition?.range;
      return r ? [toLocation(r)] : [];
    }
    // Every tree that reads the file: an overlay opened beside it may reopen the node too.
    const out = new Map<string, Location>();
    for (const u of treeUnitsFor(ws, path)) {
      const node = targetOfSite(u.index!, path, pos);
      if (node) for (const l of nodePlaces(ws, u.index!, node)) out.set(`${l.uri}:${l.range.start.line}:${l.range.start.character}`, l);
    }
    return [...out.values()];
  },

  declaration(ws, path, pos) {
    return this.definition(ws, path, pos);
  },

  typeDefinition(ws, path, pos) {
    const index = indexFor(ws, path);
    if (!index) return [];
    const out = new Map<string, Location>();
    for (const node of providersAt(index, path, fromPosition(pos)))
      for (const l of nodePlaces(ws, index, node).slice(0, 1)) out.set(`${l.uri}:${l.range.start.line}:${l.range.start.character}`, l);
    return [...out.values()];
  },

  semanticTokens(ws, path) {
    const index = indexFor(ws, path);
    return index ? semanticTokens(index, path, ws.host.readText(path)) : [];
  },

  documentLinks(ws, path) {
    const unit = treeUnitsFor(ws, path)[0];
    return unit
      ? documentLinks(
          unit.index!,
          path,
          unit.includePaths,
          (line) => lineOf(ws, path, line),
          (f) => ws.host.fileExists(f),
        )
      : [];
  },

  signatureHelp(ws, path, pos) {
    const index = indexFor(ws, path);
    return index ? signatureHelp(index, path, fromPosition(pos), (line) => lineOf(ws, path, line)) : null;
  },

  references(ws, path, pos, includeDeclaration) {
    const out = new Map<string, Location>();
    for (const u of treeUnitsFor(ws, path)) {
      const index = u.index!;
      const node = targetOfSite(index, path, pos);
      if (!node) continue;
      const target = index.resolve(nodePath(node)) ?? node;
      const { labels, refs, phandleCells } = index.sitesOf(target);
      for (const r of refs) out.set(key(r.range), toLocation(r.range));
      // Phandle numbers written as cells (decompiled trees) refer to the node too.
      for (const c of phandleCells) out.set(key(c.cell.range), toLocation(c.cell.range));
      if (includeDeclaration) for (const l of labels) out.set(key(l.range), toLocation(l.range));
    }
    return [...out.values()];
  },

  prepareRename(ws, path, pos) {
    const index = indexFor(ws, path);
    const label = index ? labelAt(index, path, pos) : undefined;
    return label && renameable(ws, allLabelSites(ws, path, label.name)) ? toRange(label.range) : null;
  },

  rename(ws, path, pos, newName) {
    const index = indexFor(ws, path);
    const label = index ? labelAt(index, path, pos) : undefined;
    if (!label || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(newName)) return null;
    const sites = allLabelSites(ws, path, label.name);
    if (!renameable(ws, sites)) return null;
    const changes: Record<string, TextEdit[]> = {};
    for (const r of sites) (changes[pathToUri(r.file)] ??= []).push({ range: toRange(r), newText: newName });
    const edit: WorkspaceEdit = { changes };
    return edit;
  },

  documentSymbols(ws, path) {
    const index = indexFor(ws, path);
    if (!index) return [];
    const toSymbol = (s: NodeSite): DocumentSymbol | undefined => {
      if (s.range.file !== path) return undefined;
      const children: DocumentSymbol[] = [];
      for (const p of s.properties) {
        if (p.ast.range.file !== path) continue;
        children.push({ name: p.ast.name, kind: SymbolKind.Property, range: toRange(p.ast.range), selectionRange: toRange(p.ast.nameRange) });
      }
      for (const c of s.children) {
        const sym = toSymbol(c);
        if (sym) children.push(sym);
      }
      const selection = s.nameRange.file === path ? s.nameRange : s.range;
      return {
        name: siteTitle(s),
        detail: s.node ? nodePath(s.node) : undefined,
        kind: s.ast.kind === 'ref-node' ? SymbolKind.Namespace : SymbolKind.Module,
        range: toRange(s.range),
        selectionRange: toRange(selection),
        children,
      };
    };
    const out: DocumentSymbol[] = [];
    const collect = (sites: NodeSite[]): void => {
      for (const s of sites) {
        const sym = toSymbol(s);
        if (sym) out.push(sym);
        else collect(s.children); // a node of an included file may hold nodes written in this one
      }
    };
    collect(index.topNodes);
    return out;
  },

  foldingRanges(ws, path) {
    const index = indexFor(ws, path);
    if (!index) return [];
    const out: FoldingRange[] = [];
    for (const s of index.nodes) {
      const r = s.range;
      if (r.file === path && r.end.line > r.start.line) out.push({ startLine: r.start.line, endLine: r.end.line - 1, kind: FoldingRangeKind.Region });
    }
    for (const doc of index.compilation.documents) {
      for (const c of doc.comments) {
        if (c.range.file === path && c.range.end.line > c.range.start.line)
          out.push({ startLine: c.range.start.line, endLine: c.range.end.line, kind: FoldingRangeKind.Comment });
      }
    }
    return out;
  },

  formatting(ws, path, options) {
    const doc = ws.docs.get(path);
    if (!doc) return [];
    // Only format text that parses cleanly: a formatter must never guess at broken syntax.
    const units = treeUnitsFor(ws, path);
    if (units.some((u) => u.result!.diagnostics.some((d) => d.severity === 'error' && d.range?.file === path))) return [];
    const text = doc.getText();
    // The file's own indentation wins; the editor's options only indent a file with none to learn from.
    const formatted = formatDts(text, options.insertSpaces ? ' '.repeat(options.tabSize) : '\t');
    if (formatted === text) return [];
    return [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(text.length) }, newText: formatted }];
  },

  onTypeFormatting(ws, path, pos, ch) {
    // A `}` that closes a node body (as the parser reads it: a body missing its `;` ends at the brace)
    // gets its `;`. Typed inside the `{|};` the editor auto-closed on the same line, it replaces that
    // `}` instead (VS Code over-types only single-character closes), so `n {}` stays `n {};`.
    if (ch !== '}') return [];
    const index = indexFor(ws, path);
    const line = lineOf(ws, path, pos.line);
    if (!index || line[pos.character - 1] !== '}') return [];
    const site = index.nodes.find((s) => {
      const r = s.ast.body.range;
      return r.file === path && r.end.line === pos.line && r.end.col === pos.character;
    });
    if (!site) return [];
    const after = line.slice(pos.character);
    const rest = after.trimStart();
    if (rest.startsWith(';')) return [];
    if (rest.startsWith('};') && site.ast.body.range.start.line === pos.line) {
      const at = pos.character + after.length - rest.length;
      return [{ range: { start: { line: pos.line, character: at }, end: { line: pos.line, character: at + 1 } }, newText: '' }];
    }
    return [{ range: { start: pos, end: pos }, newText: ';' }];
  },

  codeActions(ws, path, _range, diagnostics, only): CodeAction[] {
    const units = treeUnitsFor(ws, path);
    if (units.length === 0) return [];
    const wants = (kind: string): boolean => !only || only.some((k) => kind === k || kind.startsWith(k + '.'));
    const out: CodeAction[] = [];
    if (wants(CodeActionKind.QuickFix)) {
      pushAll(
        out,
        quickFixes(units[0].index!, path, diagnostics).map((a) => ({ ...a, kind: CodeActionKind.QuickFix })),
      );
    }
    pushAll(out, syntaxFixes(units[0].result!.diagnostics, path, diagnostics, wants));
    return out;
  },
};

/**
 * Every place that makes or changes `node`: each definition and reopening (`name { }`, `&label { }`,
 * `&{/path} { }`) and each `/delete-node/ &label;`, in source order, in files the user can open.
 */
function nodePlaces(ws: Workspace, index: DtIndex, node: DtNode): Location[] {
  const { definitions, refs } = index.sitesOf(node);
  const ranges = [...definitions.map((s) => s.nameRange), ...refs.filter((r) => r.kind === 'delete').map((r) => r.range)];
  const openable = ranges.filter((r) => ws.docs.get(r.file) !== undefined || ws.host.fileExists(r.file));
  return (openable.length ? openable : [node.nameRange]).map(toLocation);
}

/** The nodes whose specifiers the item at `pos` is written in: a phandle's target, or the interrupt parent. */
function providersAt(index: DtIndex, path: string, pos: CorePosition): DtNode[] {
  const at = index.siteAt(path, pos);
  if (!at) return [];
  if (at.kind === 'ref' && at.site.kind === 'cell') return at.site.node ? [at.site.node] : [];
  const site = at.kind === 'cell' ? at.site.property : at.kind === 'property' ? at.site : undefined;
  if (!site) return [];
  const roles = cellRoles(index, site);
  if (at.kind === 'cell') {
    const p = roles[at.site.index]?.provider;
    return p ? [p] : [];
  }
  if (site.ast.name === 'interrupt-parent' && site.final && site.property)
    return index.phandleTargets(site.property).filter((n): n is DtNode => n !== undefined);
  return [...new Set(roles.map((r) => r.provider).filter((n): n is DtNode => n !== undefined))];
}

/**
 * The parser's own fixes: the `;`, `>` or `};` its recovery took to be missing, offered for each such
 * error asked about, and all of them at once (as a quick fix when more than one, and as
 * source.fixAll). Inserts at one place go innermost first, so two `};` there close their bodies in order.
 */
function syntaxFixes(found: readonly CoreDiagnostic[], path: string, asked: LspDiagnostic[], wants: (kind: string) => boolean): CodeAction[] {
  const fixable = found.filter((d) => d.fix && d.range?.file === path && d.fix.range.file === path);
  if (fixable.length === 0) return [];
  const at = (p: CorePosition): number => p.line * 1e6 + p.col;
  fixable.sort((a, b) => at(a.fix!.range.start) - at(b.fix!.range.start) || at(b.range!.start) - at(a.range!.start));
  const edit = (list: CoreDiagnostic[]): WorkspaceEdit => ({
    changes: { [pathToUri(path)]: list.map((d) => ({ range: toRange(d.fix!.range), newText: d.fix!.newText })) },
  });
  const out: CodeAction[] = [];
  let matched = false;
  if (wants(CodeActionKind.QuickFix)) {
    for (const a of asked) {
      const d = fixable.find((x) => x.message === a.message && x.range!.start.line === a.range.start.line && x.range!.start.col === a.range.start.character);
      if (!d) continue;
      matched = true;
      out.push({ title: d.fix!.title, kind: CodeActionKind.QuickFix, diagnostics: [a], isPreferred: true, edit: edit([d]) });
    }
    if (matched && fixable.length > 1)
      out.push({ title: `Fix all ${fixable.length} syntax errors in this file`, kind: CodeActionKind.QuickFix, edit: edit(fixable) });
  }
  if (wants(CodeActionKind.SourceFixAll))
    out.push({ title: `Fix all syntax errors (${fixable.length})`, kind: CodeActionKind.SourceFixAll, edit: edit(fixable) });
  return out;
}

/** `compatible` strings of every tree the server holds. */
function workspaceCompatibles(ws: Workspace): string[] {
  const seen = new Set<string>();
  for (const u of ws.liveUnits()) {
    if (!(u instanceof DtUnit) || !u.result) continue;
    for (const n of walkNodes(u.result.tree.root)) {
      const p = n.properties.find((x) => x.name === 'compatible' && !x.deleted);
      if (p) for (const s of propertyStrings(p)) seen.add(s);
    }
  }
  return [...seen].sort();
}

/**
 * A node site as the outline and symbol search show it: its labels as written, then its name
 * (`uart1: serial@30860000`, `&uart1`), so Go to Symbol `@uart1` and Ctrl+T `uart1` find it.
 */
function siteTitle(s: NodeSite): string {
  const labels = s.ast.kind === 'root' ? [] : s.ast.labels;
  return labels.length ? `${labels.map((l) => l.name + ':').join(' ')} ${s.name}` : s.name;
}

/** At most this many workspace symbols per request (a vendor tree alone has thousands of nodes). */
export const WORKSPACE_SYMBOL_LIMIT = 200;

/**
 * How well `query` matches a symbol: 0 for no match, else higher for an exact label or node name,
 * then a prefix, then a substring, then the query's characters in order (VS Code's fuzzy filter
 * re-scores what it gets; this only chooses which symbols make the bounded list). Case-insensitive.
 */
function symbolScore(query: string, title: string, words: string[]): number {
  if (query === '') return 1;
  const q = query.toLowerCase();
  const lower = words.map((w) => w.toLowerCase());
  if (lower.includes(q)) return 5;
  if (lower.some((w) => w.startsWith(q))) return 4;
  const t = title.toLowerCase();
  if (t.includes(q)) return 3;
  let i = 0;
  for (const c of t) if (c === q[i]) i++;
  return i === q.length ? 2 : 0;
}

/**
 * workspace/symbol: the nodes written in the files of every tree the server has analysed, found by
 * name, unit name (`serial` for `serial@30860000`), label or reference (`&uart1 { ... }` sites too);
 * the best WORKSPACE_SYMBOL_LIMIT, each site once, only in files the user can open.
 */
export function devicetreeWorkspaceSymbols(ws: Workspace, query: string): SymbolInformation[] {
  const found: { score: number; symbol: SymbolInformation }[] = [];
  const seen = new Set<string>();
  const openable = new Map<string, boolean>();
  for (const u of ws.liveUnits()) {
    if (!(u instanceof DtUnit) || !u.index) continue;
    for (const s of u.index.nodes) {
      if (s.ast.kind === 'root') continue;
      const k = key(s.nameRange);
      if (seen.has(k)) continue;
      seen.add(k);
      const file = s.nameRange.file;
      let ok = openable.get(file);
      if (ok === undefined) openable.set(file, (ok = ws.docs.get(file) !== undefined || ws.host.fileExists(file)));
      if (!ok) continue;
      const title = siteTitle(s);
      const at = s.name.indexOf('@');
      const words = [s.name, at > 0 ? s.name.slice(0, at) : s.name, ...s.ast.labels.map((l) => l.name)];
      if (s.ast.kind === 'ref-node') words.push(s.ast.ref.target);
      // A node's own definition before the `&label { ... }` sites that amend it.
      const score = symbolScore(query, title, words) - (s.ast.kind === 'ref-node' ? 0.5 : 0);
      if (score <= 0) continue;
      const parent = s.node && s.node.parent ? nodePath(s.node.parent) : s.parent?.name;
      found.push({
        score,
        symbol: {
          name: title,
          kind: s.ast.kind === 'ref-node' ? SymbolKind.Namespace : SymbolKind.Module,
          location: toLocation(s.range.file === file ? { file, start: s.range.start, end: s.nameRange.end } : s.nameRange),
          containerName: parent ?? basename(file),
        },
      });
    }
  }
  found.sort((a, b) => b.score - a.score || a.symbol.name.localeCompare(b.symbol.name));
  return found.slice(0, WORKSPACE_SYMBOL_LIMIT).map((f) => f.symbol);
}
