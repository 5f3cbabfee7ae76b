// Protocol-level tests of the devicetree features on a small base + include + overlay tree with
// seeded mistakes, written to a temporary folder (the server reads unopened files from disk).
import { strict as assert } from 'assert';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { SymbolKind, type Location, type Range, type TextEdit } from 'vscode-languageserver-protocol/node';
import { TestClient, applyEdits, uri } from './client';

const dir = mkdtempSync(path.join(tmpdir(), 'mkdg-dts-'));
const BASE = path.join(dir, 'board.dts');
const SOC = path.join(dir, 'soc.dtsi');
const OVERLAY = path.join(dir, 'board-overlay.dts');

const SOC_TEXT = `/ {
    #address-cells = <1>;
    #size-cells = <1>;
    gic: interrupt-controller@8000000 {
        compatible = "arm,gic-400";
        reg = <0x8000000 0x10000>;
        interrupt-controller;
        #interrupt-cells = <3>;
    };
};
`;
const BASE_TEXT = `/dts-v1/;
#include "soc.dtsi"
/ {
    interrupt-parent = <&gic>;
    uart0: serial {
        compatible = "fsl,imx8mq-uart";
        reg = <0x30860000 0x10000>;
        interrupts = <0 26 4>;
        status = "okay";
    };
};
`;
const OVERLAY_TEXT = `/ {
    chosen {
        stdout-path = &uart0;
    };
};
&uart0 {
    status = "disabled";
};
`;

