// /chosen: where it is and the types of what the kernel reads from it.
import type { CheckDefinition } from './context';
import { indexedProperty, nodeCheck, propertyCheck } from './context';
import { expectString } from './string-props';

const INTERRUPT_CONTROLLER = indexedProperty('interrupt-controller');
const BOOTARGS = indexedProperty('bootargs');
const STDOUT_PATH = indexedProperty('stdout-path');
const LINUX_STDOUT_PATH = indexedProperty('linux,stdout-path');

export const CHOSEN_CHECKS: CheckDefinition[] = [
  nodeCheck('obsolete_chosen_interrupt_controller', '/chosen has the obsolete `interrupt-controller` property.', 'warning', [], (ctx, node) => {
    if (node.parent) return;
    const chosen = node.child('chosen');
    const prop = chosen && chosen.prop(INTERRUPT_CONTROLLER);
    // dtc names the root in this message, with the /chosen property's position.
    if (prop) ctx.failProp(node, prop, '/chosen has obsolete "interrupt-controller" property');
  }),

  nodeCheck('chosen_node_is_root', 'A node named `chosen` is not a child of the root.', 'warning', [], (ctx, node) => {
    if (node.name === 'chosen' && node.node.parent !== ctx.tree.root) ctx.failNode(node, 'chosen node must be at root node');
  }),

  propertyCheck('chosen_node_bootargs', '`bootargs` in /chosen is not a single string.', 'warning', [], BOOTARGS, (ctx, node, bootargs) => {
    if (node.name === 'chosen') expectString(ctx, node, bootargs);
  }),

  nodeCheck('chosen_node_stdout_path', '/chosen uses `linux,stdout-path`, or its stdout path is not a single string.', 'warning', [], (ctx, node) => {
    if (node.name !== 'chosen') return;
    let prop = node.prop(STDOUT_PATH);
    if (!prop) {
      prop = node.prop(LINUX_STDOUT_PATH);
      if (!prop) return;
      ctx.failProp(node, prop, "Use 'stdout-path' instead");
    }
    expectString(ctx, node, prop);
  }),
];
