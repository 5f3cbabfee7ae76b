// A project laid out as libvmm's virtio example is (no project file; each VM's trees in
// client_vm_N/dts/ below the .system), through the server: the trees are found where they are, a
// tree opened in its subfolder belongs to the project, and a VM with no tree gets a warning on its
// <virtual_machine> with the quick fix that creates a project file from what was inferred.
import { strict as assert } from 'assert';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import type { TextDocumentEdit } from 'vscode-languageserver-protocol/node';
import { NodeFileHost } from '../../../src/node/file-host';
import { loadProject } from '../../../src/system';
import { PROJECT_ROOT, TestClient, lineOf, uri } from './client';

const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'dual-guest');
const dir = mkdtempSync(path.join(tmpdir(), 'mkdg-layout-'));
const SYSTEM = path.join(dir, 'virtio.system');
const SYSTEM_TEXT = readFileSync(path.join(EXAMPLE, 'dual-guest.system'), 'utf8');
writeFileSync(SYSTEM, SYSTEM_TEXT);
for (const n of [1, 2]) {
  mkdirSync(path.join(dir, `client_vm_${n}`, 'dts'), { recursive: true });
  cpSync(path.join(EXAMPLE, 'board.dts'), path.join(dir, `client_vm_${n}`, 'dts', 'board.dts'));
  cpSync(path.join(EXAMPLE, `guest-${n}.dts`), path.join(dir, `client_vm_${n}`, 'dts', `guest-${n}.dts`));
}
const GUEST1 = path.join(dir, 'client_vm_1', 'dts', 'guest-1.dts');

describe('server: a project laid out in a folder per VM', function () {
  this.timeout(30000);
  let client: TestClient;
  before(async () => {
    client = await TestClient.start();
  });
  after(async () => client.stop());

  it('a tree opened in client_vm_1/dts belongs to the .system two folders up, and the example has no error', async () => {
    await client.open(GUEST1, readFileSync(GUEST1, 'utf8'));
    const contexts = await client.request<{ files: string[]; origin: string; vm?: string }[]>('microkitDualGuest/contexts', {});
    const mine = contexts.find((c) => c.files.includes(GUEST1));
    assert.deepEqual(
      mine?.files.map((f) => path.relative(dir, f)),
      ['client_vm_1/dts/board.dts', 'client_vm_1/dts/guest-1.dts'],
    );
    assert.equal(mine?.origin, 'project');
    assert.equal(mine?.vm, 'client_linux-1');
    assert.deepEqual(
      [...client.allDiagnostics().values()].flat().filter((d) => d.severity === 1 || d.code === 'project-no-dts'),
      [],
    );
    await client.close(GUEST1);
  });

  it('a VM with no tree: a warning on its <virtual_machine>, and the quick fix creates a project file that loads back clean', async () => {
    rmSync(path.join(dir, 'client_vm_2'), { recursive: true });
    await client.open(SYSTEM, SYSTEM_TEXT);
    const d = client.diagnostics(SYSTEM).find((x) => x.code === 'project-no-dts');
    assert.ok(d, JSON.stringify(client.diagnostics(SYSTEM)));
    assert.equal(d!.range.start.line, lineOf(SYSTEM_TEXT, '<virtual_machine name="client_linux-2"'));
    assert.match(d!.message, /no device tree found for 'client_linux-2'.*"boot": false/);

    const actions = await client.codeActions(SYSTEM, d!.range, [d!]);
    assert.equal(actions?.length, 1);
    const changes = actions![0].edit!.documentChanges!;
    const target = path.join(dir, 'dual-guest.json');
    assert.deepEqual(changes[0], { kind: 'create', uri: uri(target), options: { overwrite: false, ignoreIfExists: true } });
    const text = (changes[1] as TextDocumentEdit).edits[0].newText;
    const json = JSON.parse(text);
    assert.equal(json.system, 'virtio.system');
    assert.deepEqual(json.guests['client_linux-1'], {
      dts: ['client_vm_1/dts/board.dts', 'client_vm_1/dts/guest-1.dts'],
      virtio: { base: '0x150000', size: '0x200', spi: 42 },
      dtbAddr: '0x44000000',
    });
    assert.deepEqual(json.guests['client_linux-2'].dts, []);
    assert.deepEqual(json.roles.clients, ['CLIENT_VMM-1', 'CLIENT_VMM-2']);
    // Written as is, the loader (which knows exactly the schema's keys) reads it without a word.
    writeFileSync(target, text);
    const loaded = loadProject(target, new NodeFileHost());
    assert.deepEqual(
      loaded.diagnostics.filter((x) => x.code?.startsWith('project-')),
      [],
    );
    assert.deepEqual(loaded.guests[0].dtFiles, [path.join(dir, 'client_vm_1/dts/board.dts'), path.join(dir, 'client_vm_1/dts/guest-1.dts')]);
    rmSync(target);

    // Anywhere inside a <virtual_machine> element the fix is offered too; outside one, without such a problem, not.
    const vmLine = lineOf(SYSTEM_TEXT, '<virtual_machine name="client_linux-1"');
    assert.equal((await client.codeActions(SYSTEM, { start: { line: vmLine + 1, character: 8 }, end: { line: vmLine + 1, character: 8 } }, []))?.length, 1);
    assert.equal((await client.codeActions(SYSTEM, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, []))?.length, 0);
  });
});
