// Where things are in the source of one compiled tree, and which tree node or property each written
// item became: labels, references (&label, &{/path}), node and property definitions, includes. Built
// from the ASTs of the compile result; hover, navigation, rename, outline and quick fixes read it.
import type { Position, SourceRange } from '../../common/diagnostics';
import type { DtsBody, DtsCell, DtsLabel, DtsNode, DtsProperty, DtsRefNode, DtsRootNode } from '../../devicetree/ast';
import { findNodeByPath, nodePath, walkNodes, type DtNode, type DtProperty, type DtTree } from '../../devicetree/tree';
import { rangeContains, rangeSize } from '../convert';
import type { CompileResult } from '../../devicetree/compile';
import { phandleCells } from './dt-values';

/** Every written place that names one node, or changes it (built once per analysis, see DtIndex.sitesOf). */
export interface NodeUses {
  labels: LabelSite[];
  /** `&label` and `&{/path}` uses, in cells, values, reopenings and deletes. */
  refs: RefSite[];
  /** Cells whose value is the node's phandle, written as a number (decompiled trees). */
  phandleCells: CellSite[];
  /** Each definition and reopening (`name { }`, `&label { }`, `&{/path} { }`), in source order. */
  definitions: NodeSite[];
}

const NO_USES: NodeUses = { labels: [], refs: [], phandleCells: [], definitions: [] };

export interface LabelSite {
  name: string;
  range: SourceRange;
  /** The node the label names (undefined for labels on properties or inside values). */
  node?: DtNode;
}

export interface RefSite {
  /** Label name, or a path starting with '/'. */
  target: string;
  range: SourceRange;
  kind: 'cell' | 'path-value' | 'node' | 'delete' | 'omit';
  node?: DtNode;
}

export interface NodeSite {
  ast: DtsNode | DtsRootNode | DtsRefNode;
  node?: DtNode;
  /** The name as written (`serial@0`, `/`, `&uart1`). */
  name: string;
  nameRange: SourceRange;
  range: SourceRange;
  parent?: NodeSite;
  children: NodeSite[];
  properties: PropertySite[];
}

export interface PropertySite {
  ast: DtsProperty;
  owner: NodeSite;
  property?: DtProperty;
  /** This definition is the property's value in the final tree (not overridden or deleted later). */
  final: boolean;
  /** Its 32-bit cells whose place in the value is known, in order. */
  cells: CellSite[];
}

export interface CellSite {
  cell: DtsCell;
  /** Index of the cell among all 32-bit cells of the property value. */
  index: number;
  property: PropertySite;
}

export type SiteAt =
  | { kind: 'label'; site: LabelSite }
  | { kind: 'ref'; site: RefSite }
  | { kind: 'node'; site: NodeSite }
  | { kind: 'property'; site: PropertySite }
  | { kind: 'cell'; site: CellSite }
  | { kind: 'include'; range: SourceRange; target?: string }
  | { kind: 'macro'; site: MacroSite };

export interface MacroSite {
  name: string;
  range: SourceRange;
  /** The definition in force at the end of the file (the preprocessor's final table). */
  definition?: { params?: string[]; body: string; range?: SourceRange; nameRange?: SourceRange };
}

export class DtIndex {
  readonly labels: LabelSite[] = [];
  readonly refs: RefSite[] = [];
  readonly nodes: NodeSite[] = [];
  readonly topNodes: NodeSite[] = [];
  readonly properties: PropertySite[] = [];
  readonly cells: CellSite[] = [];
  readonly includes: { range: SourceRange; target?: string }[] = [];
  readonly macros: MacroSite[] = [];
  private readonly labelTargets = new Map<string, DtNode>();
  private phandles?: Map<number, DtNode>;
  private uses?: Map<DtNode, NodeUses>;
  private readonly cellTargets = new Map<DtProperty, (DtNode | undefined)[]>();

