// One unit's failure is one diagnostic on that unit: every other unit goes on being analysed and
// published (hostile-input issue: the analysis used to be all-or-nothing).
import { strict as assert } from 'assert';
import { MemoryFileHost } from '../../../src/common/host';
import { DevicetreeUnitProvider } from '../../../src/server/devicetree/dt-provider';
import type { AnalysisUnit } from '../../../src/server/unit';
import { Workspace, type UnitProvider } from '../../../src/server/workspace';
import { TestClient } from './client';

/** A provider with a bug: its unit throws for files named bad*.dts, and it throws itself for worse*.dts. */
class BuggyProvider implements UnitProvider {
  unitsFor(path: string, ws: Workspace): AnalysisUnit[] {
    if (path.includes('/worse')) throw new RangeError('Maximum call stack size exceeded');
    if (!path.includes('/bad')) return [];
    return [
      ws.unit(`buggy:${path}`, () => ({
        key: `buggy:${path}`,
        deps: new Set<string>(),
        diagnostics: [],
        source: 'test',
        mainFile: path,
        run(): void {
          throw new TypeError("Cannot read properties of null (reading 'length')");
        },
      })),
    ];
  }
}

const BROKEN = '/dts-v1/;\n/ {\n\tx = <1;\n};\n';

describe('server: analysis units fail alone', () => {
  it('a unit or provider that throws gives one diagnostic on its file; the other files are analysed', () => {
    const host = new MemoryFileHost();
    const ws = new Workspace(host);
    ws.addProvider(new BuggyProvider());
    ws.addProvider(new DevicetreeUnitProvider());
    ws.docs.open('/w/bad.dts', 'file:///w/bad.dts', 'devicetree', 1, '/dts-v1/;\n/ { };\n');
    ws.docs.open('/w/worse.dts', 'file:///w/worse.dts', 'devicetree', 1, '/dts-v1/;\n/ { };\n');
    ws.docs.open('/w/good.dts', 'file:///w/good.dts', 'devicetree', 1, BROKEN);
    const published = ws.refresh('all');
    const bad = published.get('/w/bad.dts')!.map((e) => e.diagnostic);
    assert.equal(bad.length, 1);
    assert.match(bad[0].message, /^internal error while analysing this file \(please report it\): TypeError: Cannot read properties of null/);
    assert.equal(bad[0].code, 'internal-error');
    assert.match(published.get('/w/worse.dts')![0].diagnostic.message, /RangeError: Maximum call stack size exceeded/);
    assert.ok(
      published.get('/w/good.dts')!.some((e) => e.diagnostic.code === 'syntax'),
      'the good file still gets its syntax error',
    );
    // The good file's next edit is analysed too.
    ws.docs.change('/w/good.dts', 2, [{ text: '/dts-v1/;\n/ { };\n' }]);
    assert.deepEqual(ws.refresh(['/w/good.dts']).get('/w/good.dts'), []);
    // Closing the worse file clears its diagnostic.
    ws.docs.close('/w/worse.dts');
    assert.deepEqual(ws.refresh([]).get('/w/worse.dts'), []);
  });

  it('a didOpen without text opens an empty buffer and the server goes on publishing (through the protocol)', async () => {
    const client = await TestClient.start();
    try {
      await client.openUri('file:///w/null.dts', 'devicetree', null as unknown as string);
      await client.open('/w/other.dts', BROKEN);
      assert.ok(client.diagnostics('/w/other.dts').some((d) => d.code === 'syntax'));
      await client.change('/w/other.dts', '/dts-v1/;\n/ { };\n');
      assert.deepEqual(client.diagnostics('/w/other.dts'), []);
    } finally {
      await client.stop();
    }
  });
});
