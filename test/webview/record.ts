// Real snapshots from the emulator for the page tests and the bench: the example dual-guest system
// with the small virtio console guest echoing what it receives, a few keys typed at the UART, and a
// snapshot after every single event (Emulator.stepEvent).
import { createEmulator, type Emulator, type EmulatorSnapshot } from '../../src/emulator/emulator';
import { exampleDualGuestConfig } from '../../src/emulator/example-system';
import { ConsoleTestGuest } from '../../src/emulator/guest/console-test-guest';

export function echoSystem(seed = 1): Emulator {
  const mk = () => () => new ConsoleTestGuest({ virtioBase: 0x150000, echo: true, queueSize: 8 });
  const { emulator, diagnostics } = createEmulator(exampleDualGuestConfig({ programs: [mk(), mk()], ramSize: 0x1000000, seed }));
  if (!emulator) throw new Error(`example system did not assemble: ${diagnostics.map((d) => d.message).join('; ')}`);
  return emulator;
}

/**
 * Snapshots after each event while `keys` travel to guest 1 and back, after each of a few more keys,
 * then after each event while input switches to guest 2 and two keys reach it.
 */
export function recordSnapshots(keys = 'hello'): EmulatorSnapshot[] {
  const emu = echoSystem();
  emu.runUntilIdle(1e9);
  const out: EmulatorSnapshot[] = [emu.snapshot()];
  const steps = (n: number) => {
    for (let i = 0; i < n; i++) {
      if (!emu.stepEvent(1e8)) break;
      out.push(emu.snapshot());
    }
  };
  emu.typeInput(keys);
  steps(60);
  emu.runUntilIdle(1e9);
  out.push(emu.snapshot());
  // Then one key at a time, as a person types.
  for (const key of ' date\r') {
    emu.typeInput(key);
    emu.runUntilIdle(1e9);
    out.push(emu.snapshot());
  }
  // '@', '1', Enter switches input to the second client (switchChar 0x40, clientBase 0).
  emu.typeInput('@1\rok');
  steps(60);
  emu.runUntilIdle(1e9);
  out.push(emu.snapshot());
  return out;
}