  constructor(readonly compilation: CompileResult) {
    const tree = compilation.tree;
    // Labels of every node, deleted ones too (a reference to a deleted node still names it).
    const visit = (n: DtNode): void => {
      for (const l of n.labels) if (!this.labelTargets.has(l)) this.labelTargets.set(l, n);
      for (const c of n.children) visit(c);
    };
    visit(tree.root);
    for (const inc of compilation.includeDirectives) this.includes.push({ range: inc.range, target: inc.file });
    for (const doc of compilation.documents) {
      for (const inc of doc.preprocess?.includes ?? []) this.includes.push({ range: inc.nameRange ?? inc.range, target: inc.target });
      for (const use of doc.preprocess?.macroExpansions ?? [])
        this.macros.push({ name: use.name, range: use.range, definition: doc.preprocess?.macros.get(use.name) });
      for (const def of doc.preprocess?.macros.values() ?? []) if (def.nameRange) this.macros.push({ name: def.name, range: def.nameRange, definition: def });
      for (const m of doc.ast.memreserves) this.addLabels(m.labels);
      for (const item of doc.ast.items) {
        switch (item.kind) {
          case 'root':
            // The root's name is its `/`.
            this.addNode(item, '/', { ...item.range, end: { line: item.range.start.line, col: item.range.start.col + 1 } }, tree.root, undefined);
            break;
          case 'ref-node': {
            const target = this.resolve(item.ref.target);
            this.refs.push({ target: item.ref.target, range: item.ref.range, kind: 'node', node: target });
            this.addLabels(item.labels, target);
            this.addNode(item, `&${item.ref.target.startsWith('/') ? `{${item.ref.target}}` : item.ref.target}`, item.ref.range, target, undefined);
            break;
          }
          case 'delete-ref':
            this.refs.push({ target: item.ref.target, range: item.ref.range, kind: 'delete', node: this.resolve(item.ref.target) });
            break;
          case 'omit-ref':
            this.refs.push({ target: item.ref.target, range: item.ref.range, kind: 'omit', node: this.resolve(item.ref.target) });
            break;
        }
      }
    }
  }

  get tree(): DtTree {
    return this.compilation.tree;
  }

  /** The node a label or path names, deleted nodes included for labels. */
  resolve(target: string): DtNode | undefined {
    if (target.startsWith('/')) return findNodeByPath(this.tree, target);
    return this.labelTargets.get(target);
  }

  private addLabels(labels: DtsLabel[], node?: DtNode): void {
    for (const l of labels) this.labels.push({ name: l.name, range: l.range, node });
  }

  private addNode(ast: NodeSite['ast'], name: string, nameRange: SourceRange, node: DtNode | undefined, parent: NodeSite | undefined): void {
    const site: NodeSite = { ast, node, name, nameRange, range: ast.range, parent, children: [], properties: [] };
    this.nodes.push(site);
    if (parent) parent.children.push(site);
    else this.topNodes.push(site);
    this.addBody(ast.body, site);
  }

  private addBody(body: DtsBody, owner: NodeSite): void {
    for (const item of body.items) {
      if (item.kind === 'node') {
        const child = owner.node ? childByName(owner.node, item.name) : undefined;
        this.addLabels(item.labels, child);
        this.addNode(item, item.name, item.nameRange, child, owner);
      } else if (item.kind === 'property') {
        this.addLabels(item.labels);
        const property = owner.node?.properties.find((p) => p.name === item.name);
        const final = property !== undefined && !property.deleted && sameStart(property.range, item.range);
        const site: PropertySite = { ast: item, owner, property, final, cells: [] };
        owner.properties.push(site);
        this.properties.push(site);
        // Byte offset of each part in the value, so a cell knows its index among the property's cells
        // (`clocks = <&clk 1>, <&osc>;` is one list of cells); undefined once it cannot be known.
        let offset: number | undefined = 0;
        for (const part of item.value ?? []) {
          if (part.kind === 'label') this.addLabels([part.label]);
          else if (part.kind === 'string') offset = offset === undefined ? undefined : offset + part.bytes.length + 1;
          else if (part.kind === 'incbin') offset = undefined;
          else if (part.kind === 'path-ref') {
            const node = this.resolve(part.ref.target);
            this.refs.push({ target: part.ref.target, range: part.ref.range, kind: 'path-value', node });
            offset = offset === undefined || !node ? undefined : offset + nodePath(node).length + 1;
          } else if (part.kind === 'bytes') {
            for (const b of part.bytes) if (b.kind === 'label') this.addLabels([b.label]);
            if (offset !== undefined) offset += part.bytes.filter((b) => b.kind === 'byte').length;
          } else if (part.kind === 'cells') {
            let k = 0;
            for (const cell of part.cells) {
              if (cell.kind === 'label') {
                this.addLabels([cell.label]);
                continue;
              }
              const at: number | undefined = offset === undefined ? undefined : offset + (k * part.bits) / 8;
              if (part.bits === 32 && at !== undefined && at % 4 === 0) {
                const c: CellSite = { cell, index: at / 4, property: site };
                this.cells.push(c);
                site.cells.push(c);
              }
              if (cell.kind === 'ref') this.refs.push({ target: cell.ref.target, range: cell.ref.range, kind: 'cell', node: this.resolve(cell.ref.target) });
              k++;
            }
            if (offset !== undefined) offset += (k * part.bits) / 8;
          }
        }
      }
    }
  }

