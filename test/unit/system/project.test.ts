// Serial roles, the project file, and the checks on the system that need them (sDDF regions and
// priorities, guest RAM, caching, SMP priorities). Seeded mistakes with exact ranges.

import * as assert from 'assert';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { MemoryFileHost } from '../../../src/common/host';
import { NodeFileHost } from '../../../src/node/file-host';
import { PROJECT_DOCS_PATH, renderProjectDocs } from '../../../scripts/gen-check-docs';
import { lintSystemFile, SYSTEM_RULES } from '../../../src/system';
import { loadProject, PROJECT_KEYS } from '../../../src/system/project';
import { parseSystem } from '../../../src/system/parse';
import { inferSerialRoles } from '../../../src/system/roles';
import { assertDiagnostics, type Expected } from './helpers';

const EXAMPLE = readFileSync(path.join(__dirname, '../../../examples/dual-guest/dual-guest.system'), 'utf8');
const SYS = '/p/dual-guest.system';
const JSONF = '/p/dual-guest.json';

function load(systemText: string, json?: string) {
  const files: Record<string, string> = { [SYS]: systemText };
  if (json !== undefined) files[JSONF] = json;
  return loadProject(SYS, new MemoryFileHost(files));
}

function checkSystem(systemText: string, expected: Expected[]): void {
  assertDiagnostics(SYS, systemText, load(systemText).diagnostics, expected);
}

function checkJson(json: string, expected: Expected[]): void {
  assertDiagnostics(JSONF, json, load(EXAMPLE, json).diagnostics, expected);
}

describe('serial roles', () => {
  it('recognises driver, virtualisers and clients in the example, clients numbered from 0 by virt_tx channel id', () => {
    const { roles, diagnostics } = inferSerialRoles(parseSystem(SYS, EXAMPLE).model);
    assert.deepStrictEqual(diagnostics, []);
    assert.strictEqual(roles.driver, 'uart_driver');
    assert.strictEqual(roles.virtTx, 'serial_virt_tx');
    assert.strictEqual(roles.virtRx, 'serial_virt_rx');
    assert.deepStrictEqual(
      roles.clients.map((c) => [c.pd, c.vm, c.index, c.txChannel?.client, c.txChannel?.virt, c.rxChannel?.client, c.rxChannel?.virt]),
      [
        ['CLIENT_VMM-1', 'client_linux-1', 0, 1, 1, 2, 1],
        ['CLIENT_VMM-2', 'client_linux-2', 1, 1, 2, 2, 2],
      ],
    );
    assert.deepStrictEqual([roles.driverTx?.driver, roles.driverTx?.virt, roles.driverRx?.driver, roles.driverRx?.virt], [1, 0, 2, 0]);
  });

  it('with names that say nothing, the roles come from maps and channels', () => {
    const neutral = EXAMPLE.split('serial_virt_tx').join('mux_a').split('serial_virt_rx').join('mux_b').split('uart_driver').join('dev0');
    const { roles } = inferSerialRoles(parseSystem(SYS, neutral).model);
    assert.deepStrictEqual([roles.driver, roles.virtTx, roles.virtRx], ['dev0', 'mux_a', 'mux_b']);
    assert.deepStrictEqual(
      roles.clients.map((c) => c.pd),
      ['CLIENT_VMM-1', 'CLIENT_VMM-2'],
    );
  });

  it('client order follows the virtualiser channel ids, not the file order', () => {
    const swapped = EXAMPLE.replace('<end pd="serial_virt_tx" id="1" />', '<end pd="serial_virt_tx" id="7" />');
    const { roles } = inferSerialRoles(parseSystem(SYS, swapped).model);
    assert.deepStrictEqual(
      roles.clients.map((c) => c.pd),
      ['CLIENT_VMM-2', 'CLIENT_VMM-1'],
    );
  });

  it('an explicit override wins, and an unknown name is an error at the value', () => {
    const json = '{ "roles": { "uartDriver": "nobody", "clients": ["CLIENT_VMM-2", "CLIENT_VMM-1"] } }';
    const p = load(EXAMPLE, json);
    assert.deepStrictEqual(
      p.roles.clients.map((c) => c.pd),
      ['CLIENT_VMM-2', 'CLIENT_VMM-1'],
    );
    assert.deepStrictEqual(p.serial.clients, ['client_linux-2', 'client_linux-1']);
    assert.strictEqual(p.roles.source, 'project');
    assertDiagnostics(
      JSONF,
      json,
      p.diagnostics.filter((d) => d.range?.file === JSONF),
      [{ code: 'project-unknown-pd', message: "project file names protection domain 'nobody' as uartDriver", at: '"nobody"' }],
    );
  });
});

