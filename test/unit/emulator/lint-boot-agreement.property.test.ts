// The linter and the emulated kernel agree, because one driver table decides both
// (src/emulator/guest/linux/drivers.ts): over random variants of the example project (each board
// device enabled or disabled per guest, each device mapped into the VM or not, the gpc and gic_vcpu
// maps kept or dropped, the memory node equal to the RAM map, smaller or larger), a guest's first
// fault at boot is at a node the lint reports as an error for that guest, and a guest the lint finds
// nothing blocking in boots to its login prompt.
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { MemoryFileHost } from '../../../src/common/host';
import { createEmulator } from '../../../src/emulator/emulator';
import { emulatorConfigFromProject } from '../../../src/emulator/from-project';
import { lintSystemFile, loadProject, type GuestDiagnostic } from '../../../src/system';

const EXAMPLE = path.resolve(__dirname, '..', '..', '..', 'examples', 'dual-guest');
const FILES: Record<string, string> = Object.fromEntries(readdirSync(EXAMPLE).map((f) => [`/p/${f}`, readFileSync(path.join(EXAMPLE, f), 'utf8')]));
const VMS = ['client_linux-1', 'client_linux-2'] as const;

/** The board's devices (board.dts labels) with their register windows; uart1 is the sDDF driver's and is never given to a VM. */
const DEVICES: { label: string; base: number; mappable: boolean }[] = [
  { label: 'gpio1', base: 0x30200000, mappable: true },
  { label: 'wdog1', base: 0x30280000, mappable: true },
  { label: 'gpc', base: 0x303a0000, mappable: true },
  { label: 'ecspi1', base: 0x30820000, mappable: true },
  { label: 'uart1', base: 0x30860000, mappable: false },
  { label: 'i2c1', base: 0x30a20000, mappable: true },
  { label: 'usdhc1', base: 0x30b40000, mappable: true },
  { label: 'fec1', base: 0x30be0000, mappable: true },
  { label: 'usb_dwc3_0', base: 0x38100000, mappable: true },
];

interface GuestVariant {
  enabled: boolean[];
  mapped: boolean[];
  gicVcpu: boolean;
  /** The memory node's size; the RAM map is 0xf000000 (the initrd window ends at 0x47000000). */
  memory: number;
}

/** Mostly disabled and unmapped, so that both booting and faulting guests come up. */
const guestArb: fc.Arbitrary<GuestVariant> = fc.record({
  enabled: fc.array(
    fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
    { minLength: DEVICES.length, maxLength: DEVICES.length },
  ),
  mapped: fc.array(fc.boolean(), { minLength: DEVICES.length, maxLength: DEVICES.length }),
  gicVcpu: fc.boolean(),
  memory: fc.oneof({ weight: 3, arbitrary: fc.constant(0xf000000) }, { weight: 1, arbitrary: fc.constantFrom(0x8000000, 0x4000000, 0x10000000) }),
});

/** The example's files with the variant: an overlay per guest setting each device's status, and the VMs' maps rewritten. */
function variantFiles(variants: GuestVariant[]): Record<string, string> {
  const files = { ...FILES };
  const json = JSON.parse(files['/p/dual-guest.json']);
  let system = files['/p/dual-guest.system'];
  const regions = new Set<string>();
  variants.forEach((v, i) => {
    const vm = VMS[i];
    files[`/p/status-${i + 1}.dts`] =
      DEVICES.map((d, j) => `&${d.label} { status = "${v.enabled[j] ? 'okay' : 'disabled'}"; };\n`).join('') +
      `/ { memory@40000000 { reg = <0x0 0x40000000 0x0 0x${v.memory.toString(16)}>; }; };\n`;
    json.guests[vm].dts.push(`status-${i + 1}.dts`);
    const maps = [`<map mr="client_vm_ram_${i + 1}" vaddr="0x40000000" perms="rwx" />`];
    if (v.gicVcpu) maps.push('<map mr="gic_vcpu" vaddr="0x31000000" perms="rw" cached="false" />');
    DEVICES.forEach((d, j) => {
      if (!v.mapped[j] || !d.mappable) return;
      const mr = d.label === 'gpc' ? 'gpc' : `dev_${d.label}`;
      if (mr !== 'gpc') regions.add(`<memory_region name="${mr}" size="0x10000" phys_addr="0x${d.base.toString(16)}" />`);
      maps.push(`<map mr="${mr}" vaddr="0x${d.base.toString(16)}" perms="rw" cached="false" />`);
    });
    const start = system.indexOf(`<virtual_machine name="${vm}"`);
    const end = system.indexOf('</virtual_machine>', start);
    const open = system.indexOf('>', start) + 1;
    system = `${system.slice(0, open)}\n<vcpu id="0" />\n${maps.join('\n')}\n${system.slice(end)}`;
  });
  files['/p/dual-guest.system'] = system.replace('</system>', `${[...regions].join('\n')}\n</system>`);
  files['/p/dual-guest.json'] = JSON.stringify(json);
  return files;
}

