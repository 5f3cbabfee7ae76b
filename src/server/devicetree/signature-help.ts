// Signature help inside the cells of a phandle list or `interrupts`: the specifier the cursor is in,
// as the provider's binding lays it out (`<&clk clock-id>`, `<type number flags>` for the GIC, `<&gpio1
// line flags>`), sized by the provider's `#...-cells`, with the argument under the cursor active and
// the entry of the matching `...-names` property.
import { MarkupKind, type ParameterInformation, type SignatureHelp } from 'vscode-languageserver/node';
import type { Position, SourceRange } from '../../common/diagnostics';
import type { DtsCell, DtsValuePart } from '../../devicetree/ast';
import { getProperty, nodePath, propertyCells } from '../../devicetree/tree';
import type { DtIndex, PropertySite } from './dt-index';
import { argumentNames, cellRoles, specifierName } from './specifiers';
import { cellsOfProvider } from './dt-values';

function after(p: Position, q: Position): boolean {
  return p.line > q.line || (p.line === q.line && p.col > q.col);
}

function within(r: SourceRange, p: Position): boolean {
  return !after(r.start, p) && !after(p, r.end);
}

/** The `< >` part of a property definition the cursor is in (or just after, while its `>` is not typed yet). */
function cellsAt(
  index: DtIndex,
  file: string,
  pos: Position,
  lineOf: (line: number) => string | undefined,
): { site: PropertySite; part: Extract<DtsValuePart, { kind: 'cells' }> } | undefined {
  for (const site of index.properties) {
    if (site.ast.range.file !== file || after(site.ast.range.start, pos)) continue;
    const parts = site.ast.value ?? [];
    for (const part of parts) {
      if (part.kind !== 'cells' || part.range.file !== file) continue;
      const r = part.range;
      const closed = lineOf(r.end.line)?.[r.end.col - 1] === '>';
      // Inside `<...>` (after the `<`, up to the `>`), or on the same line after an unclosed one.
      if (
        after(pos, r.start) &&
        (closed ? !after(pos, { line: r.end.line, col: r.end.col - 1 }) : within(r, pos) || (pos.line === r.end.line && !after(r.end, pos)))
      )
        return { site, part };
    }
  }
  return undefined;
}

export function signatureHelp(index: DtIndex, file: string, pos: Position, lineOf: (line: number) => string | undefined): SignatureHelp | null {
  const at = cellsAt(index, file, pos, lineOf);
  if (!at) return null;
  const { site, part } = at;
  const name = site.ast.name;
  if (name !== 'interrupts' && !cellsOfProvider(name)) return null;
  // The cell under the cursor: the written cells of this part that end before it, after those of earlier parts.
  const written: DtsCell[] = part.cells.filter((c) => c.kind !== 'label');
  const firstOfPart = site.cells.find((c) => written.includes(c.cell))?.index ?? site.cells.filter((c) => after(part.range.start, c.cell.range.start)).length;
  const k = firstOfPart + written.filter((c) => after(pos, c.range.end)).length;
  const roles = cellRoles(index, site, k + 1);
  const role = roles[k];
  if (!role) return null;
  const provider = role.provider;
  const count = role.count ?? 0;
  const args = argumentNames(name, provider, count, index);
  const params: ParameterInformation[] = [];
  let label = `${name} = <`;
  const param = (text: string, doc?: string): void => {
    params.push(doc ? { label: [label.length, label.length + text.length], documentation: doc } : { label: [label.length, label.length + text.length] });
    label += text;
  };
  const phandled = name !== 'interrupts';
  if (phandled) {
    param(provider ? `&${provider.labels[0] ?? `{${nodePath(provider)}}`}` : '&provider');
    if (count > 0) label += ' ';
  }
  args.forEach((a, i) => {
    param(a.name, a.doc);
    if (i < args.length - 1) label += ' ';
  });
  label += '>';
  const active = role.role === 'phandle' ? 0 : (role.arg ?? 0) + (phandled ? 1 : 0);
  const doc: string[] = [];
  if (provider) {
    const cellsName = name === 'interrupts' ? '#interrupt-cells' : cellsOfProvider(name);
    const cells = cellsName ? getProperty(provider, cellsName) : undefined;
    doc.push(`\`${nodePath(provider)}\`${cells ? `: \`${cellsName} = <${propertyCells(cells)[0] ?? ''}>\`` : cellsName ? ` has no \`${cellsName}\`` : ''}`);
  } else if (role.role !== 'phandle') doc.push('no provider found for this specifier');
  const entry = role.specifier !== undefined ? specifierName(site.owner.node, name, role.specifier) : undefined;
  if (entry) doc.push(`entry ${role.specifier! + 1}: "${entry}"`);
  return {
    signatures: [{ label, parameters: params, documentation: doc.length ? { kind: MarkupKind.Markdown, value: doc.join('\n\n') } : undefined }],
    activeSignature: 0,
    activeParameter: Math.min(active, params.length - 1),
  };
}
