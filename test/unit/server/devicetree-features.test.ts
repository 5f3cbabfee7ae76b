// Protocol-level tests of semantic tokens, syntax quick fixes, every definition site, type
// definition, document links and signature help, on a small vendor-style tree written to a
// temporary folder: a board that #includes an SoC .dtsi and a dt-bindings header with macros,
// /include/s a second fragment, reads a blob with /incbin/, and is amended by an overlay.
import { strict as assert } from 'assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import type { CodeAction, Diagnostic, DocumentLink, Location, SignatureHelp } from 'vscode-languageserver-protocol/node';
import { TOKEN_MODIFIERS, TOKEN_TYPES } from '../../../src/server/devicetree/semantic-tokens';
import { TestClient, applyEdits, lineOf, uri } from './client';

const dir = mkdtempSync(path.join(tmpdir(), 'mkdg-dts-features-'));
const HEADER = path.join(dir, 'include', 'dt-bindings', 'clock', 'soc-clock.h');
const SOC = path.join(dir, 'soc.dtsi');
const PINS = path.join(dir, 'pins.dtsi');
const BLOB = path.join(dir, 'blob.bin');
const BOARD = path.join(dir, 'board.dts');
const OVERLAY = path.join(dir, 'board-overlay.dts');
const BROKEN = path.join(dir, 'broken', 'broken.dts');

const HEADER_TEXT = `#ifndef SOC_CLOCK_H
#define SOC_CLOCK_H
#define CLK_UART 7
#define CLK_GPIO (CLK_UART + 1)
#endif
`;
const SOC_TEXT = `#include <dt-bindings/clock/soc-clock.h>
#define GIC_SPI 0
/ {
    #address-cells = <1>;
    #size-cells = <1>;
    gic: interrupt-controller@8000000 {
        compatible = "arm,gic-400";
        reg = <0x8000000 0x10000>;
        interrupt-controller;
        #interrupt-cells = <3>;
    };
    clk: clock-controller@30380000 {
        reg = <0x30380000 0x10000>;
        #clock-cells = <1>;
    };
    gpio1: gpio@30200000 {
        reg = <0x30200000 0x10000>;
        gpio-controller;
        #gpio-cells = <2>;
        clocks = <&clk CLK_GPIO>;
    };
    uart0: serial@30860000 {
        compatible = "fsl,imx8mq-uart";
        reg = <0x30860000 0x10000>;
        interrupt-parent = <&gic>;
        interrupts = <GIC_SPI 26 4>;
        clocks = <&clk CLK_UART>, <&clk 2>;
        clock-names = "ipg", "per";
        status = "disabled";
    };
};
`;
const PINS_TEXT = `/ {
    leds {
        led-gpios = <&gpio1 3 1>;
    };
};
`;
const BOARD_TEXT = `/dts-v1/;
#include "soc.dtsi"
/include/ "pins.dtsi"
/ {
    firmware {
        blob = /incbin/("blob.bin");
    };
};
&uart0 {
    clocks = <&clk CLK_UART>;
    status = "okay";
};
`;
const OVERLAY_TEXT = `&{/serial@30860000} {
    clock-names = "ipg";
};
`;
const BROKEN_TEXT = `/dts-v1/;
/ {
    a = <1 2;
    b = <3>
    n {
        c;
`;

