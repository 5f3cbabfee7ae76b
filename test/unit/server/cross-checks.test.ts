// Checks across the .system and the guest trees, through the server: a copy of the default example
// (examples/dual-guest) in a temporary folder, seeded mistakes on either side, and the quick fixes.
import { strict as assert } from 'assert';
import { cpSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { PROJECT_ROOT, TestClient, applyEdits, lineOf, uri } from './client';

const dir = mkdtempSync(path.join(tmpdir(), 'mkdg-project-'));
cpSync(path.join(PROJECT_ROOT, 'examples', 'dual-guest'), dir, { recursive: true });
const GUEST1 = path.join(dir, 'guest-1.dts');
const BOARD = path.join(dir, 'board.dts');
const BOARD_TEXT = readFileSync(BOARD, 'utf8');
const SYSTEM = path.join(dir, 'dual-guest.system');
const GUEST1_TEXT = readFileSync(GUEST1, 'utf8');
const SYSTEM_TEXT = readFileSync(SYSTEM, 'utf8');

describe('server: cross checks (.system and guest trees)', function () {
  this.timeout(30000);
  let client: TestClient;
  before(async () => {
    client = await TestClient.start();
    await client.open(GUEST1, GUEST1_TEXT);
  });
  after(async () => client.stop());

  it('takes the trees from the project file and finds no error in the example', async () => {
    const contexts = await client.request<{ files: string[]; origin: string; vm?: string }[]>('microkitDualGuest/contexts', {});
    const mine = contexts.find((c) => c.files.includes(GUEST1));
    assert.deepEqual(
      mine?.files.map((f) => path.basename(f)),
      ['board.dts', 'guest-1.dts'],
    );
    assert.equal(mine?.origin, 'project');
    assert.equal(mine?.vm, 'client_linux-1');
    const errors = [...client.allDiagnostics().values()].flat().filter((d) => d.severity === 1);
    assert.deepEqual(errors, []);
  });

  it('bootargs without console=hvc0: a warning on the property, and the quick fix that adds it', async () => {
    const seeded = GUEST1_TEXT.replace('"console=hvc0 earlycon=hvc0', '"earlycon=hvc0');
    await client.change(GUEST1, seeded);
    const d = client.diagnostics(GUEST1).find((x) => x.code === 'guest-dt-bootargs');
    assert.ok(d, JSON.stringify(client.diagnostics(GUEST1)));
    assert.equal(d!.range.start.line, lineOf(seeded, 'bootargs ='));
    const actions = await client.codeActions(GUEST1, d!.range, [d!]);
    const fixed = applyEdits(seeded, actions![0].edit!.changes![uri(GUEST1)]);
    assert.ok(fixed.includes('bootargs = "console=hvc0 earlycon=hvc0 nosmp clk_ignore_unused";'), fixed);
    await client.change(GUEST1, fixed);
    assert.equal(client.diagnostics(GUEST1).filter((x) => x.code === 'guest-dt-bootargs').length, 0);
  });

  it('an enabled device the VM does not map: an error (the guest faults) and the quick fix that disables it', async () => {
    const seeded = GUEST1_TEXT.replace('&uart1 {\n\tstatus = "disabled";\n};\n', '');
    await client.change(GUEST1, seeded);
    const warnings = [...client.allDiagnostics().entries()].flatMap(([u, list]) =>
      list.filter((x) => x.code === 'guest-dt-unmapped-device').map((x) => ({ u, x })),
    );
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0].x.message, /serial@30860000/);
    await client.change(GUEST1, GUEST1_TEXT);
    assert.equal([...client.allDiagnostics().values()].flat().filter((x) => x.code === 'guest-dt-unmapped-device').length, 0);
  });

  it('a device the overlay enables: one error on its status line naming the node in the base; the quick fix disables it there', async () => {
    const seeded = GUEST1_TEXT.replace('&usdhc1 {\n\tstatus = "disabled";', '&usdhc1 {\n\tstatus = "okay";');
    assert.notEqual(seeded, GUEST1_TEXT);
    await client.change(GUEST1, seeded);
    const found = [...client.allDiagnostics().values()].flat().filter((x) => x.code === 'guest-dt-unmapped-device');
    assert.equal(found.length, 1, JSON.stringify(found));
    const d = client.diagnostics(GUEST1).find((x) => x.code === 'guest-dt-unmapped-device')!;
    assert.equal(d.severity, 1);
    assert.equal(d.range.start.line, lineOf(seeded, 'status = "okay"'));
    assert.deepEqual(
      d.relatedInformation?.map((r) => [path.basename(r.location.uri), r.location.range.start.line]),
      [['board.dts', lineOf(BOARD_TEXT, 'usdhc1: mmc@30b40000')]],
    );
    const actions = await client.codeActions(GUEST1, d.range, [d]);
    assert.equal(applyEdits(seeded, actions![0].edit!.changes![uri(GUEST1)]), GUEST1_TEXT);
    // The editor also sends the same finding from the boot's Problems entries: still one fix.
    const twice = await client.codeActions(GUEST1, d.range, [d, { ...d, source: 'dual-guest boot' }]);
    assert.deepEqual(
      twice!.map((a) => a.title),
      ['Disable mmc@30b40000 (status = "disabled")'],
    );
    assert.equal(twice![0].diagnostics?.length, 2);
    await client.change(GUEST1, GUEST1_TEXT);
  });

  it('a finding both guests share is reported once, naming both; the devicetree.checks setting switches cross checks', async () => {
    await client.open(BOARD, BOARD_TEXT);
    const seeded = BOARD_TEXT.replace(
      '\t\t\ti2c1: i2c@30a20000 {',
      '\t\t\tuart2: serial@30890000 {\n\t\t\t\tcompatible = "fsl,imx8mq-uart";\n\t\t\t\treg = <0x30890000 0x10000>;\n\t\t\t};\n\n\t\t\ti2c1: i2c@30a20000 {',
    );
    assert.notEqual(seeded, BOARD_TEXT);
    await client.change(BOARD, seeded);
    const found = (): { message: string; severity?: number }[] =>
      [...client.allDiagnostics().values()].flat().filter((x) => x.code === 'guest-dt-unmapped-device');
    assert.equal(found().length, 1, JSON.stringify(found()));
    assert.match(found()[0].message, /serial@30890000 .* not mapped into 'client_linux-1', 'client_linux-2': the guest faults at boot/);
    await client.configure({ microkitDualGuest: { devicetree: { checks: { 'guest-dt-unmapped-device': 'off' } } } });
    assert.deepEqual(found(), []);
    await client.configure({ microkitDualGuest: { devicetree: { checks: { 'guest-dt-unmapped-device': 'warning' } } } });
    assert.deepEqual(
      found().map((d) => d.severity),
      [2],
    );
    await client.configure({ microkitDualGuest: { devicetree: { checks: {} } } });
    await client.change(BOARD, BOARD_TEXT);
    await client.close(BOARD);
    assert.deepEqual(found(), []);
  });

  it('an edit in the .system refreshes the tree-side finding, and undoing it clears it', async () => {
    await client.open(SYSTEM, SYSTEM_TEXT);
    const seeded = SYSTEM_TEXT.replace('<memory_region name="client_vm_ram_1" size="0xf000000"', '<memory_region name="client_vm_ram_1" size="0xe000000"');
    await client.change(SYSTEM, seeded);
    const memory = client.diagnostics(GUEST1).filter((x) => x.code === 'guest-dt-memory');
    assert.equal(memory.length, 1, JSON.stringify([...client.allDiagnostics()]));
    assert.equal(memory[0].range.start.line, lineOf(GUEST1_TEXT, 'reg = <0x00 0x40000000'));
    await client.change(SYSTEM, SYSTEM_TEXT);
    assert.deepEqual(
      client.diagnostics(GUEST1).filter((x) => x.code === 'guest-dt-memory'),
      [],
    );
  });

  it('interrupts routed through an unmapped controller: the quick fix routes them to the GIC', async () => {
    const lines = SYSTEM_TEXT.split('\n');
    const gpcMap = lines.findIndex((l) => l.includes('<map mr="gpc"'));
    const seeded = lines.filter((_, i) => i !== gpcMap).join('\n');
    await client.change(SYSTEM, seeded);
    const d = client.diagnostics(GUEST1).find((x) => x.code === 'guest-dt-irq-route');
    assert.ok(d, JSON.stringify([...client.allDiagnostics()]));
    assert.equal(d!.range.start.line, lineOf(GUEST1_TEXT, 'virtio-console@150000 {'));
    const actions = await client.codeActions(GUEST1, d!.range, [d!]);
    const fixed = applyEdits(GUEST1_TEXT, actions![0].edit!.changes![uri(GUEST1)]);
    assert.match(fixed, /virtio-console@150000 \{\n\s+interrupt-parent = <&gic>;/);
    await client.change(GUEST1, fixed);
    assert.equal(client.diagnostics(GUEST1).filter((x) => x.code === 'guest-dt-irq-route').length, 0);
    await client.change(GUEST1, GUEST1_TEXT);
    await client.change(SYSTEM, SYSTEM_TEXT);
  });

  it("a project opened through its .system alone keeps its trees' findings while other files come and go", async () => {
    const fresh = await TestClient.start();
    try {
      await fresh.open(
        SYSTEM,
        SYSTEM_TEXT.replace('<memory_region name="client_vm_ram_1" size="0xf000000"', '<memory_region name="client_vm_ram_1" size="0xe000000"'),
      );
      const memory = (): number => fresh.diagnostics(GUEST1).filter((x) => x.code === 'guest-dt-memory').length;
      const trees = async (): Promise<number> => (await fresh.request<unknown[]>('microkitDualGuest/contexts', {})).length;
      assert.equal(memory(), 1);
      assert.equal(await trees(), 2);
      const other = path.join(mkdtempSync(path.join(tmpdir(), 'mkdg-other-')), 'other.dts');
      await fresh.open(other, '/dts-v1/;\n/ { };\n');
      assert.equal(memory(), 1);
      assert.equal(await trees(), 3);
      await fresh.close(other);
      assert.equal(memory(), 1);
      assert.equal(await trees(), 2);
    } finally {
      await fresh.stop();
    }
  });
});
