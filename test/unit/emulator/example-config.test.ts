// The guest tests' system (the shared example builder with examples/dual-guest's options) against
// what from-project.ts reads from examples/dual-guest itself: the two must describe one system.
import { strict as assert } from 'assert';
import * as path from 'path';
import { DEFAULT_BOARD } from '../../../src/emulator/boards';
import type { EmulatorConfig } from '../../../src/emulator/config';
import { emulatorConfigFromProject } from '../../../src/emulator/from-project';
import { NodeFileHost } from '../../../src/node/file-host';
import { loadProject } from '../../../src/system/index';
import { dualSystem, EXAMPLE_DIR } from './guest-harness';
import { IdleGuest } from './helpers';

/** What makes the system: everything but the programs and the DT lookup. */
function shape(c: EmulatorConfig) {
  return {
    memoryRegions: [...c.memoryRegions].sort((x, y) => x.name.localeCompare(y.name)),
    pds: c.pds.map((p) => ({ name: p.name, priority: p.priority, irqs: p.irqs ?? [] })),
    channels: c.channels.map((ch) => [ch.a.pd, ch.a.id, ch.b.pd, ch.b.id]),
    serial: c.serial,
    roles: { ...c.roles, clients: c.roles.clients.map((cl) => ({ pd: cl.pd, name: cl.name, rx: cl.rx, tx: cl.tx })) },
    guests: c.guests.map((g) => ({
      vmm: g.vmm,
      name: g.name,
      priority: g.sched.priority,
      ramGpa: g.ramGpa,
      ramSize: g.ramSize,
      ramMr: g.ramMr,
      dtb: Array.from(g.dtb),
      dtbGpa: g.dtbGpa,
      virtio: g.virtio,
      deviceMaps: g.deviceMaps,
    })),
    seed: c.seed ?? 1,
    board: (c.board ?? DEFAULT_BOARD).name,
  };
}

describe('emulator: the example system the guest tests boot', () => {
  it('is examples/dual-guest as from-project reads it (regions, priorities, channels, roles, guests, DTBs)', () => {
    const host = new NodeFileHost();
    const project = loadProject(path.join(EXAMPLE_DIR, 'dual-guest.json'), host);
    const { config: fromFiles, diagnostics } = emulatorConfigFromProject(project, { host });
    assert.ok(fromFiles?.roles, diagnostics.map((d) => d.message).join('; '));
    const idle = () => new IdleGuest();
    const { config } = dualSystem({ programs: [idle, idle] });
    assert.deepEqual(shape(config), shape(fromFiles));
    assert.deepEqual(
      config.guests.map((g) => g.initrd?.gpa),
      project.guests.map((g) => g.initrdAddr),
    );
    assert.equal(config.guests[0].initrd?.gpa, 0x44500000);
  });
});
