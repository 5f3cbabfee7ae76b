// `dual-guest lint` on .system files: text and JSON output, exit status 1 on errors.

import * as assert from 'assert';
import { MemoryFileHost } from '../../../src/common/host';
import { runLint } from '../../../src/cli/lint';
import { exampleFiles } from './helpers';

const GOOD =
  '<system>\n  <memory_region name="a" size="0x1000" />\n  <protection_domain name="p">\n    <program_image path="p.elf" />\n    <map mr="a" vaddr="0x0" />\n  </protection_domain>\n</system>\n';
const BAD = GOOD.replace('<map mr="a" vaddr="0x0" />', '<map mr="a" vaddr="0x0" perms="w" />');

function lint(args: string[], files: Record<string, string>): { code: number; out: string; err: string } {
  let out = '',
    err = '';
  const code = runLint(args, {
    host: new MemoryFileHost(files),
    cwd: '/w',
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

describe('dual-guest lint on .system files', () => {
  it('a clean system prints nothing and exits 0', () => {
    assert.deepStrictEqual(lint(['s.system'], { '/w/s.system': GOOD }), { code: 0, out: '', err: '' });
  });

  it('an error is printed with its position and the rule, exit 1', () => {
    const r = lint(['s.system'], { '/w/s.system': BAD });
    assert.strictEqual(r.code, 1);
    assert.strictEqual(r.out, "s.system:5.36-5.37: Error (sdf-write-only-map): perms must not be 'w', write-only mappings are not allowed on element 'map'\n");
  });

  it('--format json, and a project file joined with +', () => {
    const r = lint(['--format', 'json', 's.system+p.json'], { '/w/s.system': GOOD, '/w/p.json': '{ "serial": { "baud": 0 } }' });
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(JSON.parse(r.out), [
      {
        file: 'p.json',
        range: { start: { line: 1, col: 23 }, end: { line: 1, col: 24 } },
        severity: 'error',
        code: 'project-schema',
        message: "'baud' must be greater than 0",
        subject: null,
      },
    ]);
  });

  describe("a project file as the input (the walkthrough's `dual-guest lint dual-guest.json`)", () => {
    const example = exampleFiles('/w');

    it("lints the project: the project file, the .system it names and the guests' trees", () => {
      assert.deepStrictEqual(lint(['dual-guest.json'], example), { code: 0, out: '', err: '' });
      // A mistake in a guest tree (a memory node beyond the RAM map) is found through the project file.
      const guest1 = example['/w/guest-1.dts'];
      assert.ok(guest1.includes('0x00 0xf000000'), 'the example guest tree has its RAM size');
      const r = lint(['dual-guest.json'], { ...example, '/w/guest-1.dts': guest1.replace('0x00 0xf000000', '0x00 0x10000000') });
      assert.strictEqual(r.code, 1);
      assert.match(r.out, /^guest-1\.dts:\d+\.\d+-\d+\.\d+: Error \(guest-dt-memory\): memory node \/memory@40000000 describes/m);
      // ... and one in the .system it names.
      const sys = example['/w/dual-guest.system'];
      const bad = lint(['dual-guest.json'], {
        ...example,
        '/w/dual-guest.system': sys.replace('perms="rw" setvar_vaddr="guest_ram_vaddr"', 'perms="w" setvar_vaddr="guest_ram_vaddr"'),
      });
      assert.match(bad.out, /^dual-guest\.system:\d+\.\d+-\d+\.\d+: Error \(sdf-write-only-map\)/m);
    });

    it('a JSON mistake is reported at its position, and the .system is not read as anything else', () => {
      const text = '{\n  "system": "dual-guest.system"\n  "guests": {}\n}\n';
      const r = lint(['dual-guest.json'], { ...example, '/w/dual-guest.json': text });
      assert.strictEqual(r.code, 1);
      assert.strictEqual(r.out, "dual-guest.json:3.3-3.4: Error (project-json-syntax): JSON syntax error: expected ',' or '}'\n");
      // With no .system of the project file's name either, the JSON error alone.
      const alone = lint(['p.json'], { '/w/p.json': '{ "guests": ' });
      assert.deepStrictEqual(
        alone.out
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(': ')[1]),
        ['Error (project-json-syntax)'],
      );
    });
  });
});

describe('dual-guest lint on the example project: cross checks', () => {
  const example = exampleFiles('/w');
  // A device in the base both guests share, which neither disables nor maps, and one no driver binds.
  const board = example['/w/board.dts']
    .replace(
      '\t\t\ti2c1: i2c@30a20000 {',
      '\t\t\tuart2: serial@30890000 {\n\t\t\t\tcompatible = "fsl,imx8mq-uart";\n\t\t\t\treg = <0x30890000 0x10000>;\n\t\t\t};\n\n\t\t\ti2c1: i2c@30a20000 {',
    )
    .replace(
      '\t\t\tgpc: gpc@303a0000 {',
      '\t\t\ttmu@30260000 {\n\t\t\t\tcompatible = "fsl,imx8mq-tmu";\n\t\t\t\treg = <0x30260000 0x10000>;\n\t\t\t};\n\n\t\t\tgpc: gpc@303a0000 {',
    );
  const files = { ...example, '/w/board.dts': board };

  it('the example is clean', () => {
    assert.deepStrictEqual(lint(['dual-guest.system'], example), { code: 0, out: '', err: '' });
  });

  it('a finding both guests share is printed once, naming both; a device without a driver is an information hint', () => {
    const r = lint(['dual-guest.system'], files);
    assert.strictEqual(r.code, 1);
    const lines = r.out.trimEnd().split('\n');
    assert.strictEqual(lines.length, 2, r.out);
    assert.match(
      lines[0],
      /^board\.dts:\d+\.\d+-\d+\.\d+: Info \(guest-dt-unmapped-no-driver\): \/soc@0\/bus@30000000\/tmu@30260000 is enabled but not mapped into 'client_linux-1', 'client_linux-2': the guest kernel's driver list has no driver for "fsl,imx8mq-tmu"/,
    );
    assert.match(
      lines[1],
      /^board\.dts:\d+\.\d+-\d+\.\d+: Error \(guest-dt-unmapped-device\): \/soc@0\/bus@30800000\/serial@30890000 is enabled and the guest kernel's driver imx-uart probes it, but its registers \[0x30890000\.\.0x308a0000\) are not mapped into 'client_linux-1', 'client_linux-2': the guest faults at boot/,
    );
  });

  it("-Wno-, -W and -E reach the cross checks as they reach dtc's (an error check needs -Eno- to go)", () => {
    const codes = (args: string[]): string[] =>
      lint([...args, 'dual-guest.system'], files)
        .out.trimEnd()
        .split('\n')
        .filter(Boolean)
        .map((l) => / (\w+) \(([a-z-]+)\)/.exec(l)!.slice(1).join(' '));
    assert.deepStrictEqual(codes(['-Eno-guest-dt-unmapped-device', '-Wno-guest-dt-unmapped-no-driver']), []);
    assert.deepStrictEqual(codes(['-Wno-guest-dt-unmapped-device', '-Wno-guest-dt-unmapped-no-driver']), ['Error guest-dt-unmapped-device']);
    assert.deepStrictEqual(codes(['-Eno-guest-dt-unmapped-device', '-Wguest-dt-unmapped-no-driver']), ['Warning guest-dt-unmapped-no-driver']);
    assert.deepStrictEqual(codes(['-Eguest-dt-unmapped-no-driver', '-Wno-unit_address_vs_reg']), [
      'Error guest-dt-unmapped-no-driver',
      'Error guest-dt-unmapped-device',
    ]);
    assert.strictEqual(lint(['-Wno-guest-dt-nonsense', 'dual-guest.system'], files).code, 2);
  });

  it('a device enabled by an overlay: the error at its status line, the node in the base as a related place', () => {
    const guest = example['/w/guest-1.dts'].replace('&usdhc1 {\n\tstatus = "disabled";', '&usdhc1 {\n\tstatus = "okay";');
    const r = lint(['dual-guest.system'], { ...example, '/w/guest-1.dts': guest });
    const line = guest.split('\n').indexOf('\tstatus = "okay";') + 1;
    const base = example['/w/board.dts'].split('\n').findIndex((l) => l.includes('usdhc1: mmc@30b40000')) + 1;
    assert.match(
      r.out,
      new RegExp(
        `^guest-1\\.dts:${line}\\.2-${line}\\.18: Error \\(guest-dt-unmapped-device\\): /soc@0/bus@30800000/mmc@30b40000 is enabled .* not mapped into 'client_linux-1': .*\\n  /soc@0/bus@30800000/mmc@30b40000 is defined here: board\\.dts:${base}\\.\\d+-${base}\\.\\d+\\n$`,
      ),
    );
  });
  it('--arch and --microkit-version select the .system rules; bad values are usage errors', () => {
    const sys =
      '<system>\n  <protection_domain name="s" priority="9" pp="true">\n    <program_image path="s.elf" />\n    <ioport id="0" addr="0x3f8" size="8" />\n  </protection_domain>\n</system>\n';
    const x86 = lint(['--arch', 'x86_64', '--microkit-version=1.4', 'a.system'], { '/w/a.system': sys });
    assert.strictEqual(x86.code, 1, x86.out);
    assert.ok(x86.out.includes("invalid XML element 'ioport' (added in Microkit 2.1"), x86.out);
    const now = lint(['--arch=x86_64', '--microkit-version', '2.3', 'a.system'], { '/w/a.system': sys });
    assert.ok(now.out.includes("invalid attribute 'pp' on element 'protection_domain'") && !now.out.includes('ioport'), now.out);
    const arm = lint(['--arch', 'aarch64', '--microkit-version', '2.3', 'a.system'], { '/w/a.system': sys });
    assert.ok(arm.out.includes('I/O Ports are only available on x86'), arm.out);
    assert.strictEqual(lint(['--arch', 'mips', 'a.system'], { '/w/a.system': sys }).code, 2);
    assert.strictEqual(lint(['--microkit-version', '3.0', 'a.system'], { '/w/a.system': sys }).code, 2);
  });
});
