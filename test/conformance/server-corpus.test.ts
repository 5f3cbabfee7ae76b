// The language server on the real corpus: opening sel4devkit-dual gives no false error, every
// .system and tree of the corpus opens without a server failure, and the features answer on real files.
import { strict as assert } from 'assert';
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { TestClient, applyEdits, uri } from '../unit/server/client';
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
    for (const [file, list] of client.allDiagnostics())
      for (const d of list) if (d.severity === 1) errors.push(`${file}:${d.range.start.line + 1}: ${d.code} ${d.message}`);
    assert.deepEqual(errors, []);
    const contexts = await client.request<{ files: string[]; origin: string }[]>('microkitDualGuest/contexts', {});
    assert.ok(
      contexts.some((c) => c.origin === 'project' && c.files.map((f) => path.basename(f)).join('+') === 'maaxboard.dts+maaxboard-overlay.dts'),
      JSON.stringify(contexts),
    );
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
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['/'],
    );
    const system = path.join(dir, 'program.system');
    const sysText = readFileSync(system, 'utf8').split('\n');
    const mapLine = sysText.findIndex((l) => l.includes('<map mr='));
    const def = await client.definition(system, mapLine, sysText[mapLine].indexOf('mr="') + 5);
    assert.equal(def?.length, 1);
    assert.equal(def![0].uri, uri(system));
  });

  it("libvmm-virtio-two-clients: a client's overlay opened in its dts/ folder is analysed in the tree the build makes, with no error", async () => {
    const fresh = await TestClient.start();
    try {
      const c = (...p: string[]) => corpusPath('libvmm-virtio-two-clients', ...p);
      await open(fresh, c('client_vm_2', 'dts', 'virtio.dts'));
      const contexts = await fresh.request<{ files: string[]; origin: string; vm?: string }[]>('microkitDualGuest/contexts', {});
      const mine = contexts.find((x) => x.files.includes(c('client_vm_2', 'dts', 'virtio.dts')));
      assert.deepEqual(
        [mine?.origin, mine?.vm, mine?.files.map((f) => path.relative(c(), f))],
        ['project', 'client_linux-2', ['client_vm_1/dts/linux.dts', 'client_vm_2/dts/init.dts', 'client_vm_2/dts/virtio.dts']],
      );
      const errors = [...fresh.allDiagnostics()].flatMap(([u, list]) =>
        list.filter((d) => d.severity === 1).map((d) => `${u}:${d.range.start.line + 1} ${d.message}`),
      );
      assert.deepEqual(errors, []);
      // The virtio_blk node is a block device the VMM emulates: no finding names it.
      assert.deepEqual(
        [...fresh.allDiagnostics().values()].flat().filter((d) => d.message.includes('virtio_blk') && String(d.code).startsWith('guest-')),
        [],
      );
    } finally {
      await fresh.stop();
    }
  });

  it('symbols on the real MaaXBoard tree: labels in the outline, workspace symbols by label in files that exist', async () => {
    const tree = corpusPath('sel4devkit-dual', 'maaxboard.dts');
    const lines = readFileSync(tree, 'utf8').split('\n');
    const names: string[] = [];
    const walk = (list: { name: string; children?: unknown[] }[]): void => {
      for (const s of list) {
        names.push(s.name);
        walk((s.children ?? []) as typeof list);
      }
    };
    walk(await client.symbols(tree));
    assert.ok(names.includes('uart1: serial@30860000'), names.slice(0, 20).join());
    type Found = { name: string; location: { uri: string; range: { start: { line: number } } } }[];
    const found = await client.request<Found>('workspace/symbol', { query: 'uart1' });
    const sites = found
      .filter((s) => s.name === 'uart1: serial@30860000' || s.name === '&uart1')
      .map((s) => [s.name, s.location.uri, lines[s.location.range.start.line].trim()]);
    assert.deepEqual(sites, [
      ['uart1: serial@30860000', uri(tree), 'uart1: serial@30860000 {'],
      ['&uart1', uri(tree), '&uart1 {'],
    ]);
    // Every symbol points into a file the user can open (the markers' tmp/linux-imx/... paths are not on disk).
    for (const s of await client.request<Found>('workspace/symbol', { query: '' })) assert.ok(existsSync(new URL(s.location.uri)), s.location.uri);
  });

  it('every tree and .system of the corpus opens without a server failure', async () => {
    const files = [
      ['sel4devkit-single', 'program.system'],
      ['sel4devkit-single', 'maaxboard-overlay.dts'],
      ['libvmm-simple-qemu', 'simple.system'],
      ['libvmm-simple-qemu', 'linux.dts'],
      ['libvmm-simple-qemu', 'overlay.dts'],
      ['libvmm-virtio-two-clients', 'virtio.system'],
      ['libvmm-virtio-two-clients', 'client_vm_1', 'dts', 'virtio.dts'],
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
    const errors = [...client.allDiagnostics()].flatMap(([u, list]) =>
      list.filter((d) => d.severity === 1).map((d) => `${u}:${d.range.start.line + 1} ${d.message}`),
    );
    assert.deepEqual(errors, []);
    // The header-less overlay of sel4devkit-single has no base beside it: it is a fragment, with no check warnings.
    assert.deepEqual(client.diagnostics(corpusPath('sel4devkit-single', 'maaxboard-overlay.dts')), []);
  });

  it('quick fix on a real file: the leading zero of virtio-console@0130000', async () => {
    const file = corpusPath('libvmm-virtio-two-clients', 'client_vm_1', 'dts', 'virtio.dts');
    const text = readFileSync(file, 'utf8');
    await open(client, file);
    const d = client.diagnostics(file).find((x) => x.code === 'unit_address_format' && x.message.includes('virtio-console'));
    assert.ok(d, JSON.stringify(client.diagnostics(file)));
    const actions = await client.codeActions(file, d!.range, [d!]);
    assert.equal(actions?.length, 1);
    const edits = actions![0].edit!.changes![uri(file)];
    assert.deepEqual(
      edits.map((e) => e.newText),
      ['virtio-console@130000'],
    );
    assert.equal(text.split('\n')[edits[0].range.start.line].slice(edits[0].range.start.character, edits[0].range.end.character), 'virtio-console@0130000');
  });

  it('references, definition and rename on the real MaaXBoard tree (cpp output whose line markers name missing files)', async () => {
    const dir = corpusPath('sel4devkit-dual');
    const base = path.join(dir, 'maaxboard.dts');
    const lines = readFileSync(base, 'utf8').split('\n');
    // Positions are the lines of maaxboard.dts itself: its markers name tmp/linux-imx/... which is not on disk.
    const labelLine = lines.findIndex((l) => /^\s*clk: clock-controller@30380000/.test(l));
    const useLine = lines.findIndex((l) => l.includes('<&clk '));
    const def = await client.definition(base, useLine, lines[useLine].indexOf('&clk') + 2);
    // Every place that makes or changes the node: its definition, and the overlay's reopening of it.
    const overlayLine = readFileSync(path.join(dir, 'maaxboard-overlay.dts'), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('clock-controller@30380000 {'));
    assert.deepEqual(
      def?.map((l) => [l.uri, l.range.start.line]),
      [
        [uri(base), labelLine],
        [uri(path.join(dir, 'maaxboard-overlay.dts')), overlayLine],
      ],
    );
    const refs = await client.references(base, labelLine, lines[labelLine].indexOf('clk') + 1, false);
    assert.equal(refs?.length, 297);
    const range = await client.prepareRename(base, labelLine, lines[labelLine].indexOf('clk') + 1);
    assert.deepEqual(range?.start, { line: labelLine, character: lines[labelLine].indexOf('clk') });
    const edit = await client.rename(base, labelLine, lines[labelLine].indexOf('clk') + 1, 'ccm');
    assert.equal(edit!.changes![uri(base)].length, 298);
    const hover = JSON.stringify((await client.hover(base, labelLine, lines[labelLine].indexOf('clock-controller') + 2))?.contents);
    assert.match(hover, /\/soc@0\/bus@30000000\/clock-controller@30380000/);
    assert.match(hover, /status = \\"disabled\\"; \/\* set at maaxboard-overlay\.dts:121 \*\//);
    assert.match(hover, /assigned-clocks = <&\{\/soc@0\/bus@30000000\/clock-controller@30380000\} 0x58 /);
    assert.match(hover, /phandle = <0x2>; \/\* added by the compiler \*\//);
  });

  it('completion on the real tree and .system: labels, paths, compatibles, region and PD names', async () => {
    const dir = corpusPath('sel4devkit-dual');
    const overlay = path.join(dir, 'maaxboard-overlay.dts');
    const text = readFileSync(overlay, 'utf8');
    await client.change(overlay, text + '&\n&{/soc@0/\n/ { x { compatible = "\n');
    const n = text.split('\n').length - 1;
    const labels = (await client.completion(overlay, n, 1)).map((i) => i.label);
    for (const l of ['gic', 'gpc', 'uart1', 'clk']) assert.ok(labels.includes(l), l);
    const paths = (await client.completion(overlay, n + 1, 9)).map((i) => i.label);
    assert.ok(paths.includes('/soc@0/bus@30000000/gpc@303a0000'));
    const compatibles = (await client.completion(overlay, n + 2, 23)).map((i) => i.label);
    assert.ok(compatibles.includes('fsl,imx8mq-gpc') && compatibles.includes('virtio,mmio'));
    await client.change(overlay, text);
    const system = path.join(dir, 'program.system');
    const sys = readFileSync(system, 'utf8');
    const lines = sys.split('\n');
    const at = lines.findIndex((l) => l.includes('<map mr="'));
    const col = lines[at].indexOf('mr="') + 4;
    const probe = lines.map((l, i) => (i === at ? l.slice(0, col) : l)).join('\n');
    await client.change(system, probe);
    const regions = (await client.completion(system, at, col)).map((i) => i.label);
    assert.ok(regions.length >= 10 && regions.includes('uart'), regions.join());
    await client.change(system, sys);
  });

  it('formatting a real overlay changes only layout: the same findings before and after', async () => {
    const overlay = corpusPath('sel4devkit-dual', 'maaxboard-overlay.dts');
    const text = readFileSync(overlay, 'utf8');
    await client.change(overlay, text);
    const findings = (): string[] =>
      [...client.allDiagnostics().values()]
        .flat()
        .map((d) => `${d.code} ${d.message}`)
        .sort();
    const before = findings();
    const edits = await client.format(overlay);
    assert.ok(edits && edits.length > 0, 'the overlay mixes tabs and spaces: formatting changes it');
    const formatted = applyEdits(text, edits!);
    await client.change(overlay, formatted);
    assert.deepEqual(findings(), before);
    assert.deepEqual(await client.format(overlay), [], 'formatting is idempotent');
    await client.change(overlay, text);
  });
});
