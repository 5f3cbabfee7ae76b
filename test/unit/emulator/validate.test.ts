// validateConfig: a configuration the emulator cannot build is a message, never a throw.
import { strict as assert } from 'assert';
import { MAX_EMULATED_MEMORY, validateConfig } from '../../../src/emulator/validate';
import { createEmulator } from '../../../src/emulator/emulator';
import { dualSystem } from './guest-harness';

describe('emulator/validate: memory limits', () => {
  it('a 64 GiB region is refused with the stated limit, not "Invalid typed array length"', () => {
    const { config } = dualSystem();
    const ram = config.memoryRegions.find((m) => m.name === config.guests[0].ramMr)!;
    ram.size = 64 * 1024 ** 3;
    const messages = validateConfig(config).map((d) => d.message);
    assert.deepEqual(
      messages.filter((m) => m.includes('emulator can hold')),
      [`memory region '${ram.name}' is 64 GiB, more than the emulator can hold (4 GiB of emulated memory in all)`],
    );
    const created = createEmulator(config);
    assert.equal(created.emulator, undefined);
    assert.ok(created.diagnostics.some((d) => d.message.includes('64 GiB, more than the emulator can hold')));
  });

  it('regions that fit one by one but not together are refused as a total', () => {
    const { config } = dualSystem();
    for (const g of config.guests) config.memoryRegions.find((m) => m.name === g.ramMr)!.size = MAX_EMULATED_MEMORY / 2 + 4096;
    const messages = validateConfig(config).map((d) => d.message);
    assert.ok(
      messages.some((m) => /^the memory regions total 0x1000[0-9a-f]{5} bytes, more than the emulator can hold \(4 GiB of emulated memory in all\)$/.test(m)),
      messages.join('\n'),
    );
  });

  it('the example system is within the limit', () => {
    assert.deepEqual(
      validateConfig(dualSystem().config).filter((d) => d.message.includes('emulator can hold')),
      [],
    );
  });
});
