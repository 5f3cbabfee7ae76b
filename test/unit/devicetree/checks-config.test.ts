// The check table's configuration (dtc's -W/-E semantics, presets) and the runner's prerequisites.
import { strict as assert } from 'assert';
import { CHECKS, LINUX_DISABLED_CHECKS, checkConfigFromFlags, defaultCheckConfig, findCheck, runChecks } from '../../../src/devicetree/checks';
import { buildTree, empty, n, u32 } from './tree-builder';

describe('devicetree/checks: table', () => {
  it('has dtc 1.6.1 names, unique, with known prerequisites and no cycles', () => {
    const names = CHECKS.map((c) => c.name);
    assert.equal(new Set(names).size, names.length);
    assert.equal(names.length, 89); // dtc 1.6.1's 88 entries + interrupt_map from newer dtc
    for (const c of CHECKS) for (const p of c.prerequisites) assert.ok(findCheck(p), `${c.name} needs unknown ${p}`);
    const seen = new Set<string>();
    const visit = (name: string, stack: string[]): void => {
      assert.ok(!stack.includes(name), `cycle ${[...stack, name].join(' -> ')}`);
      if (seen.has(name)) return;
      for (const p of findCheck(name)!.prerequisites) visit(p, [...stack, name]);
      seen.add(name);
    };
    for (const c of CHECKS) visit(c.name, []);
  });

  it('has dtc 1.6.1 default severities', () => {
    const d = defaultCheckConfig();
    const errors = [...d.severities]
      .filter(([, s]) => s === 'error')
      .map(([n]) => n)
      .sort();
    assert.deepEqual(errors, [
      'duplicate_label',
      'duplicate_node_names',
      'duplicate_property_names',
      'explicit_phandles',
      'name_is_string',
      'name_properties',
      'node_name_chars',
      'node_name_format',
      'omit_unused_nodes',
      'path_references',
      'phandle_references',
      'property_name_chars',
    ]);
    const off = [...d.severities]
      .filter(([, s]) => s === 'off')
      .map(([n]) => n)
      .sort();
    assert.deepEqual(off, [
      'always_fail',
      'deprecated_gpio_property',
      'interrupt_map',
      'node_name_chars_strict',
      'property_name_chars_strict',
      'unique_unit_address_if_enabled',
    ]);
  });
});

describe('devicetree/checks: flags and presets', () => {
  const sev = (flags: string[], name: string, preset: 'dtc' | 'linux' = 'dtc') => checkConfigFromFlags(flags, preset).config.severities.get(name);

  it('-W / -Wno- / -Wno_ switch warnings', () => {
    assert.equal(sev(['-Wno-reg_format'], 'reg_format'), 'off');
    assert.equal(sev(['-Wno_reg_format'], 'reg_format'), 'off');
    assert.equal(sev(['-Wno-reg_format', '-Wreg_format'], 'reg_format'), 'warning');
    assert.equal(sev(['-Wnode_name_chars_strict'], 'node_name_chars_strict'), 'warning');
    assert.equal(sev(['--warning=node_name_chars_strict'], 'node_name_chars_strict'), 'warning');
  });

  it('-E raises to error; -Eno- drops back to the warning switch', () => {
    assert.equal(sev(['-Ereg_format'], 'reg_format'), 'error');
    assert.equal(sev(['-Ereg_format', '-Eno-reg_format'], 'reg_format'), 'warning');
    assert.equal(sev(['--error=unit_address_vs_reg'], 'unit_address_vs_reg'), 'error');
  });

  it('-Wno- on an error check leaves it an error (dtc keeps separate switches)', () => {
    assert.equal(sev(['-Wno-duplicate_node_names'], 'duplicate_node_names'), 'error');
    assert.equal(sev(['-Eno-duplicate_node_names'], 'duplicate_node_names'), 'off');
  });

  it('enabling a check enables its prerequisites; disabling one disables its dependents', () => {
    const raised = checkConfigFromFlags(['-Wno-addr_size_cells', '-Wno-address_cells_is_cell', '-Ereg_format']).config.severities;
    assert.equal(raised.get('reg_format'), 'error');
    assert.equal(raised.get('addr_size_cells'), 'error');
    assert.equal(raised.get('address_cells_is_cell'), 'error');
    const lowered = checkConfigFromFlags(['-Wno-addr_size_cells']).config.severities;
    for (const dependent of [
      'reg_format',
      'ranges_format',
      'avoid_default_addr_size',
      'avoid_unnecessary_addr_size',
      'unique_unit_address',
      'pci_bridge',
      'simple_bus_reg',
      'unit_address_format',
    ])
      assert.equal(lowered.get(dependent), 'off', dependent);
    assert.equal(lowered.get('unit_address_vs_reg'), 'warning');
  });

  it('reports unknown names and malformed flags, and applies the rest', () => {
    const { config, errors } = checkConfigFromFlags(['-Wno-bogus', 'reg_format', '-Wno-reg_format']);
    assert.deepEqual(errors, [
      'Unrecognized check name "bogus"',
      'Unrecognized check option "reg_format" (expected -W<name>, -Wno-<name>, -E<name> or -Eno-<name>)',
    ]);
    assert.equal(config.severities.get('reg_format'), 'off');
  });

  it("the linux preset is dtc run with the kernel build's -Wno- flags, and only that", () => {
    const kernelFlags = [
      '-Wno-interrupt_provider',
      '-Wno-unit_address_vs_reg',
      '-Wno-avoid_unnecessary_addr_size',
      '-Wno-alias_paths',
      '-Wno-graph_child_address',
      '-Wno-simple_bus_reg',
      '-Wno-unique_unit_address',
    ];
    const viaFlags = checkConfigFromFlags(kernelFlags);
    assert.deepEqual(viaFlags.errors, []);
    const dtc = defaultCheckConfig('dtc').severities;
    const linux = defaultCheckConfig('linux').severities;
    assert.deepEqual([...linux], [...viaFlags.config.severities]);
    const changed = CHECKS.map((c) => c.name).filter((name) => dtc.get(name) !== linux.get(name));
    // interrupt_map goes with interrupt_provider, its prerequisite (dtc's -Wno- semantics).
    assert.deepEqual(changed.sort(), [...LINUX_DISABLED_CHECKS, 'interrupt_map'].filter((name) => dtc.get(name) !== 'off').sort());
    assert.equal(sev(['-Wsimple_bus_reg'], 'simple_bus_reg', 'linux'), 'warning');
  });

  it('the linux preset keeps quiet about interrupt providers without #address-cells, as the kernel build does', () => {
    const tree = buildTree(n('', {}, n('gpio@0', { 'interrupt-controller': empty(), '#interrupt-cells': u32(2) })));
    const codes = (preset: 'dtc' | 'linux') => runChecks({ tree, fixupDiagnostics: [] }, defaultCheckConfig(preset)).map((d) => `${d.code}: ${d.message}`);
    assert.ok(codes('dtc').includes('interrupt_provider: /gpio@0: Missing #address-cells in interrupt provider'), codes('dtc').join('\n'));
    assert.deepEqual(
      codes('linux').filter((c) => c.startsWith('interrupt_')),
      [],
    );
  });
});