describe('project file', () => {
  it('the example project loads with zero errors and zero warnings (device trees aside)', () => {
    const json = readFileSync(path.join(__dirname, '../../../examples/dual-guest/dual-guest.json'), 'utf8');
    const p = load(EXAMPLE, json);
    assert.deepStrictEqual(
      p.diagnostics.filter((d) => !d.message.includes('device-tree file')),
      [],
    );
    assert.strictEqual(p.serial.switchChar, '@'.charCodeAt(0));
    assert.strictEqual(p.serial.clientBase, 0);
    assert.deepStrictEqual(p.serial.clients, ['client_linux-1', 'client_linux-2']);
    assert.deepStrictEqual(
      p.guests.map((g) => [g.vm, g.vmm, g.clientIndex, g.ramGpa, g.ramSize, g.ramRegion, g.dtbAddr, g.initrdAddr]),
      [
        ['client_linux-1', 'CLIENT_VMM-1', 0, 0x40000000, 0xf000000, 'client_vm_ram_1', 0x44000000, 0x44500000],
        ['client_linux-2', 'CLIENT_VMM-2', 1, 0x40000000, 0xf000000, 'client_vm_ram_2', 0x44000000, 0x44500000],
      ],
    );
    assert.deepStrictEqual(p.guests[0].virtio, { base: 0x150000, size: 0x200, spi: 42 });
    assert.deepStrictEqual(p.guests[0].dtFiles, ['/p/board.dts', '/p/guest-1.dts']);
    assert.deepStrictEqual(p.guests[1].dtFiles, ['/p/board.dts', '/p/guest-2.dts']);
  });

  it('defaults without a project file: sdfgen switch character, probed device trees', () => {
    const host = new MemoryFileHost({ [SYS]: EXAMPLE, '/p/board.dts': '/dts-v1/; / { };', '/p/guest-2.dts': '/ { };' });
    const p = loadProject(SYS, host);
    assert.strictEqual(p.file, undefined);
    assert.strictEqual(p.serial.switchChar, 0x1c);
    assert.strictEqual(p.serial.beginString, 'Begin input\r\n');
    assert.deepStrictEqual(p.guests[0].dtFiles, []);
    assert.deepStrictEqual(p.guests[1].dtFiles, ['/p/board.dts', '/p/guest-2.dts']);
  });

  it('the JSON schema and the loader know the same keys, and the example uses only known ones', () => {
    const schema = JSON.parse(readFileSync(path.join(__dirname, '../../../schemas/dual-guest.schema.json'), 'utf8'));
    const keys = (o: { properties: Record<string, unknown> }) => Object.keys(o.properties).sort();
    assert.deepStrictEqual(keys(schema), [...PROJECT_KEYS.project].sort());
    assert.deepStrictEqual(keys(schema.properties.serial), [...PROJECT_KEYS.serial].sort());
    assert.deepStrictEqual(keys(schema.properties.roles), [...PROJECT_KEYS.roles].sort());
    assert.deepStrictEqual(keys(schema.definitions.guest), [...PROJECT_KEYS.guest].sort());
    assert.deepStrictEqual(keys(schema.definitions.guest.properties.virtio), [...PROJECT_KEYS.virtio].sort());
    const example = JSON.parse(readFileSync(path.join(__dirname, '../../../examples/dual-guest/dual-guest.json'), 'utf8'));
    for (const k of Object.keys(example)) assert.ok((PROJECT_KEYS.project as readonly string[]).includes(k), k);
  });

  it('a dual-guest.json beside the .system but made for another .system is not used', () => {
    const p = loadProject(SYS, new MemoryFileHost({ [SYS]: EXAMPLE, [JSONF]: '{ "system": "other.system", "serial": { "switchChar": "@" } }' }));
    assert.strictEqual(p.file, undefined);
    assert.strictEqual(p.serial.switchChar, 0x1c);
    assert.deepStrictEqual(p.diagnostics, []);
  });

  it('a project file naming a .system that does not exist', () => {
    const json = '{ "system": "elsewhere.system" }';
    const p = loadProject(JSONF, new MemoryFileHost({ [JSONF]: json }));
    assertDiagnostics(JSONF, json, p.diagnostics, [
      { code: 'project-missing-file', message: "cannot read system description '/p/elsewhere.system'", at: '"elsewhere.system"' },
    ]);
  });

  it('JSON syntax error is positioned', () => {
    checkJson('{ "serial": { "baud": 115200, } }', [{ code: 'project-json-syntax', message: 'expected a property name', at: '}' }]);
  });

  it('unknown keys are warnings at the key; wrong types are errors at the value', () => {
    checkJson('{ "serial": { "switchChar": "@@", "baud": "fast", "parity": "none" } }', [
      { code: 'project-schema', message: "'switchChar' must be one character", at: '"@@"' },
      { code: 'project-schema', message: "'baud' must be a non-negative integer", at: '"fast"' },
      { severity: 'warning', code: 'project-schema', message: "unknown key 'parity' in 'serial'", at: '"parity"' },
    ]);
  });

  it('a guest the system does not have, and a missing device-tree file', () => {
    checkJson('{ "guests": { "ghost": {}, "client_linux-1": { "dts": ["nope.dts"] } } }', [
      { code: 'project-schema', message: "the system has no virtual machine 'ghost'", at: '"ghost"' },
      { code: 'project-schema', message: "device-tree file 'nope.dts' not found", at: '"nope.dts"' },
    ]);
  });

  it('hex strings and numbers both work for addresses', () => {
    const p = load(EXAMPLE, '{ "guests": { "client_linux-2": { "virtio": { "base": 1441792, "spi": "0x2b" }, "dtbAddr": "0x48000000" } } }');
    const g = p.guests.find((x) => x.vm === 'client_linux-2')!;
    assert.deepStrictEqual(g.virtio, { base: 0x160000, size: 0x200, spi: 43 });
    assert.strictEqual(g.dtbAddr, 0x48000000);
  });
});

