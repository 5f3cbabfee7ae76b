// Record and replay of host input: the emulator logs every typeInput and resetGuest call with its virtual time;
// replaying that log against the same configuration and seed reproduces the run byte for byte.
import type { Emulator, InputRecord } from './emulator';

export interface InputLog {
  version: 1;
  seed: number;
  /**
   * Which PDs ran their real C code and which the models (absent in older recordings: all models).
   * The same input gives the same bytes only with the same programs, so a replay boots this choice.
   */
  components?: Record<string, 'model' | 'real'>;
  /** Bytes typed on the UART line; a record with resetGuest is that guest's reset (its bytes are empty). */
  records: { timeNs: number; bytes: number[]; resetGuest?: number }[];
}

export function recordInputLog(emulator: Emulator, seed: number): InputLog {
  return {
    version: 1,
    seed,
    components: componentChoice(emulator),
    records: emulator.inputLog.map((r: InputRecord) =>
      r.resetGuest === undefined ? { timeNs: r.timeNs, bytes: Array.from(r.bytes) } : { timeNs: r.timeNs, bytes: [], resetGuest: r.resetGuest },
    ),
  };
}

/** Each PD of the emulator: does it run its real code or a model (PDs with no program: model)? */
export function componentChoice(emulator: Emulator): Record<string, 'model' | 'real'> {
  const out: Record<string, 'model' | 'real'> = {};
  for (const name of emulator.kernel.pds.keys()) out[name] = emulator.real?.isReal(name) ? 'real' : 'model';
  return out;
}

/**
 * Why a replay cannot reproduce a recording on this emulator: the PDs whose program differs from the
 * recorded one (a compiler missing here, a PD renamed). undefined when they agree.
 */
export function componentMismatch(emulator: Emulator, log: InputLog): string | undefined {
  if (!log.components) return undefined;
  const now = componentChoice(emulator);
  const differ = Object.keys({ ...log.components, ...now })
    .filter((pd) => (log.components![pd] ?? 'model') !== (now[pd] ?? 'model'))
    .map((pd) => `'${pd}' was recorded as ${log.components![pd] ?? 'model'} but runs as ${now[pd] ?? 'model'}`);
  return differ.length === 0 ? undefined : `the recording's components differ from this boot's (${differ.join('; ')}): its transcript would not be reproduced`;
}

/** A recording's `components` field read back: undefined when absent, a message when malformed. */
export function readComponentChoice(v: unknown): { components?: Record<string, 'model' | 'real'>; error?: string } {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((k) => k === 'model' || k === 'real')) {
    return { error: '"components" must map PD names to "model" or "real"' };
  }
  return { components: v as Record<string, 'model' | 'real'> };
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
