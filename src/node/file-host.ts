// The FileHost for Node hosts (CLI, language server, worker, tests): the only place that reads the
// real file system for the cores.
import { readFileSync, statSync } from 'fs';
import type { BuildClock, FileHost } from '../common/host';

/** The process's clock, time zone and environment, as gcc's cpp reads them. */
export const NODE_BUILD_CLOCK: BuildClock = {
  now: () => Date.now(),
  utcOffsetMinutes: (epochMs) => -new Date(epochMs).getTimezoneOffset(),
  sourceDateEpoch: () => process.env.SOURCE_DATE_EPOCH,
};

export class NodeFileHost implements FileHost {
  readonly buildClock: BuildClock = NODE_BUILD_CLOCK;

  readFile(path: string): Uint8Array | undefined {
    try {
      const b = readFileSync(path);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch {
      return undefined;
    }
  }
  /**
   * Most questions are about files that do not exist (project files up the folder tree, include
   * candidates): answered without the exception statSync throws by default, whose stack trace costs
   * more than the system call.
   */
  fileExists(path: string): boolean {
    try {
      return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
    } catch {
      return false;
    }
  }

  modifiedTime(path: string): number | undefined {
    try {
      return statSync(path, { throwIfNoEntry: false })?.mtimeMs;
    } catch {
      return undefined;
    }
  }
}
