// Property tests: any tree (odd names, odd values, dangling phandles) yields only well-formed
// diagnostics, never an internal error, and the same diagnostics on every run.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { CHECKS, checkConfigFromFlags, runChecks } from '../../../src/devicetree/checks';
import { type NodeSpec, type ValueSpec, buildTree, labelled, n, raw, ref, str, u32 } from './tree-builder';

const NODE_NAMES = ['a', 'a@1', 'i2c@1', 'spi@0', 'pci@0', 'port@0', 'ports', 'endpoint', 'endpoint@1', 'chosen', 'aliases', 'x@0x1', 'y@01', 'bad$', 'n@1@2'];
const PROP_NAMES = [
  'reg',
  'ranges',
  'dma-ranges',
  '#address-cells',
  '#size-cells',
  'compatible',
  'status',
  'device_type',
  'interrupts',
  'interrupt-parent',
  'interrupt-controller',
  'interrupt-map',
  '#interrupt-cells',
  'clocks',
  '#clock-cells',
  'reset-gpios',
  '#gpio-cells',
  'remote-endpoint',
  'bus-range',
  'name',
  'x-names',
  'stdout-path',
  'serial0',
  'spi-max-frequency',
];
const LABELS = ['l0', 'l1', 'l2'];

const value: fc.Arbitrary<ValueSpec> = fc.oneof(
  fc
    .array(fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constant(0xffffffff), fc.constantFrom(...LABELS).map(ref)), { maxLength: 6 })
    .map((cells) => u32(...cells)),
  fc.array(fc.constantFrom('simple-bus', 'disabled', 'pci', '/a', 'okay', ''), { minLength: 1, maxLength: 3 }).map((s) => str(...s)),
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 9 }).map((b) => raw(...b)),
);

function nodeArb(depth: number): fc.Arbitrary<NodeSpec> {
  return fc
    .record({
      name: fc.constantFrom(...NODE_NAMES),
      props: fc.array(fc.tuple(fc.constantFrom(...PROP_NAMES), value), { maxLength: 5 }),
      children: depth === 0 ? fc.constant([] as NodeSpec[]) : fc.array(nodeArb(depth - 1), { maxLength: 3 }),
      label: fc.option(fc.constantFrom(...LABELS)),
    })
    .map(({ name, props, children, label }) => {
      const node = n(name, props, ...children);
      return label ? labelled(label, node) : node;
    });
}

const tree = nodeArb(3).map((root) => ({ ...root, name: '' }));

describe('devicetree/checks: properties', () => {
  const flags = CHECKS.filter((c) => c.name !== 'always_fail').map((c) => `-W${c.name}`);
  const config = checkConfigFromFlags(flags).config;
  const names = new Set<string>(CHECKS.map((c) => c.name));

  it('any tree yields well-formed, deterministic diagnostics and no internal errors', () => {
    fc.assert(
      fc.property(tree, (spec) => {
        const t = buildTree(spec);
        const first = runChecks({ tree: t, fixupDiagnostics: [] }, config);
        for (const d of first) {
          assert.ok(d.code && names.has(d.code), `unknown code ${d.code}`);
          assert.ok(!d.message.startsWith('internal error'), d.message);
          if (d.subject !== undefined) assert.ok(d.message.startsWith(d.subject), `${d.subject} vs ${d.message}`);
          else assert.match(d.message, /^Failed prerequisite '/);
        }
        assert.deepEqual(runChecks({ tree: t, fixupDiagnostics: [] }, config), first);
      }),
      { numRuns: 300 },
    );
  });
});
