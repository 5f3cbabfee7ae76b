// `dual-guest lint` in process: exit codes, dtc-style text, JSON shape, presets and flags.
import { strict as assert } from 'assert';
import { MemoryFileHost } from '../../../src/common/host';
import { runLint } from '../../../src/cli/lint';

const FILES = {
  '/w/board.dts': '/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n\tfoo@1 { };\n};\n',
  '/w/overlay.dts': '/ {\n\tbar@2 { reg = <2 1>; };\n\tfoo@1 { reg = <1 1>; };\n};\n',
  '/w/board2.dts': '/ {\n\tfoo@1 { };\n};\n',
  '/w/dup.dts': '/dts-v1/;\n/ {\n\ta { };\n\ta { };\n};\n',
  '/w/broken.dts': '/dts-v1/;\n/ {\n\ta = <1;\n};\n',
  '/w/inc/common.dtsi': '/ { model = "m"; };\n',
  '/w/uses-include.dts': '/dts-v1/;\n/include/ "common.dtsi"\n/ { x@1 { }; };\n',
  // cpp output whose line markers name a file this machine does not have, and one it has.
  '/w/cpp-out.dts': '# 1 "/build/tmp/board.dtsi" 1\n/dts-v1/;\n/ {\n\tfoo@1 { };\n};\n',
  '/w/inc/real.dtsi': '/ { };\n',
  '/w/cpp-real.dts': '/dts-v1/;\n# 1 "inc/real.dtsi" 1\n/ {\n\tfoo@1 { };\n};\n',
};

function lint(...args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runLint(args, { host: new MemoryFileHost(FILES), cwd: '/w', stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe('cli/lint', () => {
  it('prints dtc-style warnings (1-based ranges) and exits 0 without errors', () => {
    const r = lint('board.dts');
    assert.equal(r.code, 0);
    assert.equal(r.out, 'board.dts:5.2-5.7: Warning (unit_address_vs_reg): /foo@1: node has a unit name, but no reg or ranges property\n');
  });

  it('reports at the lines of the file the user has when cpp line markers name a missing file', () => {
    assert.equal(lint('cpp-out.dts').out, 'cpp-out.dts:4.2-4.7: Warning (unit_address_vs_reg): /foo@1: node has a unit name, but no reg or ranges property\n');
    // Markers naming files that exist are followed, as dtc does.
    assert.equal(
      lint('cpp-real.dts').out,
      'inc/real.dtsi:2.2-2.7: Warning (unit_address_vs_reg): /foo@1: node has a unit name, but no reg or ranges property\n',
    );
  });

  it('lints many trees in one run as it lints each alone (a base they share is read once)', () => {
    const inputs = ['board.dts+overlay.dts', 'board.dts', 'board.dts+board2.dts', 'dup.dts', 'uses-include.dts', 'cpp-out.dts'];
    const batch = lint('-i', 'inc', ...inputs);
    const alone = inputs.map((i) => lint('-i', 'inc', i));
    assert.equal(batch.out, alone.map((r) => r.out).join(''));
    assert.equal(batch.code, Math.max(...alone.map((r) => r.code)));
  });

  it("treats 'base+overlay' as one tree", () => {
    const r = lint('board.dts+overlay.dts');
    assert.equal(r.code, 0);
    assert.equal(r.out, '');
  });

  it("adds dtc's 'also defined at' lines for a node defined more than once", () => {
    assert.equal(
      lint('board.dts+board2.dts').out,
      'board.dts:5.2-5.7: Warning (unit_address_vs_reg): /foo@1: node has a unit name, but no reg or ranges property\n  also defined at board2.dts:2.8-2.12\n',
    );
  });

  it('reports error checks as ERROR and exits 1', () => {
    const r = lint('dup.dts');
    assert.equal(r.code, 1);
    assert.match(r.out, /^dup\.dts:4\.\d+-4\.\d+: ERROR \(duplicate_node_names\): \/a: Duplicate node name\n$/);
  });

  it('reports syntax errors, skips the checks and exits 1', () => {
    const r = lint('broken.dts');
    assert.equal(r.code, 1);
    assert.ok(r.out.startsWith('broken.dts:3.'), r.out);
    assert.ok(!r.out.includes('Warning ('), r.out);
  });

  it('applies -W/-E flags and presets', () => {
    assert.equal(lint('--preset', 'linux', 'board.dts').out, '');
    assert.equal(lint('-Wno-unit_address_vs_reg', 'board.dts').out, '');
    const raised = lint('-Eunit_address_vs_reg', 'board.dts');
    assert.equal(raised.code, 1);
    assert.ok(raised.out.includes('ERROR (unit_address_vs_reg)'));
  });

  it('follows -i for includes', () => {
    const r = lint('-i', 'inc', 'uses-include.dts');
    assert.equal(r.code, 0);
    assert.ok(r.out.includes('Warning (unit_address_vs_reg): /x@1'), r.out);
    assert.equal(lint('-iinc', 'uses-include.dts').code, 0);
  });

  it('prints JSON: file, 1-based range, severity, code, message, subject', () => {
    const r = lint('--format', 'json', 'board.dts', 'dup.dts');
    assert.equal(r.code, 1);
    const items = JSON.parse(r.out) as unknown[];
    assert.deepEqual(items[0], {
      file: 'board.dts',
      range: { start: { line: 5, col: 2 }, end: { line: 5, col: 7 } },
      severity: 'warning',
      code: 'unit_address_vs_reg',
      message: '/foo@1: node has a unit name, but no reg or ranges property',
      subject: '/foo@1',
    });
    assert.equal((items[1] as { code: string }).code, 'duplicate_node_names');
    assert.equal(items.length, 2);
  });

  it('rejects bad usage and unknown checks with exit 2', () => {
    assert.equal(lint().code, 2);
    assert.equal(lint('--format', 'xml', 'board.dts').code, 2);
    assert.equal(lint('--preset', 'zephyr', 'board.dts').code, 2);
    const bad = lint('-Wno-bogus', 'board.dts');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /Unrecognized check name "bogus"/);
  });

  it('documents the + syntax in its help', () => {
    const r = lint('--help');
    assert.equal(r.code, 0);
    assert.ok(r.out.includes('base.dts+overlay.dts'));
  });

  it('lists the check table', () => {
    const r = lint('--list-checks');
    assert.equal(r.code, 0);
    assert.match(r.out, /^unit_address_vs_reg +warning +off +/m);
    assert.match(r.out, /^duplicate_node_names +error +error +/m);
    assert.match(r.out, /^guest-dt-unmapped-device +error +error +an enabled device the guest kernel's drivers touch at boot/m);
    assert.match(r.out, /^guest-dt-unmapped-no-driver +info +info +/m);
  });
});
