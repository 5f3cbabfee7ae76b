// The workspace's machine access in a Node server: files through NodeFileHost, folder listings for
// the lone-file guesses.
import { readdirSync, statSync } from 'fs';
import { NodeFileHost } from '../node/file-host';
import type { WorkspaceHost } from './workspace';

export class NodeWorkspaceHost extends NodeFileHost implements WorkspaceHost {
  /**
   * Most questions the guesses ask are about files that do not exist (project files up the folder
   * tree): answered without the exception statSync throws by default, whose stack trace costs more
   * than the system call.
   */
  override fileExists(path: string): boolean {
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
