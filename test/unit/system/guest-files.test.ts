// Finding each VM's device-tree files when the project file names none (src/system/guest-files.ts):
// beside the .system by known names, else in a folder per VM below it, base first, overlays in the
// order the build appends them; a base borrowed when a VM folder has none; bounded depth.

import * as assert from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { MemoryFileHost } from '../../../src/common/host';
import { belongsTo } from '../../../src/system/guest-files';
import { lintSystemFile } from '../../../src/system';
import { loadProject } from '../../../src/system/project';
import { parseSystem } from '../../../src/system/parse';

const EXAMPLE = readFileSync(path.join(__dirname, '../../../examples/dual-guest/dual-guest.system'), 'utf8');
const SYS = '/p/x.system';
const BASE = '/dts-v1/;\n/ { };\n';
const OVERLAY = '/ { };\n';

function dtFiles(files: Record<string, string>): { files: string[][]; codes: string[] } {
  const p = loadProject(SYS, new MemoryFileHost({ [SYS]: EXAMPLE, ...files }));
  return { files: p.guests.map((g) => g.dtFiles), codes: p.diagnostics.map((d) => `${d.severity} ${d.code}`) };
}

describe("finding the guests' device trees", () => {
  it('which folders belong to which VM', () => {
    const vms = parseSystem(SYS, EXAMPLE).model.virtualMachines; // client_linux-1 (CLIENT_VMM-1), client_linux-2 (CLIENT_VMM-2)
    const owner = (folder: string) => vms.filter((vm) => belongsTo(folder, vm)).map((vm) => vm.name);
    assert.deepStrictEqual(owner('client_vm_1'), ['client_linux-1']);
    assert.deepStrictEqual(owner('CLIENT_VMM-2'), ['client_linux-2']);
    assert.deepStrictEqual(owner('client_linux-1'), ['client_linux-1']);
    assert.deepStrictEqual(owner('vm2'), ['client_linux-2']);
    assert.deepStrictEqual(owner('client_1_vm'), []); // the number must end the name
    assert.deepStrictEqual(owner('client_vm'), []); // no number: neither
    assert.deepStrictEqual(owner('blk_driver_vm_1'), []); // the same number, but no word in common
    assert.deepStrictEqual(owner('dts'), []);
  });

  it("libvmm's layout: client_vm_N/dts/ with a base and overlays in name order, then overlays/", () => {
    const r = dtFiles({
      '/p/client_vm_1/dts/linux.dts': BASE,
      '/p/client_vm_1/dts/virtio.dts': OVERLAY,
      '/p/client_vm_1/dts/init.dts': OVERLAY,
      '/p/client_vm_1/dts/overlays/disable.dts': OVERLAY,
      // A /plugin/ overlay is applied at boot, not appended; a .dtsi is included, not appended.
      '/p/client_vm_1/dts/fragment.dts': '/dts-v1/;\n/plugin/;\n&{/} { };\n',
      '/p/client_vm_1/dts/common.dtsi': OVERLAY,
      '/p/client_vm_2/linux.dts': BASE,
      '/p/client_vm_2/overlay.dts': OVERLAY,
    });
    assert.deepStrictEqual(r.files, [
      ['/p/client_vm_1/dts/linux.dts', '/p/client_vm_1/dts/init.dts', '/p/client_vm_1/dts/virtio.dts', '/p/client_vm_1/dts/overlays/disable.dts'],
      ['/p/client_vm_2/linux.dts', '/p/client_vm_2/overlay.dts'],
    ]);
    assert.deepStrictEqual(r.codes, []);
  });

  it('known names beside the .system come first', () => {
    const r = dtFiles({ '/p/board.dts': BASE, '/p/guest-1.dts': OVERLAY, '/p/guest-2.dts': OVERLAY, '/p/client_vm_1/dts/linux.dts': BASE });
    assert.deepStrictEqual(r.files, [
      ['/p/board.dts', '/p/guest-1.dts'],
      ['/p/board.dts', '/p/guest-2.dts'],
    ]);
  });

  it("a VM folder without a base borrows the other VM's, or one above it, and says so on the <virtual_machine>", () => {
    const other = loadProject(
      SYS,
      new MemoryFileHost({
        [SYS]: EXAMPLE,
        '/p/client_vm_1/dts/linux.dts': BASE,
        '/p/client_vm_1/dts/init.dts': OVERLAY,
        '/p/client_vm_2/dts/init.dts': OVERLAY,
      }),
    );
    assert.deepStrictEqual(other.guests[1].dtFiles, ['/p/client_vm_1/dts/linux.dts', '/p/client_vm_2/dts/init.dts']);
    const note = other.diagnostics.find((d) => d.code === 'project-guest-files')!;
    assert.strictEqual(note.severity, 'info');
    assert.strictEqual(
      note.message,
      "'client_linux-2': client_vm_2/dts has overlays but no base tree; using client_vm_1/dts/linux.dts, the base of 'client_linux-1' (name the files in the project file's \"dts\" to choose)",
    );
    assert.strictEqual(EXAMPLE.split('\n')[note.range!.start.line].trim().startsWith('<virtual_machine name="client_linux-2"'), true);
    // A base in a folder between the VM's and the .system's wins (libvmm once kept board/<board>/linux.dts).
    const above = dtFiles({ '/p/guests/linux.dts': BASE, '/p/guests/client_vm_1/init.dts': OVERLAY, '/p/guests/client_vm_2/init.dts': OVERLAY });
    assert.deepStrictEqual(above.files, [
      ['/p/guests/linux.dts', '/p/guests/client_vm_1/init.dts'],
      ['/p/guests/linux.dts', '/p/guests/client_vm_2/init.dts'],
    ]);
  });

  it('several whole trees and no linux.dts: no guess, and a note that says why', () => {
    const p = loadProject(
      SYS,
      new MemoryFileHost({ [SYS]: EXAMPLE, '/p/client_vm_1/a.dts': BASE, '/p/client_vm_1/b.dts': BASE, '/p/client_vm_1/c.dts': OVERLAY }),
    );
    assert.deepStrictEqual(p.guests[0].dtFiles, []);
    assert.deepStrictEqual(
      p.diagnostics.map((d) => [d.severity, d.code, d.message]),
      [
        [
          'info',
          'project-guest-files',
          "'client_linux-1': client_vm_1 has several whole trees (a.dts, b.dts) and none is linux.dts; name the files in the project file's \"dts\"",
        ],
      ],
    );
  });

  it('overlays beside the .system with no base: no guess, and a note naming them', () => {
    const p = loadProject(SYS, new MemoryFileHost({ [SYS]: EXAMPLE, '/p/board-overlay.dts': OVERLAY }));
    assert.deepStrictEqual(
      p.guests.map((g) => g.dtFiles),
      [[], []],
    );
    assert.deepStrictEqual(
      p.diagnostics.map((d) => d.message),
      ['client_linux-1', 'client_linux-2'].map(
        (vm) =>
          `'${vm}': board-overlay.dts beside the .system is an overlay with no base tree to append to; name the base (the board's tree) and the overlays in the project file's "dts"`,
      ),
    );
  });

  it('the search is bounded: at most three folders below the .system, hidden and build folders skipped', () => {
    assert.deepStrictEqual(dtFiles({ '/p/a/b/client_vm_1/linux.dts': BASE }).files[0], ['/p/a/b/client_vm_1/linux.dts']);
    assert.deepStrictEqual(dtFiles({ '/p/a/b/c/client_vm_1/linux.dts': BASE }).files[0], []);
    assert.deepStrictEqual(dtFiles({ '/p/.git/client_vm_1/linux.dts': BASE, '/p/node_modules/client_vm_1/linux.dts': BASE }).files[0], []);
  });

  it('"boot": false leaves a VM out: no tree wanted, nothing cross-checked', () => {
    const json = '{ "guests": { "client_linux-2": { "boot": false } } }';
    const p = loadProject(SYS, new MemoryFileHost({ [SYS]: EXAMPLE, '/p/x.json': json }));
    assert.deepStrictEqual(
      p.guests.map((g) => [g.vm, g.boot]),
      [
        ['client_linux-1', true],
        ['client_linux-2', false],
      ],
    );
    assert.deepStrictEqual(p.diagnostics, []);
    // The lint's cross checks: the VM left out wants no tree; the other one still does.
    const noDts = (j: string) =>
      lintSystemFile(SYS, new MemoryFileHost({ [SYS]: EXAMPLE, '/p/x.json': j }))
        .filter((d) => d.code === 'project-no-dts')
        .map((d) => d.subject);
    assert.deepStrictEqual(noDts(json), ['client_linux-1']);
    assert.deepStrictEqual(noDts('{}'), ['client_linux-1', 'client_linux-2']);
    const bad = loadProject(SYS, new MemoryFileHost({ [SYS]: EXAMPLE, '/p/x.json': '{ "guests": { "client_linux-2": { "boot": "no" } } }' }));
    assert.deepStrictEqual(
      bad.diagnostics.map((d) => [d.code, d.message]),
      [['project-schema', "'boot' must be true or false"]],
    );
  });
});