describe('sDDF and guest checks on the system', () => {
  it('queue or data region size not a power of two', () => {
    const text = EXAMPLE.replace('<memory_region name="rx_data_serial_vmm_2" size="0x2000"', '<memory_region name="rx_data_serial_vmm_2" size="0x3000"');
    checkSystem(text, [
      {
        code: 'sddf-region-size',
        message: "sDDF region 'rx_data_serial_vmm_2' of connection 'CLIENT_VMM-2' <-> 'serial_virt_rx' has size 0x3000, not a power of two",
        at: '0x3000',
      },
    ]);
  });

  it('a data region mapped into one end only', () => {
    const text = EXAMPLE.replace('<map mr="tx_data_serial_vmm_2" vaddr="0x4008000" perms="r" cached="true" />', '');
    checkSystem(text, [
      {
        severity: 'warning',
        code: 'sddf-region-one-end',
        message: "sDDF region 'tx_data_serial_vmm_2' is mapped only into 'CLIENT_VMM-2'",
        at: 'tx_data_serial_vmm_2',
        in: '<map mr="tx_data_serial_vmm_2"',
      },
      {
        severity: 'warning',
        code: 'sddf-connection-regions',
        message: "serial connection 'CLIENT_VMM-2' <-> 'serial_virt_tx' shares 1 memory region(s)",
        at: 'channel',
        in: '<channel>\n        <end pd="CLIENT_VMM-2" id="1" />',
      },
    ]);
  });

  it('priority convention: driver above virtualisers above clients', () => {
    const text = EXAMPLE.replace('<protection_domain name="uart_driver" priority="100">', '<protection_domain name="uart_driver" priority="99">').replace(
      '<protection_domain name="CLIENT_VMM-2" priority="50">',
      '<protection_domain name="CLIENT_VMM-2" priority="120">',
    );
    checkSystem(text, [
      {
        severity: 'warning',
        code: 'sddf-priority-order',
        message: "the driver 'uart_driver' (priority 99) should run above the virtualiser 'serial_virt_tx' (priority 99)",
        at: '99',
        in: 'name="uart_driver"',
      },
      {
        severity: 'warning',
        code: 'sddf-priority-order',
        message: "the driver 'uart_driver' (priority 99) should run above the virtualiser 'serial_virt_rx' (priority 99)",
        at: '99',
        in: 'name="uart_driver"',
      },
      {
        severity: 'warning',
        code: 'sddf-priority-order',
        message: "the client 'CLIENT_VMM-2' (priority 120) should run below the virtualisers ('serial_virt_tx' 99, 'serial_virt_rx' 99)",
        at: '120',
      },
    ]);
  });

  it('guest RAM not mapped writable in the VMM', () => {
    const text = EXAMPLE.replace(
      '<map mr="client_vm_ram_1" vaddr="0x40000000" perms="rw" setvar_vaddr',
      '<map mr="client_vm_ram_1" vaddr="0x40000000" perms="r" setvar_vaddr',
    );
    checkSystem(text, [
      { code: 'guest-ram-vmm', message: "the VMM 'CLIENT_VMM-1' maps guest RAM 'client_vm_ram_1' without read and write access", at: 'r', in: '="r"' },
    ]);
  });

  it('guest RAM not in its VMM at all', () => {
    const text = EXAMPLE.replace('<map mr="client_vm_ram_2" vaddr="0x40000000" perms="rw" setvar_vaddr="guest_ram_vaddr" />', '');
    checkSystem(text, [
      {
        severity: 'warning',
        code: 'guest-ram-vmm',
        message: "virtual machine 'client_linux-2' has no RAM region mapped into both it and its VMM 'CLIENT_VMM-2'",
        at: 'virtual_machine',
        in: '<virtual_machine name="client_linux-2"',
      },
    ]);
  });

  it('guest RAM cached in the VM but not in the VMM is reported once', () => {
    const text = EXAMPLE.replace(
      '<map mr="client_vm_ram_1" vaddr="0x40000000" perms="rw" setvar_vaddr',
      '<map mr="client_vm_ram_1" vaddr="0x40000000" perms="rw" cached="false" setvar_vaddr',
    );
    checkSystem(text, [
      {
        severity: 'warning',
        code: 'guest-ram-vmm',
        message: "guest RAM 'client_vm_ram_1' is mapped cached in 'client_linux-1' but uncached in its VMM 'CLIENT_VMM-1'",
        at: 'false',
        in: 'cached="false" setvar_vaddr="guest_ram_vaddr"',
      },
    ]);
  });

  it('guest RAM not 2 MiB aligned', () => {
    const text = EXAMPLE.replace(
      '<memory_region name="client_vm_ram_1" size="0xf000000" page_size="0x200000" />',
      '<memory_region name="client_vm_ram_1" size="0xf000000" />',
    ).replace('<map mr="client_vm_ram_1" vaddr="0x40000000" perms="rwx" />', '<map mr="client_vm_ram_1" vaddr="0x40001000" perms="rwx" />');
    checkSystem(text, [{ code: 'guest-ram-alignment', message: 'Linux requires that guest RAM starting GPA must be 2MiB aligned', at: '0x40001000' }]);
  });

  it("two guests' RAM overlapping (the same region)", () => {
    const text = EXAMPLE.replace(
      '<map mr="client_vm_ram_2" vaddr="0x40000000" perms="rwx" />',
      '<map mr="client_vm_ram_1" vaddr="0x40000000" perms="rwx" />',
    ).replace('<map mr="client_vm_ram_2" vaddr="0x40000000" perms="rw" setvar_vaddr', '<map mr="client_vm_ram_1" vaddr="0x40000000" perms="rw" setvar_vaddr');
    checkSystem(text, [
      {
        code: 'guest-ram-overlap',
        message: "guests 'client_linux-1' and 'client_linux-2' use the same memory region 'client_vm_ram_1' as RAM",
        at: 'client_vm_ram_1',
        in: '<map mr="client_vm_ram_1" vaddr="0x40000000" perms="rwx" />',
        inOccurrence: 2,
      },
      { severity: 'warning', code: 'sdf-unused-mr', message: "unused memory region 'client_vm_ram_2'", at: 'client_vm_ram_2' },
    ]);
  });

  it('one memory region mapped cached and uncached', () => {
    const text = EXAMPLE.replace(
      '<map mr="gpc" vaddr="0x303a0000" perms="rw" cached="false" />\n        </virtual_machine>\n    </protection_domain>\n\n    <!-- VMM of guest 2',
      '<map mr="gpc" vaddr="0x303a0000" perms="rw" cached="true" />\n        </virtual_machine>\n    </protection_domain>\n\n    <!-- VMM of guest 2',
    );
    checkSystem(text, [
      {
        severity: 'warning',
        code: 'mr-cache-mismatch',
        message: "memory region 'gpc' is mapped uncached in 'client_linux-2' but cached in 'client_linux-1'",
        at: 'false',
        in: '<map mr="gpc"',
        inOccurrence: 2,
      },
    ]);
  });

  it('SMP virtual machine below its VMM', () => {
    const text = EXAMPLE.replace(
      '<virtual_machine name="client_linux-1" priority="50">\n            <vcpu id="0" />',
      '<virtual_machine name="client_linux-1" priority="40">\n            <vcpu id="0" /><vcpu id="1" />',
    );
    checkSystem(text, [
      {
        severity: 'warning',
        code: 'vm-priority-smp',
        message: "virtual machine 'client_linux-1' has 2 vCPUs at priority 40, below its VMM 'CLIENT_VMM-1' (50)",
        at: '40',
        in: 'priority="40"',
      },
    ]);
  });
});