  /** The innermost written item at `pos` in `file`. */
  siteAt(file: string, pos: Position): SiteAt | undefined {
    const hits: { size: number; at: SiteAt }[] = [];
    // Tested before the answer is built: a request looks through every site of the tree.
    const holds = (r: SourceRange): boolean => r.file === file && rangeContains(r, pos);
    const hit = (r: SourceRange, at: SiteAt): void => void hits.push({ size: rangeSize(r), at });
    // A macro use shares its range with the cell it expands to: the macro wins ties (listed first).
    for (const m of this.macros) if (holds(m.range)) hit(m.range, { kind: 'macro', site: m });
    for (const s of this.labels) if (holds(s.range)) hit(s.range, { kind: 'label', site: s });
    for (const s of this.refs) if (holds(s.range)) hit(s.range, { kind: 'ref', site: s });
    for (const s of this.nodes) if (s.ast.kind !== 'ref-node' && holds(s.nameRange)) hit(s.nameRange, { kind: 'node', site: s });
    for (const s of this.properties) if (holds(s.ast.nameRange)) hit(s.ast.nameRange, { kind: 'property', site: s });
    for (const s of this.cells) if (s.cell.kind === 'expr' && holds(s.cell.range)) hit(s.cell.range, { kind: 'cell', site: s });
    for (const inc of this.includes) if (holds(inc.range)) hit(inc.range, { kind: 'include', range: inc.range, target: inc.target });
    // Stable: of equal sizes the earlier listed wins.
    hits.sort((a, b) => a.size - b.size);
    return hits[0]?.at;
  }

  /** The live node with this phandle (dtc resolves phandles among live nodes); a table built on first use. */
  readonly nodeByPhandle = (phandle: number): DtNode | undefined => {
    if (!this.phandles) {
      this.phandles = new Map();
      for (const n of walkNodes(this.tree.root)) if (n.phandle !== 0 && !this.phandles.has(n.phandle)) this.phandles.set(n.phandle, n);
    }
    return phandle === 0 || phandle === 0xffffffff ? undefined : this.phandles.get(phandle);
  };

  /** For each cell of `p` (a property of the final tree), the node it points at when it is a phandle. */
  phandleTargets(p: DtProperty): (DtNode | undefined)[] {
    let targets = this.cellTargets.get(p);
    if (!targets) this.cellTargets.set(p, (targets = phandleCells(this.tree, p, this.nodeByPhandle)));
    return targets;
  }

  /** The innermost property whose text (name to semicolon) holds `pos`. */
  propertyAt(file: string, pos: Position): PropertySite | undefined {
    let best: PropertySite | undefined;
    for (const s of this.properties) {
      const r = s.ast.range;
      if (r.file === file && rangeContains(r, pos) && (!best || rangeSize(r) < rangeSize(best.ast.range))) best = s;
    }
    return best;
  }

  /**
   * Every site that names or changes `node`. The table is built for all nodes at the first request
   * after an analysis, so references and definitions are map lookups, whatever the tree's size.
   */
  sitesOf(node: DtNode): NodeUses {
    if (!this.uses) {
      const uses = new Map<DtNode, NodeUses>();
      const of = (n: DtNode): NodeUses => {
        let u = uses.get(n);
        if (!u) uses.set(n, (u = { labels: [], refs: [], phandleCells: [], definitions: [] }));
        return u;
      };
      for (const l of this.labels) if (l.node) of(l.node).labels.push(l);
      for (const r of this.refs) if (r.node) of(r.node).refs.push(r);
      for (const s of this.nodes) if (s.node) of(s.node).definitions.push(s);
      for (const c of this.cells) {
        const p = c.property.property;
        const target = p && c.property.final && c.cell.kind === 'expr' ? this.phandleTargets(p)[c.index] : undefined;
        if (target) of(target).phandleCells.push(c);
      }
      this.uses = uses;
    }
    return this.uses.get(node) ?? NO_USES;
  }
}

function sameStart(a: SourceRange, b: SourceRange): boolean {
  return a.file === b.file && a.start.line === b.start.line && a.start.col === b.start.col;
}

function childByName(parent: DtNode, name: string): DtNode | undefined {
  return parent.children.find((c) => c.name === name && !c.deleted) ?? parent.children.find((c) => c.name === name);
}
