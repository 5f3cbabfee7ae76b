// Property values decoded for people: cells in hex and decimal, strings, phandle targets, `reg` as
// address ranges with sizes, interrupts as GIC INTIDs; and where each property was set, overridden
// or deleted.
import { basename } from '../../common/paths';
import { findNodeByPhandle, getProperty, nodePath, propertyCells, propertyStrings, type DtNode, type DtProperty, type DtTree } from '../../devicetree/tree';
import { dtFacts } from '../../system';
import { hex, humanSize } from '../format-values';

/** Properties whose cells are a phandle followed by the provider's `#...-cells` arguments. */
export const PHANDLE_LIST_PROPERTIES: Record<string, string | undefined> = {
  'interrupt-parent': undefined,
  clocks: '#clock-cells',
  'assigned-clocks': '#clock-cells',
  'assigned-clock-parents': '#clock-cells',
  resets: '#reset-cells',
  'power-domains': '#power-domain-cells',
  dmas: '#dma-cells',
  phys: '#phy-cells',
  mboxes: '#mbox-cells',
  iommus: '#iommu-cells',
  pwms: '#pwm-cells',
  'interrupts-extended': '#interrupt-cells',
  'msi-parent': '#msi-cells',
  'thermal-sensors': '#thermal-sensor-cells',
  'io-channels': '#io-channel-cells',
  'nvmem-cells': undefined,
  'cpu-idle-states': undefined,
  'operating-points-v2': undefined,
  'memory-region': undefined,
};

export function isPhandleList(name: string): boolean {
  return name in PHANDLE_LIST_PROPERTIES || /^pinctrl-[0-9]+$/.test(name) || name.endsWith('-gpios') || name === 'gpios';
}

/** The provider's `#...-cells` property that sizes the specifiers of `name` (`#gpio-cells` for `*-gpios`). */
export function cellsOfProvider(name: string): string | undefined {
  if (name.endsWith('-gpios') || name === 'gpios') return '#gpio-cells';
  return PHANDLE_LIST_PROPERTIES[name];
}

/** A node by its phandle (the index's table, built once per analysis; else a walk of the tree). */
export type PhandleLookup = (phandle: number) => DtNode | undefined;

/** For each cell of a phandle-list property, the node it points at when it is a phandle (else undefined). */
export function phandleCells(tree: DtTree, prop: DtProperty, byPhandle: PhandleLookup = (ph) => findNodeByPhandle(tree, ph)): (DtNode | undefined)[] {
  const cells = propertyCells(prop);
  const out: (DtNode | undefined)[] = cells.map(() => undefined);
  if (!isPhandleList(prop.name)) return out;
  const cellsName = cellsOfProvider(prop.name);
  let i = 0;
  while (i < cells.length) {
    // A zero phandle is an empty slot (e.g. "keep this clock's parent").
    if (cells[i] === 0) {
      i++;
      continue;
    }
    const target = byPhandle(cells[i]);
    if (!target) break;
    out[i] = target;
    const args = cellsName ? getProperty(target, cellsName) : undefined;
    i += 1 + (args ? (propertyCells(args)[0] ?? 0) : 0);
  }
  return out;
}

function isPrintableStrings(p: DtProperty): boolean {
  const b = p.value.bytes;
  if (b.length === 0 || b[b.length - 1] !== 0 || b[0] === 0) return false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 0) {
      if (i > 0 && b[i - 1] === 0) return false;
    } else if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function cellText(v: number): string {
  return `${hex(v)} (${v})`;
}

