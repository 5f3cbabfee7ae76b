// The workspace's machine access in a Node server: files through NodeFileHost, folder listings for
// the lone-file guesses.
import { readdirSync } from 'fs';
import { NodeFileHost } from '../node/file-host';
import type { WorkspaceHost } from './workspace';

export class NodeWorkspaceHost extends NodeFileHost implements WorkspaceHost {
  listDirectory(path: string): string[] {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  }
}
