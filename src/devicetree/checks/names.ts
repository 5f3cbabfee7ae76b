// Node and property names: characters, '@' format, duplicates, clashes with property names.
import type { DtNode } from '../tree';
import { type CheckDefinition, CheckNode, DIGITS, LOWERCASE, UPPERCASE, charSet, nodeCheck, propertyKind, propertyKindCheck, spanOf } from './context';

const NODE_CHARS = charSet(LOWERCASE + UPPERCASE + DIGITS + ',._+-@');
const PROPERTY_CHARS = charSet(LOWERCASE + UPPERCASE + DIGITS + ',._+*#?-');
const STRICT_CHARS = charSet(LOWERCASE + UPPERCASE + DIGITS + ',-');

/** Whether two of the nodes share a name (the common answer, no, without a list per name). */
function hasRepeatedName(nodes: readonly DtNode[]): boolean {
  const seen = new Set<string>();
  for (const n of nodes) {
    if (seen.has(n.name)) return true;
    seen.add(n.name);
  }
  return false;
}

/** property_name_chars_strict's finding for a name: the character not recommended, if any. */
function notRecommendedChar(propName: string): string | undefined {
  let name = propName;
  let n = spanOf(name, STRICT_CHARS);
  if (n === name.length || name === 'device_type') return undefined;
  if (name[n] === '#' && (n === 0 || name[n - 1] === ',')) {
    name = name.slice(n + 1);
    n = spanOf(name, STRICT_CHARS);
  }
  return n < name.length ? name[n] : undefined;
}

const BAD_PROPERTY_NAME = propertyKind((name) => spanOf(name, PROPERTY_CHARS) < name.length);
const NOT_RECOMMENDED_PROPERTY_NAME = propertyKind((name) => notRecommendedChar(name) !== undefined);

export const NAME_CHECKS: CheckDefinition[] = [
  nodeCheck('duplicate_node_names', 'Two children of one node have the same name.', 'error', [], (ctx, node) => {
    const children = node.node.children;
    if (children.length < 2 || !hasRepeatedName(children)) return;
    // dtc compares each live child with every later sibling, deleted ones included.
    // Grouping sibling positions by name keeps this linear in the number of siblings.
    const positionsByName = new Map<string, number[]>();
    for (let i = 0; i < children.length; i++) {
      const positions = positionsByName.get(children[i].name);
      if (positions) positions.push(i);
      else positionsByName.set(children[i].name, [i]);
    }
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (child.deleted) continue;
      // The later sibling may be a deleted one, which the run has no CheckNode for (failures are rare).
      for (const j of positionsByName.get(child.name) ?? [])
        if (j > i) ctx.failNode(new CheckNode(children[j], node, false, false, undefined), 'Duplicate node name');
    }
  }),

  // Each property with a later namesake is reported once. dtc compares every pair and repeats the
  // same line once per later copy: n copies cost n^2 time and lines (4,000 copies took 6 s, 1.5 GB).
  nodeCheck('duplicate_property_names', 'A node has two properties with the same name.', 'error', [], (ctx, node) => {
    const props = node.props;
    if (props.length < 2) return;
    const seenLater = new Set<string>();
    const failing: boolean[] = new Array(props.length);
    for (let i = props.length - 1; i >= 0; i--) {
      failing[i] = seenLater.has(props[i].name);
      seenLater.add(props[i].name);
    }
    for (let i = 0; i < props.length; i++) if (failing[i]) ctx.failProp(node, props[i], 'Duplicate property name');
  }),

  nodeCheck('node_name_chars', 'A node name uses a character outside [a-zA-Z0-9,._+-@].', 'error', [], (ctx, node) => {
    const name = node.name;
    const n = spanOf(name, NODE_CHARS);
    if (n < name.length) ctx.failNode(node, `Bad character '${name[n]}' in node name`);
  }),

  nodeCheck('node_name_chars_strict', 'A node base name uses a character outside [a-zA-Z0-9,-] (recommended set).', 'off', [], (ctx, node) => {
    const n = spanOf(node.name, STRICT_CHARS);
    if (n < node.baseName.length) ctx.failNode(node, `Character '${node.name[n]}' not recommended in node name`);
  }),

  nodeCheck('node_name_format', "A node name has more than one '@'.", 'error', ['node_name_chars'], (ctx, node) => {
    if (node.unitName.includes('@')) ctx.failNode(node, "multiple '@' characters in node name");
  }),

  nodeCheck('node_name_vs_property_name', 'A node has the same name as a property of its parent.', 'warning', ['node_name_chars'], (ctx, node) => {
    if (node.parent && node.parent.findProp(node.name)) ctx.failNode(node, 'node name and property name conflict');
  }),

  propertyKindCheck('property_name_chars', 'A property name uses a character outside [a-zA-Z0-9,._+*#?-].', 'error', [], BAD_PROPERTY_NAME, (ctx, node) => {
    for (const prop of node.props) {
      const n = spanOf(prop.name, PROPERTY_CHARS);
      if (n < prop.name.length) ctx.failProp(node, prop, `Bad character '${prop.name[n]}' in property name`);
    }
  }),

  propertyKindCheck(
    'property_name_chars_strict',
    "A property name uses a character outside [a-zA-Z0-9,-] (recommended set; '#' only at the start or after the vendor prefix; device_type allowed).",
    'off',
    [],
    NOT_RECOMMENDED_PROPERTY_NAME,
    (ctx, node) => {
      for (const prop of node.props) {
        const c = notRecommendedChar(prop.name);
        if (c !== undefined) ctx.failProp(node, prop, `Character '${c}' not recommended in property name`);
      }
    },
  ),
];
