// /chosen: where it is and the types of what the kernel reads from it.
import type { CheckDefinition } from './context';
import { nodeCheck } from './context';
import { expectString } from './string-props';

export const CHOSEN_CHECKS: CheckDefinition[] = [
  nodeCheck('obsolete_chosen_interrupt_controller', '/chosen has the obsolete `interrupt-controller` property.', 'warning', [], (ctx, node) => {
    if (node.parent) return;
    const chosen = ctx.state.child(node, 'chosen');
    const prop = chosen && ctx.state.prop(chosen, 'interrupt-controller');
    // dtc names the root in this message, with the /chosen property's position.
    if (prop) ctx.failProp(node, prop, '/chosen has obsolete "interrupt-controller" property');
  }),

  nodeCheck('chosen_node_is_root', 'A node named `chosen` is not a child of the root.', 'warning', [], (ctx, node) => {
    if (node.name === 'chosen' && node.parent !== ctx.tree.root) ctx.failNode(node, 'chosen node must be at root node');
  }),

  nodeCheck('chosen_node_bootargs', '`bootargs` in /chosen is not a single string.', 'warning', [], (ctx, node) => {
    if (node.name === 'chosen') expectString(ctx, node, ctx.state.prop(node, 'bootargs'));
  }),

  nodeCheck('chosen_node_stdout_path', '/chosen uses `linux,stdout-path`, or its stdout path is not a single string.', 'warning', [], (ctx, node) => {
    if (node.name !== 'chosen') return;
    let prop = ctx.state.prop(node, 'stdout-path');
    if (!prop) {
      prop = ctx.state.prop(node, 'linux,stdout-path');
      if (!prop) return;
      ctx.failProp(node, prop, "Use 'stdout-path' instead");
    }
    expectString(ctx, node, prop);
  }),
];
