// Type checks of single properties: one string, a string list, one cell. Each family is one
// function with the property name as its parameter; chosen.ts and phandle-args.ts reuse them.
import type { DtCheckName } from './check-names';
import type { DtProperty } from '../tree';
import {
  type CheckContext,
  type CheckDefinition,
  type CheckNode,
  type CheckSeverity,
  isOneString,
  isStringList,
  indexedProperty,
  propLength,
  propertyCheck,
  propertyKind,
  propertyKindCheck,
} from './context';

export function expectString(ctx: CheckContext, node: CheckNode, prop: DtProperty | undefined): void {
  if (prop && !isOneString(prop)) ctx.failProp(node, prop, 'property is not a string');
}

export function expectStringList(ctx: CheckContext, node: CheckNode, prop: DtProperty | undefined): void {
  if (prop && !isStringList(prop)) ctx.failProp(node, prop, 'property is not a string list');
}

export function expectCell(ctx: CheckContext, node: CheckNode, prop: DtProperty | undefined): void {
  if (prop && propLength(prop) !== 4) ctx.failProp(node, prop, 'property is not a single cell');
}

export function isStringCheck(name: DtCheckName, propName: string, severity: CheckSeverity): CheckDefinition {
  return propertyCheck(name, `\`${propName}\` is not a single string.`, severity, [], indexedProperty(propName), expectString);
}

export function isStringListCheck(name: DtCheckName, propName: string): CheckDefinition {
  return propertyCheck(name, `\`${propName}\` is not a list of NUL-terminated strings.`, 'warning', [], indexedProperty(propName), expectStringList);
}

export function isCellCheck(name: DtCheckName, propName: string): CheckDefinition {
  return propertyCheck(name, `\`${propName}\` is not a single 32-bit cell.`, 'warning', [], indexedProperty(propName), expectCell);
}

const NAMES_LIST = propertyKind((name) => name.endsWith('-names'));

export const STRING_CHECKS: CheckDefinition[] = [
  isStringCheck('name_is_string', 'name', 'error'),
  isCellCheck('address_cells_is_cell', '#address-cells'),
  isCellCheck('size_cells_is_cell', '#size-cells'),
  isStringCheck('device_type_is_string', 'device_type', 'warning'),
  isStringCheck('model_is_string', 'model', 'warning'),
  isStringCheck('status_is_string', 'status', 'warning'),
  isStringCheck('label_is_string', 'label', 'warning'),
  isStringListCheck('compatible_is_string_list', 'compatible'),
  propertyKindCheck('names_is_string_list', 'A `*-names` property is not a list of NUL-terminated strings.', 'warning', [], NAMES_LIST, (ctx, node) => {
    for (const prop of node.props) if (prop.name.endsWith('-names')) expectStringList(ctx, node, prop);
  }),
];
