// The device-tree editor features on the corpus's real files, through the protocol: semantic tokens,
// syntax quick fixes, every definition site, hover of the merged node, references a later `&node { }`
// replaces, document links, signature help, type definition.
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import type { CodeAction, DocumentLink, Location, SignatureHelp } from 'vscode-languageserver-protocol/node';
import { TOKEN_MODIFIERS, TOKEN_TYPES } from '../../src/server/devicetree/semantic-tokens';
import { TestClient, applyEdits, uri } from '../unit/server/client';
import { corpusPath } from './corpus';

describe('server conformance: device-tree features on the corpus', function () {
  this.timeout(120000);
  let client: TestClient;
  const dir = corpusPath('sel4devkit-dual');
  const base = path.join(dir, 'maaxboard.dts');
  const overlay = path.join(dir, 'maaxboard-overlay.dts');
  const text = readFileSync(base, 'utf8');
  const lines = text.split('\n');
  const at = (needle: string | RegExp): number => lines.findIndex((l) => (typeof needle === 'string' ? l.includes(needle) : needle.test(l)));
  before(async () => {
    client = await TestClient.start();
    await client.open(path.join(dir, 'program.system'), readFileSync(path.join(dir, 'program.system'), 'utf8'));
    await client.open(base, text);
  });
  after(async () => client.stop());

  it('semantic tokens colour the MaaXBoard tree by meaning: the base sai4 clocks that &sai4 { } replaces are deprecated', async () => {
    const r = await client.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri: uri(base) } });
    const tokens: { line: number; text: string; type: string; modifiers: string[] }[] = [];
    let line = 0,
      col = 0;
    for (let i = 0; i < r.data.length; i += 5) {
      const [dl, dc, len, type, mods] = r.data.slice(i, i + 5);
      line += dl;
      col = dl ? dc : col + dc;
      tokens.push({ line, text: lines[line].slice(col, col + len), type: TOKEN_TYPES[type], modifiers: TOKEN_MODIFIERS.filter((_, b) => mods & (1 << b)) });
    }
    assert.ok(tokens.length > 4000, `${tokens.length} tokens`);
    const on = (l: number): string[] => tokens.filter((t) => t.line === l).map((t) => `${t.text}:${t.type}${t.modifiers.map((m) => '+' + m).join('')}`);
    const baseClocks = at('sai4: sai@') + lines.slice(at('sai4: sai@')).findIndex((l) => l.includes('clocks = <&clk 241>'));
    assert.deepEqual(on(baseClocks), ['clocks:property+declaration+deprecated', '&clk:variable', '241:parameter']);
    const later = at('&sai4 {') + lines.slice(at('&sai4 {')).findIndex((l) => l.includes('clocks = <&clk 241>'));
    assert.deepEqual(on(later), ['clocks:property+declaration', '&clk:variable', '241:parameter', '&clk:variable', '0:parameter']);
    assert.deepEqual(on(at(/^\s*clk: clock-controller@30380000/)), ['clk:variable+declaration', 'clock-controller:class+declaration', '30380000:number']);
    // cpp's line markers are directives.
    assert.deepEqual(on(0), ['# 0:keyword']);
  });

  it('quick fixes on a real overlay with its ; and }; removed restore a tree with no syntax error and the same findings', async () => {
    const file = corpusPath('libvmm-simple-qemu', 'overlay.dts');
    const original = readFileSync(file, 'utf8');
    await client.open(file, original);
    const findings = (): string[] =>
      client
        .diagnostics(file)
        .map((d) => `${d.code} ${d.message}`)
        .sort();
    const before = findings();
    const semi = original.lastIndexOf(';', original.lastIndexOf('};') - 1);
    const broken = original.slice(0, semi) + original.slice(semi + 1, original.lastIndexOf('};'));
    await client.change(file, broken);
    const errors = client.diagnostics(file).filter((d) => d.code === 'syntax');
    assert.ok(errors.length >= 2, JSON.stringify(errors));
    const actions = await client.codeActions(file, errors[0].range, [errors[0]]);
    const all = actions?.find((a: CodeAction) => a.title.startsWith('Fix all'));
    assert.ok(all, JSON.stringify(actions));
    await client.change(file, applyEdits(broken, all!.edit!.changes![uri(file)]));
    assert.deepEqual(findings(), before);
    await client.close(file);
  });

  it("definition lists the base, &uart1 { } and the overlay's reopening of serial@30860000", async () => {
    const l = at('uart1: serial@30860000');
    const defs = await client.definition(base, l, lines[l].indexOf('serial') + 1);
    const overlayLines = readFileSync(overlay, 'utf8').split('\n');
    const places = defs!.map((d) => `${path.basename(new URL(d.uri).pathname)}: ${(d.uri === uri(base) ? lines : overlayLines)[d.range.start.line].trim()}`);
    assert.deepEqual(places, ['maaxboard.dts: uart1: serial@30860000 {', 'maaxboard.dts: &uart1 {', 'maaxboard-overlay.dts: serial@30860000 {']);
  });

  it('hover shows the merged node, values in hex and decimal', async () => {
    const l = at('uart1: serial@30860000');
    const hover = JSON.stringify((await client.hover(base, l, lines[l].indexOf('serial') + 1))?.contents);
    assert.match(hover, /reg = <0x30860000 0x10000>; \/\* = <814088192 65536>, set at maaxboard\.dts:\d+ \*\//);
    assert.match(
      hover,
      /status = \\"disabled\\"; \/\* set at maaxboard\.dts:\d+, overridden at maaxboard\.dts:\d+, overridden at maaxboard-overlay\.dts:\d+ \*\//,
    );
  });

  it('references and rename include the 5 &clk of the base sai4 that a later &sai4 { } replaces', async () => {
    const clk = at(/^\s*clk: clock-controller@30380000/);
    const sai = at('sai4: sai@');
    const replaced = lines.slice(sai, sai + 20).reduce((n, l) => n + (l.includes('clock-names') ? 0 : (l.match(/&clk\b/g) ?? []).length), 0);
    assert.equal(replaced, 5);
    const inBaseSai4 = (ls: { range: { start: { line: number } } }[]): number =>
      ls.filter((r) => r.range.start.line > sai && r.range.start.line < sai + 20).length;
    const refs = await client.references(base, clk, lines[clk].indexOf('clk') + 1, false);
    assert.equal(inBaseSai4(refs!.filter((r) => r.uri === uri(base))), 5);
    const edit = await client.rename(base, clk, lines[clk].indexOf('clk') + 1, 'ccm');
    assert.equal(inBaseSai4(edit!.changes![uri(base)]), 5);
  });

  it("document links on dtc's own inputs: /include/ and /incbin/", async () => {
    for (const [name, target] of [
      ['include0.dts', 'include1.dts'],
      ['incbin.dts', 'incbin.bin'],
    ]) {
      const file = corpusPath('dtc-tests', name);
      await client.open(file, readFileSync(file, 'utf8'));
      const links = await client.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: uri(file) } });
      assert.ok(links.length > 0 && links.every((l) => l.target === uri(corpusPath('dtc-tests', target))), JSON.stringify(links));
      await client.close(file);
    }
  });

  it('signature help in &sai4 { clocks } and in interrupts behind the GPC; type definition to the provider', async () => {
    const l = at('&sai4 {') + lines.slice(at('&sai4 {')).findIndex((x) => x.includes('clocks = <&clk 241>'));
    const pos = { textDocument: { uri: uri(base) }, position: { line: l, character: lines[l].indexOf('241') + 1 } };
    const help = await client.request<SignatureHelp>('textDocument/signatureHelp', pos);
    assert.equal(help.signatures[0].label, 'clocks = <&clk clock-id>');
    assert.equal(help.activeParameter, 1);
    assert.match(JSON.stringify(help.signatures[0].documentation), /clock-controller@30380000.*#clock-cells = <1>.*entry 1: \\"bus\\"/);
    const irq = at('interrupts = <0 102 4>');
    const gic = await client.request<SignatureHelp>('textDocument/signatureHelp', {
      textDocument: { uri: uri(base) },
      position: { line: irq, character: lines[irq].indexOf('4>') },
    });
    assert.equal(gic.signatures[0].label, 'interrupts = <type number flags>');
    assert.equal(gic.activeParameter, 2);
    const type = await client.request<Location[]>('textDocument/typeDefinition', pos);
    assert.deepEqual(
      type.map((t) => t.range.start.line),
      [at(/^\s*clk: clock-controller@30380000/)],
    );
  });
});
