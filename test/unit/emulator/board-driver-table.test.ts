// Each board's driver set against each device of its tree: with the device enabled and not mapped
// into the VM, the guest faults at that device and the fault names it exactly when the board's
// driver set probes it, and the linter reports it as the device the guest faults at exactly then
// (one driver table for both). The table below is what a default kernel on each board does.
import { strict as assert } from 'assert';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { MemoryFileHost } from '../../../src/common/host';
import { compileFiles } from '../../../src/devicetree/compile';
import { getProperty, liveChildren, nodePath, type DtNode, type DtTree } from '../../../src/devicetree/tree';
import { createEmulator } from '../../../src/emulator/emulator';
import { emulatorConfigFromProject } from '../../../src/emulator/from-project';
import { BUS_COMPATIBLES, bootProbes, guestDriverList } from '../../../src/emulator/guest/linux/drivers';
import { compatibles } from '../../../src/emulator/guest/linux/device-tree-view';
import { lintSystemFile, loadProject, type GuestDiagnostic } from '../../../src/system';
import { findMr } from '../../../src/system/model';
import { regRanges } from '../../../src/devicetree/addresses';

const ROOT = path.resolve(__dirname, '..', '..', '..');

interface BoardCase {
  board: string;
  dir: string;
  project: string;
  system: string;
  vm: string;
  /** The guest's tree files before the variant's overlay. */
  dts: string[];
  /** Device nodes (paths) a default kernel on this board touches at boot: where an unmapped one faults. */
  probed: string[];
}

const CASES: BoardCase[] = [
  {
    board: 'maaxboard',
    dir: path.join(ROOT, 'examples', 'dual-guest'),
    project: 'dual-guest.json',
    system: 'dual-guest.system',
    vm: 'client_linux-1',
    dts: ['board.dts', 'guest-1.dts'],
    probed: [
      '/soc@0/bus@30000000/gpio@30200000',
      '/soc@0/bus@30000000/watchdog@30280000',
      '/soc@0/bus@30000000/gpc@303a0000',
      '/soc@0/bus@30800000/spi@30820000',
      '/soc@0/bus@30800000/serial@30860000',
      '/soc@0/bus@30800000/i2c@30a20000',
      '/soc@0/bus@30800000/mmc@30b40000',
      '/soc@0/bus@30800000/ethernet@30be0000',
      '/soc@0/usb@38100000',
    ],
  },
  {
    board: 'qemu_virt_aarch64',
    dir: path.join(ROOT, 'test', 'fixtures', 'qemu-virt'),
    project: 'dual-guest.json',
    system: 'simple.system',
    vm: 'linux',
    dts: ['qemu-virt.dts', 'overlay.dts'],
    probed: ['/fw-cfg@9020000', '/pl061@9030000', '/pcie@10000000', '/pl031@9010000', '/pl011@9000000', '/flash@0'],
  },
  {
    board: 'odroidc4',
    dir: path.join(ROOT, 'test', 'fixtures', 'odroidc4'),
    project: 'dual-guest.json',
    system: 'dual-guest.system',
    vm: 'client_linux-1',
    dts: ['odroidc4.dts', 'guest-1.dts'],
    probed: [
      '/soc/ethernet@ff3f0000',
      '/soc/bus@ff800000/serial@3000',
      '/soc/bus@ff800000/i2c@5000',
      '/soc/bus@ffd00000/watchdog@f0d0',
      '/soc/mmc@ffe05000',
      '/soc/usb@ffe09000',
    ],
  },
];

/** Nodes of the platform bus (children of the root and of simple buses) and interrupt controllers with registers. */
function deviceNodes(tree: DtTree): DtNode[] {
  const out: DtNode[] = [];
  const visit = (bus: DtNode): void => {
    for (const child of liveChildren(bus)) {
      if (!getProperty(child, 'compatible')) continue;
      if (getProperty(child, 'reg')) out.push(child);
      if (compatibles(child).some((c) => BUS_COMPATIBLES.includes(c))) visit(child);
    }
  };
  visit(tree.root);
  return out;
}

