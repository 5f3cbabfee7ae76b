// The names of dtc's checks, in dtc's check_table order: the diagnostic codes of the devicetree
// checks, the -W/-E flags and the settings keys. The table (index.ts) holds one definition per name.

/** The phandle-argument providers dtc 1.6.1 knows, by the check-name stem it gives each (phandle-args.ts). */
export const PHANDLE_ARGS_STEMS = [
  'clocks',
  'cooling_device',
  'dmas',
  'hwlocks',
  'interrupts_extended',
  'io_channels',
  'iommus',
  'mboxes',
  'msi_parent',
  'mux_controls',
  'phys',
  'power_domains',
  'pwms',
  'resets',
  'sound_dai',
  'thermal_sensors',
] as const;

export type PhandleArgsStem = (typeof PHANDLE_ARGS_STEMS)[number];
export type PhandleArgsCheckName = `${PhandleArgsStem}_property` | `${PhandleArgsStem}_is_cell`;

/** `<stem>_property` then `<stem>_is_cell` for each provider, as dtc's table lists them. */
const PHANDLE_ARGS_NAMES: readonly PhandleArgsCheckName[] = PHANDLE_ARGS_STEMS.flatMap((s) => [`${s}_property`, `${s}_is_cell`] as const);

/** dtc's check_table order (interrupt_map, from newer dtc, sits after interrupt_provider). */
export const CHECK_NAMES = [
  'duplicate_node_names',
  'duplicate_property_names',
  'node_name_chars',
  'node_name_format',
  'property_name_chars',
  'name_is_string',
  'name_properties',
  'node_name_vs_property_name',
  'duplicate_label',
  'explicit_phandles',
  'phandle_references',
  'path_references',
  'omit_unused_nodes',
  'address_cells_is_cell',
  'size_cells_is_cell',
  'device_type_is_string',
  'model_is_string',
  'status_is_string',
  'label_is_string',
  'compatible_is_string_list',
  'names_is_string_list',
  'property_name_chars_strict',
  'node_name_chars_strict',
  'addr_size_cells',
  'reg_format',
  'ranges_format',
  'dma_ranges_format',
  'unit_address_vs_reg',
  'unit_address_format',
  'pci_bridge',
  'pci_device_reg',
  'pci_device_bus_num',
  'simple_bus_bridge',
  'simple_bus_reg',
  'i2c_bus_bridge',
  'i2c_bus_reg',
  'spi_bus_bridge',
  'spi_bus_reg',
  'avoid_default_addr_size',
  'avoid_unnecessary_addr_size',
  'unique_unit_address',
  'unique_unit_address_if_enabled',
  'obsolete_chosen_interrupt_controller',
  'chosen_node_is_root',
  'chosen_node_bootargs',
  'chosen_node_stdout_path',
  ...PHANDLE_ARGS_NAMES,
  'deprecated_gpio_property',
  'gpios_property',
  'interrupts_property',
  'interrupt_provider',
  'interrupt_map',
  'alias_paths',
  'graph_nodes',
  'graph_child_address',
  'graph_port',
  'graph_endpoint',
  'always_fail',
] as const;

/** A dtc check's name. */
export type DtCheckName = (typeof CHECK_NAMES)[number];

declare module '../../common/diagnostics' {
  interface DiagnosticCodes extends Record<DtCheckName, true> {}
}
