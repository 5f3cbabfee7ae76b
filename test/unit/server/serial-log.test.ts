// The language server on serial logs beside the example project: explained lines become diagnostics
// linked to the DT node and the .system element, with quick fixes in the tree and the .system.
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { TestClient, applyEdits, uri, PROJECT_ROOT } from './client';

const DIR = path.join(PROJECT_ROOT, 'examples', 'dual-guest');
const LOG = path.join(DIR, 'board.log');
const SYSTEM = path.join(DIR, 'dual-guest.system');
const CORPUS = path.join(PROJECT_ROOT, 'test', 'unit', 'explain', 'logs');

describe('server: serial logs', function () {
  this.timeout(60000);
  let client: TestClient;
  before(async () => {
    client = await TestClient.start();
  });
  after(async () => client.stop());
  afterEach(async () => client.close(LOG));

  it('puts a fault on its line, links the node and the VM, and maps the device in the .system', async () => {
    await client.open(LOG, readFileSync(path.join(CORPUS, 'libvmm-disabled-device.log'), 'utf8'), 'serial-log');
    const [d, ...rest] = client.diagnostics(LOG);
    assert.deepEqual(rest, []);
    assert.equal(d.code, 'log-vmm-memory-fault');
    assert.equal(d.range.start.line, 1);
    assert.match(d.message, /^0x30280004 is watchdog@30280000 \(board\.dts:97\), disabled in client_linux-1's tree/);
    assert.ok(d.relatedInformation?.some((r) => r.location.uri === uri(path.join(DIR, 'board.dts')) && r.location.range.start.line === 96));
    assert.ok(d.relatedInformation?.some((r) => r.location.uri === uri(SYSTEM)));
    const actions = (await client.codeActions(LOG, d.range, [d])) ?? [];
    assert.deepEqual(
      actions.map((a) => a.title),
      ["Map watchdog@30280000 into 'client_linux-1': a memory region 'watchdog' at 0x30280000 (size 0x10000)"],
    );
    const fixed = applyEdits(readFileSync(SYSTEM, 'utf8'), actions[0].edit!.changes![uri(SYSTEM)]);
    assert.match(fixed, /<memory_region name="watchdog" size="0x10000" phys_addr="0x30280000" \/>/);
    assert.match(fixed, /<virtual_machine name="client_linux-1"[^]*<map mr="watchdog" vaddr="0x30280000" perms="rw" cached="false" \/>\s*<\/virtual_machine>/);
  });

  it('disables an enabled device in its tree', async () => {
    await client.open(
      LOG,
      'CLIENT_VMM-1|ERROR: unexpected memory fault on address: 0x30800000, FSR: 0x92000006, IP: 0x0, is_prefetch: false, is_write: false\n',
      'serial-log',
    );
    const [d] = client.diagnostics(LOG);
    const actions = (await client.codeActions(LOG, d.range, [d])) ?? [];
    assert.equal(actions[0].title, 'Disable bus@30800000 in the device tree of \'client_linux-1\' (status = "disabled")');
    const [[file, edits]] = Object.entries(actions[0].edit!.changes!);
    assert.ok(file.endsWith('.dts'), file);
    assert.ok(edits[0].newText.includes('status = "disabled";'));
  });

  it('sets an attribute of the .system (a read-only map a PD writes)', async () => {
    await client.open(LOG, readFileSync(path.join(CORPUS, 'monitor-read-only.log'), 'utf8'), 'serial-log');
    const [d] = client.diagnostics(LOG);
    const actions = (await client.codeActions(LOG, d.range, [d])) ?? [];
    const fixed = applyEdits(readFileSync(SYSTEM, 'utf8'), actions[0].edit!.changes![uri(SYSTEM)]);
    assert.match(fixed, /<map mr="tx_data_serial_vmm_1" vaddr="0x4006000" perms="rw"/);
  });

  it('leaves lines it does not recognise alone', async () => {
    await client.open(LOG, readFileSync(path.join(CORPUS, 'unrecognised.log'), 'utf8'), 'serial-log');
    assert.deepEqual(client.diagnostics(LOG), []);
    assert.deepEqual(client.loggedErrors(), []);
  });
});
