// Record and replay of host input: the emulator logs every typeInput and resetGuest call with its virtual time;
// replaying that log against the same configuration and seed reproduces the run byte for byte.
import type { Emulator, InputRecord } from './emulator';

export interface InputLog {
  version: 1;
  seed: number;
  /** Bytes typed on the UART line; a record with resetGuest is that guest's reset (its bytes are empty). */
  records: { timeNs: number; bytes: number[]; resetGuest?: number }[];
}

export function recordInputLog(emulator: Emulator, seed: number): InputLog {
  return {
    version: 1, seed,
    records: emulator.inputLog.map((r: InputRecord) => (r.resetGuest === undefined
      ? { timeNs: r.timeNs, bytes: Array.from(r.bytes) }
      : { timeNs: r.timeNs, bytes: [], resetGuest: r.resetGuest })),
  };
}

/** Do what one record says, now: type its bytes, or reset its guest. */
export function applyInputRecord(emulator: Emulator, r: InputLog['records'][number]): void {
  if (r.resetGuest !== undefined) emulator.resetGuest(r.resetGuest);
  else emulator.typeInput(Uint8Array.from(r.bytes));
}

/**
 * Feed a recorded input log to a fresh emulator: run to each record's time, type its bytes, and
 * finally run to `untilNs` (virtual). Records out of time order are typed as soon as possible.
 */
export function replayInputLog(emulator: Emulator, log: InputLog, untilNs: number): void {
  for (const r of log.records) {
    if (r.timeNs > emulator.now()) emulator.runFor(r.timeNs - emulator.now());
    applyInputRecord(emulator, r);
  }
  if (untilNs > emulator.now()) emulator.runFor(untilNs - emulator.now());
}
