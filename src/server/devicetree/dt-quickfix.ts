// Quick fixes for device-tree diagnostics, offered only where the fix is certain: the unit address
// from `reg`, a canonical unit address, `status = "disabled"` for a device the VM cannot reach, and
// `console=hvc0` in bootargs when the console is virtio.
import type { CodeAction, Diagnostic as LspDiagnostic, TextEdit } from 'vscode-languageserver/node';
import { getProperty, nodePath, propertyCells, propertyStrings, unitAddress, type DtNode } from '../../devicetree/tree';
import { dtFacts } from '../../system';
import { toRange } from '../convert';
import { pathToUri } from '../uri';
import type { DtIndex, NodeSite } from './dt-index';

function nodeSiteAt(index: DtIndex, path: string, d: LspDiagnostic): NodeSite | undefined {
  return (
    index.nodes.find((s) => s.nameRange.file === path && s.nameRange.start.line === d.range.start.line && s.nameRange.start.col === d.range.start.character) ??
    // A check may point at the node's first definition elsewhere: fall back to this file's definition of the same node.
    index.nodes.find(
      (s) =>
        s.range.file === path &&
        s.node !== undefined &&
        s.node.nameRange.start.line === d.range.start.line &&
        s.node.nameRange.start.col === d.range.start.character,
    )
  );
}

function action(title: string, path: string, edits: TextEdit[], d: LspDiagnostic): CodeAction {
  return { title, diagnostics: [d], isPreferred: true, edit: { changes: { [pathToUri(path)]: edits } } };
}

/** Replace the property where this definition sets it, else add it first in the body (properties precede subnodes). */
export function setProperty(site: NodeSite, name: string, statement: string): TextEdit {
  const existing = site.properties.find((p) => p.ast.name === name);
  if (existing) return { range: toRange(existing.ast.range), newText: statement };
  const open = site.ast.body.range.start;
  return {
    range: toRange({ file: site.ast.body.range.file, start: open, end: { line: open.line, col: open.col + 1 } }),
    newText: `{\n${indentOf(site)}${statement}`,
  };
}

function indentOf(site: NodeSite): string {
  return ' '.repeat(site.range.start.col + 4);
}

/**
 * One action per fix: the editor sends every diagnostic at the cursor, and the same finding can come
 * twice (this server's and the boot's, in the Problems panel under another source): an action that
 * makes the same edit is offered once, naming every diagnostic it resolves.
 */
export function quickFixes(index: DtIndex, path: string, diagnostics: LspDiagnostic[]): CodeAction[] {
  const byEdit = new Map<string, CodeAction>();
  for (const a of fixesPerDiagnostic(index, path, diagnostics)) {
    const key = `${a.title}\n${JSON.stringify(a.edit)}`;
    const seen = byEdit.get(key);
    if (seen) seen.diagnostics = [...(seen.diagnostics ?? []), ...(a.diagnostics ?? [])];
    else byEdit.set(key, a);
  }
  return [...byEdit.values()];
}

