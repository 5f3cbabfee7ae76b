// The language server on the real corpus: opening sel4devkit-dual gives no false error, every
// .system and tree of the corpus opens without a server failure, and the features answer on real files.
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { TestClient, uri } from '../unit/server/client';
import { corpusPath } from './corpus';

function open(client: TestClient, file: string): Promise<void> {
  return client.open(file, readFileSync(file, 'utf8'));
}

describe('server conformance: corpus', function () {
  this.timeout(120000);
  let client: TestClient;
  before(async () => {
    client = await TestClient.start();
  });
  after(async () => client.stop());

  it('sel4devkit-dual opens with no error anywhere (warnings are the real ones)', async () => {
    const dir = corpusPath('sel4devkit-dual');
    for (const f of ['program.system', 'maaxboard.dts', 'maaxboard-overlay.dts']) await open(client, path.join(dir, f));
    const errors: string[] = [];
    for (const [file, list] of client.allDiagnostics()) for (const d of list) if (d.severity === 1) errors.push(`${file}:${d.range.start.line + 1}: ${d.code} ${d.message}`);
    assert.deepEqual(errors, []);
    const contexts = await client.request<{ files: string[]; origin: string }[]>('microkitDualGuest/contexts', {});
    assert.ok(contexts.some((c) => c.origin === 'project' && c.files.map((f) => path.basename(f)).join('+') === 'maaxboard.dts+maaxboard-overlay.dts'), JSON.stringify(contexts));
    assert.deepEqual(client.loggedErrors(), []);
  });

  it('hover, definition and outline work on the real overlay and .system', async () => {
    const dir = corpusPath('sel4devkit-dual');
    const overlay = path.join(dir, 'maaxboard-overlay.dts');
    const text = readFileSync(overlay, 'utf8').split('\n');
    const regLine = text.findIndex((l) => l.includes('reg = <0x00 0x150000'));
    const reg = JSON.stringify((await client.hover(overlay, regLine, text[regLine].indexOf('reg') + 1))?.contents);
    assert.match(reg, /0x150000\.\.0x150200 \(512 bytes\)/);
    const irqLine = text.findIndex((l) => l.includes('interrupts = <0x00 42'));
    const irq = JSON.stringify((await client.hover(overlay, irqLine, text[irqLine].indexOf('interrupts') + 1))?.contents);
    assert.match(irq, /SPI 42 = INTID 74/);
    const symbols = await client.symbols(overlay);
    assert.deepEqual(symbols.map((s) => s.name), ['/']);
    const system = path.join(dir, 'program.system');
    const sysText = readFileSync(system, 'utf8').split('\n');
    const mapLine = sysText.findIndex((l) => l.includes('<map mr='));
    const def = await client.definition(system, mapLine, sysText[mapLine].indexOf('mr="') + 5);
    assert.equal(def?.length, 1);
    assert.equal(def![0].uri, uri(system));
  });

  it('every tree and .system of the corpus opens without a server failure', async () => {
    const files = [
      ['sel4devkit-single', 'program.system'], ['sel4devkit-single', 'maaxboard-overlay.dts'],
      ['libvmm-simple-qemu', 'simple.system'], ['libvmm-simple-qemu', 'linux.dts'], ['libvmm-simple-qemu', 'overlay.dts'],
      ['libvmm-virtio-two-clients', 'virtio.system'], ['libvmm-virtio-two-clients', 'client_vm_1', 'dts', 'virtio.dts'],
      ['libvmm-virtio-two-clients', 'client_vm_2', 'dts', 'init.dts'],
    ];
    for (const f of files) {
      const file = corpusPath(...f);
      await open(client, file);
      assert.ok((await client.symbols(file)).length > 0, file);
      await client.folding(file);
    }
    assert.deepEqual(client.loggedErrors(), []);
    // None of these real files has an error: every finding is a warning (dtc's, or the system checks').
    const errors = [...client.allDiagnostics()].flatMap(([u, list]) => list.filter((d) => d.severity === 1).map((d) => `${u}:${d.range.start.line + 1} ${d.message}`));
    assert.deepEqual(errors, []);
    // The header-less overlay of sel4devkit-single has no base beside it: it is a fragment, with no check warnings.
    assert.deepEqual(client.diagnostics(corpusPath('sel4devkit-single', 'maaxboard-overlay.dts')), []);
  });
});
