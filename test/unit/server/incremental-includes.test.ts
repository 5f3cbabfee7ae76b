// A vendor board with includes (bench/vendor-tree.ts: a .dts over ten .dtsi and dt-bindings headers)
// on disk, through the server's Node host: after each step of an edit sequence (the board's buffer
// edited, a .dtsi rewritten on disk, a header changed), the live workspace publishes exactly what a
// fresh workspace gives for the same buffer and files. The live one reuses what it kept across
// steps (front ends, recorded headers, file bytes held by stat), so this holds those caches to a
// fresh analysis.
import { strict as assert } from 'assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { writeVendorTree } from '../../../bench/vendor-tree';
import { DevicetreeUnitProvider } from '../../../src/server/devicetree/dt-provider';
import { NodeWorkspaceHost, SETTLED_FILE_MS } from '../../../src/server/node-host';
import { SystemUnitProvider } from '../../../src/server/system/system-provider';
import { Workspace } from '../../../src/server/workspace';

/** A host whose clock says the files have been still for long enough, so their bytes are kept by stat. */
function workspace(): Workspace {
  const ws = new Workspace(new NodeWorkspaceHost(() => Date.now() + 10 * SETTLED_FILE_MS));
  ws.addProvider(new SystemUnitProvider());
  ws.addProvider(new DevicetreeUnitProvider());
  return ws;
}

function published(ws: Workspace): unknown {
  return [...ws.diagnosticsByFile()]
    .filter(([, list]) => list.length > 0)
    .map(([file, list]) => [file, list.map((e) => [e.source, e.diagnostic.severity, e.diagnostic.code, e.diagnostic.message, e.diagnostic.range])])
    .sort(([a], [b]) => String(a).localeCompare(String(b)));
}

describe('server: incremental analysis of a tree with includes equals a fresh one', function () {
  this.timeout(60000);
  const dir = mkdtempSync(path.join(tmpdir(), 'mkdg-incremental-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('after board edits, a .dtsi rewritten on disk and a changed header', () => {
    const vendor = writeVendorTree(path.join(dir, 'arch', 'arm64', 'dts'));
    const board = vendor.board;
    const uartDtsi = vendor.files.find((f) => f.endsWith('soc-uart.dtsi'))!;
    const clockHeader = vendor.files.find((f) => f.endsWith('soc-clock.h'))!;
    let text = readFileSync(board, 'utf8');
    const ws = workspace();
    ws.docs.open(board, `file://${board}`, 'devicetree', 1, text);
    ws.refresh([board]);
    let version = 1;
    const edit = (from: string, to: string): void => {
      const at = text.indexOf(from);
      assert.ok(at >= 0, from);
      text = text.slice(0, at) + to + text.slice(at + from.length);
      ws.docs.change(board, ++version, [{ text }]);
      ws.refresh([board]);
    };
    const onDisk = (file: string, from: string, to: string): void => {
      const before = readFileSync(file, 'utf8');
      assert.ok(before.includes(from), from);
      writeFileSync(file, before.replace(from, to));
      ws.refresh([file]);
    };
    const steps: [string, () => void][] = [
      ['a cell value', () => edit('assigned-clock-rates = <100000000>', 'assigned-clock-rates = <100000001>')],
      ['a reference to a missing label', () => edit('pinctrl-0 = <&pinctrl_uart0>', 'pinctrl-0 = <&pinctrl_nowhere>')],
      ['a missing semicolon', () => edit('status = "okay";\n};', 'status = "okay"\n};')],
      ['the semicolon back', () => edit('status = "okay"\n};', 'status = "okay";\n};')],
      ['a label the board uses removed from a .dtsi on disk', () => onDisk(uartDtsi, 'uart0: uart@30800000', 'uart@30800000')],
      ['a clock id dropped from a header on disk', () => onDisk(clockHeader, '#define SOC_CLK_UART0_ROOT', '#define SOC_CLK_UART0_ROOT_GONE')],
      ['the .dtsi restored', () => onDisk(uartDtsi, '\tuart@30800000', '\tuart0: uart@30800000')],
      ['the reference restored', () => edit('pinctrl-0 = <&pinctrl_nowhere>', 'pinctrl-0 = <&pinctrl_uart0>')],
    ];
    let findings = 0;
    for (const [what, step] of steps) {
      step();
      const fresh = workspace();
      fresh.docs.open(board, `file://${board}`, 'devicetree', 1, text);
      fresh.refresh('all');
      const live = published(ws);
      assert.deepEqual(live, published(fresh), what);
      findings += (live as unknown[]).length;
    }
    // The sequence must have produced findings to compare (the missing label, semicolon and clock id).
    assert.ok(findings >= 4, `only ${findings} files with findings over the steps`);
    assert.ok(ws.frontEnds.headers.hits > 0, 'the live workspace replayed recorded headers');
  });
});
