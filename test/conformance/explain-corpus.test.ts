// The gpc case on the real sel4devkit files: a libvmm fault block for 0x303a0030, as libvmm prints it
// (src/arch/aarch64/fault.c, tcb.c), from a system whose client_linux-1 lost its gpc map, names the
// gpc node of the real board tree and offers the fixes, through the CLI and the language server.
import { strict as assert } from 'assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { runExplain } from '../../src/cli/explain';
import { NodeFileHost } from '../../src/node/file-host';
import { TestClient, applyEdits, uri } from '../unit/server/client';
import { corpusPath } from './corpus';

const FAULT = [
  'Begin input',
  'CLIENT_VMM-1|ERROR (fault_handle_vm_exception:454): unexpected memory fault on address: 0x303a0030, FSR: 0x93c08006, IP: 0xffff8000081c2a3c, is_prefetch: false, is_write: false',
  'CLIENT_VMM-1|INFO: dumping TCB (ID 0x0) registers:',
  '    pc: 0xffff8000081c2a3c',
  '    sp: 0xffff80000a3e3d60',
  'CLIENT_VMM-1|INFO: dumping VCPU (ID 0x0) registers:',
  '    esr: 0x0000000093c08006',
  'CLIENT_VMM-1|ERROR (fault_handle:495): Failed to handle virtual memory fault',
  '',
].join('\n');

const EXPECTED = "0x303a0030 is gpc@303a0000 (maaxboard.dts:752), enabled in client_linux-1's tree and not mapped into its VM: disable it or map it";

describe('explain conformance: the gpc fault on the real sel4devkit files', function () {
  this.timeout(120000);
  let dir: string;
  let system: string;
  let log: string;

  before(() => {
    const corpus = corpusPath('sel4devkit-dual');
    dir = mkdtempSync(path.join(tmpdir(), 'explain-gpc-'));
    for (const f of ['maaxboard.dts', 'maaxboard-overlay.dts']) copyFileSync(path.join(corpus, f), path.join(dir, f));
    const real = readFileSync(path.join(corpus, 'program.system'), 'utf8');
    const gpcMap = '            <!-- Secondary -->\n            <map mr="gpc" vaddr="0x303a0000" perms="rw" cached="false" />\n';
    assert.ok(real.includes(gpcMap), 'the real system maps gpc into client_linux-1');
    system = path.join(dir, 'program.system');
    writeFileSync(system, real.replace(gpcMap, ''));
    log = path.join(dir, 'board.log');
    writeFileSync(log, FAULT);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the CLI names the node, offers both fixes and exits 1', async () => {
    let out = '';
    const code = await runExplain(['board.log', 'program.system'], {
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        out += t;
      },
      host: new NodeFileHost(),
      cwd: dir,
    });
    assert.equal(code, 1, out);
    assert.ok(out.startsWith(`board.log:2.1-2.177: Error (log-vmm-memory-fault): ${EXPECTED}`), out);
    assert.match(out, /\/soc@0\/bus@30000000\/gpc@303a0000 in the device tree of 'client_linux-1': maaxboard\.dts:752\.\d+-752\.\d+/);
    assert.match(out, /fix: Disable gpc@303a0000 in the device tree of 'client_linux-1'/);
    assert.match(out, /fix: Map 'gpc' into 'client_linux-1' at 0x303a0000/);
  });

  it('reads standard input and finds the project in the current folder', async () => {
    let out = '';
    const code = await runExplain(['--format', 'json'], {
      stdout: (t) => {
        out += t;
      },
      stderr: () => undefined,
      host: new NodeFileHost(),
      cwd: dir,
      readStdin: async () => FAULT,
    });
    assert.equal(code, 1);
    const json = JSON.parse(out) as { message: string; fixes: { kind: string }[] }[];
    assert.equal(json[0].message.slice(0, EXPECTED.length), EXPECTED);
    assert.deepEqual(
      json[0].fixes.map((f) => f.kind),
      ['disable-node', 'map-device'],
    );
  });

  it('the language server puts it on the log line, links the node and fixes the .system', async () => {
    const client = await TestClient.start();
    try {
      await client.open(log, FAULT, 'serial-log');
      const diags = client.diagnostics(log);
      assert.equal(diags.length, 1, JSON.stringify(diags));
      const d = diags[0];
      assert.equal(d.range.start.line, 1);
      assert.equal(d.severity, 1);
      assert.ok(d.message.startsWith(EXPECTED), d.message);
      assert.ok(
        d.relatedInformation?.some((r) => r.location.uri === uri(path.join(dir, 'maaxboard.dts')) && r.location.range.start.line === 751),
        JSON.stringify(d.relatedInformation),
      );
      assert.ok(d.relatedInformation?.some((r) => r.location.uri === uri(system)));
      const actions = (await client.codeActions(log, d.range, [d])) ?? [];
      assert.deepEqual(
        actions.map((a) => a.title),
        ['Disable gpc@303a0000 in the device tree of \'client_linux-1\' (status = "disabled")', "Map 'gpc' into 'client_linux-1' at 0x303a0000"],
      );
      const map = actions[1].edit!.changes![uri(system)];
      const fixed = applyEdits(readFileSync(system, 'utf8'), map);
      assert.match(
        fixed,
        /<virtual_machine name="client_linux-1"[\s\S]*<map mr="gpc" vaddr="0x303a0000" perms="rw" cached="false" \/>[\s\S]*<\/virtual_machine>/,
      );
      const disable = actions[0].edit!.changes!;
      const [file, edits] = Object.entries(disable)[0];
      assert.ok(file.endsWith('.dts'));
      assert.ok(edits.some((e) => e.newText.includes('status = "disabled";')));
      assert.deepEqual(client.loggedErrors(), []);
    } finally {
      await client.stop();
    }
  });
});