describe('server: device-tree features (tokens, fixes, navigation, links, signatures)', function () {
  this.timeout(20000);
  let client: TestClient;
  before(async () => {
    mkdirSync(path.dirname(HEADER), { recursive: true });
    mkdirSync(path.dirname(BROKEN), { recursive: true });
    writeFileSync(HEADER, HEADER_TEXT);
    writeFileSync(SOC, SOC_TEXT);
    writeFileSync(PINS, PINS_TEXT);
    writeFileSync(BLOB, 'abcd');
    writeFileSync(BOARD, BOARD_TEXT);
    writeFileSync(OVERLAY, OVERLAY_TEXT);
    writeFileSync(BROKEN, BROKEN_TEXT);
    client = await TestClient.start();
    await client.open(BOARD, BOARD_TEXT);
    await client.open(OVERLAY, OVERLAY_TEXT);
    await client.open(SOC, SOC_TEXT);
  });
  after(async () => client.stop());

  type Token = { text: string; type: string; modifiers: string[] };
  async function tokens(file: string, text: string): Promise<Token[]> {
    const legend = { tokenTypes: TOKEN_TYPES, tokenModifiers: TOKEN_MODIFIERS };
    const r = await client.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri: uri(file) } });
    const lines = text.split('\n');
    const out: Token[] = [];
    let line = 0,
      col = 0;
    for (let i = 0; i < r.data.length; i += 5) {
      const [dl, dc, len, type, mods] = r.data.slice(i, i + 5);
      line += dl;
      col = dl ? dc : col + dc;
      out.push({ text: lines[line].slice(col, col + len), type: legend.tokenTypes[type], modifiers: legend.tokenModifiers.filter((_, b) => mods & (1 << b)) });
    }
    return out;
  }

  it('semantic tokens: labels, references, node names, unit addresses, properties, cells by role, macros, directives', async () => {
    const t = await tokens(SOC, SOC_TEXT);
    const find = (text: string, type: string): Token | undefined => t.find((x) => x.text === text && x.type === type);
    assert.ok(find('#include', 'keyword'));
    assert.deepEqual(find('clk', 'variable')?.modifiers, ['declaration']);
    assert.deepEqual(find('clock-controller', 'class')?.modifiers, ['declaration']);
    assert.ok(find('30380000', 'number'));
    assert.ok(find('&clk', 'variable'));
    assert.ok(find('CLK_GPIO', 'macro'));
    // `interrupts` cells are the GIC's specifier arguments; `reg` cells are plain numbers.
    assert.ok(find('26', 'parameter'));
    assert.ok(find('0x30380000', 'number'));
    // A clock specifier's argument written as a number.
    assert.ok(find('2', 'parameter'));
    // The base's uart0 `clocks` and `status` are replaced by the board's `&uart0 { }`: deprecated.
    const clocks = t.filter((x) => x.text === 'clocks' && x.type === 'property');
    assert.deepEqual(
      clocks.map((x) => x.modifiers),
      [['declaration'], ['declaration', 'deprecated']],
    );
    assert.deepEqual(
      t.filter((x) => x.type === 'macro').map((x) => [x.text, x.modifiers]),
      [
        ['GIC_SPI', ['declaration']],
        ['CLK_GPIO', []],
        ['GIC_SPI', []],
        ['CLK_UART', []],
      ],
    );
    assert.deepEqual(
      t.filter((x) => x.type === 'keyword').map((x) => x.text),
      ['#include', '#define'],
    );
    // Tokens are sorted and never overlap (the protocol's relative encoding would reject it).
    const raw = await client.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri: uri(SOC) } });
    for (let i = 5; i < raw.data.length; i += 5) assert.ok(raw.data[i] > 0 || raw.data[i + 1] >= raw.data[i - 3], `token ${i / 5} overlaps the one before`);
  });

  it('semantic tokens: a delta after an edit, and a range', async () => {
    const full = await client.request<{ resultId: string; data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri: uri(BOARD) } });
    assert.ok(full.resultId && full.data.length > 0);
    const edited = BOARD_TEXT.replace('status = "okay";', 'status = "okay";\n    extra = <5>;');
    await client.change(BOARD, edited);
    const delta = await client.request<{ edits?: { start: number; deleteCount: number; data?: number[] }[]; data?: number[] }>(
      'textDocument/semanticTokens/full/delta',
      { textDocument: { uri: uri(BOARD) }, previousResultId: full.resultId },
    );
    assert.ok(delta.edits && delta.edits.length > 0, JSON.stringify(delta));
    const range = await client.request<{ data: number[] }>('textDocument/semanticTokens/range', {
      textDocument: { uri: uri(BOARD) },
      range: { start: { line: 8, character: 0 }, end: { line: 9, character: 0 } },
    });
    assert.equal(range.data[0], 8, 'the first token of the range is on its first line');
    await client.change(BOARD, BOARD_TEXT);
  });

  it('quick fixes insert exactly what the parser assumed: a missing ;, > and };, and fix all', async () => {
    await client.open(BROKEN, BROKEN_TEXT);
    const diags = client.diagnostics(BROKEN).filter((d) => d.code === 'syntax');
    assert.deepEqual(
      diags.map((d) => d.message),
      ["syntax error: missing '}' (unclosed '{')", "syntax error: missing '>'", "syntax error: missing ';'", "syntax error: missing '}' (unclosed '{')"],
    );
    const one = await client.codeActions(BROKEN, diags[1].range, [diags[1]]);
    assert.deepEqual(
      one?.map((a) => a.title),
      ["Insert '>'", 'Fix all 4 syntax errors in this file', 'Fix all syntax errors (4)'],
    );
    assert.equal(applyEdits(BROKEN_TEXT, one![0].edit!.changes![uri(BROKEN)]).split('\n')[2], '    a = <1 2>;');
    const all = applyEdits(BROKEN_TEXT, one![1].edit!.changes![uri(BROKEN)]);
    assert.equal(
      all,
      `/dts-v1/;
/ {
    a = <1 2>;
    b = <3>;
    n {
        c;
    };
};
`,
    );
    // The fixed text parses cleanly.
    await client.change(BROKEN, all);
    assert.deepEqual(
      client.diagnostics(BROKEN).filter((d: Diagnostic) => d.severity === 1),
      [],
    );
    // source.fixAll alone, as editor.codeActionsOnSave asks for it.
    await client.change(BROKEN, BROKEN_TEXT);
    const onSave = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: uri(BROKEN) },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    assert.deepEqual(
      onSave.map((a) => [a.kind, applyEdits(BROKEN_TEXT, a.edit!.changes![uri(BROKEN)]) === all]),
      [['source.fixAll', true]],
    );
    await client.close(BROKEN);
  });

  it('definition and declaration list every place that makes or changes the node: base, &label { }, &{/path} { }', async () => {
    const line = lineOf(SOC_TEXT, 'uart0: serial@30860000');
    const expected = [
      [uri(SOC), line],
      [uri(BOARD), lineOf(BOARD_TEXT, '&uart0 {')],
      [uri(OVERLAY), 0],
    ];
    for (const method of ['textDocument/definition', 'textDocument/declaration']) {
      const locs = await client.request<Location[]>(method, {
        textDocument: { uri: uri(SOC) },
        position: { line, character: SOC_TEXT.split('\n')[line].indexOf('serial') + 1 },
      });
      assert.deepEqual(
        locs.map((l) => [l.uri, l.range.start.line]),
        expected,
        method,
      );
    }
  });

  it('type definition goes from a phandle or a specifier argument to its provider node', async () => {
    const lines = SOC_TEXT.split('\n');
    const at = lineOf(SOC_TEXT, 'clocks = <&clk CLK_UART>, <&clk 2>;');
    const clk = lineOf(SOC_TEXT, 'clk: clock-controller');
    for (const col of [lines[at].indexOf('&clk') + 1, lines[at].indexOf('2>')]) {
      const locs = await client.request<Location[]>('textDocument/typeDefinition', { textDocument: { uri: uri(SOC) }, position: { line: at, character: col } });
      assert.deepEqual(
        locs.map((l) => [l.uri, l.range.start.line]),
        [[uri(SOC), clk]],
        `column ${col}`,
      );
    }
    const irq = lineOf(SOC_TEXT, 'interrupts = <GIC_SPI 26 4>');
    const gic = await client.request<Location[]>('textDocument/typeDefinition', {
      textDocument: { uri: uri(SOC) },
      position: { line: irq, character: lines[irq].indexOf('26') },
    });
    assert.deepEqual(
      gic.map((l) => l.range.start.line),
      [lineOf(SOC_TEXT, 'gic: interrupt-controller')],
    );
  });

  it('document links open the files of #include, /include/ and /incbin/', async () => {
    const links = await client.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: uri(BOARD) } });
    const lines = BOARD_TEXT.split('\n');
    assert.deepEqual(
      links.map((l) => [lines[l.range.start.line].slice(l.range.start.character, l.range.end.character), l.target]),
      [
        ['soc.dtsi', uri(SOC)],
        ['pins.dtsi', uri(PINS)],
        ['blob.bin', uri(BLOB)],
      ],
    );
    const header = await client.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: uri(SOC) } });
    assert.deepEqual(
      header.map((l) => l.target),
      [uri(HEADER)],
    );
  });

  it("signature help names the specifier cells from the provider's #...-cells and its binding", async () => {
    const sig = async (file: string, text: string, needle: string, after: string): Promise<SignatureHelp | null> => {
      const line = lineOf(text, needle);
      return client.request('textDocument/signatureHelp', {
        textDocument: { uri: uri(file) },
        position: { line, character: text.split('\n')[line].indexOf(needle) + needle.indexOf(after) + after.length },
      });
    };
    const label = (h: SignatureHelp | null): string => {
      const s = h!.signatures[0];
      const p = s.parameters![h!.activeParameter!].label as [number, number];
      return `${s.label} [${s.label.slice(p[0], p[1])}]`;
    };
    assert.equal(label(await sig(SOC, SOC_TEXT, 'interrupts = <GIC_SPI 26 4>', '<GIC_SPI 2')), 'interrupts = <type number flags> [number]');
    const clocks = await sig(SOC, SOC_TEXT, 'clocks = <&clk CLK_UART>, <&clk 2>', '<&clk 2');
    assert.equal(label(clocks), 'clocks = <&clk clock-id> [clock-id]');
    assert.match(JSON.stringify(clocks!.signatures[0].documentation), /#clock-cells = <1>.*entry 2: \\"per\\"/);
    assert.equal(label(await sig(PINS, PINS_TEXT, 'led-gpios = <&gpio1 3 1>', '<&gpio1 3 ')), 'led-gpios = <&gpio1 line flags> [flags]');
    // While typing: after `<&clk ` with no `>` yet, the next cell is the clock id.
    const typing = SOC_TEXT.replace('clocks = <&clk CLK_UART>, <&clk 2>;', 'clocks = <&clk ');
    await client.change(SOC, typing);
    assert.equal(label(await sig(SOC, typing, 'clocks = <&clk ', '<&clk ')), 'clocks = <&clk clock-id> [clock-id]');
    await client.change(SOC, SOC_TEXT);
    assert.equal(await sig(SOC, SOC_TEXT, 'reg = <0x30380000', '<0x3'), null);
  });

  it('references include those in a definition a later &node { } replaces, and rename updates them', async () => {
    const lines = SOC_TEXT.split('\n');
    const clk = lineOf(SOC_TEXT, 'clk: clock-controller');
    const refs = await client.references(SOC, clk, lines[clk].indexOf('clk') + 1, false);
    const replaced = lineOf(SOC_TEXT, 'clocks = <&clk CLK_UART>, <&clk 2>;');
    assert.equal(refs?.filter((r) => r.uri === uri(SOC) && r.range.start.line === replaced).length, 2);
    const edit = await client.rename(SOC, clk, lines[clk].indexOf('clk') + 1, 'ccm');
    assert.equal(applyEdits(SOC_TEXT, edit!.changes![uri(SOC)]).split('\n')[replaced].trim(), 'clocks = <&ccm CLK_UART>, <&ccm 2>;');
    assert.equal(applyEdits(BOARD_TEXT, edit!.changes![uri(BOARD)]).split('\n')[lineOf(BOARD_TEXT, 'clocks')].trim(), 'clocks = <&ccm CLK_UART>;');
    assert.deepEqual(client.loggedErrors(), []);
  });
});
