// The 60-second session the time-travel test and bench jump around in: the default example
// running the Linux model, with logins, commands, a flood and guest switches at fixed times.
import { createEmulator, type Emulator } from '../../../src/emulator/emulator';
import type { KernelObserver } from '../../../src/emulator/kernel';
import { recordInputLog, type InputLog } from '../../../src/emulator/record';
import { dualSystem } from './guest-harness';

const S = 1e9;

/** A 60 s session as a user has it: its config, its input log, and when it ended. */
export function recordedSession(): { build: (onOutput: (b: Uint8Array) => void, observer: KernelObserver) => Emulator; log: InputLog; endNs: number } {
  const sys = dualSystem();
  const emu = sys.emulator;
  const steps: [string, number][] = [
    ['root\r', 2 * S],
    ['echo one\r', 3 * S],
    ['yes\r', 5 * S],
    ['\x03', 5.3 * S],
    ['@1\r', 8 * S],
    ['root\r', 9 * S],
    ['cat /proc/interrupts\r', 15 * S],
    ['@0\r', 30 * S],
    ['uname -a\r', 31 * S],
    ['ls /\r', 45 * S],
  ];
  for (const [input, at] of steps) {
    emu.runFor(at - emu.now());
    emu.typeInput(input);
  }
  emu.runFor(60 * S - emu.now());
  const config = sys.config;
  return {
    build: (onOutput, observer) => createEmulator(config, { onUartOutput: onOutput, observers: [observer] }).emulator!,
    log: recordInputLog(emu, config.seed ?? 1),
    endNs: emu.now(),
  };
}

/** Everything the inspector shows of a machine, as comparable data. */
export function picture(emu: Emulator): unknown {
  return JSON.parse(JSON.stringify(emu.snapshot(), (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v)));
}
