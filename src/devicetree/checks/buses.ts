// Buses with their own addressing rules: PCI, simple-bus, I2C, SPI. A bridge check recognises the
// bus (recorded in CheckRunState.bus) and checks the bridge; a reg check checks its children.
import type { DtNode, DtProperty } from '../tree';
import { type CheckDefinition, cString, cellAt, hex, hex64, indexedProperty, isHexOf, nodeCheck, propLength, propertyCheck } from './context';

const DEVICE_TYPE = indexedProperty('device_type');
const COMPATIBLE = indexedProperty('compatible');
const REG = indexedProperty('reg');
const RANGES = indexedProperty('ranges');
const BUS_RANGE = indexedProperty('bus-range');
const SPI_SLAVE = indexedProperty('spi-slave');

const I2C_OWN_SLAVE_ADDRESS = 1 << 30;
const I2C_TEN_BIT_ADDRESS = 0x80000000;

/** Whether one of the NUL-separated strings is `compat` (ASCII), compared byte by byte. */
function isCompatible(prop: DtProperty, compat: string): boolean {
  const b = prop.value.bytes;
  // Walk the NUL-separated strings as dtc does (a trailing unterminated piece counts too).
  let start = 0;
  while (start < b.length) {
    let end = start;
    while (end < b.length && b[end] !== 0) end++;
    if (end - start === compat.length) {
      let i = 0;
      while (i < compat.length && b[start + i] === compat.charCodeAt(i)) i++;
      if (i === compat.length) return true;
    }
    start = end + 1;
  }
  return false;
}

/** Any live property with the prefix, generated ones included (the raw list, not CheckNode.props). */
function hasLivePropertyStartingWith(node: DtNode, prefix: string): boolean {
  for (const p of node.properties) if (!p.deleted && p.name.startsWith(prefix)) return true;
  return false;
}

