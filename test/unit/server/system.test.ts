// Protocol-level tests of the .system features, on small files with seeded mistakes.
import { strict as assert } from 'assert';
import { TestClient, applyEdits, uri } from './client';

const FILE = '/tmp/microkit-server-test/example.system';
const TEXT = `<?xml version="1.0" encoding="UTF-8"?>
<system>
    <memory_region name="uart" size="0x10000" phys_addr="0x30860000" />
    <memory_region name="guest_ram" size="0xf000000" page_size="0x200000" />
    <memory_region name="unused" size="0x1000" />
    <protection_domain name="uart_driver" priority="100">
        <program_image path="uart_driver.elf" />
        <map mr="uart" vaddr="0x5000000" perms="rw" cached="false" />
        <irq irq="58" id="0" />
    </protection_domain>
    <protection_domain name="vmm" priority="50">
        <program_image path="vmm.elf" />
        <map mr="guest_ram" vaddr="0x20000000" />
        <virtual_machine name="linux" priority="1">
            <vcpu id="0" />
            <map mr="guest_ram" vaddr="0x40000000" perms="rwx" />
        </virtual_machine>
    </protection_domain>
    <channel>
        <end pd="uart_driver" id="1" />
        <end pd="vmm" id="1" />
    </channel>
</system>
`;

describe('server: .system files', function () {
  this.timeout(20000);
  let client: TestClient;
  before(async () => {
    client = await TestClient.start();
    await client.open(FILE, TEXT);
  });
  after(async () => client.stop());

  it('publishes the microkit rules as diagnostics and refreshes them on edit', async () => {
    const unused = client.diagnostics(FILE).filter((d) => d.message.includes('unused'));
    assert.equal(unused.length, 1, JSON.stringify(client.diagnostics(FILE)));
    assert.equal(unused[0].range.start.line, 4);
    assert.equal(client.diagnostics(FILE).filter((d) => d.severity === 1).length, 0, JSON.stringify(client.diagnostics(FILE)));
    // Seed a duplicate channel id: the end on line 20 now repeats id 0 of the IRQ in uart_driver.
    await client.change(FILE, TEXT.replace('<end pd="uart_driver" id="1" />', '<end pd="uart_driver" id="0" />'));
    const errors = client.diagnostics(FILE).filter((d) => d.severity === 1);
    assert.ok(errors.length >= 1, JSON.stringify(client.diagnostics(FILE)));
    assert.ok(
      errors.some((d) => d.range.start.line === 19 || d.range.start.line === 8),
      JSON.stringify(errors),
    );
    await client.change(FILE, TEXT);
    assert.equal(client.diagnostics(FILE).filter((d) => d.severity === 1).length, 0);
  });

  it('reports malformed XML at a position, without crashing', async () => {
    await client.change(FILE, TEXT.replace('<channel>', '<channel'));
    const errors = client.diagnostics(FILE).filter((d) => d.severity === 1);
    assert.ok(errors.length >= 1);
    assert.ok((await client.hover(FILE, 2, 25)) !== undefined);
    await client.change(FILE, TEXT);
    assert.deepEqual(client.loggedErrors(), []);
  });

  it('hovers a region use with its size in human units and who maps it', async () => {
    const h = await client.hover(FILE, 12, 19); // mr="guest_ram" in the VMM's map
    const text = JSON.stringify(h?.contents);
    assert.match(text, /240 MiB/);
    assert.match(text, /PD `vmm` at 0x20000000/);
    assert.match(text, /VM `linux` at 0x40000000/);
  });

  it('hovers sizes and priorities', async () => {
    assert.match(JSON.stringify((await client.hover(FILE, 2, 40))?.contents), /64 KiB/); // size="0x10000"
    const prio = JSON.stringify((await client.hover(FILE, 5, 52))?.contents);
    assert.match(prio, /priority 100/);
    assert.match(prio, /`vmm` \(50\)/);
  });

  it('goes from map mr= to its memory_region and from end pd= to its protection_domain', async () => {
    const toMr = await client.definition(FILE, 7, 18);
    assert.deepEqual(
      toMr?.map((l) => [l.uri, l.range.start.line, l.range.start.character]),
      [[uri(FILE), 2, 25]],
    );
    const toPd = await client.definition(FILE, 20, 19);
    assert.deepEqual(
      toPd?.map((l) => l.range.start.line),
      [10],
    );
  });

  it('finds every reference of a region', async () => {
    const refs = await client.references(FILE, 3, 26, true);
    assert.deepEqual(
      refs?.map((l) => l.range.start.line).sort((a, b) => a - b),
      [3, 12, 15],
    );
    const usesOnly = await client.references(FILE, 3, 26, false);
    assert.equal(usesOnly?.length, 2);
  });

  it('renames a region and a PD everywhere', async () => {
    const range = await client.prepareRename(FILE, 3, 26);
    assert.deepEqual(range, { start: { line: 3, character: 25 }, end: { line: 3, character: 34 } });
    const edit = await client.rename(FILE, 3, 26, 'vm_ram');
    const renamed = applyEdits(TEXT, edit!.changes![uri(FILE)]);
    assert.equal(renamed.split('"vm_ram"').length - 1, 3);
    assert.ok(!renamed.includes('guest_ram'));
    const pdEdit = await client.rename(FILE, 5, 30, 'serial_driver');
    assert.equal(applyEdits(TEXT, pdEdit!.changes![uri(FILE)]).split('"serial_driver"').length - 1, 2);
  });

  it('completes elements, attributes, and region and PD names', async () => {
    const probe = TEXT.replace(
      '        <irq irq="58" id="0" />',
      '        <irq irq="58" id="0" />\n        <\n        <map \n        <map mr="\n        <end pd="',
    );
    await client.change(FILE, probe);
    const labels = async (line: number, col: number): Promise<string[]> => (await client.completion(FILE, line, col)).map((i) => i.label);
    const elements = await labels(9, 9);
    assert.ok(elements.includes('map') && elements.includes('virtual_machine') && !elements.includes('memory_region'), elements.join());
    const attrs = await labels(10, 13);
    assert.ok(attrs.includes('mr') && attrs.includes('perms'), attrs.join());
    assert.deepEqual(await labels(11, 17), ['uart', 'guest_ram', 'unused']);
    assert.deepEqual(await labels(12, 17), ['uart_driver', 'vmm']);
    await client.change(FILE, TEXT);
  });

  it('outlines regions, PDs with their maps and VM, and channels', async () => {
    const symbols = await client.symbols(FILE);
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['uart', 'guest_ram', 'unused', 'uart_driver', 'vmm', 'uart_driver ⇄ vmm'],
    );
    const vmm = symbols.find((s) => s.name === 'vmm')!;
    assert.deepEqual(
      vmm.children?.map((c) => c.name),
      ['map guest_ram', 'linux'],
    );
    assert.deepEqual(
      vmm.children?.[1].children?.map((c) => c.name),
      ['map guest_ram'],
    );
  });

  it('folds multi-line elements', async () => {
    const folds = await client.folding(FILE);
    assert.ok(
      folds.some((f) => f.startLine === 5 && f.endLine === 8),
      JSON.stringify(folds),
    );
    assert.ok(folds.some((f) => f.startLine === 1));
  });

  it('clears the diagnostics of a closed file', async () => {
    await client.close(FILE);
    assert.deepEqual(client.diagnostics(FILE), []);
    await client.open(FILE, TEXT);
    assert.ok(client.diagnostics(FILE).length > 0);
  });
});
