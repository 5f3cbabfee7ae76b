// GPIO specifiers: `*-gpios`/`gpios` (and the deprecated `*-gpio`/`gpio`) against #gpio-cells.
import { type CheckDefinition, indexedProperty, propertyKind, propertyKindCheck } from './context';
import { type ProviderCells, checkPhandleArgs } from './phandle-args';

const GPIO_HOG = indexedProperty('gpio-hog');
const GPIO_CELLS: ProviderCells = { cellsName: '#gpio-cells', cellsSlot: indexedProperty('#gpio-cells') };

/** *-gpios and *-gpio, but not the `,nr-gpios` counts some bindings use. */
function isGpioName(n: string): boolean {
  if (n.endsWith(',nr-gpios')) return false;
  return n.endsWith('-gpios') || n === 'gpios' || n.endsWith('-gpio') || n === 'gpio';
}

function isDeprecatedGpioName(n: string): boolean {
  return isGpioName(n) && n.endsWith('gpio');
}

const GPIO_LIST = propertyKind(isGpioName);
const DEPRECATED_GPIO_LIST = propertyKind(isDeprecatedGpioName);

export const GPIO_CHECKS: CheckDefinition[] = [
  propertyKindCheck('deprecated_gpio_property', "A GPIO property uses the deprecated '[*-]gpio' spelling.", 'off', [], DEPRECATED_GPIO_LIST, (ctx, node) => {
    for (const prop of node.props) if (isDeprecatedGpioName(prop.name)) ctx.failProp(node, prop, "'[*-]gpio' is deprecated, use '[*-]gpios' instead");
  }),

  propertyKindCheck(
    'gpios_property',
    "GPIO specifiers do not match the controllers' `#gpio-cells` (gpio-hog nodes are exempt).",
    'warning',
    ['phandle_references'],
    GPIO_LIST,
    (ctx, node) => {
      if (node.prop(GPIO_HOG)) return;
      for (const prop of node.props) if (isGpioName(prop.name)) checkPhandleArgs(ctx, node, prop, GPIO_CELLS);
    },
  ),
];