function filesOf(c: BoardCase, enable?: string): MemoryFileHost {
  const files: Record<string, string> = {};
  for (const f of readdirSync(c.dir)) files[`/p/${f}`] = readFileSync(path.join(c.dir, f), 'utf8');
  const json = JSON.parse(files[`/p/${c.project}`]);
  if (enable !== undefined) {
    files['/p/enable.dts'] = `&{${enable}} { status = "okay"; };\n`;
    json.guests[c.vm].dts = [...c.dts, 'enable.dts'];
  }
  // One guest is enough: the others stay out of the boot.
  for (const vm of Object.keys(json.guests)) if (vm !== c.vm) json.guests[vm].boot = false;
  files[`/p/${c.project}`] = JSON.stringify(json);
  return new MemoryFileHost(files);
}

/** The path of the node the booted guest's first fault names, or undefined when it did not fault. */
function bootFault(c: BoardCase, host: MemoryFileHost): { path?: string; driver?: string } {
  const { config, diagnostics } = emulatorConfigFromProject(loadProject(`/p/${c.project}`, host), { host });
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  const emu = createEmulator(config).emulator!;
  for (let i = 0; i < 40 && emu.snapshot().guests[0].haltReason === undefined; i++) emu.runFor(5_000_000);
  const fault = emu.lastFault(0);
  return { path: fault?.owner?.path, driver: fault?.owner?.driver };
}

describe("each board's driver set over each device of its tree (table)", function () {
  this.timeout(120_000);

  for (const c of CASES) {
    it(`${c.board}: an enabled, unmapped device faults and is named exactly when the board's kernel probes it; the linter says the same`, () => {
      const base = compileFiles(
        c.dts.map((f) => `/p/${f}`),
        { host: filesOf(c) },
      );
      const nodes = deviceNodes(base.tree);
      assert.ok(nodes.length >= 6, nodes.map(nodePath).join(', '));
      const system = loadProject(`/p/${c.project}`, filesOf(c)).system;
      const windows = system.virtualMachines.find((v) => v.name === c.vm)!.maps.map((m) => ({ base: m.vaddr, size: findMr(system, m.mr)?.size ?? 0 }));
      // A node whose first register window the VM maps (the GPC, a passed-through UART) is reached, not faulted at.
      const mapped = (n: DtNode): boolean => {
        const base = regRanges(n)[0]?.base;
        return base !== undefined && windows.some((w) => base >= w.base && base < w.base + w.size);
      };
      const faultedAt: string[] = [];
      for (const node of nodes) {
        const where = nodePath(node);
        const host = filesOf(c, where);
        const fault = bootFault(c, host);
        const variant = compileFiles(
          [...c.dts, 'enable.dts'].map((f) => `/p/${f}`),
          { host },
        ).tree;
        const drivers = guestDriverList({ board: c.board as never }, variant);
        const probed = bootProbes(variant, drivers).find((b) => nodePath(b.node) === where);
        const lint = (lintSystemFile(`/p/${c.system}`, host) as GuestDiagnostic[]).filter(
          (d) => d.code === 'guest-dt-unmapped-device' && d.severity === 'error',
        );
        if (mapped(node)) {
          assert.equal(fault.path, undefined, `${where} is mapped: no fault`);
          continue;
        }
        if (fault.path !== undefined) faultedAt.push(fault.path);
        assert.equal(fault.path === where, probed !== undefined, `${where}: fault ${JSON.stringify(fault)}, probed by ${probed?.driver.name ?? 'nothing'}`);
        if (probed) assert.equal(fault.driver, probed.driver.name, `${where}: the fault names the driver that probes it`);
        assert.equal(
          lint.some((d) => d.subject === where),
          probed !== undefined,
          `${where}: lint ${lint.map((d) => d.subject).join(', ')}`,
        );
      }
      const expected = c.probed.filter((p) => nodes.some((n) => nodePath(n) === p && !mapped(n)));
      assert.deepEqual([...faultedAt].sort(), [...expected].sort());
    });
  }
});