describe('devicetree/checks: runner', () => {
  const tree = buildTree(n('', { '#address-cells': u32(1, 2), '#size-cells': u32(1) }, n('a@0', { reg: u32(0, 1, 2) })));

  it('skips a check whose prerequisite failed and says so once per failed prerequisite', () => {
    const out = runChecks({ tree, fixupDiagnostics: [] }, defaultCheckConfig());
    assert.ok(out.some((d) => d.code === 'address_cells_is_cell'));
    assert.deepEqual(
      out.filter((d) => d.code === 'reg_format').map((d) => d.message),
      ["Failed prerequisite 'addr_size_cells'"],
    );
    assert.deepEqual(
      out.filter((d) => d.code === 'addr_size_cells').map((d) => d.message),
      ["Failed prerequisite 'address_cells_is_cell'"],
    );
  });

  it('a disabled prerequisite still runs silently and still blocks its dependents', () => {
    // -Wno-address_cells_is_cell would also disable the dependents, so lower it through the config map.
    const config = defaultCheckConfig();
    config.severities.set('address_cells_is_cell', 'off');
    const out = runChecks({ tree, fixupDiagnostics: [] }, config);
    assert.equal(out.filter((d) => d.code === 'address_cells_is_cell').length, 0);
    assert.deepEqual(
      out.filter((d) => d.code === 'addr_size_cells').map((d) => d.message),
      ["Failed prerequisite 'address_cells_is_cell'"],
    );
  });

  it('stops after the first failed error check, as dtc does', () => {
    const dup = buildTree(n('', { '#address-cells': u32(1, 2) }, n('a'), n('a')));
    const out = runChecks({ tree: dup, fixupDiagnostics: [] }, defaultCheckConfig());
    assert.deepEqual(
      out.map((d) => d.code),
      ['duplicate_node_names'],
    );
    const demoted = runChecks({ tree: dup, fixupDiagnostics: [] }, checkConfigFromFlags(['-Wduplicate_node_names', '-Eno-duplicate_node_names']).config);
    assert.ok(demoted.some((d) => d.code === 'address_cells_is_cell'));
  });

  it('runs nothing when everything is off', () => {
    const config = defaultCheckConfig();
    for (const c of CHECKS) config.severities.set(c.name, 'off');
    assert.deepEqual(runChecks({ tree, fixupDiagnostics: [] }, config), []);
  });

  it('never throws on odd values (empty, short, misaligned) with every check on', () => {
    const odd = [u32(), { bytes: [1], markers: [] }, { bytes: [0, 0, 0, 1, 2], markers: [{ kind: 'type-u32' as const, offset: 0 }] }];
    const props: Record<string, (typeof odd)[number]>[] = odd.map((v) => {
      const o: Record<string, (typeof odd)[number]> = {};
      for (const name of [
        'reg',
        'ranges',
        'dma-ranges',
        '#address-cells',
        '#size-cells',
        'interrupts',
        'interrupt-parent',
        'interrupt-map',
        'interrupt-map-mask',
        'clocks',
        '#clock-cells',
        'remote-endpoint',
        'bus-range',
        'device_type',
        'compatible',
        'status',
        'name',
        'phandle',
        'gpios',
      ])
        o[name] = v;
      return o;
    });
    const flags = CHECKS.map((c) => `-W${c.name}`);
    for (const p of props) {
      const t = buildTree(
        n(
          '',
          p,
          n('pci@0', p, n('dev@0', p)),
          n('i2c@1', p, n('x@1', p)),
          n('spi@2', p, n('y', p)),
          n('chosen', p),
          n('aliases', { a: u32() }),
          n('port@0', p, n('endpoint', p)),
        ),
      );
      const out = runChecks({ tree: t, fixupDiagnostics: [] }, checkConfigFromFlags(flags).config);
      assert.equal(
        out.filter((d) => d.message.startsWith('internal error')).length,
        0,
        JSON.stringify(out.filter((d) => d.message.startsWith('internal error'))),
      );
    }
  });
});
