// The FileHost for Node hosts (CLI, language server, worker, tests): the only place that reads the
// real file system for the cores.
//
// A workspace names the files it reads (`/include/ "..."`, `#include`, a project file's images, a
// committed symlink), so a hostile one could name /dev/zero or a FIFO. Only regular files are read,
// up to MAX_FILE_BYTES, and opening never blocks: anything else reads as absent, and `unreadable`
// says why for the message.
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync } from 'fs';
import type { BuildClock, FileHost } from '../common/host';

/** The process's clock, time zone and environment, as gcc's cpp reads them. */
export const NODE_BUILD_CLOCK: BuildClock = {
  now: () => Date.now(),
  utcOffsetMinutes: (epochMs) => -new Date(epochMs).getTimezoneOffset(),
  sourceDateEpoch: () => process.env.SOURCE_DATE_EPOCH,
};

/** The largest file read (kernel images and initrds are the large ones: tens of MiB). */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

export class NodeFileHost implements FileHost {
  readonly buildClock: BuildClock = NODE_BUILD_CLOCK;

  readFile(path: string): Uint8Array | undefined {
    let fd: number | undefined;
    try {
      // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, for good.
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      const st = fstatSync(fd);
      if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined;
      const bytes = new Uint8Array(st.size);
      let filled = 0;
      // Reads what the file held when it was opened; a file growing meanwhile is not followed.
      while (filled < bytes.length) {
        const n = readSync(fd, bytes, filled, bytes.length - filled, null);
        if (n === 0) break;
        filled += n;
      }
      return filled === bytes.length ? bytes : bytes.subarray(0, filled);
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
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
  unreadable(path: string): string | undefined {
    try {
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st) return 'No such file or directory';
      if (!st.isFile()) return st.isDirectory() ? 'Is a directory' : 'not a regular file (a device, FIFO or socket): not read';
      if (st.size > MAX_FILE_BYTES) return `larger than the ${MAX_FILE_BYTES / 1024 / 1024} MiB limit on files read: not read`;
      return undefined;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EACCES' ? 'Permission denied' : 'cannot be read';
    }
  }

  modifiedTime(path: string): number | undefined {
    try {
      return statSync(path, { throwIfNoEntry: false })?.mtimeMs;
    } catch {
      return undefined;
    }
  }

  listDirectory(path: string): string[] {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  }
}