export const BUS_CHECKS: CheckDefinition[] = [
  propertyCheck(
    'pci_bridge',
    'A `device_type = "pci"` node is not named pci/pcie, lacks `ranges`, has the wrong cell counts or a bad `bus-range`.',
    'warning',
    ['device_type_is_string', 'addr_size_cells'],
    DEVICE_TYPE,
    (ctx, node, type) => {
      if (cString(type) !== 'pci') return;
      node.bus = 'pci';
      const base = node.baseName;
      if (base !== 'pci' && base !== 'pcie') ctx.failNode(node, 'node name is not "pci" or "pcie"');
      if (!node.prop(RANGES)) ctx.failNode(node, 'missing ranges for PCI bridge (or not a bridge)');
      if (node.addrCells !== 3) ctx.failNode(node, 'incorrect #address-cells for PCI bridge');
      if (node.sizeCells !== 2) ctx.failNode(node, 'incorrect #size-cells for PCI bridge');
      const busRange = node.prop(BUS_RANGE);
      if (!busRange) return;
      if (propLength(busRange) !== 8) {
        ctx.failProp(node, busRange, 'value must be 2 cells');
        return;
      }
      if (cellAt(busRange, 0) > cellAt(busRange, 1)) ctx.failProp(node, busRange, '1st cell must be less than or equal to 2nd cell');
      if (cellAt(busRange, 1) > 0xff) ctx.failProp(node, busRange, 'maximum bus number must be less than 256');
    },
  ),

  propertyCheck(
    'pci_device_reg',
    'A PCI device\'s `reg` is not a config-space address or its unit address is not "dev[,func]".',
    'warning',
    ['reg_format', 'pci_bridge'],
    REG,
    (ctx, node, prop) => {
      if (!node.parent || node.parent.bus !== 'pci') return;
      if (cellAt(prop, 1) !== 0 || cellAt(prop, 2) !== 0) ctx.failProp(node, prop, 'PCI reg config space address cells 2 and 3 must be 0');
      const reg = cellAt(prop, 0);
      const dev = (reg & 0xf800) >>> 11;
      const func = (reg & 0x700) >>> 8;
      if ((reg & 0xff000000) !== 0) ctx.failProp(node, prop, 'PCI reg address is not configuration space');
      if ((reg & 0xff) !== 0) ctx.failProp(node, prop, 'PCI reg config space address register number must be 0');
      const unit = node.unitName;
      if (func === 0 && unit === hex(dev)) return;
      const expected = `${hex(dev)},${hex(func)}`;
      if (unit !== expected) ctx.failNode(node, `PCI unit address format error, expected "${expected}"`);
    },
  ),

  propertyCheck(
    'pci_device_bus_num',
    "A PCI device's bus number is outside the bridge's `bus-range`.",
    'warning',
    ['reg_format', 'pci_bridge'],
    REG,
    (ctx, node, reg) => {
      if (!node.parent || node.parent.bus !== 'pci') return;
      const busNum = (cellAt(reg, 0) & 0x00ff0000) >>> 16;
      const busRange = node.parent.prop(BUS_RANGE);
      const min = busRange ? cellAt(busRange, 0) : 0;
      const max = busRange ? cellAt(busRange, 1) : 0;
      // dtc reports this against the parent's bus-range property under the child's path.
      if (busNum < min || busNum > max) ctx.failProp(node, busRange, `PCI bus number ${busNum} out of range, expected (${min} - ${max})`);
    },
  ),

  propertyCheck(
    'simple_bus_bridge',
    'Recognises `compatible = "simple-bus"` nodes for simple_bus_reg.',
    'warning',
    ['addr_size_cells', 'compatible_is_string_list'],
    COMPATIBLE,
    (_ctx, node, compatible) => {
      if (isCompatible(compatible, 'simple-bus')) node.bus = 'simple-bus';
    },
  ),

  nodeCheck(
    'simple_bus_reg',
    'A simple-bus child lacks `reg`/`ranges` or its unit address is not the first address in them.',
    'warning',
    ['reg_format', 'simple_bus_bridge'],
    (ctx, node) => {
      const parent = node.parent;
      if (!parent || parent.bus !== 'simple-bus') return;
      let prop = node.prop(REG);
      let first = -1;
      if (prop && propLength(prop) > 0) first = 0;
      else if (!prop) {
        prop = node.prop(RANGES);
        if (prop && propLength(prop) > 0) first = node.addrCells; // skip the child address
      }
      if (first < 0) {
        if (parent.parent && node.bus !== 'simple-bus') ctx.failNode(node, 'missing or empty reg/ranges property');
        return;
      }
      // dtc folds the parent's #address-cells cells into a uint64_t: only the last two can matter.
      const count = parent.addrCells;
      const lo = count >= 1 ? cellAt(prop!, first + count - 1) : 0;
      const hi = count >= 2 ? cellAt(prop!, first + count - 2) : 0;
      if (!isHexOf(node.unitName, hi, lo)) ctx.failNode(node, `simple-bus unit address format error, expected "${hex64(hi, lo)}"`);
    },
  ),

  nodeCheck(
    'i2c_bus_bridge',
    'An i2c/i2c-bus/i2c-arb node with children does not use #address-cells = 1, #size-cells = 0.',
    'warning',
    ['addr_size_cells'],
    (ctx, node) => {
      const base = node.baseName;
      if (base !== 'i2c-bus' && base !== 'i2c-arb' && base !== 'i2c') return;
      node.bus = 'i2c';
      if (node.node.children.length === 0) return;
      if (node.addrCells !== 1) ctx.failNode(node, 'incorrect #address-cells for I2C bus');
      if (node.sizeCells !== 0) ctx.failNode(node, 'incorrect #size-cells for I2C bus');
    },
  ),

  nodeCheck(
    'i2c_bus_reg',
    'An I2C child lacks `reg`, its unit address differs from it, or an address does not fit 7 (or 10) bits.',
    'warning',
    ['reg_format', 'i2c_bus_bridge'],
    (ctx, node) => {
      if (!node.parent || node.parent.bus !== 'i2c') return;
      const prop = node.prop(REG);
      if (!prop || propLength(prop) === 0) {
        ctx.failNode(node, 'missing or empty reg property');
        return;
      }
      const first = (cellAt(prop, 0) & ~I2C_OWN_SLAVE_ADDRESS) >>> 0;
      if (!isHexOf(node.unitName, 0, first)) ctx.failNode(node, `I2C bus unit address format error, expected "${hex(first)}"`);
      for (let i = 0; i * 4 < propLength(prop); i++) {
        const reg = (cellAt(prop, i) & ~I2C_OWN_SLAVE_ADDRESS) >>> 0;
        if ((reg & I2C_TEN_BIT_ADDRESS) !== 0 && (reg & ~I2C_TEN_BIT_ADDRESS) >>> 0 > 0x3ff)
          ctx.failProp(node, prop, `I2C address must be less than 10-bits, got "0x${hex(reg)}"`);
        else if (reg > 0x7f)
          ctx.failProp(
            node,
            prop,
            `I2C address must be less than 7-bits, got "0x${hex(reg)}". Set I2C_TEN_BIT_ADDRESS for 10 bit addresses or fix the property`,
          );
      }
    },
  ),

  nodeCheck(
    'spi_bus_bridge',
    'An SPI bus (named spi, or with spi-* properties on its children) has the wrong cell counts or name.',
    'warning',
    ['addr_size_cells'],
    (ctx, node) => {
      if (node.baseName === 'spi') {
        node.bus = 'spi';
      } else {
        // Detect SPI buses without the proper node name by their children's spi-* properties.
        if (node.addrCells !== 1 || node.sizeCells !== 0) return;
        if (!node.children.some((c) => hasLivePropertyStartingWith(c.node, 'spi-'))) return;
        node.bus = 'spi';
        if (node.prop(REG)) ctx.failNode(node, "node name for SPI buses should be 'spi'");
      }
      if (node.node.children.length === 0) return;
      const addrCells = node.prop(SPI_SLAVE) ? 0 : 1;
      if (node.addrCells !== addrCells) ctx.failNode(node, 'incorrect #address-cells for SPI bus');
      if (node.sizeCells !== 0) ctx.failNode(node, 'incorrect #size-cells for SPI bus');
    },
  ),

  nodeCheck('spi_bus_reg', 'An SPI child lacks `reg` or its unit address differs from it.', 'warning', ['reg_format', 'spi_bus_bridge'], (ctx, node) => {
    if (!node.parent || node.parent.bus !== 'spi') return;
    if (node.parent.prop(SPI_SLAVE)) return;
    const prop = node.prop(REG);
    if (!prop || propLength(prop) === 0) {
      ctx.failNode(node, 'missing or empty reg property');
      return;
    }
    const address = cellAt(prop, 0);
    if (!isHexOf(node.unitName, 0, address)) ctx.failNode(node, `SPI bus unit address format error, expected "${hex(address)}"`);
  }),
];
