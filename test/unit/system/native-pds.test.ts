// Native PDs the emulator has no model for: the linter names each on its element, and the
// emulator says the same at boot.
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { MemoryFileHost } from '../../../src/common/host';
import { loadProject } from '../../../src/system/project';
import { createEmulator } from '../../../src/emulator/emulator';
import { exampleDualGuestConfig } from '../../../src/emulator/example-system';
import { IdleGuest } from '../emulator/helpers';
import { assertDiagnostics } from './helpers';

const EXAMPLE = readFileSync(path.join(__dirname, '../../../examples/dual-guest/dual-guest.system'), 'utf8');
const SYS = '/p/dual-guest.system';
const TIMER = '    <protection_domain name="timer_driver" priority="150">\n        <program_image path="timer_driver.elf" />\n    </protection_domain>\n';

describe('native PDs the emulator does not model', () => {
  it('the linter names a native PD on its element and says its queues fill', () => {
    const text = EXAMPLE.replace('</system>', `${TIMER}</system>`);
    const { diagnostics } = loadProject(SYS, new MemoryFileHost({ [SYS]: text }));
    assertDiagnostics(
      SYS,
      text,
      diagnostics.filter((d) => d.code === 'sddf-native-pd-not-emulated'),
      [
        {
          severity: 'warning',
          code: 'sddf-native-pd-not-emulated',
          at: 'timer_driver',
          message:
            "protection domain 'timer_driver' runs native code the emulator does not model: it is never run, the queues it consumes will fill and it answers no notification",
        },
      ],
    );
  });

  it('the example alone has none', () => {
    const { diagnostics } = loadProject(SYS, new MemoryFileHost({ [SYS]: EXAMPLE }));
    assert.deepEqual(
      diagnostics.filter((d) => d.code === 'sddf-native-pd-not-emulated'),
      [],
    );
  });

  it('the emulator says so at boot, naming a native serial client and the RX queue that will fill', () => {
    const config = exampleDualGuestConfig({ ramSize: 0x800000, programs: [() => new IdleGuest(), () => new IdleGuest()] });
    // CLIENT_VMM-2 as a native serial client: no VM of its own.
    config.guests = config.guests.slice(0, 1);
    config.pds.find((p) => p.name === 'CLIENT_VMM-2')!.vmm = false;
    config.pds.push({ name: 'timer_driver', priority: 150 });
    const { emulator, diagnostics } = createEmulator(config);
    assert.ok(emulator);
    assert.deepEqual(
      diagnostics.filter((d) => d.code === 'sddf-native-pd-not-emulated').map((d) => [d.severity, d.message]),
      [
        [
          'warning',
          "protection domain 'CLIENT_VMM-2' runs native code the emulator does not model: it is never run, its serial RX queue from 'serial_virt_rx' will fill (then 'serial_virt_rx' drops its input) and nothing it would print reaches the UART",
        ],
        [
          'warning',
          "protection domain 'timer_driver' runs native code the emulator does not model: it is never run, the queues it consumes will fill and it answers no notification",
        ],
      ],
    );
  });
});