describe('server: device trees', function () {
  this.timeout(20000);
  let client: TestClient;
  before(async () => {
    writeFileSync(SOC, SOC_TEXT);
    writeFileSync(BASE, BASE_TEXT);
    writeFileSync(OVERLAY, OVERLAY_TEXT);
    client = await TestClient.start();
    await client.open(OVERLAY, OVERLAY_TEXT);
  });
  after(async () => client.stop());

  it('puts an overlay without a header on the base beside it', async () => {
    const contexts = await client.request<{ files: string[]; origin: string }[]>('microkitDualGuest/contexts', {});
    assert.deepEqual(
      contexts.map((c) => c.files),
      [[BASE, OVERLAY]],
    );
    assert.equal(contexts[0].origin, 'guess');
  });

  it('reports the checks with their names as codes, in the file where they belong', async () => {
    const base = client.diagnostics(BASE);
    const unit = base.find((d) => d.code === 'unit_address_vs_reg');
    assert.ok(unit, JSON.stringify(base));
    assert.equal(unit!.range.start.line, 4);
    assert.equal(unit!.source, 'dtc');
    assert.deepEqual(
      client.diagnostics(OVERLAY).filter((d) => d.severity === 1),
      [],
    );
  });

  it('re-checks the tree when an included .dtsi changes', async () => {
    await client.open(SOC, SOC_TEXT);
    await client.change(SOC, SOC_TEXT.replace('gic: interrupt-controller', 'pic: interrupt-controller'));
    const errors = client.diagnostics(BASE).filter((d) => d.severity === 1);
    assert.ok(
      errors.some((d) => d.range.start.line === 3 && /gic/.test(d.message)),
      JSON.stringify(client.diagnostics(BASE)),
    );
    await client.change(SOC, SOC_TEXT);
    assert.deepEqual(
      client.diagnostics(BASE).filter((d) => d.severity === 1),
      [],
    );
    await client.close(SOC);
  });

  it('settings: the linux preset and per-check severities apply at once', async () => {
    const unitAddress = (): number[] =>
      client
        .diagnostics(BASE)
        .filter((d) => d.code === 'unit_address_vs_reg')
        .map((d) => d.severity!);
    assert.deepEqual(unitAddress(), [2]);
    await client.configure({ microkitDualGuest: { devicetree: { checkPreset: 'linux' } } });
    assert.deepEqual(unitAddress(), []);
    await client.configure({ microkitDualGuest: { devicetree: { checkPreset: 'linux', checks: { unit_address_vs_reg: 'error' } } } });
    assert.deepEqual(unitAddress(), [1]);
    await client.configure({ microkitDualGuest: {} });
    assert.deepEqual(unitAddress(), [2]);
  });

  it('a syntax error is positioned and later errors still show', async () => {
    await client.change(
      OVERLAY,
      OVERLAY_TEXT.replace('stdout-path = &uart0;', 'stdout-path = &uart0').replace('status = "disabled";', 'status = "disabled";\n    &nolabel;'),
    );
    const errors = client.diagnostics(OVERLAY).filter((d) => d.severity === 1);
    assert.ok(errors.length >= 1, JSON.stringify(client.diagnostics(OVERLAY)));
    assert.ok(errors.every((d) => d.range.start.line < 10));
    await client.change(OVERLAY, OVERLAY_TEXT);
  });

  it('hovers a node with its merged properties and where each was set or overridden', async () => {
    const h = JSON.stringify((await client.hover(OVERLAY, 5, 3))?.contents); // &uart0
    assert.match(h, /\/serial/);
    assert.match(h, /status = \\"disabled\\"; \/\* set at board.dts:9, overridden at board-overlay.dts:7 \*\//);
  });

  it('hovers reg as address ranges, interrupts as INTIDs, phandles as targets', async () => {
    await client.open(BASE, BASE_TEXT);
    const reg = JSON.stringify((await client.hover(BASE, 6, 9))?.contents);
    assert.match(reg, /0x30860000\.\.0x30870000 \(64 KiB\)\\n/);
    const irq = JSON.stringify((await client.hover(BASE, 7, 9))?.contents);
    assert.match(irq, /SPI 26 = INTID 58, level high/);
    const parent = JSON.stringify((await client.hover(BASE, 3, 9))?.contents);
    assert.match(parent, /→ `\/interrupt-controller@8000000`/);
  });

  it('goes from a reference to every place that makes or changes the node, across files', async () => {
    const locs = await client.definition(OVERLAY, 2, 24);
    assert.deepEqual(
      locs?.map((l) => [l.uri, l.range.start.line]),
      [
        [uri(BASE), 4],
        [uri(OVERLAY), 5],
      ],
    );
    const toGic = await client.definition(BASE, 3, 26);
    assert.deepEqual(
      toGic?.map((l) => [l.uri, l.range.start.line]),
      [[uri(SOC), 3]],
    );
    const include = await client.definition(BASE, 1, 12);
    assert.deepEqual(
      include?.map((l) => l.uri),
      [uri(SOC)],
    );
  });

  it('finds references of a label in every file of the tree', async () => {
    const refs = await client.references(BASE, 4, 6, true);
    const where = refs!.map((l) => `${path.basename(new URL(l.uri).pathname)}:${l.range.start.line}`).sort();
    assert.deepEqual(where, ['board-overlay.dts:2', 'board-overlay.dts:5', 'board.dts:4']);
  });

  it('renames a label across files', async () => {
    assert.deepEqual(await client.prepareRename(OVERLAY, 5, 3), { start: { line: 5, character: 1 }, end: { line: 5, character: 6 } });
    const edit = await client.rename(OVERLAY, 5, 3, 'console_uart');
    assert.equal(applyEdits(BASE_TEXT, edit!.changes![uri(BASE)]).includes('console_uart: serial {'), true);
    const overlay = applyEdits(OVERLAY_TEXT, edit!.changes![uri(OVERLAY)]);
    assert.ok(overlay.includes('stdout-path = &console_uart;') && overlay.includes('&console_uart {'), overlay);
    assert.equal(await client.rename(OVERLAY, 5, 3, 'not a label'), null);
  });

  it('completes labels after &, paths in &{, status values and node and property names', async () => {
    const text = OVERLAY_TEXT + '&\n&{/\n/ { s = "\n    status = "\n    compatible = "\n    \n};\n';
    await client.change(OVERLAY, text);
    const labels = (await client.completion(OVERLAY, 8, 1)).map((i) => i.label);
    assert.ok(labels.includes('uart0') && labels.includes('gic'), labels.join());
    const paths = (await client.completion(OVERLAY, 9, 3)).map((i) => i.label);
    assert.ok(paths.includes('/serial') && paths.includes('/interrupt-controller@8000000'), paths.join());
    assert.deepEqual(
      (await client.completion(OVERLAY, 11, 14)).map((i) => i.label),
      ['okay', 'disabled', 'reserved', 'fail'],
    );
    assert.ok((await client.completion(OVERLAY, 12, 18)).some((i) => i.label === 'fsl,imx8mq-uart'));
    const names = (await client.completion(OVERLAY, 13, 4)).map((i) => i.label);
    assert.ok(names.includes('interrupts') && names.includes('chosen'), names.join());
    // A property whose name only contains "status" takes no status values.
    await client.change(OVERLAY, OVERLAY_TEXT + '/ { my-status = "\n');
    assert.deepEqual(await client.completion(OVERLAY, 8, 17), []);
    // In a file that parses, the property comes from the index (its name is on the line before).
    await client.change(OVERLAY, OVERLAY_TEXT + '/ { x { status =\n  "", "okay"; }; };\n');
    assert.deepEqual(
      (await client.completion(OVERLAY, 9, 7)).map((i) => i.label),
      ['okay', 'disabled', 'reserved', 'fail'],
    );
    await client.change(OVERLAY, OVERLAY_TEXT);
  });

  it('completes a partial label in cells and at the top level, replacing from the & on', async () => {
    const text = OVERLAY_TEXT + '/ { x { clocks = <&ua 1>, <&g>; }; };\n&ua\n&{/se}\n';
    await client.change(OVERLAY, text);
    const lines = text.split('\n');
    const at = (line: number, needle: string): number => lines[line].indexOf(needle) + needle.length;
    for (const [line, typed] of [
      [8, '<&ua'],
      [8, '<&g'],
      [9, '&ua'],
    ] as const) {
      const col = at(line, typed);
      const items = await client.completion(OVERLAY, line, col);
      assert.ok(items.some((i) => i.label === 'uart0') && items.some((i) => i.label === 'gic'), JSON.stringify(items));
      const uart = items.find((i) => i.label === (typed.endsWith('g') ? 'gic' : 'uart0'))!;
      const edit = uart.textEdit as { range: { start: { line: number; character: number }; end: { character: number } }; newText: string };
      const start = col - typed.replace('<', '').length;
      assert.deepEqual([edit.range.start.line, edit.range.start.character, edit.range.end.character], [line, start, col]);
      assert.equal(edit.newText, `&${uart.label}`);
      // VS Code filters the text of the range (`&ua`) against filterText.
      assert.ok(uart.filterText!.startsWith(lines[line].slice(start, col)), uart.filterText);
      assert.equal(lines[line].slice(0, start) + edit.newText + lines[line].slice(col), lines[line].replace(typed.replace('<', ''), `&${uart.label}`));
    }
    // A path: the `}` the editor closed after the cursor is replaced too, and the edit closes it.
    const items = await client.completion(OVERLAY, 10, 5);
    const serial = items.find((i) => i.label === '/serial')!;
    const edit = serial.textEdit as { range: Range; newText: string };
    assert.deepEqual(edit.range, { start: { line: 10, character: 0 }, end: { line: 10, character: 6 } });
    assert.equal(edit.newText, '&{/serial}');
    assert.ok(serial.filterText!.startsWith('&{/se'));
    // An `&` in a string is no reference.
    await client.change(OVERLAY, OVERLAY_TEXT + '/ { x { s = "a&ua' + '\n};\n');
    assert.deepEqual(
      (await client.completion(OVERLAY, 8, 17)).filter((i) => i.label === 'uart0'),
      [],
    );
    await client.change(OVERLAY, OVERLAY_TEXT);
  });

  it('shows labels in the outline and finds nodes by name and label in workspace symbols', async () => {
    await client.open(BASE, BASE_TEXT);
    const base = await client.symbols(BASE);
    assert.deepEqual(
      base[0].children?.filter((c) => c.kind === SymbolKind.Module).map((c) => c.name),
      ['uart0: serial'],
    );
    type Found = { name: string; containerName?: string; location: Location }[];
    const byLabel = await client.request<Found>('workspace/symbol', { query: 'uart0' });
    assert.deepEqual(
      byLabel.map((s) => [s.name, path.basename(new URL(s.location.uri).pathname), s.location.range.start.line]),
      [
        ['uart0: serial', 'board.dts', 4],
        ['&uart0', 'board-overlay.dts', 5],
      ],
    );
    assert.equal(byLabel[0].containerName, '/');
    const byName = await client.request<Found>('workspace/symbol', { query: 'interrupt-controller' });
    assert.deepEqual(
      byName.map((s) => [s.name, path.basename(new URL(s.location.uri).pathname)]),
      [['gic: interrupt-controller@8000000', 'soc.dtsi']],
    );
    assert.deepEqual(await client.request<Found>('workspace/symbol', { query: 'zzzz' }), []);
    // Bounded: a tree with more nodes than the limit gives the limit.
    const big = path.join(mkdtempSync(path.join(tmpdir(), 'mkdg-big-')), 'big.dts');
    const bigText = '/dts-v1/;\n/ {\n' + Array.from({ length: 300 }, (_, i) => `    n${i}: node${i} { };\n`).join('') + '};\n';
    writeFileSync(big, bigText);
    await client.open(big, bigText);
    assert.equal((await client.request<Found>('workspace/symbol', { query: 'node' })).length, 200);
    assert.deepEqual((await client.request<Found>('workspace/symbol', { query: 'n299' })).map((s) => s.name)[0], 'n299: node299');
    await client.close(big);
    await client.close(BASE);
  });

  it('outlines and folds the nodes written in the file', async () => {
    const symbols = await client.symbols(OVERLAY);
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['/', '&uart0'],
    );
    assert.deepEqual(
      symbols[0].children?.map((c) => c.name),
      ['chosen'],
    );
    assert.deepEqual(
      symbols[0].children?.[0].children?.map((c) => c.name),
      ['stdout-path'],
    );
    const folds = await client.folding(OVERLAY);
    assert.ok(
      folds.some((f) => f.startLine === 0 && f.endLine === 3),
      JSON.stringify(folds),
    );
  });

  it("formats to canonical indentation in the file's own unit, keeping comments, and refuses broken text", async () => {
    // The one line indented from its parent's line sets the unit (2 spaces), not the editor's 4.
    const messy = '/ {\n  chosen {   \n\t\t/* the console */\n  stdout-path = &uart0;\n\n\n };\n};\n&uart0 {\nstatus = "disabled"; // off\n};';
    await client.change(OVERLAY, messy);
    const edits = await client.format(OVERLAY);
    assert.equal(
      applyEdits(messy, edits!),
      '/ {\n  chosen {\n    /* the console */\n    stdout-path = &uart0;\n\n  };\n};\n&uart0 {\n  status = "disabled"; // off\n};\n',
    );
    // A tab-indented file stays tabbed, its continuation lines aligned, though the editor asks for 4 spaces.
    const tabbed =
      '/ {\n\tchosen {\n\t\tstdout-path = &uart0;\n\t};\n};\n&uart0 {\n\tclocks = <&uart0 1>,\n\t         <&uart0 2>;\n\tstatus = "disabled";\n};\n';
    await client.change(OVERLAY, tabbed);
    assert.deepEqual(await client.format(OVERLAY), []);
    const shifted = tabbed.replace('\tclocks', '\t\tclocks').replace('\t         <', '\t\t         <');
    await client.change(OVERLAY, shifted);
    assert.equal(applyEdits(shifted, (await client.format(OVERLAY))!), tabbed);
    // Nothing to learn from: the editor's options (4 spaces).
    const flat = '/ {\nchosen {\nstdout-path = &uart0;\n};\n};\n';
    await client.change(OVERLAY, flat);
    assert.equal(applyEdits(flat, (await client.format(OVERLAY))!), '/ {\n    chosen {\n        stdout-path = &uart0;\n    };\n};\n');
    await client.change(OVERLAY, '/ {\n  chosen {\n');
    assert.deepEqual(await client.format(OVERLAY), []);
    await client.change(OVERLAY, OVERLAY_TEXT);
  });

  it('on typing `}` that closes a node: adds its `;`, or replaces the `}` of an auto-closed `};`', async () => {
    const onType = (line: number, character: number): Promise<TextEdit[] | null> =>
      client.request('textDocument/onTypeFormatting', {
        textDocument: { uri: uri(OVERLAY) },
        position: { line, character },
        ch: '}',
        options: { tabSize: 4, insertSpaces: true },
      });
    const typed = async (text: string, line: number, character: number): Promise<string> => {
      await client.change(OVERLAY, text);
      return applyEdits(text, (await onType(line, character)) ?? []);
    };
    // A `}` typed on its own line.
    assert.equal(await typed('/ {\n    chosen {\n    }\n};\n', 2, 5), '/ {\n    chosen {\n    };\n};\n');
    // Typed inside the `{|};` the editor closed: `chosen {}};` becomes `chosen {};`.
    assert.equal(await typed('/ {\n    chosen {}};\n};\n', 1, 13), '/ {\n    chosen {};\n};\n');
    assert.equal(await typed('&uart0 { status = "okay"; }};\n', 0, 27), '&uart0 { status = "okay"; };\n');
    // Already followed by its `;`; the `}` of a path reference, of a string, of a comment: nothing.
    for (const [text, line, upTo] of [
      ['/ {\n    chosen {\n    };\n};\n', 2, '    }'],
      ['/ {\n    chosen { stdout-path = &{/chosen}; };\n};\n', 1, '&{/chosen}'],
      ['/ {\n    chosen { s = "}"; };\n};\n', 1, '"}'],
      ['/ {\n    // }\n};\n', 1, '// }'],
    ] as const) {
      await client.change(OVERLAY, text);
      const col = text.split('\n')[line].indexOf(upTo) + upTo.length;
      assert.equal(text.split('\n')[line][col - 1], '}', `${text} ${line}:${col}`);
      assert.deepEqual(await onType(line, col), [], text);
    }
    await client.change(OVERLAY, OVERLAY_TEXT);
  });

  it('offers the unit address from reg as a quick fix', async () => {
    const d = client.diagnostics(BASE).find((x) => x.code === 'unit_address_vs_reg')!;
    const actions = await client.codeActions(BASE, d.range, [d]);
    assert.equal(actions?.length, 1);
    const fixed = applyEdits(BASE_TEXT, actions![0].edit!.changes![uri(BASE)]);
    assert.ok(fixed.includes('uart0: serial@30860000 {'), fixed);
  });

  it('a lone fragment (.dtsi nothing includes) gets no false error, and its outline', async () => {
    const lone = path.join(mkdtempSync(path.join(tmpdir(), 'mkdg-lone-')), 'pins.dtsi');
    const text = '&iomuxc {\n    pinctrl_uart: uartgrp { fsl,pins = <1 2 3>; };\n};\n/ {\n    leds { compatible = "gpio-leds"; };\n};\n';
    writeFileSync(lone, text);
    await client.open(lone, text);
    assert.deepEqual(
      client.diagnostics(lone).filter((d) => d.severity === 1),
      [],
    );
    assert.deepEqual(
      (await client.symbols(lone)).map((s) => s.name),
      ['&iomuxc', '/'],
    );
    await client.change(lone, text.replace('leds {', 'leds {{'));
    assert.ok(
      client.diagnostics(lone).some((d) => d.severity === 1 && d.range.start.line === 4),
      JSON.stringify(client.diagnostics(lone)),
    );
    await client.close(lone);
  });

  it('hovers a macro use with its definition and goes to it', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'mkdg-macro-')), 'macro.dts');
    const text = '/dts-v1/;\n#define IRQ_TYPE_LEVEL_HIGH 4\n#define SPI(n) (n)\n/ {\n    n { interrupts = <0 SPI(42) IRQ_TYPE_LEVEL_HIGH>; };\n};\n';
    writeFileSync(file, text);
    await client.open(file, text);
    const line = text.split('\n')[4];
    const h = JSON.stringify((await client.hover(file, 4, line.indexOf('IRQ_TYPE') + 3))?.contents);
    assert.match(h, /#define IRQ_TYPE_LEVEL_HIGH 4/);
    assert.match(JSON.stringify((await client.hover(file, 4, line.indexOf('SPI') + 1))?.contents), /#define SPI\(n\) \(n\)/);
    const def = await client.definition(file, 4, line.indexOf('IRQ_TYPE') + 3);
    assert.deepEqual(
      def?.map((l) => [l.range.start.line, l.range.start.character]),
      [[1, 8]],
    );
    await client.close(file);
  });

  it("hovers reg through the buses' ranges to the CPU address", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'mkdg-bus-')), 'bus.dts');
    const text =
      '/dts-v1/;\n/ {\n    #address-cells = <1>;\n    #size-cells = <1>;\n    bus@40000000 {\n        compatible = "simple-bus";\n        #address-cells = <1>;\n        #size-cells = <1>;\n        ranges = <0x0 0x40000000 0x100000>;\n        dev@1000 { reg = <0x1000 0x100>; };\n    };\n};\n';
    writeFileSync(file, text);
    await client.open(file, text);
    const h = JSON.stringify((await client.hover(file, 9, text.split('\n')[9].indexOf('reg') + 1))?.contents);
    assert.match(h, /0x1000\.\.0x1100 \(256 bytes\), at 0x40001000 from the CPU/);
    await client.close(file);
  });

  it('goes from a phandle written as a number to the node that has it', async () => {
    const file = path.join(path.dirname(BASE), 'explicit-phandles.dts');
    const text =
      '/dts-v1/;\n/ {\n    intc {\n        phandle = <0x7>;\n        interrupt-controller;\n        #interrupt-cells = <1>;\n    };\n    dev {\n        interrupt-parent = <0x7>;\n    };\n};\n';
    await client.open(file, text);
    const locs = await client.definition(file, 8, 29);
    assert.deepEqual(
      locs?.map((l) => [l.uri, l.range.start.line]),
      [[uri(file), 2]],
    );
    assert.deepEqual((await client.definition(file, 5, 28)) ?? [], []);
    await client.close(file);
  });

  it('analyses an untitled devicetree buffer', async () => {
    const untitled = 'untitled:Untitled-1';
    await client.openUri(untitled, 'devicetree', '/dts-v1/;\n/ { a = <1> };\n');
    assert.ok(client.diagnosticsOfUri(untitled).some((d) => d.severity === 1));
    const symbols = await client.connection.sendRequest<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri: untitled } });
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['/'],
    );
  });

  it('survives every request on an empty and on a garbage buffer', async () => {
    for (const text of ['', '}}}{{{ &&& /delete-node/ ;;; "unterminated', '/dts-v1/;\n/ { a = <(1/0)>; };']) {
      await client.change(OVERLAY, text);
      await client.hover(OVERLAY, 0, 2);
      await client.completion(OVERLAY, 0, 2);
      await client.definition(OVERLAY, 0, 2);
      await client.symbols(OVERLAY);
      await client.folding(OVERLAY);
    }
    assert.deepEqual(client.loggedErrors(), []);
    await client.change(OVERLAY, OVERLAY_TEXT);
  });
});
