// GPIO specifiers: `*-gpios`/`gpios` (and the deprecated `*-gpio`/`gpio`) against #gpio-cells.
import type { DtProperty } from '../tree';
import { type CheckDefinition, indexedProperty, nodeCheck } from './context';
import { type ProviderCells, checkPhandleArgs } from './phandle-args';

const GPIO_HOG = indexedProperty('gpio-hog');
const GPIO_CELLS: ProviderCells = { cellsName: '#gpio-cells', cellsSlot: indexedProperty('#gpio-cells') };

/** *-gpios and *-gpio, but not the `,nr-gpios` counts some bindings use. */
function isGpioProperty(prop: DtProperty): boolean {
  const n = prop.name;
  // Every property of every node comes here: most end in neither 's' nor 'o'.
  const last = n.charCodeAt(n.length - 1);
  if (last !== 0x73 && last !== 0x6f) return false;
  if (n.endsWith(',nr-gpios')) return false;
  return n.endsWith('-gpios') || n === 'gpios' || n.endsWith('-gpio') || n === 'gpio';
}

export const GPIO_CHECKS: CheckDefinition[] = [
  nodeCheck('deprecated_gpio_property', "A GPIO property uses the deprecated '[*-]gpio' spelling.", 'off', [], (ctx, node) => {
    for (const prop of node.props)
      if (isGpioProperty(prop) && prop.name.endsWith('gpio')) ctx.failProp(node, prop, "'[*-]gpio' is deprecated, use '[*-]gpios' instead");
  }),

  nodeCheck('gpios_property', 'GPIO specifiers do not match the controllers\' `#gpio-cells` (gpio-hog nodes are exempt).', 'warning', ['phandle_references'], (ctx, node) => {
    if (node.prop(GPIO_HOG)) return;
    for (const prop of node.props) if (isGpioProperty(prop)) checkPhandleArgs(ctx, node, prop, GPIO_CELLS);
  }),
];
