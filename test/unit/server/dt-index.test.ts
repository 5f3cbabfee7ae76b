// DtIndex ties each written node and property to the tree's node and property of its name: the
// first live child of the name, else the first one, and the first property, in small and large nodes
// alike, with children deleted and written again.
import { strict as assert } from 'assert';
import { MemoryFileHost } from '../../../src/common/host';
import { compileText } from '../../../src/devicetree/compile';
import type { DtNode } from '../../../src/devicetree/tree';
import { DtIndex } from '../../../src/server/devicetree/dt-index';

function searched(parent: DtNode, name: string): DtNode | undefined {
  return parent.children.find((c) => c.name === name && !c.deleted) ?? parent.children.find((c) => c.name === name);
}

describe('DtIndex: written items and their tree nodes', () => {
  for (const children of [3, 40]) {
    it(`a node of ${children} children, some deleted and written again, some properties overridden`, () => {
      const body: string[] = [];
      for (let i = 0; i < children; i++) body.push(`\t\tc${i} { v = <${i}>; v = <${i + 1}>; };`);
      body.push('\t\t/delete-node/ c1;', '\t\tc1 { w = <7>; };', '\t\tc2 { /delete-property/ v; v = <9>; };');
      const text = `/dts-v1/;\n/ {\n\tbus {\n\t\tp = <1>;\n\t\tp = <2>;\n${body.join('\n')}\n\t};\n};\n`;
      const result = compileText('/t.dts', text, { host: new MemoryFileHost({}) });
      assert.deepEqual(result.diagnostics, []);
      const index = new DtIndex(result);
      const bus = index.nodes.find((s) => s.name === 'bus')!;
      assert.ok(bus.node);
      const written = bus.children;
      assert.equal(written.length, children + 2);
      for (const site of written) assert.equal(site.node, searched(bus.node, site.name), site.name);
      const c1 = written.filter((s) => s.name === 'c1').map((s) => s.node);
      assert.ok(c1[1] && !c1[1].deleted, 'c1 written again is the live c1');
      for (const site of index.properties) {
        const owner = site.owner.node;
        assert.ok(owner);
        assert.equal(
          site.property,
          owner.properties.find((p) => p.name === site.ast.name),
          `${site.owner.name}/${site.ast.name}`,
        );
      }
    });
  }
});
