// The FileHost for Node hosts (CLI, language server, worker, tests): the only place that reads the
// real file system for the cores.
import { readdirSync, readFileSync, statSync } from 'fs';
import type { FileHost } from '../common/host';

export class NodeFileHost implements FileHost {
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
  listDirectory(path: string): string[] {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  }
}
