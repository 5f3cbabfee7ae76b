// The file "Save input recording" writes and "Replay a recording" reads: the emulator's InputLog
// plus the project it was made on. Read with a check of every field: the file may be anything.
import { readComponentChoice, type InputLog } from '../emulator/record';

/** An input recording as "Save recording" writes it; a message when the file is not one. */
export function parseRecording(text: string): { log: InputLog; projectFile?: string } | string {
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch (e) {
    return `not JSON (${e instanceof Error ? e.message : String(e)})`;
  }
  const o = x as { version?: unknown; seed?: unknown; records?: unknown; projectFile?: unknown; components?: unknown };
  if (!o || typeof o !== 'object' || o.version !== 1) return 'not an input recording (expected "version": 1)';
  if (typeof o.seed !== 'number' || !Array.isArray(o.records)) return 'a recording needs "seed" (a number) and "records" (an array)';
  for (const [i, r] of (o.records as unknown[]).entries()) {
    const rec = r as { timeNs?: unknown; bytes?: unknown; resetGuest?: unknown };
    if (typeof rec?.timeNs !== 'number' || !Array.isArray(rec.bytes) || !rec.bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
      return `record ${i} needs "timeNs" (a number) and "bytes" (numbers 0-255)`;
    }
    if (rec.resetGuest !== undefined && !(Number.isInteger(rec.resetGuest) && (rec.resetGuest as number) >= 0)) {
      return `record ${i}: "resetGuest" must be a guest index (0, 1, ...)`;
    }
  }
  const { components, error } = readComponentChoice(o.components);
  if (error) return error;
  return {
    log: { version: 1, seed: o.seed, records: o.records as InputLog['records'], ...(components ? { components } : {}) },
    projectFile: typeof o.projectFile === 'string' ? o.projectFile : undefined,
  };
}