/** Markdown lines describing the value. */
export function describeValue(tree: DtTree, node: DtNode, p: DtProperty, byPhandle?: PhandleLookup): string[] {
  const bytes = p.value.bytes;
  if (bytes.length === 0) return ['empty (true)'];
  const stringy = p.value.markers.some((m) => m.kind === 'type-string') || (!p.value.markers.some((m) => m.kind === 'type-u32') && isPrintableStrings(p));
  if (stringy && isPrintableStrings(p)) {
    const out = propertyStrings(p).map((s) => `- "${s}"`);
    if (p.name === 'stdout-path') {
      const target = dtFacts.resolveStdoutPath(tree, propertyStrings(p)[0] ?? '');
      out.push(target ? `resolves to \`${nodePath(target)}\`${dtFacts.isEnabled(target) ? '' : ' (disabled)'}` : 'does not resolve to a node');
    }
    return out;
  }
  if (bytes.length % 4 !== 0) return [Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ') + ` (${bytes.length} bytes)`];
  const cells = propertyCells(p);
  if (p.name === 'reg') return describeReg(node, cells);
  if (p.name === 'interrupts') return describeInterrupts(tree, node, cells, byPhandle);
  const targets = phandleCells(tree, p, byPhandle);
  return cells.map((c, i) => `- ${cellText(c)}${targets[i] ? ` → \`${nodePath(targets[i]!)}\`` : ''}`);
}

function describeReg(node: DtNode, cells: number[]): string[] {
  const ac = dtFacts.addressCells(node.parent);
  const sc = dtFacts.sizeCells(node.parent);
  const entry = ac + sc;
  if (entry === 0 || cells.length % entry !== 0) return cells.map((c) => `- ${cellText(c)}`);
  const out: string[] = [];
  for (let i = 0; i < cells.length; i += entry) {
    let addr = 0n,
      size = 0n;
    for (let k = 0; k < ac; k++) addr = (addr << 32n) | BigInt(cells[i + k]);
    for (let k = 0; k < sc; k++) size = (size << 32n) | BigInt(cells[i + ac + k]);
    // Through the buses' `ranges`: where the CPU (or the guest) sees it, when that differs.
    const cpu = node.parent && addr <= BigInt(Number.MAX_SAFE_INTEGER) ? dtFacts.translateAddress(node.parent, Number(addr), Number(size)) : undefined;
    const seen =
      cpu !== undefined && BigInt(cpu) !== addr
        ? `, at ${hex(cpu)} from the CPU`
        : cpu === undefined && node.parent?.parent
          ? ', not mapped to the CPU (no ranges)'
          : '';
    out.push(sc === 0 ? `- address ${hex(addr)}${seen}` : `- ${hex(addr)}..${hex(addr + size)} (${humanSize(size)})${seen}`);
  }
  out.push(`(#address-cells = ${ac}, #size-cells = ${sc} from the parent)`);
  return out;
}

const TRIGGERS: Record<number, string> = { 1: 'edge rising', 2: 'edge falling', 3: 'edge both', 4: 'level high', 8: 'level low' };

function describeInterrupts(tree: DtTree, node: DtNode, cells: number[], byPhandle?: PhandleLookup): string[] {
  const { controller } = dtFacts.interruptParent(tree, node, byPhandle);
  const cellsProp = controller ? getProperty(controller, '#interrupt-cells') : undefined;
  const n = Math.max(1, cellsProp ? (propertyCells(cellsProp)[0] ?? 1) : 1);
  const out: string[] = [];
  // Controllers in front of the GIC (the i.MX GPC) take the GIC's specifiers and pass them on.
  let gicAt = controller;
  for (let hops = 0; gicAt && !dtFacts.isGic(gicAt) && hops < 8; hops++) gicAt = dtFacts.interruptParent(tree, gicAt, byPhandle).controller;
  const gic = gicAt !== undefined && dtFacts.isGic(gicAt);
  for (let i = 0; i + n <= cells.length; i += n) {
    const spec = cells.slice(i, i + n);
    if (gic && n >= 3) {
      const [type, num, flags] = spec;
      const intid = type === 0 ? num + 32 : type === 1 ? num + 16 : undefined;
      out.push(
        `- ${type === 0 ? 'SPI' : type === 1 ? 'PPI' : `type ${type}`} ${num}${intid !== undefined ? ` = INTID ${intid}` : ''}, ${TRIGGERS[flags & 0xf] ?? `flags ${hex(flags)}`}`,
      );
    } else {
      out.push(`- <${spec.map((c) => hex(c)).join(' ')}>`);
    }
  }
  const route = gic && gicAt !== controller ? ` (in front of the GIC \`${nodePath(gicAt!)}\`)` : gic ? ' (GIC)' : '';
  out.push(controller ? `interrupt parent \`${nodePath(controller)}\`${route}` : 'no interrupt parent');
  return out;
}

/** "set at board.dts:12, overridden at guest.dts:40, deleted at ..." as markdown list lines. */
export function describeHistory(p: DtProperty): string[] {
  return p.history.map((e, i) => {
    const where = `${basename(e.range.file)}:${e.range.start.line + 1}`;
    if (e.kind === 'delete') return `- deleted at ${where}`;
    return `- ${i === 0 ? 'set' : 'overridden'} at ${where}`;
  });
}
