// Properties that are lists of (phandle, args...) entries whose arg count the provider states in a
// `#...-cells` property. One function walks any such list; each provider is one table row that
// yields two checks, `<name>_is_cell` for the provider's count and `<name>_property` for the list.
import type { DtProperty, Marker } from '../tree';
import {
  type CheckContext,
  type CheckDefinition,
  type CheckNode,
  type PropertySlot,
  cellAt,
  indexedProperty,
  isValidPhandle,
  propLength,
  propertyCheck,
} from './context';
import { isCellCheck } from './string-props';
import type { PhandleArgsStem } from './check-names';

export interface PhandleArgsSpec {
  property: string;
  cellsName: string;
  /** The provider may omit the count (it is then 0). */
  optional?: boolean;
}

/** What checkPhandleArgs reads on a provider: its count property (by name and index slot). */
export interface ProviderCells {
  cellsName: string;
  cellsSlot: PropertySlot;
  /** The provider may omit the count (it is then 0). */
  optional?: boolean;
}

/** The ref-phandle marker at a byte offset, if the source wrote a reference there. */
function phandleRefAt(markers: readonly Marker[], offset: number): Marker | undefined {
  for (let i = 0; i < markers.length; i++) if (markers[i].kind === 'ref-phandle' && markers[i].offset === offset) return markers[i];
  return undefined;
}

/** dtc's check_property_phandle_args. */
export function checkPhandleArgs(ctx: CheckContext, node: CheckNode, prop: DtProperty, spec: ProviderCells): void {
  const len = propLength(prop);
  if (len % 4 !== 0) {
    ctx.failProp(node, prop, `property size (${len}) is invalid, expected multiple of 4`);
    return;
  }
  const count = len / 4;
  // Properties written in source carry type markers; then every phandle must be a reference.
  const markers = prop.value.markers;
  const hasMarkers = markers.length > 0;
  let cellsize = 0;
  for (let cell = 0; cell < count; cell += cellsize + 1) {
    const phandle = cellAt(prop, cell);
    // Some bindings use 0 or -1 to skip an optional entry.
    if (!isValidPhandle(phandle)) {
      if (ctx.tree.isPlugin) break; // an overlay's external references are unresolved here
      cellsize = 0;
      continue;
    }
    const ref = phandleRefAt(markers, cell * 4);
    if (hasMarkers && !ref) ctx.failProp(node, prop, `cell ${cell} is not a phandle reference`);
    const provider = ctx.state.nodeByPhandle(phandle);
    if (!provider) {
      ctx.failProp(node, prop, `Could not get phandle node for (cell ${cell})`, ref?.range);
      break;
    }
    const cellsProp = provider.prop(spec.cellsSlot);
    if (cellsProp) cellsize = cellAt(cellsProp, 0);
    else if (spec.optional) cellsize = 0;
    else {
      // A node message in dtc; it points at the reference when the source has one.
      ctx.failNode(
        node,
        `Missing property '${spec.cellsName}' in node ${provider.path} or bad phandle (referred from ${prop.name}[${cell}])`,
        ref?.range ?? prop.range,
      );
      break;
    }
    // dtc 1.6.1 wraps around here on huge counts and loops forever; the arithmetic below cannot.
    if (len < (cell + cellsize + 1) * 4) {
      ctx.failProp(node, prop, `property size (${len}) too small for cell size ${cellsize | 0}`);
      break;
    }
  }
}

/** The providers dtc 1.6.1 knows, each with the check-name stem it gives them. */
export const PHANDLE_ARGS_PROVIDERS: readonly (PhandleArgsSpec & { check: PhandleArgsStem })[] = [
  { check: 'clocks', property: 'clocks', cellsName: '#clock-cells' },
  { check: 'cooling_device', property: 'cooling-device', cellsName: '#cooling-cells' },
  { check: 'dmas', property: 'dmas', cellsName: '#dma-cells' },
  { check: 'hwlocks', property: 'hwlocks', cellsName: '#hwlock-cells' },
  { check: 'interrupts_extended', property: 'interrupts-extended', cellsName: '#interrupt-cells' },
  { check: 'io_channels', property: 'io-channels', cellsName: '#io-channel-cells' },
  { check: 'iommus', property: 'iommus', cellsName: '#iommu-cells' },
  { check: 'mboxes', property: 'mboxes', cellsName: '#mbox-cells' },
  { check: 'msi_parent', property: 'msi-parent', cellsName: '#msi-cells', optional: true },
  { check: 'mux_controls', property: 'mux-controls', cellsName: '#mux-control-cells' },
  { check: 'phys', property: 'phys', cellsName: '#phy-cells' },
  { check: 'power_domains', property: 'power-domains', cellsName: '#power-domain-cells' },
  { check: 'pwms', property: 'pwms', cellsName: '#pwm-cells' },
  { check: 'resets', property: 'resets', cellsName: '#reset-cells' },
  { check: 'sound_dai', property: 'sound-dai', cellsName: '#sound-dai-cells' },
  { check: 'thermal_sensors', property: 'thermal-sensors', cellsName: '#thermal-sensor-cells' },
];

/** `<check>_property` then `<check>_is_cell` for each provider, in dtc's table order. */
export const PHANDLE_ARGS_CHECKS: CheckDefinition[] = PHANDLE_ARGS_PROVIDERS.flatMap((spec) => {
  const cells: ProviderCells = { cellsName: spec.cellsName, cellsSlot: indexedProperty(spec.cellsName), optional: spec.optional };
  return [
    propertyCheck(
      `${spec.check}_property`,
      `\`${spec.property}\` entries do not match the providers' \`${spec.cellsName}\`${spec.optional ? ' (0 when absent)' : ''}.`,
      'warning',
      [`${spec.check}_is_cell`, 'phandle_references'],
      indexedProperty(spec.property),
      (ctx, node, prop) => checkPhandleArgs(ctx, node, prop, cells),
    ),
    isCellCheck(`${spec.check}_is_cell`, spec.cellsName),
  ];
});
