// OF graph (ports/port/endpoint): names, reg against unit addresses, cell counts, and that
// remote-endpoint links go both ways.
import {
  type CheckContext,
  type CheckDefinition,
  type CheckNode,
  cellAt,
  hex,
  indexedProperty,
  isHexOf,
  isValidPhandle,
  nodeCheck,
  propLength,
} from './context';

const REG = indexedProperty('reg');
const ADDRESS_CELLS = indexedProperty('#address-cells');
const SIZE_CELLS = indexedProperty('#size-cells');
const REMOTE_ENDPOINT = indexedProperty('remote-endpoint');

function checkGraphReg(ctx: CheckContext, node: CheckNode): void {
  const reg = node.prop(REG);
  if (!reg) return;
  if (propLength(reg) !== 4) {
    ctx.failNode(node, "graph node malformed 'reg' property");
    return;
  }
  const address = cellAt(reg, 0);
  if (!isHexOf(node.unitName, 0, address)) ctx.failNode(node, `graph node unit address error, expected "${hex(address)}"`);
  const parent = node.parent;
  if (!parent) return;
  if (parent.rawAddrCells !== 1) ctx.failProp(node, node.prop(ADDRESS_CELLS), `graph node '#address-cells' is ${parent.rawAddrCells}, must be 1`);
  if (parent.rawSizeCells !== 0) ctx.failProp(node, node.prop(SIZE_CELLS), `graph node '#size-cells' is ${parent.rawSizeCells}, must be 0`);
}

function remoteEndpoint(ctx: CheckContext, endpoint: CheckNode): CheckNode | undefined {
  const prop = endpoint.prop(REMOTE_ENDPOINT);
  if (!prop) return undefined;
  const phandle = cellAt(prop, 0);
  if (!isValidPhandle(phandle)) return undefined; // an overlay's external reference
  const node = ctx.state.nodeByPhandle(phandle);
  if (!node) ctx.failProp(endpoint, prop, 'graph phandle is not valid');
  return node;
}

export const GRAPH_CHECKS: CheckDefinition[] = [
  nodeCheck(
    'graph_nodes',
    'Recognises graph ports (nodes with endpoint children) and their `ports` parents; the root cannot be a port.',
    'warning',
    [],
    (ctx, node) => {
      for (const child of node.children) {
        if (child.baseName !== 'endpoint' && !child.prop(REMOTE_ENDPOINT)) continue;
        // dtc 1.6.1 crashes on a root with endpoint children; newer dtc reports it.
        const parent = node.parent;
        if (!parent) {
          ctx.failNode(node, `root node contains endpoint node '${child.name}', potentially misplaced remote-endpoint property`);
          continue;
        }
        node.bus = 'graph-port';
        // The parent of a port is either `ports` or the device itself.
        if (parent.bus === undefined && (parent.name === 'ports' || node.prop(REG))) parent.bus = 'graph-ports';
        break;
      }
    },
  ),

  nodeCheck(
    'graph_child_address',
    'A graph ports/port node with a single child at address 0 sets #address-cells/#size-cells needlessly.',
    'warning',
    ['graph_nodes'], // dtc 1.6.1; later versions also wait for graph_port and graph_endpoint
    (ctx, node) => {
      const bus = node.bus;
      if (bus !== 'graph-ports' && bus !== 'graph-port') return;
      const kids = node.children;
      for (const child of kids) {
        const reg = child.prop(REG);
        if (reg && cellAt(reg, 0) !== 0) return; // any non-zero address makes the cells necessary
      }
      if (kids.length === 1 && node.rawAddrCells !== -1)
        ctx.failNode(node, `graph node has single child node '${node.node.children[0].name}', #address-cells/#size-cells are not necessary`);
    },
  ),

  nodeCheck('graph_port', "A graph port is not named 'port' or its reg/unit address/cells are wrong.", 'warning', ['graph_nodes'], (ctx, node) => {
    if (node.bus !== 'graph-port') return;
    if (node.baseName !== 'port') ctx.failNode(node, "graph port node name should be 'port'");
    checkGraphReg(ctx, node);
  }),

  nodeCheck(
    'graph_endpoint',
    "A graph endpoint is not named 'endpoint', has bad reg/cells, or its remote-endpoint does not point back.",
    'warning',
    ['graph_nodes'],
    (ctx, node) => {
      if (!node.parent || node.parent.bus !== 'graph-port') return;
      if (node.baseName !== 'endpoint') ctx.failNode(node, "graph endpoint node name should be 'endpoint'");
      checkGraphReg(ctx, node);
      const remote = remoteEndpoint(ctx, node);
      if (!remote) return;
      if (remoteEndpoint(ctx, remote) !== node) ctx.failNode(node, `graph connection to node '${remote.path}' is not bidirectional`);
    },
  ),
];
