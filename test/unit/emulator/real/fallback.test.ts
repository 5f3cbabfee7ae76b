// Without a compiler, asking for real components boots the models and says what to install; the
// project file's component keys are read with positions. These run everywhere (no clang needed).
import { strict as assert } from 'assert';
import { bootProject } from '../../../../src/emulator/from-project';
import { componentsRequestFor } from '../../../../src/emulator/real/components';
import { ToolchainMissingError, type WasmToolchain } from '../../../../src/emulator/real/toolchain';
import { NodeFileHost } from '../../../../src/node/file-host';
import { loadProject } from '../../../../src/system/index';
import { MemoryFileHost } from '../../../../src/common/host';
import { EXAMPLE } from './harness';

const MISSING = 'real components need clang and wasm-ld to compile PD code for WebAssembly: install them (Debian/Ubuntu: apt-get install clang lld)';
const noCompiler: WasmToolchain = {
  available: () => MISSING,
  build: () => {
    throw new ToolchainMissingError(MISSING);
  },
};

describe('real components without a compiler', function () {
  this.timeout(60_000);
  it('boots the models and says what to install', () => {
    const host = new NodeFileHost();
    const { emulator, diagnostics } = bootProject(loadProject(EXAMPLE, host), {
      host,
      fast: true,
      components: { request: { components: 'real', sddf: '/nonexistent/sddf' }, toolchain: noCompiler },
    });
    assert.ok(emulator, 'the system boots');
    assert.equal(emulator.real, undefined);
    const w = diagnostics.find((d) => d.code === 'real-components' && d.message.includes('apt-get install clang lld'));
    assert.ok(w, 'a warning names the packages');
    assert.equal(w.severity, 'warning');
    assert.match(w.message, /booting with the models/);
  });
});

describe('project file: components, sddf, pds', () => {
  const system = '<?xml version="1.0"?><system><protection_domain name="a" priority="1"><program_image path="a.elf"/></protection_domain></system>';
  const load = (json: object) => {
    const host = new MemoryFileHost({ '/p/x.system': system, '/p/x.json': JSON.stringify({ system: 'x.system', ...json }) });
    return loadProject('/p/x.json', host);
  };
  it('reads "real" for all, an sDDF path and a PD\'s sources relative to the project file', () => {
    const p = load({ components: 'real', sddf: '../sddf', pds: { a: { sources: ['a.c'], includeDirs: ['inc'], defines: ['X=1'] } } });
    assert.equal(p.components.components, 'real');
    assert.equal(p.components.sddf, '/sddf');
    assert.deepEqual(p.components.pdSources.a, { sources: ['/p/a.c'], includeDirs: ['/p/inc'], defines: ['X=1'] });
    assert.equal(p.diagnostics.filter((d) => d.code === 'project-schema').length, 0);
  });
  it('reads a choice per PD and reports bad values with their position', () => {
    const p = load({ components: { a: 'real', nosuch: 'model', b: 'fast' } });
    assert.deepEqual(p.components.components, { a: 'real', nosuch: 'model' });
    const msgs = p.diagnostics.filter((d) => d.code === 'project-schema');
    assert.ok(msgs.some((d) => d.severity === 'warning' && d.message.includes("no protection domain 'nosuch'") && d.range));
    assert.ok(msgs.some((d) => d.severity === 'error' && d.message.includes('"model" or "real"') && d.range));
  });
  it('a PD with no sources is an error', () => {
    const p = load({ pds: { a: { sources: [] } } });
    assert.ok(p.diagnostics.some((d) => d.severity === 'error' && d.message.includes('names no C sources')));
  });
  it('without an sDDF checkout, asking for real components warns and boots the models', () => {
    const p = load({ components: 'real' });
    const r = componentsRequestFor(p, undefined, undefined);
    assert.equal(r.request, undefined);
    assert.match(r.diagnostics[0].message, /"sddf": "\.\.\/sddf"/);
    assert.deepEqual(componentsRequestFor(p, 'model', '/s').request, undefined);
    assert.equal(componentsRequestFor(load({}), 'real', '/s').request?.sddf, '/s');
  });
});