describe('the default example (examples/dual-guest)', () => {
  it('loads with zero errors and zero warnings, its guest device trees included', () => {
    // Reads the project's own example files (not the corpus) and compiles them with our compiler.
    const file = path.resolve(__dirname, '../../../examples/dual-guest/dual-guest.system');
    assert.deepStrictEqual(lintSystemFile(file, new NodeFileHost()), []);
  });
});

describe('rule registry', () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [readFileSync(path.join(dir, e.name), 'utf8')] : [],
    );

  it('every code the system core emits is in SYSTEM_RULES, and every rule found while reading is emitted somewhere', () => {
    const srcDir = path.join(__dirname, '../../../src/system');
    const text = sources(srcDir)
      .filter((t) => !t.includes('export const SYSTEM_RULES'))
      .join('\n');
    const codes: string[] = SYSTEM_RULES.map((r) => r.code);
    assert.strictEqual(new Set(codes).size, codes.length, 'codes are unique');
    // The other stages' rules run from the table: their findings carry the code the table gives.
    for (const r of SYSTEM_RULES) if (r.stage === 'read') assert.ok(text.includes(`'${r.code}'`), `${r.code} is never emitted`);
    // Codes are written as literals next to `code:` or as the first argument of the small helpers.
    for (const m of text.matchAll(/'((?:sdf|xml|sddf|guest|project|mr|vm)-[a-z0-9-]+)'/g)) assert.ok(codes.includes(m[1]), `${m[1]} is not in SYSTEM_RULES`);
  });

  it('docs/project-file.md lists every rule (its table is generated: `npm run docs:checks`)', () => {
    const doc = readFileSync(PROJECT_DOCS_PATH, 'utf8');
    assert.equal(doc, renderProjectDocs(doc));
    for (const r of SYSTEM_RULES) assert.ok(doc.includes(`| \`${r.code}\` | ${r.severity} |`), r.code);
  });
});
