// The workspace's machine access in a Node server: files and folder listings through NodeFileHost.
import { NodeFileHost } from '../node/file-host';
import type { WorkspaceHost } from './workspace';

export class NodeWorkspaceHost extends NodeFileHost implements WorkspaceHost {}
