// /aliases: every alias must name an existing node, and alias names use lowercase, digits and '-'.
import { type DtNode, type DtTree, liveChildren } from '../tree';
import { type CheckDefinition, DIGITS, LOWERCASE, cString, charSet, nodeCheck, spanOf } from './context';

const ALIAS_NAME_CHARS = charSet(LOWERCASE + DIGITS + '-');

/**
 * dtc's get_node_by_path: leading and repeated '/' are skipped, each component must equal a
 * child's full name, and "" is the root. (Unlike tree.findNodeByPath, no base-name matching.)
 */
export function nodeByPathDtc(tree: DtTree, path: string): DtNode | undefined {
  let node = tree.root;
  for (const part of path.split('/')) {
    if (part === '') continue;
    const next = liveChildren(node).find((c) => c.name === part);
    if (!next) return undefined;
    node = next;
  }
  return node;
}

export const ALIAS_CHECKS: CheckDefinition[] = [
  nodeCheck(
    'alias_paths',
    "An alias does not resolve to a node, or its name uses characters other than lowercase, digits and '-'.",
    'warning',
    [],
    (ctx, node) => {
      if (node.name !== 'aliases') return;
      for (const prop of node.props) {
        if (prop.name === 'phandle' || prop.name === 'linux,phandle') continue;
        const empty = prop.value.bytes.length === 0;
        const target = cString(prop);
        if (empty || !nodeByPathDtc(ctx.tree, target)) {
          ctx.failProp(node, prop, `aliases property is not a valid node (${empty ? '(null)' : target})`);
          continue;
        }
        if (spanOf(prop.name, ALIAS_NAME_CHARS) !== prop.name.length) ctx.failNode(node, "aliases property name must include only lowercase and '-'");
      }
    },
  ),
];