function fixesPerDiagnostic(index: DtIndex, path: string, diagnostics: LspDiagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    // Reported at the `status = "okay"` that enables the device (an overlay's, often): turn that one off.
    const status =
      d.code === 'guest-dt-unmapped-device'
        ? index.properties.find(
            (p) =>
              p.ast.name === 'status' &&
              p.ast.range.file === path &&
              p.ast.range.start.line === d.range.start.line &&
              p.ast.range.start.col === d.range.start.character,
          )
        : undefined;
    if (status) {
      out.push(
        action(
          `Disable ${status.owner.node?.name ?? status.owner.name} (status = "disabled")`,
          path,
          [{ range: toRange(status.ast.range), newText: 'status = "disabled";' }],
          d,
        ),
      );
      continue;
    }
    const site = nodeSiteAt(index, path, d);
    const node = site?.node;
    if (!site || !node || site.ast.kind !== 'node') {
      if (d.code === 'guest-dt-bootargs') out.push(...bootargsFix(index, path, d));
      continue;
    }
    const baseName = site.name.split('@')[0];
    if (d.code === 'unit_address_vs_reg' && unitAddress(node) === undefined) {
      const reg = getProperty(node, 'reg');
      const ac = dtFacts.addressCells(node.parent);
      if (!reg || ac < 1) continue;
      const cells = propertyCells(reg).slice(0, ac);
      if (cells.length < ac) continue;
      let addr = 0n;
      for (const c of cells) addr = (addr << 32n) | BigInt(c);
      const newName = `${baseName}@${addr.toString(16)}`;
      out.push(action(`Set the unit address from reg: ${newName}`, path, [{ range: toRange(site.nameRange), newText: newName }], d));
    } else if (d.code === 'unit_address_format') {
      const ua = unitAddress(node);
      if (ua === undefined) continue;
      let fixed = ua.startsWith('0x') || ua.startsWith('0X') ? ua.slice(2) : ua;
      const comma = fixed.indexOf(',');
      const first = comma < 0 ? fixed : fixed.slice(0, comma);
      fixed = first.replace(/^0+(?=.)/, '') + (comma < 0 ? '' : fixed.slice(comma));
      if (fixed !== ua)
        out.push(action(`Write the unit address as ${baseName}@${fixed}`, path, [{ range: toRange(site.nameRange), newText: `${baseName}@${fixed}` }], d));
    } else if (d.code === 'guest-dt-unmapped-device') {
      out.push(action(`Disable ${site.name} (status = "disabled")`, path, [setProperty(site, 'status', 'status = "disabled";')], d));
    } else if (d.code === 'guest-dt-irq-route') {
      const gic = dtFacts.findGic(index.tree);
      if (!gic) continue;
      const ref = gic.labels[0] ? `&${gic.labels[0]}` : `&{${nodePath(gic)}}`;
      out.push(
        action(
          `Route the interrupts to the GIC: interrupt-parent = <${ref}>`,
          path,
          [setProperty(site, 'interrupt-parent', `interrupt-parent = <${ref}>;`)],
          d,
        ),
      );
    }
  }
  return out;
}

function bootargsFix(index: DtIndex, path: string, d: LspDiagnostic): CodeAction[] {
  const prop = index.properties.find((p) => p.ast.name === 'bootargs' && p.ast.range.file === path && p.ast.range.start.line === d.range.start.line);
  if (prop?.property) {
    const old = propertyStrings(prop.property)[0] ?? '';
    const value = old ? `console=hvc0 ${old}` : 'console=hvc0';
    return [action('Add console=hvc0 to bootargs', path, [{ range: toRange(prop.ast.range), newText: `bootargs = ${JSON.stringify(value)};` }], d)];
  }
  const chosen = index.nodes.find((s) => s.ast.kind === 'node' && s.name === 'chosen' && s.range.file === path);
  if (chosen && chosen.ast.kind !== 'ref-node') {
    return [action('Add bootargs = "console=hvc0"', path, [setProperty(chosen, 'bootargs', 'bootargs = "console=hvc0";')], d)];
  }
  return [];
}

/**
 * `status = "disabled"` for a node, wherever the fix belongs: at the `status` that enables it now
 * (an overlay's "okay", often), else in the node's last definition (an overlay's reopening before the base).
 */
export function disableNodeEdit(index: DtIndex, node: DtNode): { path: string; edit: TextEdit } | undefined {
  const status = getProperty(node, 'status');
  const statusSite = status ? index.properties.find((p) => p.property === status) : undefined;
  if (statusSite) return { path: statusSite.ast.range.file, edit: { range: toRange(statusSite.ast.range), newText: 'status = "disabled";' } };
  const sites = index.nodes.filter((s) => s.node === node && s.ast.kind !== 'root');
  const site = sites[sites.length - 1];
  return site ? { path: site.range.file, edit: setProperty(site, 'status', 'status = "disabled";') } : undefined;
}