interface Outcome {
  login: boolean;
  /** The DT node path owning the first faulting address, when the guest faulted. */
  faultAt?: string;
  halted: boolean;
}

function boot(host: MemoryFileHost): Outcome[] {
  const { config, diagnostics } = emulatorConfigFromProject(loadProject('/p/dual-guest.json', host), { host });
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  const emulator = createEmulator(config).emulator!;
  const output = ['', ''];
  const latin1 = new TextDecoder('latin1');
  emulator.onClientOutput((client, bytes) => {
    output[client] += latin1.decode(bytes);
  });
  const settled = (i: number): boolean => output[i].includes('login: ') || emulator.snapshot().guests[i].haltReason !== undefined;
  while (!(settled(0) && settled(1)) && emulator.now() < 1_000_000_000) emulator.runFor(5_000_000);
  return [0, 1].map((i) => {
    const halt = emulator.snapshot().guests[i].haltReason;
    const gpa = halt ? /unexpected memory fault at (0x[0-9a-f]+)/.exec(halt)?.[1] : undefined;
    const owner = gpa ? config.describeAddress!(VMS[i], Number(gpa)) : undefined;
    return { login: output[i].includes('login: '), halted: halt !== undefined, faultAt: owner?.path };
  });
}

describe('lint and boot agree on what the guest kernel touches (property)', function () {
  this.timeout(120000);

  it('a first fault is always a lint error for that guest; a guest with no blocking finding boots', () => {
    let faulted = 0,
      booted = 0;
    const none: GuestVariant = { enabled: DEVICES.map(() => false), mapped: DEVICES.map(() => false), gicVcpu: true, memory: 0xf000000 };
    const gpcOnly: GuestVariant = { ...none, enabled: DEVICES.map((d) => d.label === 'gpc') };
    fc.assert(
      fc.property(fc.tuple(guestArb, guestArb), (variants) => {
        const host = new MemoryFileHost(variantFiles(variants));
        const diagnostics = lintSystemFile('/p/dual-guest.system', host) as (
          GuestDiagnostic | { guests?: undefined; severity: string; code?: string; subject?: string }
        )[];
        assert.deepEqual(
          diagnostics.filter((d) => d.severity === 'error' && !d.guests),
          [],
          'the variant itself is a valid project',
        );
        const outcomes = boot(host);
        VMS.forEach((vm, i) => {
          const o = outcomes[i];
          const mine = diagnostics.filter((d) => d.guests?.includes(vm));
          const faults = mine.filter((d) => d.severity === 'error' && d.code === 'guest-dt-unmapped-device');
          const shown = `${vm}: ${JSON.stringify(o)}\n${mine.map((d) => `${d.severity} ${d.code} ${d.subject}`).join('\n')}`;
          if (o.faultAt) {
            faulted++;
            assert.ok(
              mine.some((d) => d.severity === 'error' && d.subject === o.faultAt),
              `the first fault is not among the lint's errors: ${shown}`,
            );
          }
          // The lint's "the guest faults at boot" holds, and nothing else stops a guest it finds clean.
          if (faults.length > 0) assert.ok(o.halted, `the lint says the guest faults, it did not: ${shown}`);
          if (!mine.some((d) => d.severity === 'error' || d.code === 'guest-dt-irq-route')) {
            booted++;
            assert.ok(o.login, `no blocking finding, yet no login prompt: ${shown}`);
          }
        });
      }),
      {
        seed: 12,
        numRuns: 6,
        examples: [
          [[none, none]],
          [[gpcOnly, gpcOnly]],
          // Memory: beyond the RAM map (a fault at its top), without the initrd (a panic), half of it (boots).
          [
            [
              { ...none, memory: 0x10000000 },
              { ...none, memory: 0x4000000 },
            ],
          ],
          [[{ ...none, memory: 0x8000000 }, none]],
        ],
      },
    );
    assert.ok(faulted > 0 && booted > 0, `faulted ${faulted}, booted ${booted}: the runs must cover both`);
  });
});
