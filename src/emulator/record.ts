// Record and replay of host input: the emulator logs every typeInput call with its virtual time;
// replaying that log against the same configuration and seed reproduces the run byte for byte.
import type { Emulator, InputRecord } from './emulator';

export interface InputLog {
  version: 1;
  seed: number;
  records: { timeNs: number; bytes: number[] }[];
}

export function recordInputLog(emulator: Emulator, seed: number): InputLog {
  return { version: 1, seed, records: emulator.inputLog.map((r: InputRecord) => ({ timeNs: r.timeNs, bytes: Array.from(r.bytes) })) };
}

/**
 * Feed a recorded input log to a fresh emulator: run to each record's time, type its bytes, and
 * finally run to `untilNs` (virtual). Records out of time order are typed as soon as possible.
 */
export function replayInputLog(emulator: Emulator, log: InputLog, untilNs: number): void {
  for (const r of log.records) {
    if (r.timeNs > emulator.now()) emulator.runFor(r.timeNs - emulator.now());
    emulator.typeInput(Uint8Array.from(r.bytes));
  }
  if (untilNs > emulator.now()) emulator.runFor(untilNs - emulator.now());
}
