// OF graph (ports/port/endpoint): names, reg against unit addresses, cell counts, and that
// remote-endpoint links go both ways.
import { type DtNode, liveChildren } from '../tree';
import { type CheckContext, type CheckDefinition, baseName, cellAt, hex, isValidPhandle, nodeCheck, propLength, unitName } from './context';

function checkGraphReg(ctx: CheckContext, node: DtNode): void {
  const s = ctx.state;
  const reg = s.prop(node, 'reg');
  if (!reg) return;
  if (propLength(reg) !== 4) {
    ctx.failNode(node, "graph node malformed 'reg' property");
    return;
  }
  const expected = hex(cellAt(reg, 0));
  if (unitName(node) !== expected) ctx.failNode(node, `graph node unit address error, expected "${expected}"`);
  const parent = node.parent;
  if (!parent) return;
  if (s.rawAddrCells(parent) !== 1)
    ctx.failProp(node, s.prop(node, '#address-cells'), `graph node '#address-cells' is ${s.rawAddrCells(parent)}, must be 1`);
  if (s.rawSizeCells(parent) !== 0)
    ctx.failProp(node, s.prop(node, '#size-cells'), `graph node '#size-cells' is ${s.rawSizeCells(parent)}, must be 0`);
}

function remoteEndpoint(ctx: CheckContext, endpoint: DtNode): DtNode | undefined {
  const prop = ctx.state.prop(endpoint, 'remote-endpoint');
  if (!prop) return undefined;
  const phandle = cellAt(prop, 0);
  if (!isValidPhandle(phandle)) return undefined; // an overlay's external reference
  const node = ctx.state.nodeByPhandle(phandle);
  if (!node) ctx.failProp(endpoint, prop, 'graph phandle is not valid');
  return node;
}

export const GRAPH_CHECKS: CheckDefinition[] = [
  nodeCheck('graph_nodes', 'Recognises graph ports (nodes with endpoint children) and their `ports` parents; the root cannot be a port.', 'warning', [], (ctx, node) => {
    const s = ctx.state;
    for (const child of liveChildren(node)) {
      if (baseName(child) !== 'endpoint' && !s.prop(child, 'remote-endpoint')) continue;
      // dtc 1.6.1 crashes on a root with endpoint children; newer dtc reports it.
      if (!node.parent) {
        ctx.failNode(node, `root node contains endpoint node '${child.name}', potentially misplaced remote-endpoint property`);
        continue;
      }
      s.bus.set(node, 'graph-port');
      // The parent of a port is either `ports` or the device itself.
      if (!s.bus.has(node.parent) && (node.parent.name === 'ports' || s.prop(node, 'reg'))) s.bus.set(node.parent, 'graph-ports');
      break;
    }
  }),

  nodeCheck(
    'graph_child_address',
    'A graph ports/port node with a single child at address 0 sets #address-cells/#size-cells needlessly.',
    'warning',
    ['graph_nodes'], // dtc 1.6.1; later versions also wait for graph_port and graph_endpoint
    (ctx, node) => {
      const s = ctx.state;
      const bus = s.bus.get(node);
      if (bus !== 'graph-ports' && bus !== 'graph-port') return;
      const kids = liveChildren(node);
      for (const child of kids) {
        const reg = s.prop(child, 'reg');
        if (reg && cellAt(reg, 0) !== 0) return; // any non-zero address makes the cells necessary
      }
      if (kids.length === 1 && s.rawAddrCells(node) !== -1)
        ctx.failNode(node, `graph node has single child node '${node.children[0].name}', #address-cells/#size-cells are not necessary`);
    },
  ),

  nodeCheck('graph_port', "A graph port is not named 'port' or its reg/unit address/cells are wrong.", 'warning', ['graph_nodes'], (ctx, node) => {
    if (ctx.state.bus.get(node) !== 'graph-port') return;
    if (baseName(node) !== 'port') ctx.failNode(node, "graph port node name should be 'port'");
    checkGraphReg(ctx, node);
  }),

  nodeCheck('graph_endpoint', "A graph endpoint is not named 'endpoint', has bad reg/cells, or its remote-endpoint does not point back.", 'warning', ['graph_nodes'], (ctx, node) => {
    if (!node.parent || ctx.state.bus.get(node.parent) !== 'graph-port') return;
    if (baseName(node) !== 'endpoint') ctx.failNode(node, "graph endpoint node name should be 'endpoint'");
    checkGraphReg(ctx, node);
    const remote = remoteEndpoint(ctx, node);
    if (!remote) return;
    if (remoteEndpoint(ctx, remote) !== node)
      ctx.failNode(node, `graph connection to node '${ctx.state.path(remote)}' is not bidirectional`);
  }),
];
